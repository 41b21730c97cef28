"""The scenario list and the editor (issue 18 item 3): draft changes, reorder or remove them, and
see the impact on every product update after each one.

Every write answers htmx with the editor's body (the steps, the form and the impact panel, one
swap) and a plain browser with a redirect back to the editor and a message, so the page works
the same without JavaScript. A form that adds a row carries a one-time token (double submits
create one step); each edit sends the scenario's version, so two leaders editing one draft
never overwrite each other.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from layers.models import Product
from roles.forms import add_domain_error
from roles.models import Function
from wholeproduct.errors import DomainError

from .. import selectors, services
from ..forms import FORMS, NEW, ChangeForm, ScenarioForm, planned_functions
from ..models import Scenario, ScenarioChange
from .access import get_scenario, scenario_page
from .panels import impact_panel

DEFAULT_KIND = ScenarioChange.Kind.MOVE_PERSON
SUGGESTIONS = 10


def step_text(change: ScenarioChange) -> str:
    """A step in plain words ("Merge Customer Success into Sales & Account Management")."""
    try:
        from ..changes import describe
    except ImportError:  # the core's wording is not there yet: say what kind of step it is
        return str(ScenarioChange.Kind(change.kind).label)
    return describe(change)


# --- the list ---------------------------------------------------------------------------------------


@scenario_page
@require_GET
def scenario_list(request: HttpRequest) -> HttpResponse:
    ctx = request.ctx  # type: ignore[attr-defined]
    rows = list(selectors.scenarios_of(ctx.organization)[:200])
    return render(
        request,
        "scenarios/scenario_list.html",
        {"rows": rows, "form": ScenarioForm(), "drafts": [s for s in rows if s.is_draft]},
    )


@scenario_page
@require_http_methods(["GET", "POST"])
def scenario_create(request: HttpRequest) -> HttpResponse:
    ctx = request.ctx  # type: ignore[attr-defined]
    form = ScenarioForm(request.POST or None)
    if form.is_bound and form.is_valid():
        try:
            scenario = services.create_scenario(organization=ctx.organization, by=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"Scenario “{scenario.name}” started: add its first change.")
            return redirect("scenario-detail", org=ctx.organization.slug, pk=scenario.pk)
    return render(request, "scenarios/scenario_form.html", {"form": form})


# --- the editor -------------------------------------------------------------------------------------


def chosen_kind(request: HttpRequest) -> str:
    kind = request.POST.get("kind") or request.GET.get("kind") or DEFAULT_KIND
    return kind if kind in FORMS else DEFAULT_KIND


def change_form(
    request: HttpRequest, scenario: Scenario, changes: list[ScenarioChange], kind: str, data: Any = None
) -> ChangeForm:
    return FORMS[kind](
        data,
        organization=request.ctx.organization,  # type: ignore[attr-defined]
        scenario=scenario,
        changes=changes,
        auto_id=f"id_{kind}_%s",
    )


def editor_context(
    request: HttpRequest,
    scenario: Scenario,
    *,
    form: ChangeForm | None = None,
    kind: str | None = None,
    error: str = "",
    fresh: int | None = None,
) -> dict[str, Any]:
    changes = list(selectors.changes_of(scenario))
    kind = kind or chosen_kind(request)
    form = form or change_form(request, scenario, changes, kind)
    return {
        "scenario": scenario,
        "steps": [(change, step_text(change)) for change in changes],
        "form": form,
        "kind": kind,
        "kinds": [(key, FORMS[key].heading) for key in FORMS],
        "error": error,
        "fresh": fresh,
        # An applied scenario's changes are the organization's now: its products' pages say the rest.
        "panel": impact_panel(services.impact(scenario)) if scenario.is_draft else None,
        "products": None if scenario.is_draft else products_of(scenario),
    }


def products_of(scenario: Scenario) -> list[Product]:
    return list(Product.objects.filter(organization_id=scenario.organization_id).order_by("name")[:50])


def editor_answer(request: HttpRequest, scenario: Scenario, status: int = 200, **extra: Any) -> HttpResponse:
    """The editor: the whole page, or its body alone for htmx (the steps, the form and the impact)."""
    template = "scenarios/_editor.html" if request.htmx else "scenarios/scenario_detail.html"  # type: ignore[attr-defined]
    return render(request, template, editor_context(request, scenario, **extra), status=status)


def back_to_editor(request: HttpRequest, scenario: Scenario, **extra: Any) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        scenario.refresh_from_db()
        return editor_answer(request, scenario, **extra)
    return redirect("scenario-detail", org=scenario.organization.slug, pk=scenario.pk)


@scenario_page
@require_GET
def scenario_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return editor_answer(request, get_scenario(request, pk))


@scenario_page
@require_POST
def change_add(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = get_scenario(request, pk)
    kind = chosen_kind(request)
    changes = list(selectors.changes_of(scenario))
    form = change_form(request, scenario, changes, kind, request.POST)
    if form.is_valid():
        try:
            change = services.add_change(
                scenario=scenario, by=request.user, kind=kind, expected_version=_version(request), **form.payload()
            )
        except DomainError as error:
            _explain(form, error)
        else:
            messages.success(request, f"Step {change.position} added: {step_text(change)}.")
            fresh = change_form(request, scenario, [*changes, change], kind)
            return back_to_editor(request, scenario, kind=kind, form=fresh, fresh=change.pk)
    # 200 with the errors beside the form (htmx swaps only a 2xx answer into the page).
    return editor_answer(request, scenario, form=form, kind=kind)


def _explain(form: ChangeForm, error: DomainError) -> None:
    """The service's refusal beside the form: its sentence on top, and on the field it names."""
    placed = [m for name, msgs in error.fields.items() for m in msgs if name in form.fields]
    for name, msgs in error.fields.items():
        for message in msgs:
            if name in form.fields:
                form.add_error(name, message)
    if error.detail not in placed:
        form.add_error(None, error.detail)


