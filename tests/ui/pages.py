"""The main pages of the demo organization (seed_demo), per user: what the page tests visit."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from layers.models import CoverageReport, Product, Review, ReviewCampaign
from layers.services import campaigns
from scenarios.models import Scenario

DEMO_PASSWORD = "demo"
ORG = "northwind"


@dataclass(frozen=True)
class Visitor:
    email: str
    pages: tuple[str, ...]  # paths, "{review}"/"{report}"/"{campaign}"/"{scenario}" filled from the demo's rows


BASE = f"/o/{ORG}"
VISITORS = {
    "leader": Visitor(
        "leader@northwind.test",
        (
            f"{BASE}/",
            f"{BASE}/products/",
            f"{BASE}/p/insights/",
            f"{BASE}/p/insights/map/",
            f"{BASE}/me/",
            f"{BASE}/reviews/",
            f"{BASE}/reviews/{{review}}/",
            f"{BASE}/campaigns/",
            f"{BASE}/campaigns/new/",
            f"{BASE}/campaigns/{{campaign}}/",
            f"{BASE}/reports/",
            f"{BASE}/reports/{{report}}/",
            f"{BASE}/functions/",
            f"{BASE}/people/",
            f"{BASE}/import/",
            f"{BASE}/web/",
            f"{BASE}/web/disruptions/",
            f"{BASE}/scenarios/",
            f"{BASE}/scenarios/{{scenario}}/",
            f"{BASE}/scenarios/{{scenario}}/apply/",
            f"{BASE}/scenarios/compare/",
        ),
    ),
    "stakeholder": Visitor(
        "stakeholder@northwind.test",
        (f"{BASE}/me/", f"{BASE}/", f"{BASE}/products/", f"{BASE}/p/insights/", f"{BASE}/reports/"),
    ),
    "admin": Visitor(
        "admin@northwind.test",
        (
            f"{BASE}/members/",
            f"{BASE}/invites/new/",
            f"{BASE}/export/",
            f"{BASE}/functions/new/",
            f"{BASE}/people/new/",
        ),
    ),
}


def seed_demo() -> ReviewCampaign:
    """The demo organization, and a campaign on Northwind Insights with its first emails sent.

    The demo itself ships no campaign; without one the campaign page would be left out of the
    scans, and the campaign list would only show its empty state.
    """
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    product = Product.objects.get(organization__slug=ORG, slug="insights")
    leader = get_user_model().objects.get(email=VISITORS["leader"].email)
    campaign = campaigns.campaign_start(product=product, deadline=timezone.now() + timedelta(days=14), by=leader)
    campaigns.campaign_send_reminders(campaign_id=campaign.pk, base_url="http://testserver")
    return campaign


def demo_paths(who: str) -> list[str]:
    """The visitor's pages with the demo's ids filled in (pages whose row the demo lacks are left out)."""
    ids = {
        "review": Review.objects.filter(assignment__product__organization__slug=ORG, verdict="disagree")
        .values_list("pk", flat=True)
        .first(),
        "report": CoverageReport.objects.filter(product__organization__slug=ORG).values_list("pk", flat=True).first(),
        "campaign": ReviewCampaign.objects.filter(product__organization__slug=ORG).values_list("pk", flat=True).first(),
        "scenario": Scenario.objects.filter(organization__slug=ORG).values_list("pk", flat=True).first(),
    }
    paths = []
    for path in VISITORS[who].pages:
        needed = [key for key in ids if "{" + key + "}" in path]
        if all(ids[key] for key in needed):
            paths.append(path.format(**ids))
    return paths


def slug_of(path: str) -> str:
    """A file name for a page: "/o/northwind/p/insights/map/" → "p-insights-map"."""
    rest = re.sub(r"/\d+(?=/|$)", "/detail", path.removeprefix(BASE).strip("/"))  # ids differ from run to run
    return rest.replace("/", "-") or "dashboard"
