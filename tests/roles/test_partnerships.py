"""Partnership services (create, update, delete, check-in), the trend, and the feedback loops selector."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from layers.models import Assignment
from layers.selectors.feedback import core_without_feedback, feedback_loops
from roles.models import Disruption, Function, Partnership, PartnershipCheckIn
from roles.selectors.web import Trend, web_links, with_trends
from roles.services import partnerships as services
from roles.services.partnerships import DuplicatePartnership
from tests.factories import AssignmentFactory, FunctionFactory, ProductFactory, layer
from wholeproduct.errors import Conflict, DomainError, NotFound


def make(org, name: str, category: str = Function.Category.BUILDING) -> Function:
    return FunctionFactory(organization=org, name=name, category=category)


@pytest.fixture
def engineering(org):
    return make(org, "Engineering")


@pytest.fixture
def sales(org):
    return make(org, "Sales & Account Management", Function.Category.CUSTOMER_FACING)


def nothing_written() -> bool:
    return not Partnership.objects.exists() and not PartnershipCheckIn.objects.exists()


def create(org, a, b, **overrides):
    values = {"trust": 3, "cadence": "monthly", "shared_goal": "", "feedback_carried": ""}
    values.update(overrides)
    return services.partnership_create(organization=org, function_a=a, function_b=b, **values)


# --- create -----------------------------------------------------------------------------------------


def test_it_links_two_functions_and_records_the_first_reading(org, engineering, sales, leader):
    p = create(
        org, sales, engineering, trust=4, shared_goal=" Win deals ", feedback_carried="What prospects need", by=leader
    )

    assert (p.function_a, p.function_b) == (engineering, sales)  # id order, whatever the argument order
    assert (p.trust, p.shared_goal, p.feedback_carried, p.version) == (4, "Win deals", "What prospects need", 1)
    assert p.last_checked_on == timezone.localdate()
    assert not p.needs_trust_check
    [reading] = p.check_ins.all()
    assert (reading.trust, reading.checked_on, reading.by) == (4, timezone.localdate(), leader)


def test_it_accepts_function_ids(org, engineering, sales):
    p = create(org, sales.pk, engineering.pk)
    assert (p.function_a_id, p.function_b_id) == (engineering.pk, sales.pk)


def test_it_keeps_an_older_last_check_when_given(org, engineering, sales):
    p = create(org, engineering, sales, last_checked_on=date(2025, 1, 10))
    assert p.last_checked_on == date(2025, 1, 10)
    assert p.check_ins.get().checked_on == date(2025, 1, 10)


def test_it_refuses_a_self_link(org, engineering):
    with pytest.raises(DomainError) as caught:
        create(org, engineering, engineering)
    assert caught.value.fields == {
        "function_b": ["Engineering cannot be its own partner: choose two different functions."]
    }
    assert nothing_written()


def test_it_refuses_the_same_pair_in_the_other_order(org, engineering, sales):
    existing = create(org, engineering, sales, trust=2)

    with pytest.raises(DuplicatePartnership) as caught:
        create(org, sales, engineering, trust=5)

    error = caught.value
    assert error.existing == existing
    assert "Engineering and Sales & Account Management are already partners (trust 2/5)" in error.detail
    assert list(error.fields) == ["function_b"]
    assert Partnership.objects.count() == 1
    assert PartnershipCheckIn.objects.count() == 1


@pytest.mark.parametrize("trust", [0, 6, -1, 3.5, "3", None, True])
def test_it_refuses_trust_outside_one_to_five(org, engineering, sales, trust):
    with pytest.raises(DomainError) as caught:
        create(org, engineering, sales, trust=trust)
    assert caught.value.fields == {"trust": ["Trust is a whole number from 1 (broken) to 5 (strong)."]}
    assert nothing_written()


def test_it_refuses_a_function_of_another_organization(org, other_org, engineering):
    foreign = make(other_org, "Globex Sales", Function.Category.CUSTOMER_FACING)

    for value in (foreign, foreign.pk, 987654):
        with pytest.raises(DomainError) as caught:
            create(org, engineering, value)
        assert caught.value.fields == {"function_b": ["That function is not in this organization."]}
        # The other tenant's function is not named: its existence does not leak.
        assert "Globex" not in caught.value.detail
    assert nothing_written()


def test_it_refuses_a_missing_function(org, engineering):
    with pytest.raises(DomainError) as caught:
        create(org, None, engineering)
    assert caught.value.fields == {"function_a": ["Choose a function."]}
    assert nothing_written()


def test_it_names_every_bad_field_at_once(org, engineering, sales):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(DomainError) as caught:
        create(org, engineering, sales, trust=9, cadence="hourly", shared_goal="x" * 301, last_checked_on=tomorrow)
    assert set(caught.value.fields) == {"trust", "cadence", "shared_goal", "last_checked_on"}
    assert caught.value.fields["cadence"] == ["Choose a cadence: Weekly, Fortnightly, Monthly, Quarterly, Ad hoc."]
    assert caught.value.fields["shared_goal"] == ["Keep the shared goal to 300 characters (it has 301)."]
    assert caught.value.fields["last_checked_on"] == ["The last check cannot be in the future."]
    assert nothing_written()


# --- update and delete ------------------------------------------------------------------------------


def test_update_changes_the_fields_and_bumps_the_version(org, engineering, sales):
    p = create(org, engineering, sales)
    updated = services.partnership_update(
        partnership=p, expected_version=1, cadence="weekly", shared_goal="Ship together", feedback_carried="Bugs"
    )
    p.refresh_from_db()
    assert (p.cadence, p.shared_goal, p.feedback_carried, p.version) == ("weekly", "Ship together", "Bugs", 2)
    assert updated.version == 2
    assert p.check_ins.count() == 1  # trust did not change: no new reading


def test_an_update_that_changes_nothing_keeps_the_version(org, engineering, sales):
    p = create(org, engineering, sales, cadence="weekly")
    services.partnership_update(
        partnership=p, expected_version=1, cadence="weekly", function_a=sales, function_b=engineering
    )
    p.refresh_from_db()
    assert p.version == 1


def test_a_stale_version_is_a_conflict_carrying_the_current_row(org, engineering, sales):
    p = create(org, engineering, sales)
    services.partnership_update(partnership=p, expected_version=1, cadence="weekly")

    with pytest.raises(Conflict) as caught:
        services.partnership_update(partnership=p, expected_version=1, cadence="quarterly")

    assert caught.value.current.pk == p.pk
    assert (caught.value.current.version, caught.value.current.cadence) == (2, "weekly")
    assert "version 1, now 2" in caught.value.detail
    p.refresh_from_db()
    assert p.cadence == "weekly"


def test_changing_trust_in_an_update_is_kept_as_a_reading(org, engineering, sales, leader):
    p = create(org, engineering, sales, trust=3, last_checked_on=date(2025, 1, 1))
    services.partnership_update(partnership=p, expected_version=1, trust=5, by=leader)
    p.refresh_from_db()
    assert (p.trust, p.last_checked_on) == (5, timezone.localdate())
    assert [c.trust for c in p.check_ins.order_by("checked_on")] == [3, 5]


def test_an_update_refuses_bad_trust_and_writes_nothing(org, engineering, sales):
    p = create(org, engineering, sales, trust=3)
    with pytest.raises(DomainError):
        services.partnership_update(partnership=p, expected_version=1, trust=0, cadence="weekly")
    p.refresh_from_db()
    assert (p.trust, p.cadence, p.version) == (3, "monthly", 1)


def test_an_update_can_move_a_link_but_not_onto_an_existing_pair(org, engineering, sales):
    design = make(org, "UX & Design")
    p = create(org, engineering, sales)
    create(org, design, sales)

    with pytest.raises(DuplicatePartnership):
        services.partnership_update(partnership=p, expected_version=1, function_a=design)
    with pytest.raises(DomainError, match="its own partner"):
        services.partnership_update(partnership=p, expected_version=1, function_a=sales)

    moved = services.partnership_update(partnership=p, expected_version=1, function_b=design)
    assert (moved.function_a_id, moved.function_b_id) == tuple(sorted((engineering.pk, design.pk)))


def test_delete_removes_the_link_and_its_history(org, engineering, sales):
    p = create(org, engineering, sales)
    services.partnership_delete(partnership=p, expected_version=1)
    assert nothing_written()
    with pytest.raises(NotFound):
        services.partnership_delete(partnership=p, expected_version=1)


def test_delete_with_a_stale_version_is_a_conflict(org, engineering, sales):
    p = create(org, engineering, sales)
    services.checkin_record(partnership=p, trust=4)
    with pytest.raises(Conflict):
        services.partnership_delete(partnership=Partnership.objects.get(pk=p.pk), expected_version=1)
    assert Partnership.objects.filter(pk=p.pk).exists()


# --- check-ins --------------------------------------------------------------------------------------


def test_a_check_in_updates_trust_clears_the_flag_and_keeps_the_history(org, engineering, sales, leader):
    p = create(org, engineering, sales, trust=2, last_checked_on=date(2025, 3, 1))
    Partnership.objects.filter(pk=p.pk).update(needs_trust_check=True)
    p.refresh_from_db()

    reading = services.checkin_record(partnership=p, trust=4, note=" Better ", checked_on=date(2025, 6, 1), by=leader)

    assert (reading.trust, reading.note, reading.by) == (4, "Better", leader)
    p.refresh_from_db()
    assert (p.trust, p.last_checked_on, p.needs_trust_check, p.version) == (4, date(2025, 6, 1), False, 2)
    trend = trend_of(p)
    assert trend.points == ((date(2025, 3, 1), 2), (date(2025, 6, 1), 4))
    assert trend.direction == "up"


def test_a_back_dated_check_in_only_adds_to_the_history(org, engineering, sales):
    p = create(org, engineering, sales, trust=4, last_checked_on=date(2025, 6, 1))
    services.checkin_record(partnership=p, trust=1, checked_on=date(2025, 2, 1))
    p.refresh_from_db()
    assert (p.trust, p.last_checked_on) == (4, date(2025, 6, 1))
    assert [c.trust for c in trend_of_rows(p)] == [1, 4]


def trend_of(p) -> Trend:
    """The trend a table row draws of `p` (`with_trends`, as the web's pages read it)."""
    link = next(row for row in web_links(p.organization, now=timezone.now(), disrupted_on={}) if row.partnership == p)
    trend = with_trends(p.organization, [link])[0].trend
    assert trend is not None
    return trend


def trend_of_rows(p):
    return sorted(p.check_ins.all(), key=lambda c: c.checked_on)


def test_a_check_in_older_than_the_disruption_does_not_clear_its_flag(org, engineering, sales):
    p = create(org, engineering, sales, trust=3, last_checked_on=date(2025, 1, 1))
    disrupted = timezone.now() - timedelta(days=2)
    d = Disruption.objects.create(
        organization=org, kind="reorg", title="Reorg", occurred_on=disrupted.date(), effective_at=disrupted
    )
    d.functions.add(sales)
    Partnership.objects.filter(pk=p.pk).update(needs_trust_check=True)
    p.refresh_from_db()

    services.checkin_record(partnership=p, trust=3, checked_on=timezone.localdate(disrupted) - timedelta(days=1))
    p.refresh_from_db()
    assert p.needs_trust_check

    services.checkin_record(partnership=p, trust=2, checked_on=timezone.localdate(disrupted))
    p.refresh_from_db()
    assert not p.needs_trust_check  # a check on the disruption's own day answers it
    assert p.trust == 2


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"trust": 0}, "trust"),
        ({"trust": 6}, "trust"),
        ({"trust": 3, "checked_on": date.today() + timedelta(days=3)}, "checked_on"),
        ({"trust": 3, "note": "x" * 2001}, "note"),
    ],
)
def test_a_bad_check_in_is_refused_and_writes_nothing(org, engineering, sales, values, field):
    p = create(org, engineering, sales, trust=3)
    with pytest.raises(DomainError) as caught:
        services.checkin_record(partnership=p, **values)
    assert field in caught.value.fields
    p.refresh_from_db()
    assert (p.trust, p.version, p.check_ins.count()) == (3, 1, 1)


