"""The members page (admins only): who has access and how much, and the invites still out."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from wholeproduct.errors import DomainError

from ..forms.members import AccessForm, InviteForm
from ..models import Membership
from ..permissions import OrgRequest, Perm, org_view
from ..rowcounts import counted, read_page
from ..services import invites, members
from ..statecache import MINUTE

PAGE_SIZE = 50


@org_view(Perm.ADMIN, cached=MINUTE)
@require_GET
def member_list(request: OrgRequest) -> HttpResponse:
    """A page of members (by email, or those matching the search), their person, and a page of
    invites. Nothing on it grows with the organization: the function to invite is picked with an
    autocomplete, and the people figures are two counts."""
    ctx = request.ctx
    organization = ctx.organization
    query = request.GET.get("q", "").strip()[:120]
    everyone = members.members_of(organization)
    memberships = members.search(everyone, query) if query else everyone
    paginator = Paginator(members.listed(memberships), PAGE_SIZE)
    member_total = counted(members.member_count(organization.pk))
    if not query:  # every member: counted and read by prepared statements
        paginator.count = member_total
    page = paginator.get_page(request.GET.get("page"))
    if not query:
        read_page(page, lambda bottom, top: members.members_page(organization.pk, bottom, top))
    user_ids = sorted({m.user_id for m in page})
    people = {p.user_id: p for p in members.people_of_users(organization.pk, user_ids)} if user_ids else {}
    admin_count = counted(members.admin_count(organization.pk))
    rows = [
        (
            m,
            people.get(m.user_id),
            m.user_id == request.user.pk,
            m.access == Membership.Access.ADMIN and admin_count == 1,
        )
        for m in page
    ]
    invite_paginator = Paginator(invites.open_or_expired(organization), PAGE_SIZE)
    invite_paginator.count = counted(invites.open_or_expired_count(organization.pk))
    invite_page = invite_paginator.get_page(request.GET.get("invites"))
    read_page(invite_page, lambda bottom, top: invites.open_or_expired_page(organization.pk, bottom, top))
    picker = InviteForm(organization=organization, auto_id="invite-%s")
    picker.fields["function"].widget.attrs["required"] = True
    context = {
        "rows": rows,
        "page": page,
        "query": query,
        "base_query": urlencode({"q": query}) if query else "",
        "member_total": member_total,
        "admin_count": admin_count,
        "access_choices": Membership.Access.choices,
        "invite_page": invite_page,
        "invite_rows": [(i, invites.state_of(i)) for i in invite_page],
        "counts": invites.counts(organization),
        "function_picker": picker["function"],
        "state_labels": invites.INVITE_STATE_LABELS,
    }
    return render(request, "roles/member_list.html", context)


def _member_or_404(request: OrgRequest, pk: int) -> Membership:
    membership = members.member_of(request.ctx.organization, pk)
    if membership is None:
        raise Http404("No such member.")
    return membership


def _name(membership: Membership) -> str:
    return membership.user.get_full_name() or membership.user.email


@org_view(Perm.ADMIN)
@require_POST
def member_access(request: OrgRequest, pk: int) -> HttpResponse:
    membership = _member_or_404(request, pk)
    form = AccessForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose admin, leader or stakeholder.")
    else:
        try:
            members.membership_set_access(membership=membership, access=form.cleaned_data["access"], by=request.user)
        except DomainError as error:
            messages.error(request, error.detail)
        else:
            messages.success(request, f"{_name(membership)} is now {membership.get_access_display().lower()}.")
    return redirect("members", org=membership.organization.slug)


@org_view(Perm.ADMIN)
@require_POST
def member_remove(request: OrgRequest, pk: int) -> HttpResponse:
    membership = _member_or_404(request, pk)
    try:
        members.membership_remove(membership=membership, by=request.user)
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, f"Removed {_name(membership)} from {membership.organization.name}.")
    return redirect("members", org=membership.organization.slug)
