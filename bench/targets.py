"""What the benchmark requests: the floor views, the pages and the API lists (issue 9).

A target names who asks (the leader, or the stakeholder for their own page) and how to build
its address in an organization, so the same list runs against the small and the large one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

FLOOR, PAGE, API = "floor", "page", "api"


@dataclass(frozen=True)
class Org:
    """One benchmarked organization, as the targets need it."""

    slug: str
    product: str  # the product the product pages open
    report_id: int | None  # its latest snapshot, for the report page


@dataclass(frozen=True)
class Target:
    name: str
    kind: str  # FLOOR, PAGE or API
    address: Callable[[Org], str | None]  # None: the route does not exist (yet)
    who: str = "leader"  # leader | stakeholder | admin | anonymous
    required: bool = True  # one of the pages and lists issue 9 names (the others are extra)


def _page(name: str, **kwargs: Callable[[Org], object]) -> Callable[[Org], str | None]:
    def address(org: Org) -> str | None:
        try:
            return reverse(name, kwargs={"org": org.slug} | {k: get(org) for k, get in kwargs.items()})
        except NoReverseMatch:
            return None

    return address


def _api(path: str) -> Callable[[Org], str]:
    return lambda org: "/api/v1/" + path.format(org=org.slug, product=org.product)


def _product(org: Org) -> str:
    return org.product


def _report(org: Org) -> int | None:
    return org.report_id


TARGETS: tuple[Target, ...] = (
    Target("login page", FLOOR, lambda org: "/accounts/login/", who="anonymous"),
    Target("bare view", FLOOR, lambda org: "/_bench/bare/", who="anonymous"),
    Target("one-query view", FLOOR, lambda org: f"/_bench/query/{org.slug}/", who="anonymous"),
    Target("signed-in view", FLOOR, lambda org: f"/_bench/o/{org.slug}/"),
    Target("dashboard", PAGE, _page("dashboard")),
    Target("product page", PAGE, _page("product-detail", product=_product)),
    Target("map editor", PAGE, _page("product-map", product=_product)),
    Target("my role", PAGE, _page("me"), who="stakeholder"),
    # A later product's picture and "shared with" lists, which my role loads when scrolled to.
    Target("my role picture", PAGE, _page("me-picture", product=_product), who="stakeholder", required=False),
    Target("reviews", PAGE, _page("review-inbox")),
    Target("reports", PAGE, _page("report-list")),
    Target("report", PAGE, _page("report-detail", pk=_report), required=False),
    Target("functions", PAGE, _page("function-list"), required=False),
    Target("people", PAGE, _page("people-list"), required=False),
    Target("products", PAGE, _page("product-list"), required=False),
    Target("web", PAGE, _page("web"), required=False),
    Target("disruptions", PAGE, _page("disruption-list"), required=False),
    Target("campaigns", PAGE, _page("campaign-list"), required=False),
    Target("members", PAGE, _page("members"), who="admin", required=False),
    Target("api layers", API, _api("layers/")),
    Target("api orgs", API, _api("orgs/")),
    Target("api functions", API, _api("orgs/{org}/functions/")),
    Target("api stakeholders", API, _api("orgs/{org}/stakeholders/")),
    Target("api products", API, _api("orgs/{org}/products/")),
    Target("api assignments", API, _api("orgs/{org}/products/{product}/assignments/")),
    Target("api suggestions", API, _api("orgs/{org}/products/{product}/suggestions/")),
    Target("api reviews", API, _api("orgs/{org}/reviews/")),
    Target("api reports", API, _api("orgs/{org}/reports/")),
    Target("api partnerships", API, _api("orgs/{org}/partnerships/")),
    Target("api disruptions", API, _api("orgs/{org}/disruptions/")),
    Target("api coverage", API, _api("orgs/{org}/products/{product}/coverage/"), required=False),
)
