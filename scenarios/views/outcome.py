"""Applying a scenario, rebasing it onto today, comparing two, and exporting the impact.

Apply (issue 18 item 4): a confirmation page that says what will happen; on a conflict nothing
is applied and each conflict is listed with the value drafted and today's, beside a "Rebase onto
today" button; on success the organization's dashboard says so.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shared.exports.http import file_response
from wholeproduct.errors import Conflict, DomainError

from .. import selectors, services
from ..exports import EXPORT_FORMATS, export_impact
from ..forms import ApplyForm
from ..models import Scenario
from .access import get_scenario, scenario_page
from .pages import step_text
from .panels import figures, impact_panel


def _apply_context(scenario: Scenario, form: ApplyForm, conflicts: list[Any] | None = None) -> dict[str, Any]:
    impact = services.impact(scenario)
    return {
        "scenario": scenario,
        "form": form,
        "steps": [step_text(change) for change in selectors.changes_of(scenario)],
        "panel": impact_panel(impact),
        "conflicts": conflicts or [],
    }


@scenario_page
@require_http_methods(["GET", "POST"])
def scenario_apply(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = get_scenario(request, pk)
    org = scenario.organization.slug
    if not scenario.is_draft:
        messages.info(request, f"“{scenario.name}” was applied already.")
        return redirect("scenario-detail", org=org, pk=scenario.pk)
    form = ApplyForm(request.POST or None, initial={"version": scenario.version})
    if not (form.is_bound and form.is_valid()):
        return render(request, "scenarios/scenario_apply.html", _apply_context(scenario, form))
    try:
        applied = services.apply(
            scenario=scenario,
            by=request.user,
            start_campaign=form.cleaned_data["start_campaign"],
            expected_version=form.cleaned_data["version"],
        )
    except services.ScenarioConflict as conflict:
        scenario.refresh_from_db()
        return render(
            request, "scenarios/scenario_apply.html", _apply_context(scenario, form, conflict.items), status=409
        )
    except Conflict as error:  # edited by someone else since this page was drawn
        messages.error(request, error.detail)
        return redirect("scenario-apply", org=org, pk=scenario.pk)
    except DomainError as error:
        messages.error(request, error.detail)
        return redirect("scenario-detail", org=org, pk=scenario.pk)
    started = len(applied.campaigns)
    tail = f" {started} re-review campaign{'s' if started != 1 else ''} started." if started else ""
    noun = "step" if applied.steps == 1 else "steps"
    messages.success(request, f"“{scenario.name}” applied: {applied.steps} {noun} made in one go.{tail}")
    return redirect("dashboard", org=org)


@scenario_page
@require_POST
def scenario_rebase(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = get_scenario(request, pk)
    try:
        result = services.rebase(scenario=scenario, by=request.user)
    except DomainError as error:
        messages.error(request, error.detail)
        return redirect("scenario-detail", org=scenario.organization.slug, pk=scenario.pk)
    kept = f"{result.kept} step{'s' if result.kept != 1 else ''} kept"
    if result.dropped:
        messages.warning(request, f"Rebased onto today: {kept}; removed: " + "; ".join(result.dropped))
    else:
        messages.success(request, f"Rebased onto today: {kept}. Review the impact again before applying.")
    return redirect("scenario-detail", org=scenario.organization.slug, pk=scenario.pk)


@scenario_page
@require_GET
def scenario_compare(request: HttpRequest) -> HttpResponse:
    """Two scenarios side by side: per product, today, the first and the second."""
    ctx = request.ctx  # type: ignore[attr-defined]
    choices = list(selectors.scenarios_of(ctx.organization)[:200])
    a = selectors.scenario_for(ctx.organization, request.GET.get("a"))
    b = selectors.scenario_for(ctx.organization, request.GET.get("b"))
    if a is None and b is None and len(choices) >= 2:
        a, b = choices[0], choices[1]
    elif b is None and a is not None:  # "Compare" from a scenario's page: against the newest other one
        b = next((s for s in choices if s.pk != a.pk), None)
    context: dict[str, Any] = {"choices": choices, "a": a, "b": b, "rows": [], "sides": []}
    if a is not None and b is not None:
        impacts = [services.impact(a), services.impact(b)]
        context["sides"] = [
            {"scenario": s, "impact": i, "panel": impact_panel(i, prefix=f"cmp{n}")}
            for n, (s, i) in enumerate(zip((a, b), impacts, strict=True))
        ]
        by_id = [{p.product_id: p for p in i.products} for i in impacts]
        for product in sorted(impacts[0].products, key=lambda p: p.name.lower()):
            other = by_id[1].get(product.product_id)
            if other is None:
                continue
            context["rows"].append(
                {
                    "name": product.name,
                    "a": figures(product.today, product.scenario),
                    "b": figures(other.today, other.scenario),
                }
            )
    return render(request, "scenarios/scenario_compare.html", context)


@scenario_page
@require_GET
def scenario_export(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = get_scenario(request, pk)
    fmt = request.GET.get("format", "")
    if fmt not in EXPORT_FORMATS:
        given = f"“{fmt[:20]}”" if fmt else "no format"
        return HttpResponseBadRequest(
            f"Cannot export as {given}: choose one of {', '.join(EXPORT_FORMATS)}.",
            content_type="text/plain; charset=utf-8",
        )
    return file_response(export_impact(scenario, fmt))


@scenario_page
@require_http_methods(["GET", "POST"])
def scenario_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a scenario after a confirmation page (an applied one's changes stay in the organization)."""
    scenario = get_scenario(request, pk)
    if request.method == "POST":
        services.delete_scenario(scenario=scenario)
        messages.success(request, f"Scenario “{scenario.name}” deleted.")
        return redirect("scenario-list", org=scenario.organization.slug)
    return render(request, "scenarios/scenario_confirm_delete.html", {"scenario": scenario})
