"""The review inbox (leaders and admins), one review's page, and resolving a dispute."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from roles.forms.functions import add_domain_error
from roles.permissions import OrgRequest, Perm, org_view
from roles.statecache import MINUTE
from wholeproduct.errors import Conflict, DomainError, Forbidden

from ..forms.reviews import ChangeForm, KeepForm
from ..models import Review
from ..selectors import campaigns as campaign_selectors
from ..selectors import products as selectors
from ..selectors import reviews as selectors_reviews
from ..selectors.layer_list import layers_in_ring_order
from ..services import reviews as services

PROGRESS_PAGE = 50  # functions per page of the progress table


@org_view(Perm.RESOLVE, cached=MINUTE)
@require_GET
def review_inbox(request: OrgRequest) -> HttpResponse:
    ctx = request.ctx
    organization = ctx.organization
    products = selectors.products_by_name(organization.pk)
    product = next((p for p in products if p.slug == request.GET.get("product")), None)
    # A large organization has thousands of open disputes and functions: the page shows them a
    # page at a time (the oldest disputes first, functions by name), and the totals come from
    # the product counters (layers.readmodel), never from the rows themselves.
    totals = selectors_reviews.inbox_totals(organization, product=product)
    layers = layers_in_ring_order()  # the dispute cards' and the resolved ones' (one read for both)
    disputes = selectors_reviews.open_dispute_page(
        organization,
        product=product,
        number=request.GET.get("page"),
        count=totals.open,
        products=products,
        layers=layers,
    )
    progress_page = campaign_selectors.function_progress_page(
        organization,
        product=product,
        number=request.GET.get("functions"),
        per_page=PROGRESS_PAGE,
        count=selectors_reviews.mapped_function_count(organization, product) if product else None,
    )
    campaigns = list(campaign_selectors.open_campaigns(organization.pk))
    context: dict[str, Any] = {
        "products": products,
        "product": product,
        "disputes": disputes.disputes,
        "dispute_page": disputes.page,
        "progress": progress_page.object_list,
        "progress_page": progress_page,
        "query": _query(request),
        "totals": totals,
        "campaigns": campaigns,
        "resolved": selectors_reviews.recently_resolved(organization, products=products, layers=layers),
        "my_user_id": request.user.pk,
    }
    return render(request, "layers/review_inbox.html", context)


def _query(request: HttpRequest) -> str:
    """The filter of the page, for the links of its two pagers ("product=…&")."""
    product = request.GET.get("product")
    return f"product={quote(product)}&" if product else ""


def _review_or_404(request: OrgRequest, pk: int) -> Review:
    review = selectors_reviews.review_for(request.ctx, pk)
    if review is None:
        raise Http404("No such review.")
    return review


def _who(request: OrgRequest, review: Review) -> str:
    ctx = request.ctx
    mine = ctx.stakeholder is not None and ctx.stakeholder.pk == review.stakeholder_id
    return "You" if mine else review.stakeholder.full_name


@org_view(Perm.REVIEW)
@require_GET
def review_detail(request: OrgRequest, pk: int) -> HttpResponse:
    """One review with its pair's history: its author and leaders only (anyone else: 404)."""
    review = _review_or_404(request, pk)
    context = {
        "review": review,
        "state": selectors_reviews.state_of_review(review, who=_who(request, review)),
        "history": selectors_reviews.pair_history(review),
        "is_author": _who(request, review) == "You",
    }
    return render(request, "layers/review_detail.html", context)


def _resolve(request: HttpRequest, review: Review, keep: KeepForm, change: ChangeForm) -> str | None:
    """Run the chosen resolution; the success message, or None when a form shows errors.

    Forbidden (the leader wrote the dispute) and Conflict (someone changed the assignment
    since the form was loaded) propagate: the view answers them.
    """
    if request.POST.get("action") == "keep":
        if not keep.is_valid():
            return None
        try:
            services.dispute_keep(review=review, note=keep.cleaned_data["note"], by=request.user)
        except (Forbidden, Conflict):
            raise
        except DomainError as error:
            add_domain_error(keep, error)
            return None
        return f"Kept the assignment; {review.stakeholder.full_name} will read your note."
    if not change.is_valid():
        return None
    data = change.cleaned_data
    try:
        services.dispute_change(
            review=review,
            emphasis=data["emphasis"],
            contribution=data["contribution"],
            add_suggested_layer=data.get("add_suggested_layer", False),
            note=data["note"],
            expected_version=data["version"],
            by=request.user,
        )
    except (Forbidden, Conflict):
        raise
    except DomainError as error:
        add_domain_error(change, error)
        return None
    return f"Changed the assignment; {review.stakeholder.function.name} will be asked to review it again."


@org_view(Perm.RESOLVE)
@require_http_methods(["GET", "POST"])
def review_resolve(request: OrgRequest, pk: int) -> HttpResponse:
    review = _review_or_404(request, pk)
    own = review.stakeholder.user_id == request.user.pk
    action = request.POST.get("action") if request.method == "POST" else None
    keep = KeepForm(request.POST if action == "keep" else None, prefix="keep")
    change = ChangeForm(request.POST if action == "change" else None, review=review, prefix="change")
    status, conflict = 200, ""
    if request.method == "POST":
        if own:
            raise PermissionDenied("You raised this dispute yourself; another leader must resolve it.")
        try:
            message = _resolve(request, review, keep, change)
        except Forbidden as error:
            raise PermissionDenied(error.detail) from error
        except Conflict as error:
            # Show the assignment as it is now, with what happened.
            review = _review_or_404(request, pk)
            change = ChangeForm(review=review, prefix="change")
            conflict, message = error.detail, None
        if message:
            messages.success(request, message)
            return redirect("review-inbox", org=request.ctx.organization.slug)
        review, status = _review_or_404(request, pk), 400
    context = {
        "review": review,
        "state": selectors_reviews.state_of_review(review, who=review.stakeholder.full_name),
        "is_open": review.is_open and selectors_reviews.is_latest(review),
        "own": own,
        "keep": keep,
        "change": change,
        "action": action,
        "conflict": conflict,
    }
    return render(request, "layers/review_resolve.html", context, status=status)
