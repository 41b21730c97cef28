"""The whole product of one product (DESIGN §2): the rings picture, and the same data as a table."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from roles.permissions import OrgRequest, Perm, org_view
from roles.statecache import DAY

from ..readmodel.read import live_layers, live_summary
from ..selectors import products as selectors
from ..selectors.feedback import feedback_into_core
from ..selectors.rings import product_rings

# Rows per layer in the "who adds value" table: more than the picture has chips on a ring (so
# each chip keeps its row); the map editor pages through everyone.
TABLE_LIMIT = 40


@org_view(Perm.VIEW, cached=DAY)
@require_GET
def whole_product(request: OrgRequest, product: str) -> HttpResponse:
    item = selectors.product_for(request.ctx, product)
    if item is None:
        raise Http404("No such product.")
    loops, loop_count, core_unfed = feedback_into_core(product=item, limit=TABLE_LIMIT)
    rings = product_rings(item)
    context = {
        "product": item,
        "data": rings,
        # The viewer's own function stands out, so a stakeholder finds their place at a glance.
        "highlight": request.ctx.person_function_id,
        # 000_…: the augmented functions are the conduit of feedback that drives a better core.
        # (the first rows: a large web carries hundreds; the web page lists them all)
        "feedback_loops": loops,
        "feedback_more": loop_count - len(loops),
        "core_without_feedback": core_unfed,
        # DESIGN §4's figures and per-layer table, live from the read model's counter rows (the
        # reports keep the snapshots): a read of a few rows whatever the organization's size.
        "coverage": live_summary(item),
        "layers": live_layers(item, rings),
        "table_limit": TABLE_LIMIT,
    }
    return render(request, "layers/whole_product.html", context)
