"""GET /api/v1/orgs/<org>/products/<product>/coverage/: live coverage from the read model (issue 13 item 5)."""

from __future__ import annotations

import pytest

from layers.models import CoverageReport
from layers.services import assignments, reports, reviews
from roles.services import people
from tests.factories import ProductFactory

from .conftest import url

FIGURES = ("score", "layer_coverage", "function_coverage", "review_coverage", "agreement", "layers", "gaps", "totals")
PAGING = ("gaps_count", "gaps_next", "gaps_previous")


def coverage_url(org: str = "acme", product: str = "insights") -> str:
    return url(f"orgs/{org}/products/{product}/coverage/")


def test_it_answers_the_fields_of_a_report_plus_as_of(leader_api, world):
    body = leader_api.get(coverage_url()).json()

    assert set(body) == {"product", "product_name", "as_of", *FIGURES, *PAGING}
    assert (body["product"], body["product_name"]) == ("insights", "Insights")
    # Engineering leads the core (Eve, whose review went stale with the reorg? she never reviewed:
    # pending); Customer Success contributes to the augmented layer (Casey's open dispute).
    assert body["totals"]["review_pairs"] == 2 and body["totals"]["open_disputes"] == 1
    assert body["totals"]["functions"] == 3 and body["totals"]["mapped_functions"] == 2
    assert [row["key"] for row in body["layers"]] == ["core", "expected", "augmented", "potential"]
    assert body["layers"][0]["lead"] == "Engineering"
    assert {gap["kind"] for gap in body["gaps"]} >= {"unowned_layer", "open_dispute", "unmapped_function"}
    assert body["as_of"] is not None


def test_a_report_built_right_after_any_change_equals_it_on_every_figure(leader_api, world, leader, product, org):
    engineering = product.assignments.get(function__name="Engineering").function
    casey = org.stakeholders.get(full_name="Casey Success")
    steps = [
        lambda: people.stakeholder_create(
            organization=org, full_name="Ann Other", email="ann@acme.test", function=engineering
        ),
        lambda: assignments.assignment_set(
            product=product, function=casey.function, layer="potential", emphasis="lead", by=leader
        ),
        lambda: reviews.review_submit(
            assignment=product.assignments.get(function=casey.function, layer__key="potential"),
            stakeholder=casey,
            verdict="agree",
        ),
    ]
    for index, step in enumerate(steps):
        step()
        live = leader_api.get(coverage_url()).json()
        report = reports.build_report(product_id=product.pk, trigger="api", run_key=f"after-{index}")
        snapshot = {name: getattr(report, name) for name in FIGURES}
        assert {name: live[name] for name in FIGURES} == snapshot, f"after step {index}"
    assert CoverageReport.objects.filter(product=product, run_key__startswith="after-").count() == 3
    assert live["totals"]["review_pairs"] == 4  # Ann joined Engineering; CS got a second layer


def test_a_stakeholder_sees_their_own_products_only(stakeholder_api, world, org):
    ProductFactory(organization=org, name="Other", slug="other")  # nothing of theirs on it

    assert stakeholder_api.get(coverage_url()).status_code == 200
    answer = stakeholder_api.get(coverage_url(product="other"))
    assert answer.status_code == 404 and answer.json()["error"] == "not_found"


@pytest.mark.parametrize("slug", ["insights", "no-such-product"])
def test_another_organization_gets_404(outsider_api, world, slug):
    answer = outsider_api.get(coverage_url(product=slug))
    assert answer.status_code == 404 and answer.json()["error"] == "not_found"


def test_it_needs_a_sign_in(anon, world):
    assert anon.get(coverage_url()).status_code in (401, 403)


def test_it_is_read_only(leader_api, world):
    assert leader_api.post(coverage_url(), {}, format="json").status_code == 405


def test_an_empty_product_answers_zeros_and_the_gap_never_an_error(leader_api, world, org):
    ProductFactory(organization=org, name="Blank", slug="blank")

    body = leader_api.get(coverage_url(product="blank")).json()

    assert (body["score"], body["review_coverage"], body["agreement"]) == (0, 0.0, 0.0)
    assert [gap["kind"] for gap in body["gaps"]][:1] == ["no_assignments"]


@pytest.mark.usefixtures("drawn")  # counts what the view itself does
def test_its_queries_do_not_grow_with_the_organization(leader_api, world, org, product, leader):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import FunctionFactory, StakeholderFactory

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert leader_api.get(coverage_url()).status_code == 200
        return len(captured)

    small = count()
    for i in range(30):
        function = FunctionFactory(organization=org, name=f"Team {i:02}")
        StakeholderFactory(function=function)
        assignments.assignment_set(
            product=product, function=function, layer="potential", emphasis="contributor", by=leader
        )
    assert count() == small


def test_the_gaps_come_a_page_at_a_time_with_their_count_and_links(leader_api, world, org):
    from tests.factories import FunctionFactory

    for i in range(12):
        FunctionFactory(organization=org, name=f"Team {i:02d}")  # each one an unmapped function
    whole = leader_api.get(coverage_url()).json()
    everything = whole["gaps"]
    assert whole["gaps_count"] == len(everything) > 12 and whole["gaps_next"] is None

    first = leader_api.get(coverage_url(), {"gaps_page_size": 5}).json()
    assert first["gaps"] == everything[:5] and first["gaps_count"] == len(everything)
    assert first["gaps_previous"] is None and "gaps_page=2" in first["gaps_next"]
    second = leader_api.get(first["gaps_next"]).json()
    assert second["gaps"] == everything[5:10] and "gaps_page=1" in second["gaps_previous"]
    assert {name: second[name] for name in FIGURES if name != "gaps"} == {
        name: whole[name] for name in FIGURES if name != "gaps"
    }  # only the gaps are paged
    beyond = leader_api.get(coverage_url(), {"gaps_page": 99}).json()
    assert beyond["gaps"] == [] and beyond["gaps_next"] is None


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"gaps_page": "0"}, "gaps_page"),
        ({"gaps_page": "x"}, "gaps_page"),
        ({"gaps_page_size": "1001"}, "gaps_page_size"),
    ],
)
def test_a_bad_gap_page_is_refused_with_the_rule(leader_api, world, params, field):
    answer = leader_api.get(coverage_url(), params)
    assert answer.status_code == 400 and field in answer.json()["fields"]
