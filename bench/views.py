"""The framework's floor: what any page costs before the app does anything (issue 9).

`bare` returns a fixed response through the whole middleware stack; `one_query` does the same
after one indexed query (an organization by its unique slug). Every page is compared with them.
Mounted only by bench/urls.py, never by the app's own urlconf.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse

from roles.models import Organization


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


def one_query(request: HttpRequest, org: str) -> HttpResponse:
    name = Organization.objects.filter(slug=org).values_list("name", flat=True).first()
    if name is None:
        raise Http404("No such organization.")
    return HttpResponse(name.encode(), content_type="text/plain")
