"""The Whole Product Partnership web (003_…): the picture and table of links, their edits and
check-ins, and the disruptions that put them in question."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from domain.review_state import format_day
from domain.web import cluster, shapes
from domain.web import layout as web_layout
from shared import charts
from wholeproduct.errors import Conflict, DomainError, NotFound

from .. import rowcounts, web_cache
from ..forms.functions import add_domain_error
from ..forms.web import CheckInForm, DisruptionForm, PartnershipForm
from ..models import Disruption, Function, Partnership
from ..permissions import OrgRequest, Perm, org_view
from ..rowcounts import counted, read_page
from ..selectors import web as selectors
from ..selectors.disruptions import Touched, touched
from ..services import disruptions as disruption_services
from ..services import partnerships as services
from ..statecache import DAY

TRUST_WORDS = {1: "broken", 2: "strained", 3: "workable", 4: "solid", 5: "strong"}
DISRUPTIONS_PER_PAGE = 20
TOUCHED_SHOWN = 16  # functions a disruption on the timeline names; the rest are counted
TOUCHED_IN_BANNER = 6  # and the web's banner of the latest one
CLUSTER_ABOVE = 300  # links: beyond this the picture clusters them by category and the table pages
LINKS_PER_PAGE = 50
SHOW = {"attention": "Needs attention", "holding": "Holding"}


# --- the picture's view-model ------------------------------------------------------------------------


@dataclass
class DrawnNode:
    node: shapes.Node
    function: Function
    links: int
    dim: bool = False
    focus: bool = False
    disrupted: bool = False


@dataclass
class DrawnEdge:
    edge: shapes.Edge
    link: selectors.Link

    @property
    def title(self) -> str:
        link = self.link
        trust = f"trust {link.trust}/5 ({TRUST_WORDS[link.trust]})"
        parts = [link.label, trust]
        if link.partnership.shared_goal:
            parts.append(f"goal: {link.partnership.shared_goal}")
        if link.days_since_check is not None:
            parts.append(f"checked {_ago(link.days_since_check)}")
        if link.reasons:
            parts.append("trust check due: " + "; ".join(link.reasons))
        return " · ".join(parts)


def _ago(days: int) -> str:
    return "today" if days == 0 else "yesterday" if days == 1 else f"{days} days ago"


def _picture(
    functions: list[Function],
    links: list[selectors.Link],
    focus: Function | None,
    disrupted_ids: set[int],
    cache_for: int | None = None,
) -> tuple[shapes.WebLayout, list[DrawnNode], list[DrawnEdge]]:
    """Lay out every function and link (so positions stay put when filtering), then mark what to show.

    The whole web's layout is cached per organization (roles/web_cache.py); a sub-web is not.
    """

    node_ins = [shapes.NodeIn(f.pk, f.name, f.category, f.is_external) for f in functions]
    edge_ins = [shapes.EdgeIn(link.partnership.pk, link.first.pk, link.second.pk) for link in links]
    if cache_for is None:
        layout = web_layout.layout_web(node_ins, edge_ins)
    else:
        layout = web_cache.layout(cache_for, node_ins, edge_ins)
    by_id = {f.pk: f for f in functions}
    degree: dict[int, int] = {}
    for link in links:
        for end in (link.first.pk, link.second.pk):
            degree[end] = degree.get(end, 0) + 1
    shown = [link for link in links if focus is None or link.touches(focus.pk)]
    partners = {end.pk for link in shown for end in (link.first, link.second)}
    nodes = [
        DrawnNode(
            node=node,
            function=by_id[node.id],
            links=degree.get(node.id, 0),
            dim=focus is not None and node.id not in partners and node.id != focus.pk,
            focus=focus is not None and node.id == focus.pk,
            disrupted=node.id in disrupted_ids,
        )
        for node in layout.nodes
    ]
    by_link = {link.partnership.pk: link for link in shown}
    # Weak links last, so the red ones are drawn on top and never hidden under strong ones.
    edges = sorted(
        (DrawnEdge(edge, by_link[edge.id]) for edge in layout.edges if edge.id in by_link),
        key=lambda drawn: (-drawn.link.trust, drawn.edge.id),
    )
    return layout, nodes, edges


def _focus(request: HttpRequest, functions: list[Function]) -> Function | None:
    raw = request.GET.get("function", "")
    if not raw:
        return None
    by_id = {str(f.pk): f for f in functions}
    if raw not in by_id:
        raise Http404("No such function.")  # another organization's ids do not leak
    return by_id[raw]


# --- the web page ------------------------------------------------------------------------------------


@org_view(Perm.VIEW, cached=DAY)
@require_GET
def web(request: OrgRequest) -> HttpResponse:
    organization = request.ctx.organization
    now = timezone.now()
    if rowcounts.count(selectors.partnerships_of(organization)) > CLUSTER_ABOVE:
        return _large_web(request, now)
    functions = list(selectors.functions_by_name(organization.pk))
    focus = _focus(request, functions)
    moments = selectors.disruption_moments(organization, now=now)  # for the links' flags and the picture's marks
    disrupted_on = selectors.disruption_days(organization, now=now, moments=moments)
    links = selectors.web_links(organization, now=now, disrupted_on=disrupted_on)
    disrupted_ids = selectors.recently_disrupted(organization, now=now, moments=moments)
    layout, nodes, edges = _picture(functions, links, focus, disrupted_ids, cache_for=organization.pk)
    rows = selectors.focus_on(links, focus)
    # The table: those needing attention first, a page at a time (the picture draws them all).
    attention, holding = _split(rows)
    page = Paginator(attention + holding, LINKS_PER_PAGE).get_page(request.GET.get("page"))
    shown = selectors.with_trends(organization, page.object_list)
    context = {
        "row_groups": _row_groups(shown, totals=(len(attention), len(holding))),
        "page": page,
        "base_query": urlencode({"function": focus.pk}) if focus else "",
        "functions": functions,
        "focus": focus,
        "layout": layout,
        "nodes": nodes,
        "edges": edges,
        "rows": rows,
        "stats": selectors.web_stats(rows),
        **_latest_disruption(organization),
        "trust_words": TRUST_WORDS,
        "trust_levels": [(level, TRUST_WORDS[level]) for level in range(1, 6)],
        "unchecked_days": selectors.UNCHECKED_AFTER_DAYS,
    }
    return render(request, "roles/web.html", context)


def _split(rows: list[selectors.Link]) -> tuple[list[selectors.Link], list[selectors.Link]]:
    """The links needing attention (weak, or a check due) and those holding, each in its order."""
    attention = [row for row in rows if row.weak or row.overdue]
    return attention, [row for row in rows if not (row.weak or row.overdue)]


def _row_groups(rows: list[selectors.Link], totals: tuple[int, int] | None = None) -> list[dict[str, Any]]:
    """The table's two groups of `rows` (a page), each with its count: `totals`, the groups' sizes
    over every page, when known (a large web's page counts its own rows)."""
    attention, holding = _split(rows)
    counts = totals or (len(attention), len(holding))
    return [
        {
            "key": "attention",
            "label": "Needs attention",
            "hint": "weak trust or a check due",
            "rows": attention,
            "count": counts[0],
        },
        {
            "key": "holding",
            "label": "Holding",
            "hint": "trust 3 or more, checked lately",
            "rows": holding,
            "count": counts[1],
        },
    ]


def _large_web(request: OrgRequest, now: datetime) -> HttpResponse:
    """A web of more links than a picture can show: one circle per category with the links
    between them summed, filters, and the links as a paged table (a focused function's own
    links are drawn as a small web when they are few enough)."""
    organization = request.ctx.organization
    focus = _focus_by_id(request)
    category = request.GET.get("category", "")
    category = category if category in Function.Category.values else ""
    show = request.GET.get("show", "")
    show = show if show in SHOW else ""
    query = request.GET.get("q", "").strip()[:120]
    # Read once for the summary, the page's rows and a focused function's picture.
    moments = selectors.disruption_moments(organization, now=now)
    disrupted_on = selectors.disruption_days(organization, now=now, moments=moments)
    chosen = selectors.LinkFilter(focus.pk if focus else None, category, show, query)
    summary = selectors.large_web(organization, now=now, disrupted_on=disrupted_on, chosen=chosen)
    page = Paginator(summary.links, LINKS_PER_PAGE).get_page(request.GET.get("page"))
    focus_id = focus.pk if focus else None
    rows = selectors.with_trends(organization, page.object_list)
    context: dict[str, Any] = {
        "clustered": True,
        "row_groups": _row_groups(rows),
        "rows": rows,
        "page": page,
        "focus": focus,
        "category": category,
        "categories": Function.Category.choices,
        "show": show,
        "shows": SHOW.items(),
        "query": query,
        "base_query": urlencode(
            {k: v for k, v in (("function", focus_id or ""), ("category", category), ("show", show), ("q", query)) if v}
        ),
        "filtered": bool(category or show or query or focus),
        "total_links": summary.total,
        "stats": summary.stats,
        **_latest_disruption(organization),
        "trust_words": TRUST_WORDS,
        "trust_levels": [(level, TRUST_WORDS[level]) for level in range(1, 6)],
        "unchecked_days": selectors.UNCHECKED_AFTER_DAYS,
    }
    if focus is not None and summary.mine <= CLUSTER_ABOVE:
        links = selectors.web_links(organization, focus_id=focus.pk, now=now, disrupted_on=disrupted_on)
        functions = list({f.pk: f for link in links for f in (link.first, link.second)}.values()) or [focus]
        disrupted = selectors.recently_disrupted(organization, now=now, moments=moments)
        context["layout"], context["nodes"], context["edges"] = _picture(functions, links, focus, disrupted)
    else:
        context["cluster"] = cluster.cluster_web(summary.groups, dict(Function.Category.choices))
    return render(request, "roles/web.html", context)


def _focus_by_id(request: OrgRequest) -> Function | None:
    raw = request.GET.get("function", "")
    if not raw:
        return None
    focus = selectors.functions_of(request.ctx.organization).filter(pk=raw).first() if raw.isdigit() else None
    if focus is None:
        raise Http404("No such function.")  # another organization's ids do not leak
    return focus


def _partnership_or_404(request: OrgRequest, pk: int) -> Partnership:
    partnership = selectors.partnership_of(request.ctx.organization, pk)
    if partnership is None:
        raise Http404("No such partnership.")
    return partnership


def _to_link(partnership: Partnership) -> HttpResponse:
    url = reverse("web", kwargs={"org": partnership.organization.slug})
    return redirect(f"{url}#link-{partnership.pk}")


def _names(partnership: Partnership) -> str:
    return f"{partnership.function_a.name} and {partnership.function_b.name}"


@org_view(Perm.EDIT)
@require_http_methods(["GET", "POST"])
def partnership_create(request: OrgRequest) -> HttpResponse:
    organization = request.ctx.organization
    initial = {"function_a": request.GET.get("function"), "cadence": Partnership.Cadence.MONTHLY}
    data = request.POST if request.method == "POST" else None
    form = PartnershipForm(data, organization=organization, initial=initial)
    if form.is_bound and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            partnership = services.partnership_create(organization=organization, by=request.user, **fields)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"Linked {_names(partnership)} at trust {partnership.trust}/5.")
            return _to_link(partnership)
    return render(request, "roles/partnership_form.html", {"form": form, "partnership": None})


