"""Review campaigns (leaders and admins): the list, starting one, its page, closing and reminding."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from roles.forms.functions import add_domain_error
from roles.models import Function
from roles.permissions import OrgRequest, Perm, org_view
from roles.services import invites
from roles.statecache import MINUTE
from wholeproduct.errors import DomainError

from ..forms.reviews import CampaignForm, end_of_day
from ..models import Product, ReviewCampaign
from ..selectors import campaign_page
from ..selectors import campaigns as campaign_selectors
from ..selectors import products as selectors
from ..services import campaigns as services


@org_view(Perm.RESOLVE, cached=MINUTE)
@require_GET
def campaign_list(request: OrgRequest) -> HttpResponse:
    organization = request.ctx.organization
    campaigns = list(campaign_selectors.campaigns_listed(organization.pk))
    # Open campaigns show live progress (read from the counters, the same queries for one or
    # many); closed ones their summary.
    live = campaign_selectors.campaign_totals_of([c for c in campaigns if c.status == "open"])
    rows = [(c, live.get(c.pk)) for c in campaigns]
    return render(request, "layers/campaign_list.html", {"rows": rows})


def _chosen_product(request: HttpRequest, products: QuerySet[Product]) -> Product | None:
    """The product the form is for, whichever way it came: the form's own choice sends its id,
    links from other pages send an id too, and older bookmarks its slug. Only this organization's."""
    data = request.POST if request.method == "POST" else request.GET
    value = str(data.get("product") or "").strip()
    if not value:
        return None
    found = products.filter(pk=int(value)).first() if value.isdigit() and len(value) < 18 else None
    return found or products.filter(slug=value).first()


@org_view(Perm.RESOLVE)
@require_http_methods(["GET", "POST"])
def campaign_create(request: OrgRequest) -> HttpResponse:
    organization = request.ctx.organization
    products = selectors.products_of(organization.pk).order_by("name")
    product = _chosen_product(request, products)
    mapped = Function.objects.filter(organization=organization, assignments__product=product).distinct()
    form = CampaignForm(
        request.POST if request.method == "POST" else None,
        products=products,
        functions=mapped.order_by("name") if product else Function.objects.none(),
        initial={"product": product.pk} if product else {},
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = services.campaign_start(
                product=data["product"],
                deadline=end_of_day(data["deadline"]),
                name=data["name"],
                functions=data["functions"],
                by=request.user,
                base_url=request.build_absolute_uri("/"),
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            asked = "Everyone with an account who has something to review is being asked now."
            messages.success(request, f"Started “{campaign.name}”. {asked}")
            return redirect("campaign-detail", org=organization.slug, pk=campaign.pk)
    return render(request, "layers/campaign_form.html", {"form": form, "has_product": product is not None})


def _campaign_or_404(request: OrgRequest, pk: int) -> ReviewCampaign:
    campaign = campaign_selectors.campaign_of(request.ctx.organization, pk)
    if campaign is None:
        raise Http404("No such campaign.")
    return campaign


@org_view(Perm.RESOLVE, cached=MINUTE)
@require_GET
def campaign_detail(request: OrgRequest, pk: int) -> HttpResponse:
    """Its figures, burn-up and a page of its people: live from the read model while it is open,
    as stored when it closed afterwards (layers/selectors/campaign_page.py), at any size the same cost."""
    campaign = _campaign_or_404(request, pk)
    ctx = request.ctx
    page = campaign_page.campaign_page(campaign, page=request.GET.get("page"))
    context = {
        "campaign": campaign,
        "page": page,
        "people": page.people,
        "figures": page.figures,  # the numbers and the bar, from the same rows
        "totals": page.totals,
        "burnup": page.burnup,
        "remind_every": services.REMIND_EVERY.days,
        "chosen": bool(page.chosen),
        "without_account": _with_invite_states(ctx.organization, page.without_account),
    }
    return render(request, "layers/campaign_detail.html", context)


def _with_invite_states(organization: Any, people: list[Any]) -> list[tuple[Any, str, bool]]:
    """(person, their invitation's state in words, whether an admin may invite them now)."""
    if not people:
        return []
    states = invites.invite_states(organization, [p.stakeholder for p in people])
    rows = []
    for person in people:
        state = states.get(person.stakeholder.pk, invites.InviteState.NOT_INVITED)
        invitable = state in (invites.InviteState.NOT_INVITED, invites.InviteState.EXPIRED)
        rows.append((person, invites.INVITE_STATE_LABELS[state], invitable))
    return rows


@org_view(Perm.RESOLVE)
@require_POST
def campaign_close(request: OrgRequest, pk: int) -> HttpResponse:
    campaign = _campaign_or_404(request, pk)
    if campaign.status == ReviewCampaign.Status.CLOSED:
        messages.info(request, "This campaign was already closed.")
    else:
        services.campaign_close(campaign=campaign, by=request.user)
        messages.success(request, f"Closed “{campaign.name}”. Its summary is below.")
    return redirect("campaign-detail", org=request.ctx.organization.slug, pk=pk)


@org_view(Perm.RESOLVE)
@require_POST
def campaign_remind(request: OrgRequest, pk: int) -> HttpResponse:
    from ..tasks import reviews as tasks

    campaign = _campaign_or_404(request, pk)
    if campaign.status == ReviewCampaign.Status.CLOSED:
        messages.error(request, "This campaign is closed: nobody is reminded any more.")
    else:
        tasks.campaign_remind.delay(campaign.pk, invites.site_url(request.build_absolute_uri("/")))
        messages.success(
            request,
            f"Reminders are on their way to everyone who still has something to review "
            f"(except those reminded in the last {services.REMIND_EVERY.days} days).",
        )
    return redirect("campaign-detail", org=request.ctx.organization.slug, pk=pk)
