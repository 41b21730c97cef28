"""Invite pages: send, resend and revoke invites (admins: DESIGN §5 "manage members and invites"),
and the public accept link."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import authenticate, get_user_model, login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from wholeproduct.errors import DomainError

from ..forms.functions import add_domain_error
from ..forms.members import AcceptPasswordForm, AcceptSignInForm, InviteForm
from ..models import Invite
from ..permissions import OrgRequest, Perm, org_view
from ..services import invites as services


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _back(request: OrgRequest) -> HttpResponse:
    """Where an invite action returns: a safe `next`, else the members page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    ctx = request.ctx
    return redirect("members", org=ctx.organization.slug)


def _invite_or_404(request: OrgRequest, pk: int) -> Invite:
    invite = services.invite_of(request.ctx.organization, pk)
    if invite is None:
        raise Http404("No such invite.")
    return invite


def _people(count: int) -> str:
    return f"{count} {'person' if count == 1 else 'people'}"


def _run_invite(request: OrgRequest, form: InviteForm) -> str:
    """Send what the form asks for; the message to show."""
    organization, user, base = request.ctx.organization, request.user, _base_url(request)
    scope = form.cleaned_data["scope"]
    if scope == InviteForm.PERSON:
        person = form.cleaned_data["stakeholder"]
        invite = services.invite_create(stakeholder=person, by=user, base_url=base)
        return f"Invite sent to {person.full_name} ({invite.email}). The link works for {services.INVITE_DAYS} days."
    if scope == InviteForm.FUNCTION:
        function = form.cleaned_data["function"]
        batch = services.invite_function(function=function, by=user, base_url=base)
        where = f"in {function.name}"
    else:
        batch = services.invite_everyone(organization=organization, by=user, base_url=base)
        where = f"in {organization.name}"
    skipped = f" {_people(batch.skipped)} skipped: already joined, invited or revoked." if batch.skipped else ""
    return f"Invites sent to {_people(batch.count)} {where}.{skipped}"


@org_view(Perm.ADMIN)
@require_http_methods(["GET", "POST"])
def invite_create(request: OrgRequest) -> HttpResponse:
    organization = request.ctx.organization
    initial: dict[str, Any] = {}
    for key in ("email", "function", "scope"):
        if request.GET.get(key):
            initial[key] = request.GET[key]
    form = InviteForm(request.POST if request.method == "POST" else None, organization=organization, initial=initial)
    if form.is_bound and form.is_valid():
        try:
            message = _run_invite(request, form)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, message)
            return _back(request)
    counts = services.counts(organization)
    next_url = request.GET.get("next") or request.POST.get("next") or ""
    return render(request, "roles/invite_form.html", {"form": form, "counts": counts, "next": next_url})


@org_view(Perm.ADMIN)
@require_POST
def invite_resend(request: OrgRequest, pk: int) -> HttpResponse:
    invite = _invite_or_404(request, pk)
    try:
        services.invite_resend(invite=invite, by=request.user, base_url=_base_url(request))
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, f"Invite sent again to {invite.email}; it now works for {services.INVITE_DAYS} days.")
    return _back(request)


@org_view(Perm.ADMIN)
@require_POST
def invite_revoke(request: OrgRequest, pk: int) -> HttpResponse:
    invite = _invite_or_404(request, pk)
    try:
        services.invite_revoke(invite=invite, by=request.user)
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, f"Invite for {invite.email} revoked: its link no longer works.")
    return _back(request)


# --- the public link --------------------------------------------------------------------------------


def _unusable(request: HttpRequest, error: services.InviteUnusable) -> HttpResponse:
    status = 404 if error.reason == "invalid" else 410
    context = {"reason": error.reason, "detail": error.detail, "invite": error.invite}
    return render(request, "roles/invite_unusable.html", context, status=status)


def _welcome(request: HttpRequest, acceptance: services.Acceptance) -> HttpResponse:
    login(request, acceptance.user, backend="roles.backends.EmailBackend")
    organization = acceptance.membership.organization
    messages.success(request, f"Welcome to {organization.name}, {acceptance.stakeholder.full_name}.")
    return redirect("me", org=organization.slug)


@require_http_methods(["GET", "POST"])
def invite_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Set a password (new email) or confirm an existing account, then land on "my role"."""
    try:
        invite = services.invite_for_token(token)
    except services.InviteUnusable as error:
        return _unusable(request, error)
    account = services.existing_account(invite)
    data = request.POST if request.method == "POST" else None
    context: dict[str, Any] = {"invite": invite, "person": invite.stakeholder, "organization": invite.organization}
    signed_in = request.user.is_authenticated
    if signed_in and (account is None or request.user.pk != account.pk):
        # Someone else's session: never switch it silently, nor join as the wrong person.
        context["signed_in_as_other"] = True
        return render(request, "roles/invite_accept.html", context, status=409 if data is not None else 200)
    if account is None:
        first, last = services.name_parts(invite.stakeholder.full_name)
        draft = get_user_model()(username=invite.email.lower(), email=invite.email, first_name=first, last_name=last)
        form: Any = AcceptPasswordForm(draft, data)
        if form.is_bound and form.is_valid():
            return _accept(request, token, form, password=form.cleaned_data["new_password1"])
    else:
        context["account"] = account
        context["signed_in_as_account"] = signed_in
        form = AcceptSignInForm(data)
        if data is not None and signed_in:
            return _accept(request, token, form, user=request.user)
        if form.is_bound and form.is_valid():
            user = authenticate(request, username=account.email, password=form.cleaned_data["password"])
            if user is not None and user.pk == account.pk:
                return _accept(request, token, form, user=user)
            form.add_error("password", "That is not the password of this account.")
    context["form"] = form
    return render(request, "roles/invite_accept.html", context)


def _accept(request: HttpRequest, token: str, form: Any, **kwargs: Any) -> HttpResponse:
    try:
        acceptance = services.invite_accept(token=token, **kwargs)
    except services.InviteUnusable as error:  # used or revoked meanwhile
        return _unusable(request, error)
    except DomainError as error:
        add_domain_error(form, error)
        invite = services.invite_for_token(token)
        context = {"invite": invite, "person": invite.stakeholder, "organization": invite.organization, "form": form}
        return render(request, "roles/invite_accept.html", context)
    return _welcome(request, acceptance)
