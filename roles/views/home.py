"""The landing page: straight to where the user's work is, or a switcher for several organizations.

Stakeholders land on their own role (what they are asked to review); leaders and admins on
the dashboard. A `next` link on the sign-in page still wins: LoginView follows it first.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from roles.models import Membership
from roles.permissions import OrgRequest, org_view


@login_required
@require_safe  # a landing page: it only reads
def home(request: HttpRequest) -> HttpResponse:
    memberships = list(Membership.objects.filter(user=request.user).select_related("organization"))
    if len(memberships) == 1:
        membership = memberships[0]
        where = "me" if membership.access == Membership.Access.STAKEHOLDER else "dashboard"
        return redirect(where, org=membership.organization.slug)
    return render(request, "roles/home.html", {"memberships": memberships})


@org_view()
@require_safe
def org_switcher(request: OrgRequest) -> HttpResponse:
    """The organization switcher's list, fetched when it opens (htmx) rather than on every page."""
    memberships = Membership.objects.filter(user=request.user).select_related("organization")
    return render(
        request, "roles/_partials/org_switcher.html", {"memberships": memberships.order_by("organization__name")}
    )
