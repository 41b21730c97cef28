"""A stakeholder's own role (DESIGN §6 `/o/<org>/me/`): their function's assignments and their reviews."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from roles.forms.functions import add_domain_error
from roles.models import Stakeholder
from roles.permissions import OrgRequest, Perm, org_view
from roles.services import invites
from roles.statecache import DAY
from wholeproduct.errors import DomainError

from ..forms.reviews import ReviewForm
from ..selectors import me as selectors
from ..services import reviews as services

# An assignment's id in the review form drawn once for every card alike (see `_attach_forms`).
_PK = "__assignment__"
# The blank review form's fields, drawn with `_PK` for an id, by (the page's layers, the card's
# layer, its legend): they depend on nothing else, so each process draws each of them once.
_BLANK_FIELDS: dict[tuple[Any, ...], str] = {}
_BLANK_KEPT = 256  # keys at most (4 layers x 3 legends for each set of layers seen)


class DrawnForm:
    """A card's blank review form, already drawn: what the card's templates ask of a form that
    has no data and so no errors (`drawn`, `errors`, `non_field_errors`)."""

    errors: dict[str, Any] = {}

    def __init__(self, drawn: str) -> None:
        self.drawn = mark_safe(drawn)  # noqa: S308 (Django's own HTML, with an id put in)

    def non_field_errors(self) -> list[str]:
        return []


def _blank_fields(assignment: Any, layers: list[Any], item: Any) -> str:
    key = (tuple((layer.pk, layer.name, layer.ring) for layer in layers), assignment.layer_id, item.state.state)
    found = _BLANK_FIELDS.get(key)
    if found is None:
        blank = ReviewForm(assignment=assignment, layers=layers, prefix=f"a{_PK}")
        found = render_to_string("layers/me_form_fields.html", {"form": blank, "item": item})
        if len(_BLANK_FIELDS) >= _BLANK_KEPT:
            _BLANK_FIELDS.clear()
        _BLANK_FIELDS[key] = found
    return found


def _attach_forms(role: selectors.MyRole) -> None:
    """A blank review form for each card, its fields drawn once per layer and legend.

    Blank forms differ only by their prefix (the assignment's id) and the layers they offer (every
    layer but their own): Django's widgets and the field partials drew the same HTML for each of
    ten cards, most of the page's drawing. The fields are drawn once with a placeholder id (once
    per process: they depend on the layers alone), which each card's copy replaces by its own, so
    the HTML is the same byte for byte (tested). A form a card gets later (one bound to a POST,
    with its errors) is a ReviewForm, which renders itself."""
    for product in role.products:
        for item in product.assignments:
            assignment = item.assignment
            item.form = DrawnForm(_blank_fields(assignment, role.layers, item).replace(_PK, str(assignment.pk)))


def _unlinked_record(request: OrgRequest) -> Stakeholder | None:
    """A person record with the requester's email that no account claims yet (they can link it by invite)."""
    ctx = request.ctx
    email = request.user.email
    if not email:
        return None
    return (
        Stakeholder.objects.select_related("function")
        .filter(organization=ctx.organization, email__iexact=email, user__isnull=True)
        .first()
    )


@org_view(Perm.REVIEW, cached=DAY)
@require_GET
def me(request: OrgRequest) -> HttpResponse:
    ctx = request.ctx
    role = selectors.my_role(ctx)
    if role is None:
        record = _unlinked_record(request)
        context: dict[str, Any] = {"record": record}
        if record is not None:
            context["record_state"] = invites.invite_states(ctx.organization, [record]).get(record.pk)
        return render(request, "layers/me_none.html", context)
    _attach_forms(role)
    return render(request, "layers/me.html", {"role": role})


@org_view(Perm.REVIEW, cached=DAY)
@require_GET
def me_picture(request: OrgRequest, product: str) -> HttpResponse:
    """The picture of one of the requester's own products, for "my role" to load when scrolled to,
    with the "shared with" list of each of their assignments on it (swapped in by id)."""
    picture = selectors.picture_of(request.ctx, product)
    if picture is None:
        raise Http404("No such product of yours.")
    context = {"data": picture.rings, "shared": picture.shared, "person": request.ctx.stakeholder}
    return render(request, "layers/me_picture_loaded.html", context)


@org_view(Perm.REVIEW)
@require_POST
def me_review(request: OrgRequest, pk: int) -> HttpResponse:
    """Record the requester's review of one assignment of their own function (anything else: 404)."""
    ctx = request.ctx
    assignment = selectors.own_assignment(ctx, pk)
    if assignment is None:
        raise Http404("No such assignment.")
    form = ReviewForm(request.POST, assignment=assignment)
    saved = False
    if form.is_valid():
        try:
            services.review_submit(
                assignment=assignment,
                stakeholder=ctx.stakeholder,
                verdict=form.cleaned_data["verdict"],
                comment=form.cleaned_data["comment"],
                suggested_layer=form.cleaned_data["suggested_layer"],
            )
            saved = True
        except DomainError as error:
            add_domain_error(form, error)
    if request.htmx:
        return _card(request, pk, form=form, saved=saved)
    if saved:
        messages.success(request, _thanks(form.cleaned_data["verdict"]))
        return redirect(reverse("me", kwargs={"org": ctx.organization.slug}) + f"#assignment-{pk}")
    role = selectors.my_role(ctx)
    assert role is not None  # own_assignment found the person record
    _attach_forms(role)
    for product in role.products:
        for item in product.assignments:
            if item.assignment.pk == pk:
                item.form = form
    return render(request, "layers/me.html", {"role": role}, status=400)


def _thanks(verdict: str) -> str:
    if verdict == "agree":
        return "Thanks: your agreement is recorded."
    return "Thanks: your disagreement is recorded. A leader will look at it and you will see their answer here."


def _card(request: OrgRequest, pk: int, *, form: ReviewForm, saved: bool) -> HttpResponse:
    """The assignment's card, plus the page's counters out of band, for htmx to swap in.

    200 even with errors: htmx swaps only 2xx responses.
    """
    role = selectors.my_role(request.ctx)
    found = role and next(((p, i) for p in role.products for i in p.assignments if i.assignment.pk == pk), None)
    if not found:
        raise Http404("No such assignment.")
    mp, item = found
    item.form = ReviewForm(assignment=item.assignment, layers=role.layers) if saved else form
    thanks = _thanks(form.cleaned_data["verdict"]) if saved else ""
    response = render(request, "layers/me_swap.html", {"role": role, "mp": mp, "item": item, "thanks": thanks})
    patch_vary_headers(response, ["HX-Request"])
    return response
