# Placeholder until the people pages land (issue 2).
from django.http import HttpResponse


def people_list(request, org):
    return HttpResponse(status=501)


def person_create(request, org):
    return HttpResponse(status=501)


def person_edit(request, org, pk):
    return HttpResponse(status=501)
