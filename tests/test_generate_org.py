"""`manage.py generate_org` (issue 9): a new, realistic organization of the asked size, all or nothing."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Q

from bench.generate.world import SNAPSHOTS
from domain import matching
from layers.models import Assignment, CoverageReport, Layer, Product, Review, ReviewCampaign
from roles.models import Disruption, Function, Membership, Organization, Partnership, Stakeholder

pytestmark = pytest.mark.django_db

SIZES = {"functions": 60, "people": 400, "products": 3, "reviews": 900}


def generate(**options) -> tuple[Organization, str]:
    out = io.StringIO()
    call_command("generate_org", stdout=out, **options)
    return Organization.objects.order_by("-pk").first(), out.getvalue()


@pytest.fixture
def made():
    return generate(**SIZES)


def test_it_builds_exactly_the_sizes_asked_for(made):
    org, out = made
    assert Function.objects.filter(organization=org).count() == 60
    assert Stakeholder.objects.filter(organization=org).count() == 400
    assert Product.objects.filter(organization=org).count() == 3
    assert Review.objects.filter(assignment__product__organization=org).count() == 900
    assert f"Generated {org.slug}" in out and "60 functions, 400 people" in out


def test_the_functions_have_the_shape_of_a_real_organization(made):
    org, _ = made
    functions = list(Function.objects.filter(organization=org))
    assert {f.category for f in functions} == set(Function.Category.values)
    assert any(f.is_external for f in functions)
    top = [f for f in functions if f.parent_id is None]
    assert {"Product Management", "Engineering", "Customer Success", "CEO"} <= {f.name for f in top}
    assert len(top) == 24  # the playbook's functions; every other one is a team inside one
    matched = [f for f in functions if matching.match(f.name) is not None]
    assert 0 < len(functions) - len(matched) < len(matched)  # some teams the playbook does not know
    unstaffed = Function.objects.filter(organization=org).annotate(n=Count("stakeholders")).filter(n=0)
    assert unstaffed.count() < 6


def test_every_product_is_mapped_from_the_playbook_with_a_lead_on_every_layer(made):
    org, _ = made
    for product in Product.objects.filter(organization=org):
        leads = dict(
            Assignment.objects.filter(product=product, emphasis="lead").values_list("layer__key", "function__name")
        )
        assert leads == {
            "core": "Product Management",
            "expected": "Product Management",  # a hybrid organization
            "augmented": "Customer Success",
            "potential": "CEO",
        }
        sources = Counter(Assignment.objects.filter(product=product).values_list("source", flat=True))
        assert sources["playbook"] > sources["manual"] > 0
        mapped = Assignment.objects.filter(product=product).values("function").distinct().count()
        assert mapped < 60  # a few teams are left for a leader to map


def test_the_reviews_are_of_every_state(made):
    org, _ = made
    reviews = Review.objects.filter(assignment__product__organization=org)
    assert reviews.filter(verdict="agree").count() > reviews.filter(verdict="disagree").count() > 0
    assert reviews.filter(verdict="disagree", resolved_at__isnull=True).exists()  # open disputes
    assert reviews.filter(resolution="kept").exists() and reviews.filter(resolution="changed").exists()
    assert reviews.filter(verdict="disagree", suggested_layer__isnull=False).exists()
    assert not reviews.filter(resolved_at__lt=F("created_at")).exists()
    assert reviews.filter(created_at__lt=F("assignment__changed_at")).exists()  # stale: the cell changed since
    superseded = reviews.values("assignment", "stakeholder").annotate(n=Count("id")).filter(n__gt=1)
    assert superseded.exists()
    # Only pairs of a function's own people are reviewed.
    assert not reviews.exclude(stakeholder__function=F("assignment__function")).exists()
    pairs = sum(
        Stakeholder.objects.filter(function_id=a.function_id).count()
        for a in Assignment.objects.filter(product__organization=org)
    )
    assert pairs > reviews.values("assignment", "stakeholder").distinct().count()  # pending pairs too


def test_the_web_disruptions_and_a_campaign_are_there(made):
    org, _ = made
    partnerships = Partnership.objects.filter(organization=org)
    assert partnerships.count() == 90  # 1.5 per function
    assert set(partnerships.values_list("trust", flat=True)) == {1, 2, 3, 4, 5}
    assert partnerships.filter(last_checked_on__isnull=True).exists()
    assert partnerships.filter(needs_trust_check=True).exists()
    assert not partnerships.filter(function_a__gte=F("function_b")).exists()
    assert Disruption.objects.filter(organization=org).count() == 5
    assert ReviewCampaign.objects.filter(product__organization=org, status="open").count() == 1


def test_each_product_has_a_month_of_nightly_reports_built_by_the_report_service(made):
    org, _ = made
    for product in Product.objects.filter(organization=org):
        reports = list(CoverageReport.objects.filter(product=product).order_by("-generated_at"))
        assert len(reports) == SNAPSHOTS
        latest = reports[0]
        assert latest.trigger == "schedule" and latest.data["product"]["slug"] == product.slug
        assert latest.score > reports[-1].score  # the trend climbs
        assert all(r.gaps == latest.gaps for r in reports)  # copied in the database, not rebuilt
        assert len({r.run_key for r in reports}) == SNAPSHOTS


def test_its_logins_work(made, client):
    org, out = made
    leader = Membership.objects.get(organization=org, access="leader").user
    assert leader.email in out and "'bench'" in out
    assert client.login(username=leader.email, password="bench")
    assert client.get(f"/o/{org.slug}/").status_code == 200
    stakeholder = Stakeholder.objects.get(organization=org, user__isnull=False, function__name="Customer Success")
    assert Membership.objects.get(user=stakeholder.user).access == "stakeholder"


def test_each_run_makes_a_new_organization(made):
    first, _ = made
    second, _ = generate(functions=10, people=20, products=1, reviews=30)
    assert first.slug != second.slug
    assert Function.objects.filter(organization=second).count() == 10
    assert Function.objects.filter(organization=first).count() == 60


def test_a_tiny_organization_keeps_the_functions_that_cover_the_four_layers():
    org, _ = generate(functions=4, people=5, products=1, reviews=5)
    names = set(Function.objects.filter(organization=org).values_list("name", flat=True))
    assert names == {"Product Management", "Engineering", "Customer Success", "CEO"}
    owned = Assignment.objects.filter(product__organization=org, emphasis="lead").values("layer").distinct()
    assert owned.count() == Layer.objects.count()


@pytest.mark.parametrize(
    "options, message",
    [
        ({"functions": 0}, "at least one function"),
        ({"people": 2}, "at least 3 people"),
        ({"products": 0}, "one product"),
        ({"reviews": -1}, "cannot be negative"),
    ],
)
def test_it_refuses_impossible_sizes_and_writes_nothing(options, message):
    with pytest.raises(CommandError, match=message):
        call_command("generate_org", stdout=io.StringIO(), **(SIZES | options))
    assert not Organization.objects.exists()


def test_it_refuses_a_slug_that_exists_and_writes_nothing(made):
    org, _ = made
    before = Function.objects.count()
    with pytest.raises(CommandError, match="exists already"):
        call_command("generate_org", stdout=io.StringIO(), slug=org.slug, functions=10, people=20, products=1)
    assert Function.objects.count() == before
    assert Organization.objects.filter(~Q(pk=org.pk)).count() == 0


def test_two_runs_with_one_seed_make_the_same_organization():
    """Deterministic for a given seed, whatever ids the rows get: the reviews and the edited cells
    are drawn from the cells in a fixed order (the query guards compare two generated
    organizations' pages, and an open dispute more or less changes what a page reads)."""
    sizes = {"functions": 10, "people": 30, "products": 2, "reviews": 60}

    def shape(org: Organization) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
        reviews = Review.objects.filter(organization=org).values_list(
            "assignment__product__name",
            "assignment__function__name",
            "assignment__layer__key",
            "stakeholder__full_name",
            "verdict",
            "resolution",
        )
        edited = Assignment.objects.filter(organization=org, version=2).values_list(
            "product__name", "function__name", "layer__key"
        )
        return sorted(map(tuple, reviews)), sorted(map(tuple, edited))

    first, _ = generate(**sizes)
    Function.objects.create(organization=first, name="Spacer", category="building")  # the ids move on
    second, _ = generate(**sizes)
    assert shape(first) == shape(second)
