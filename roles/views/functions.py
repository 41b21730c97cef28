# Placeholder until the functions pages land (issue 2).
from django.http import HttpResponse


def function_list(request, org):
    return HttpResponse(status=501)


def function_create(request, org):
    return HttpResponse(status=501)


def function_edit(request, org, pk):
    return HttpResponse(status=501)


def function_delete(request, org, pk):
    return HttpResponse(status=501)