def test_trend_reads_the_readings_in_date_order(org, engineering, sales):
    p = create(org, engineering, sales, trust=3, last_checked_on=date(2025, 1, 1))
    for day, trust in [(date(2025, 4, 1), 2), (date(2025, 2, 1), 4)]:
        services.checkin_record(partnership=p, trust=trust, checked_on=day)
    trend = trend_of(p)
    assert [t for _, t in trend.points] == [3, 4, 2]
    assert trend.direction == "down"
    assert trend.summary == "3 → 4 → 2"
    assert trend.sparkline == "2.0,8 30.0,5 58.0,11"
    assert Trend(points=()).sparkline == ""


# --- feedback loops (for the product page) ----------------------------------------------------------


@pytest.fixture
def product(org):
    return ProductFactory(organization=org, name="Insights", slug="insights")


def assign(product, function, key: str) -> Assignment:
    return AssignmentFactory(product=product, function=function, layer=layer(key))


def link(org, a, b, trust=3, feedback="") -> Partnership:
    """A partnership written as a factory writes rows: directly, then the read model told (its
    feedback loops), as the partnership services tell it."""
    from layers.readmodel import hooks

    first, second = sorted((a, b), key=lambda f: f.pk)
    made = Partnership.objects.create(
        organization=org, function_a=first, function_b=second, trust=trust, feedback_carried=feedback
    )
    hooks.partnerships_changed(organization_id=org.pk, partnership_ids=[made.pk])
    return made


