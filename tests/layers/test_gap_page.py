"""A page of live coverage (`layers.readmodel.gap_page`) equals the same window of the whole of it.

The coverage API builds only the gaps of the window it answers, from per-kind counts over the
counters; `read.live_coverage` assembles every gap (the report build stores them all). Random
organizations with every kind of gap — disputes on leads and contributors, unmapped, unstaffed,
stale and pending functions, weak links and links due a check for each reason (never checked,
flagged, old, an end disrupted since) and names that fold alike — are paged through at several
sizes, each window compared with the same slice of the whole, with the figures, layers and totals.
"""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from layers.models import Assignment, Review
from layers.readmodel import gap_page
from layers.readmodel.gap_page import coverage_page
from layers.readmodel.oracle import rebuild_everything
from layers.readmodel.read import live_coverage
from layers.readmodel.tables import ProductCounts
from layers.services.reports import totals, totals_of
from roles.models import Disruption, Function, Partnership
from tests.factories import (
    AssignmentFactory,
    FunctionFactory,
    OrganizationFactory,
    ProductFactory,
    ReviewFactory,
    StakeholderFactory,
    layer,
)

LAYERS = ("core", "expected", "augmented", "potential")
NAMES = ("Straße", "STRASSE", "éclair", "Zeta", "alpha", "Alpha Ops", "ΣΊΣΥΦΟΣ", "σίσυφος team", "Ünit", "unit 2")


def _organization(seed: int):
    """An organization of 30 functions whose gaps are of every kind, made from `seed`."""
    rng = random.Random(seed)
    now = timezone.now()
    org = OrganizationFactory(slug=f"pages-{seed}", name=f"Pages {seed}")
    names = [*NAMES, *(f"Team {i:02d}" for i in range(20))]
    functions = [FunctionFactory(organization=org, name=name) for name in names]
    staff = {f.pk: [StakeholderFactory(function=f) for _ in range(rng.choice((0, 0, 1, 2, 3)))] for f in functions}
    products = [ProductFactory(organization=org, name=f"P{i}", slug=f"p{i}") for i in range(2)]
    for product in products:
        leads: set[str] = set()
        for function in rng.sample(functions, 22):
            for key in rng.sample(LAYERS, rng.choice((1, 1, 2))):
                lead = key not in leads and key != "potential" and rng.random() < 0.4  # potential: unowned
                leads |= {key} if lead else set()
                cell = AssignmentFactory(
                    product=product,
                    function=function,
                    layer=layer(key),
                    emphasis=Assignment.Emphasis.LEAD if lead else Assignment.Emphasis.CONTRIBUTOR,
                )
                Assignment.objects.filter(pk=cell.pk).update(changed_at=now - timedelta(days=rng.randint(50, 300)))
                for person in staff[function.pk]:
                    if rng.random() < 0.6:
                        verdict = rng.choice(list(Review.Verdict))
                        review = ReviewFactory(
                            assignment=cell, stakeholder=person, verdict=verdict, comment=f"Not quite {verdict}."
                        )
                        Review.objects.filter(pk=review.pk).update(created_at=now - timedelta(days=rng.randint(0, 200)))
    for _ in range(40):
        a, b = sorted(rng.sample(functions, 2), key=lambda f: f.pk)  # a pair is stored in order
        checked = rng.choice((None, now.date() - timedelta(days=rng.randint(0, 200))))
        Partnership.objects.get_or_create(
            organization=org,
            function_a=a,
            function_b=b,
            defaults={"trust": rng.randint(1, 5), "last_checked_on": checked, "needs_trust_check": rng.random() < 0.2},
        )
    for index in range(4):
        day = now - timedelta(days=rng.randint(0, 150))
        disruption = Disruption.objects.create(
            organization=org,
            kind=Disruption.Kind.REORG,
            title=f"Reorg {index}",
            occurred_on=day.date(),
            effective_at=day,
            applied_at=day if index < 3 else None,  # the last one is planned
        )
        disruption.functions.set(rng.sample(functions, 4))
    rebuild_everything()
    return products


