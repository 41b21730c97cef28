"""The organization's dashboard: counts, its products, and a start for an empty organization."""

from __future__ import annotations

from typing import NamedTuple

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from roles.models import Organization
from roles.permissions import Perm, org_view

from .. import selectors

# Who shapes the Expected layer under each go-to-market motion (DESIGN §3).
EXPECTED_NOTE = {
    Organization.GoToMarket.PRODUCT_LED: "Product Management leads the expected product.",
    Organization.GoToMarket.SALES_LED: "Sales leads the expected product.",
    Organization.GoToMarket.HYBRID: "Product Management leads the expected product, with Sales and Product Marketing.",
}


class Step(NamedTuple):
    title: str
    hint: str
    action: str
    url_name: str
    done: bool


@org_view(Perm.VIEW)
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    ctx = request.ctx  # type: ignore[attr-defined]
    counts = selectors.organization_counts(ctx)
    products = list(selectors.products_for_list(ctx))
    steps = [
        Step(
            "Add your functions",
            "Engineering, Sales, Customer Success, the Board, partners…",
            "Add a function",
            "function-create",
            counts.functions > 0,
        ),
        Step(
            "Add the people in them",
            "Each person belongs to one function.",
            "Add a person",
            "person-create",
            counts.people > 0,
        ),
        Step(
            "Create a product",
            "Then map which function adds value at which layer.",
            "New product",
            "product-create",
            counts.products > 0,
        ),
    ]
    context = {
        "counts": counts,
        "expected_note": EXPECTED_NOTE.get(ctx.organization.go_to_market, ""),
        "products": products,
        "steps": steps,
        "next_step": next((step for step in steps if not step.done), None),
        "getting_started": ctx.can_edit and not all(step.done for step in steps),
    }
    return render(request, "layers/dashboard.html", context)