@org_view(Perm.EDIT)
@require_http_methods(["GET", "POST"])
def partnership_edit(request: OrgRequest, pk: int) -> HttpResponse:
    partnership = _partnership_or_404(request, pk)
    organization = partnership.organization
    data = request.POST if request.method == "POST" else None
    form = PartnershipForm(data, organization=organization, instance=partnership)
    current: Partnership | None = None
    if form.is_bound and form.is_valid():
        fields = form.cleaned_data
        try:
            partnership = services.partnership_update(
                partnership=partnership,
                expected_version=fields["version"],
                function_a=fields["function_a"],
                function_b=fields["function_b"],
                cadence=fields["cadence"],
                shared_goal=fields["shared_goal"],
                feedback_carried=fields["feedback_carried"],
                by=request.user,
            )
        except NotFound as error:
            messages.error(request, error.detail)
            return redirect("web", org=organization.slug)
        except Conflict as error:
            current = error.current
            form = _resubmittable(form, current)
            form.add_error(None, error.detail)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"Saved the partnership between {_names(partnership)}.")
            return _to_link(partnership)
    context = {
        "form": form,
        "partnership": partnership,
        "current": current,
        "trust_word": TRUST_WORDS.get(partnership.trust, ""),
    }
    return render(request, "roles/partnership_form.html", context)