@pytest.fixture
def windowed(monkeypatch):
    """Every product is paged by windows, however small its organization."""
    monkeypatch.setattr(gap_page, "WINDOWED_ABOVE", -1)


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.usefixtures("windowed")
def test_every_window_equals_the_same_slice_of_the_whole(db, seed):
    kinds: set[str] = set()
    for product in _organization(seed):
        whole = live_coverage(product)
        gaps = whole.coverage.gaps
        kinds |= {f"{gap.kind}:{gap.severity}" for gap in gaps}
        for size in (2, 7, 100):
            for start in range(0, len(gaps) + size, size):
                page = coverage_page(product, start=start, size=size)
                assert page.coverage.gaps == gaps[start : start + size], (product.slug, start, size)
                assert page.gaps_count == len(gaps)
        assert page.coverage.to_dict(gaps=False) == whole.coverage.to_dict(gaps=False)
        assert (page.people, page.as_of) == (whole.people, whole.as_of)
        assert totals(page.coverage, people=page.people, gaps_by_severity=page.gaps_by_severity) == totals_of(
            whole.coverage, whole
        )
    assert kinds >= {
        "open_dispute:high",
        "open_dispute:medium",
        "unowned_layer:high",
        "unmapped_function:medium",
        "unstaffed_function:medium",
        "weak_partnership:medium",
        "unchecked_partnership:low",
        "stale_review:low",
        "pending_review:low",
    }


@pytest.mark.usefixtures("windowed")
def test_links_due_for_each_reason_are_counted_as_live_coverage_counts_them(db):
    products = _organization(4)
    org_id = products[0].organization_id
    today = timezone.now().date()
    links = list(Partnership.objects.filter(organization_id=org_id).order_by("pk"))
    disrupted = Function.objects.filter(disruptions__applied_at__isnull=False, organization_id=org_id).first()
    # One link per reason, and one that is not due: checked yesterday, before a disruption today
    # of an end (due), then the same link checked today (not due).
    reasons = [(None, False), (today, True), (today - timedelta(days=90), False), (today - timedelta(days=89), False)]
    for link, (checked, flagged) in zip(links[:4], reasons, strict=True):
        Partnership.objects.filter(pk=link.pk).update(last_checked_on=checked, needs_trust_check=flagged, trust=4)
    Disruption.objects.filter(functions=disrupted).update(effective_at=timezone.now())
    other = (
        Function.objects.filter(organization_id=org_id)
        .exclude(pk=disrupted.pk)
        .exclude(partnerships_as_a__function_b=disrupted)
        .exclude(partnerships_as_b__function_a=disrupted)
        .first()
    )
    a, b = sorted((disrupted, other), key=lambda f: f.pk)
    Partnership.objects.filter(pk=links[4].pk).update(
        function_a=a, function_b=b, last_checked_on=today - timedelta(days=1), needs_trust_check=False, trust=4
    )
    rebuild_everything()
    for product in products:
        whole = live_coverage(product).coverage.gaps
        page = coverage_page(product, start=0, size=1000)
        assert page.coverage.gaps == whole and page.gaps_count == len(whole)
    Partnership.objects.filter(pk=links[4].pk).update(last_checked_on=today)
    for product in products:
        assert coverage_page(product, start=0, size=1000).coverage.gaps == live_coverage(product).coverage.gaps


@pytest.mark.parametrize("windowed_above", [-1, 300])
def test_an_empty_product_and_a_product_the_counters_never_met(db, monkeypatch, windowed_above):
    monkeypatch.setattr(gap_page, "WINDOWED_ABOVE", windowed_above)
    org = OrganizationFactory(slug="blank", name="Blank")
    FunctionFactory(organization=org, name="Alone")
    product = ProductFactory(organization=org, name="Blank", slug="blank")

    page = coverage_page(product, start=0, size=10)
    whole = live_coverage(product).coverage
    assert page.coverage == whole and page.gaps_count == len(whole.gaps)
    assert [gap.kind for gap in page.coverage.gaps][:1] == ["no_assignments"]

    unmet = ProductFactory(organization=org, name="Unmet", slug="unmet")
    AssignmentFactory(product=unmet, function=org.functions.get(), layer=layer("core"))
    ProductCounts.objects.filter(product=unmet).delete()  # a product no hook has met (rebuild repairs it)
    page = coverage_page(unmet, start=0, size=10)
    assert page.coverage == live_coverage(unmet).coverage and page.coverage.assignments == 1


