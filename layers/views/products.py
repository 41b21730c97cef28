# Placeholder until the product pages land (issue 2).
from django.http import HttpResponse


def product_list(request, org):
    return HttpResponse(status=501)


def product_create(request, org):
    return HttpResponse(status=501)


def product_edit(request, org, product):
    return HttpResponse(status=501)


def product_detail(request, org, product):
    return HttpResponse(status=501)
