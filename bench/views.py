"""The framework's floor: what any page costs before the app does anything (issue 9).

`bare` returns a fixed response through the whole middleware stack; `one_query` does the same
after one indexed query (an organization by its unique slug); `signed_in` is what every page of
an organization costs before its own work (issue 13 item 8): the session, the user, the
organization context and the page layout with its navigation around an empty body. Every page
is compared with them.
Mounted only by bench/urls.py, never by the app's own urlconf.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.template import engines

from roles.models import Organization
from roles.permissions import org_view


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


def one_query(request: HttpRequest, org: str) -> HttpResponse:
    name = Organization.objects.filter(slug=org).values_list("name", flat=True).first()
    if name is None:
        raise Http404("No such organization.")
    return HttpResponse(name.encode(), content_type="text/plain")


_SIGNED_IN = engines["django"].from_string(
    '{% extends "base.html" %}{% block title %}Signed in{% endblock %}'
    "{% block content %}<h1>Signed in</h1>{% endblock %}"
)


@org_view()
def signed_in(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_SIGNED_IN.render({}, request))
