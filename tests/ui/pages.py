"""The main pages of the demo organization (seed_demo), per user: what the page tests visit."""

from __future__ import annotations

from dataclasses import dataclass

from layers.models import CoverageReport, Review, ReviewCampaign

DEMO_PASSWORD = "demo"
ORG = "northwind"


@dataclass(frozen=True)
class Visitor:
    email: str
    pages: tuple[str, ...]  # paths, "{review}"/"{report}"/"{campaign}" filled from the demo's rows


O = f"/o/{ORG}"
VISITORS = {
    "leader": Visitor(
        "leader@northwind.test",
        (
            f"{O}/",
            f"{O}/products/",
            f"{O}/p/insights/",
            f"{O}/p/insights/map/",
            f"{O}/me/",
            f"{O}/reviews/",
            f"{O}/reviews/{{review}}/",
            f"{O}/campaigns/",
            f"{O}/campaigns/{{campaign}}/",
            f"{O}/reports/",
            f"{O}/reports/{{report}}/",
            f"{O}/functions/",
            f"{O}/people/",
            f"{O}/import/",
            f"{O}/web/",
            f"{O}/web/disruptions/",
        ),
    ),
    "stakeholder": Visitor(
        "stakeholder@northwind.test",
        (f"{O}/me/", f"{O}/", f"{O}/products/", f"{O}/p/insights/", f"{O}/reports/"),
    ),
    "admin": Visitor(
        "admin@northwind.test",
        (f"{O}/members/", f"{O}/invites/new/", f"{O}/export/", f"{O}/functions/new/", f"{O}/people/new/"),
    ),
}


def demo_paths(who: str) -> list[str]:
    """The visitor's pages with the demo's ids filled in (pages whose row the demo lacks are left out)."""
    ids = {
        "review": Review.objects.filter(assignment__product__organization__slug=ORG, verdict="disagree")
        .values_list("pk", flat=True)
        .first(),
        "report": CoverageReport.objects.filter(product__organization__slug=ORG).values_list("pk", flat=True).first(),
        "campaign": ReviewCampaign.objects.filter(product__organization__slug=ORG).values_list("pk", flat=True).first(),
    }
    paths = []
    for path in VISITORS[who].pages:
        needed = [key for key in ids if "{" + key + "}" in path]
        if all(ids[key] for key in needed):
            paths.append(path.format(**ids))
    return paths


def slug_of(path: str) -> str:
    """A file name for a page: "/o/northwind/p/insights/map/" → "p-insights-map"."""
    rest = path.removeprefix(O).strip("/")
    return rest.replace("/", "-") or "dashboard"