def _resubmittable(form: PartnershipForm, current: Partnership) -> PartnershipForm:
    """Keep what the leader typed, under the current version, so a second submit knowingly overwrites."""
    data = form.data.copy()
    data["version"] = str(current.version)
    fresh = PartnershipForm(data, organization=current.organization, instance=current)
    fresh.is_valid()
    return fresh


@org_view(Perm.EDIT)
@require_http_methods(["GET", "POST"])
def partnership_delete(request: OrgRequest, pk: int) -> HttpResponse:
    partnership = _partnership_or_404(request, pk)
    error_message = ""
    if request.method == "POST":
        version = _int(request.POST.get("version"))
        try:
            services.partnership_delete(partnership=partnership, expected_version=version, by=request.user)
        except Conflict as error:
            error_message = error.detail
            partnership = _partnership_or_404(request, pk)
        except NotFound:
            pass  # already gone: the outcome the leader wanted
        else:
            messages.success(request, f"Removed the partnership between {_names(partnership)}.")
            return redirect("web", org=partnership.organization.slug)
        if not error_message:
            messages.info(request, "That partnership had already been removed.")
            return redirect("web", org=partnership.organization.slug)
    context = {
        "partnership": partnership,
        "check_in_count": partnership.check_ins.count(),
        "error_message": error_message,
    }
    return render(request, "roles/partnership_confirm_delete.html", context)