@pytest.fixture
def web(org, product):
    """000_…'s augmented product feeding its core: Sales, PMM and CS → Product Management, Engineering."""
    f = {
        "pm": make(org, "Product Management"),
        "eng": make(org, "Engineering"),
        "sales": make(org, "Sales", Function.Category.CUSTOMER_FACING),
        "pmm": make(org, "Product Marketing", Function.Category.CUSTOMER_FACING),
        "cs": make(org, "Customer Success", Function.Category.CUSTOMER_FACING),
        "ceo": make(org, "CEO", Function.Category.LEADERSHIP),
    }
    for key in ("pm", "eng"):
        assign(product, f[key], "core")
    for key in ("sales", "pmm", "cs"):
        assign(product, f[key], "augmented")
    assign(product, f["ceo"], "potential")
    return f


def test_feedback_loops_run_from_the_augmented_layer_to_the_core(org, product, web):
    # Created so that the stored order (by id) is core first: the loop must still point to the core.
    link(org, web["pm"], web["sales"], trust=4, feedback="What prospects find critical")
    link(org, web["pmm"], web["pm"], trust=3, feedback="Competitor positioning")
    link(org, web["cs"], web["eng"], trust=2, feedback="  Onboarding challenges  ")
    link(org, web["cs"], web["pm"], trust=5, feedback="")  # carries nothing
    link(org, web["ceo"], web["pm"], trust=4, feedback="Vision")  # potential, not augmented
    link(org, web["sales"], web["pmm"], trust=4, feedback="Deals")  # augmented to augmented

    loops = feedback_loops(product=product)

    assert [(x.from_function.name, x.to_function.name, x.feedback, x.trust) for x in loops] == [
        ("Customer Success", "Engineering", "Onboarding challenges", 2),
        ("Product Marketing", "Product Management", "Competitor positioning", 3),
        ("Sales", "Product Management", "What prospects find critical", 4),
    ]
    assert [x.weak for x in loops] == [True, False, False]
    assert not core_without_feedback(product=product)


