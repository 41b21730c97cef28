"""The landing page: straight to the user's organization, or a switcher for several."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from roles.models import Membership


@login_required
@require_safe  # a landing page: it only reads
def home(request: HttpRequest) -> HttpResponse:
    memberships = list(Membership.objects.filter(user=request.user).select_related("organization"))
    if len(memberships) == 1:
        return redirect("dashboard", org=memberships[0].organization.slug)
    return render(request, "roles/home.html", {"memberships": memberships})