def _version(request: HttpRequest) -> int | None:
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else None


def _step(scenario: Scenario, change_id: int) -> ScenarioChange | None:
    return selectors.changes_of(scenario).filter(pk=change_id).first()


@scenario_page
@require_POST
def change_move(request: HttpRequest, pk: int, change: int) -> HttpResponse:
    scenario = get_scenario(request, pk)
    step = _step(scenario, change)
    if step is None:
        return _refused(request, scenario, "That step is no longer in this scenario.")
    position = step.position - 1 if request.POST.get("direction") == "up" else step.position + 1
    try:
        services.move_change(
            scenario=scenario, change_id=step.pk, position=position, expected_version=_version(request)
        )
    except DomainError as error:
        return _refused(request, scenario, error.detail)
    messages.success(request, f"Step moved to position {position}.")
    return back_to_editor(request, scenario, fresh=step.pk)


@scenario_page
@require_POST
def change_remove(request: HttpRequest, pk: int, change: int) -> HttpResponse:
    scenario = get_scenario(request, pk)
    step = _step(scenario, change)
    if step is None:
        return _refused(request, scenario, "That step is no longer in this scenario.")
    words = step_text(step)
    try:
        services.remove_change(scenario=scenario, change_id=step.pk, expected_version=_version(request))
    except DomainError as error:
        return _refused(request, scenario, error.detail)
    messages.success(request, f"Step removed: {words}.")
    return back_to_editor(request, scenario)


def _refused(request: HttpRequest, scenario: Scenario, detail: str) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        scenario.refresh_from_db()
        return editor_answer(request, scenario, error=detail)
    messages.error(request, detail)
    return redirect("scenario-detail", org=scenario.organization.slug, pk=scenario.pk)


@scenario_page
@require_GET
def function_search(request: HttpRequest, pk: int) -> HttpResponse:
    """The options of a function picker: the organization's functions and the scenario's new ones."""
    scenario = get_scenario(request, pk)
    query = request.GET.get("q", "").strip()[:120]
    options: list[dict[str, Any]] = []
    if query:
        planned = [p for p in planned_functions(selectors.changes_of(scenario)) if query.lower() in p.name.lower()]
        for item in planned[:SUGGESTIONS]:
            label = f"{item.name} (new in this scenario)"
            options.append(
                {
                    "key": item.key,
                    "id": item.key.removeprefix(NEW) + "-new",
                    "name": item.name,
                    "label": label,
                    "note": "new in this scenario",
                }
            )
        found = (
            Function.objects.filter(organization=scenario.organization)
            .filter(Q(name__icontains=query))
            .order_by("name")
            .values_list("pk", "name", "category")[: SUGGESTIONS - len(options)]
        )
        categories = dict(Function.Category.choices)
        for fid, name, category in found:
            options.append({"key": fid, "id": fid, "name": name, "label": name, "note": categories.get(category, "")})
    return render(request, "scenarios/_function_options.html", {"options": options, "query": query})