def test_a_core_that_hears_nothing_is_reported(org, product, web):
    link(org, web["cs"], web["pm"], trust=5, feedback="")
    assert feedback_loops(product=product) == []
    assert core_without_feedback(product=product)


def test_a_product_without_a_core_has_no_core_to_feed(org):
    product = ProductFactory(organization=org)
    assert feedback_loops(product=product) == []
    assert not core_without_feedback(product=product)


def test_feedback_loops_ignore_other_products_and_organizations(org, other_org, product, web):
    other_product = ProductFactory(organization=org, slug="other")
    analytics = make(org, "Analytics")
    assign(other_product, analytics, "augmented")
    link(org, analytics, web["pm"], feedback="Only for the other product")
    foreign_a, foreign_b = make(other_org, "Sales"), make(other_org, "Product Management")
    link(other_org, foreign_a, foreign_b, feedback="Another tenant")
    assert feedback_loops(product=product) == []


def test_feedback_loops_cost_the_same_few_queries_however_many(org, product, web):
    link(org, web["sales"], web["pm"], feedback="a")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            loops = feedback_loops(product=product)
            [(x.from_function.name, x.to_function.name) for x in loops]
            core_without_feedback(product=product)
        return len(ctx.captured_queries)

    few = count()
    for i in range(30):
        extra = make(org, f"Seller {i}", Function.Category.CUSTOMER_FACING)
        assign(product, extra, "augmented")
        link(org, extra, web["eng"], feedback=f"feedback {i}")
    assert len(feedback_loops(product=product)) == 31
    assert count() == few == 3  # the loops (one), and whether the core hears nothing (two)


def test_the_product_page_reads_the_first_loops_and_counts_the_rest(org, product, web):
    from layers.selectors.feedback import feedback_into_core

    for i in range(5):
        extra = make(org, f"Seller {i}", Function.Category.CUSTOMER_FACING)
        assign(product, extra, "augmented")
        link(org, extra, web["eng"], feedback=f"feedback {i}")
    loops, total, core_unfed = feedback_into_core(product=product, limit=3)
    assert [x.from_function.name for x in loops] == ["Seller 0", "Seller 1", "Seller 2"] and total == 5
    assert not core_unfed
    assert feedback_into_core(product=product, limit=10)[1:] == (5, False)
