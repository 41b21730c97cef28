"""The activity log: who changed members, invitations, people and functions, and when (admins,
DESIGN §5 "manage members"; leaders 403, other organizations 404)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ..permissions import OrgRequest, Perm, org_view
from ..selectors import activity as selectors


@org_view(Perm.ADMIN)
@require_GET
def activity(request: OrgRequest) -> HttpResponse:
    organization = request.ctx.organization
    kind = request.GET.get("kind", "")
    kind = kind if kind in selectors.KINDS else ""
    page = selectors.activity_page(organization, number=request.GET.get("page"), kind=kind)
    context = {"page": page, "kind": kind, "kinds": selectors.KIND_LABELS}
    return render(request, "roles/activity.html", context)
