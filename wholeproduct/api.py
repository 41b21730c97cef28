"""The API's addresses (DESIGN §6), included at /api/ by wholeproduct/urls.py.

/api/v1/…       the endpoints (session or token auth; JSON)
/api/schema/    OpenAPI 3 (drf-spectacular)
/api/docs/      Swagger UI, served from drf-spectacular-sidecar's static files (works offline)

<org> is an organization's slug, <product> a product's slug; other objects go by id.
"""

from __future__ import annotations

from typing import Any

from csp.decorators import csp_update
from django.http import HttpRequest, JsonResponse
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from layers.api import products as layers_api
from layers.api import reports as report_api
from layers.api import reviews as review_api
from roles.api import views as roles_api
from scenarios import api as scenarios_api
from wholeproduct.api_shape import api_error

app_name = "api"

ORG = r"orgs/(?P<org>[-a-zA-Z0-9_]+)"
PRODUCT = ORG + r"/products/(?P<product>[-a-zA-Z0-9_]+)"

router = SimpleRouter()
router.register(r"layers", layers_api.LayerViewSet, basename="layer")
router.register(r"orgs", roles_api.OrganizationViewSet, basename="org")
router.register(ORG + r"/functions", roles_api.FunctionViewSet, basename="function")
router.register(ORG + r"/stakeholders", roles_api.StakeholderViewSet, basename="stakeholder")
router.register(ORG + r"/products", layers_api.ProductViewSet, basename="product")
router.register(PRODUCT + r"/assignments", layers_api.AssignmentViewSet, basename="assignment")
router.register(ORG + r"/reviews", review_api.ReviewViewSet, basename="review")
router.register(ORG + r"/reports", report_api.ReportViewSet, basename="report")
router.register(ORG + r"/partnerships", roles_api.PartnershipViewSet, basename="partnership")
router.register(ORG + r"/disruptions", roles_api.DisruptionViewSet, basename="disruption")
router.register(ORG + r"/scenarios", scenarios_api.ScenarioViewSet, basename="scenario")
router.register(r"auth/tokens", roles_api.TokenViewSet, basename="token")

v1 = [
    path("auth/token/", roles_api.TokenObtainView.as_view(), name="token-obtain"),
    path(
        "orgs/<slug:org>/products/<slug:product>/coverage/",
        layers_api.CoverageView.as_view(),
        name="product-coverage",
    ),
    path(
        "orgs/<slug:org>/products/<slug:product>/suggestions/",
        layers_api.SuggestionView.as_view(),
        name="suggestions",
    ),
    path(
        "orgs/<slug:org>/products/<slug:product>/suggestions/unmatched/",
        layers_api.UnmatchedView.as_view(),
        name="suggestions-unmatched",
    ),
    *router.urls,
]


@csrf_exempt  # whatever the method, the answer is this 404 (not a CSRF page)
def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any other address under /api/ answers in the API's shape, not with an HTML page."""
    return api_error(404)


urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file: no inline <script> for a strict CSP.
    # GET only: DRF's OPTIONS description has no template to render in this HTML view (a 500).
    # Swagger UI injects <style> elements: this page alone allows inline styles (never scripts).
    path(
        "docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(
            SpectacularSwaggerSplitView.as_view(url_name="api:schema", http_method_names=["get", "head"])
        ),
        name="docs",
    ),
    re_path(r"^.*$", not_found),
]