@pytest.mark.usefixtures("windowed")
def test_contributors_renamed_are_listed_again_in_the_report_s_order(db, monkeypatch):
    """A page names every contributor from the names kept on the layer's counter row, and reads
    its disputes in the order of the names kept on the cells: a rename (through the service, as a
    leader makes it) lists them again, in the order a report uses."""
    from roles.services.functions import function_update

    products = _organization(3)
    contributors = (
        Assignment.objects.filter(product=products[0], emphasis=Assignment.Emphasis.CONTRIBUTOR)
        .select_related("function")
        .order_by("function__name")
    )
    renamed = {cell.function for cell in contributors[:3]}
    names = dict(zip(sorted(renamed, key=lambda f: f.pk), ("aardvark", "Zulu desk", "ÉCLAIR 2"), strict=True))
    # And two disputed functions, to names that fold alike: the disputes are read in the cells' order of names.
    disputed = Assignment.objects.filter(product=products[0], counts__open__gt=0).exclude(function__in=renamed)
    fold_alike = list(dict.fromkeys(cell.function for cell in disputed.select_related("function")))[:2]
    names |= dict(zip(fold_alike, ("STRASSE 2", "straße 2"), strict=True))
    for function, name in names.items():
        function_update(
            function=function,
            name=name,
            category=function.category,
            is_external=function.is_external,
            description=function.description,
            parent=function.parent,
        )
    for product in products:
        page = coverage_page(product, start=0, size=5)
        whole = live_coverage(product).coverage
        assert page.coverage.layers == whole.layers
    named = {name for row in coverage_page(products[0], start=0, size=5).coverage.layers for name in row.contributors}
    assert {"aardvark", "Zulu desk", "ÉCLAIR 2"} <= named
    monkeypatch.setattr(gap_page, "WINDOWED_ABOVE", -1)  # windows, read in the cells' order of names
    disputes = {gap.name for gap in live_coverage(products[0]).coverage.gaps if gap.kind == "open_dispute"}
    assert {"STRASSE 2", "straße 2"} <= disputes
    for product in products:
        gaps = live_coverage(product).coverage.gaps
        for start in range(0, len(gaps), 3):
            assert coverage_page(product, start=start, size=3).coverage.gaps == gaps[start : start + 3]


@pytest.mark.parametrize("windowed_above", [-1, 300])
def test_a_page_names_a_layer_s_first_contributors_and_counts_them_all(db, monkeypatch, windowed_above):
    """A layer of a large organization has thousands of contributors: a page names the first
    `NAMED_CONTRIBUTORS` in a report's order and counts every one; the report names them all."""
    from layers.readmodel.read import NAMED_CONTRIBUTORS

    monkeypatch.setattr(gap_page, "WINDOWED_ABOVE", windowed_above)
    org = OrganizationFactory(slug="many", name="Many")
    product = ProductFactory(organization=org, name="Many", slug="many")
    many = NAMED_CONTRIBUTORS + 5
    for index in range(many):
        function = FunctionFactory(organization=org, name=f"Team {many - index:03d}")
        AssignmentFactory(product=product, function=function, layer=layer("expected"))
    rebuild_everything()

    whole = live_coverage(product).coverage.layers[1]
    row = coverage_page(product, start=0, size=10).coverage.layers[1]
    assert len(whole.contributors) == many and whole.contributors[0] == "Team 001"
    assert row.contributors == whole.contributors[:NAMED_CONTRIBUTORS]
    assert row.contributors_more == 5 and row.contributor_count == many
    assert row.to_dict()["contributor_count"] == whole.to_dict()["contributor_count"] == many
