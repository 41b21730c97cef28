# Placeholder until the dashboard lands.
from django.http import HttpResponse


def dashboard(request, org):
    return HttpResponse(status=501)