def _int(raw: Any) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


@org_view(Perm.EDIT)
@require_http_methods(["GET", "POST"])
def partnership_checkin(request: OrgRequest, pk: int) -> HttpResponse:
    partnership = _partnership_or_404(request, pk)
    data = request.POST if request.method == "POST" else None
    form = CheckInForm(data, partnership=partnership)
    if form.is_bound and form.is_valid():
        try:
            check_in = services.checkin_record(partnership=partnership, by=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            day = format_day(check_in.checked_on)
            messages.success(request, f"Recorded trust {check_in.trust}/5 between {_names(partnership)} on {day}.")
            return _to_link(partnership)
    history = list(selectors.check_ins_of(partnership))
    disrupted_on = selectors.disruption_days(partnership.organization, now=timezone.now())
    context = {
        "form": form,
        "partnership": partnership,
        "history": history,
        "chart": charts.trust_chart([(c.checked_on, c.trust) for c in reversed(history)]),
        "reasons": selectors.check_due_reasons(partnership, disrupted_on, timezone.localdate()),
        "trust_words": TRUST_WORDS,
    }
    return render(request, "roles/partnership_checkin.html", context)


# --- disruptions ---------------------------------------------------------------------------------------


@org_view(Perm.VIEW, cached=DAY)
@require_GET
def disruption_list(request: OrgRequest) -> HttpResponse:
    organization = request.ctx.organization
    listed = selectors.disruptions_of(organization)
    paginator = Paginator(listed, DISRUPTIONS_PER_PAGE)
    paginator.count = counted(selectors.disruption_count(organization.pk))
    page = paginator.get_page(request.GET.get("page"))
    read_page(page, lambda bottom, top: selectors.disruptions_page(organization.pk, bottom, top))
    now = timezone.now()
    found = touched([d.pk for d in page.object_list], first=TOUCHED_SHOWN, organization_id=organization.pk)
    context = {
        "page": page,
        "entries": [_Entry(d, now, found[d.pk]) for d in page.object_list],
    }
    return render(request, "roles/disruption_list.html", context)


def _latest_disruption(organization: Any) -> dict[str, Any]:
    """The web's banner: the latest disruption and the first functions it touched (two queries)."""
    latest = next(iter(selectors.latest_disruption(organization.pk)), None)
    return {
        "latest_disruption": latest,
        "latest_touched": (
            touched([latest.pk], first=TOUCHED_IN_BANNER, organization_id=latest.organization_id)[latest.pk]
            if latest
            else None
        ),
    }


@dataclass
class _Entry:
    """A disruption as the timeline shows it: a planned one counts from its date; the functions it
    touched, the first few by name (a reorganization touches thousands)."""

    disruption: Disruption
    now: datetime
    touched: Touched

    @property
    def planned(self) -> bool:
        return self.disruption.effective_at > self.now


@org_view(Perm.EDIT)
@require_http_methods(["GET", "POST"])
def disruption_create(request: OrgRequest) -> HttpResponse:
    organization = request.ctx.organization
    data = request.POST if request.method == "POST" else None
    form = DisruptionForm(data, organization=organization)
    if form.is_bound and form.is_valid():
        fields = form.cleaned_data
        try:
            effects = disruption_services.disruption_log(
                organization=organization,
                kind=fields["kind"],
                title=fields["title"],
                note=fields["note"],
                occurred_on=fields["occurred_on"],
                function_ids=[f.pk for f in fields["functions"]],
                by=request.user,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"Logged “{effects.disruption.title}”. {effects.summary()}")
            url = reverse("disruption-list", kwargs={"org": organization.slug})
            return redirect(f"{url}#disruption-{effects.disruption.pk}")
    return render(request, "roles/disruption_form.html", {"form": form})
