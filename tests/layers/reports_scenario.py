"""A small organization whose coverage is worked out by hand, shared by the report tests.

Acme Analytics has five functions; Insights Cloud maps four of them:

    Product Management  lead of core           1 person  (Pat)     Pat agrees              current
    Engineering         contributor on core     2 people  (Eve, Eli) Eve agrees, Eli disputes  current
    Customer Success    lead of augmented      1 person  (Casey)   Casey agrees, then the assignment changed: stale
    Sales               contributor augmented  nobody              -> unstaffed
    Finance             not mapped             1 person            -> unmapped

    |F| = 5, mapped 4                         function_coverage = 4/5 = 0.8
    owned layers: core, augmented             layer_coverage    = 2/4 = 0.5
    pairs P = 1 + 2 + 1 + 0 = 4, current 3    review_coverage   = 3/4 = 0.75
    current reviews 3, agreeing 2             agreement         = 2/3
    score = round(100 * (0.5 + 0.8 + 0.75) / 3) = round(68.33) = 68

Customer Success and Sales work together with a trust of 2: a weak partnership.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils import timezone

from layers.models import Assignment, CoverageReport, Product, Review
from layers.readmodel import hooks
from layers.services import reports as services
from roles.models import Function, Organization, Partnership, Stakeholder
from tests.factories import AssignmentFactory, FunctionFactory, ProductFactory, StakeholderFactory, layer

SCORE = 68


@dataclass
class Scenario:
    org: Organization
    product: Product
    functions: dict[str, Function] = field(default_factory=dict)
    people: dict[str, Stakeholder] = field(default_factory=dict)
    assignments: dict[str, Assignment] = field(default_factory=dict)


def insights(org: Organization, *, cs_function: Function | None = None) -> Scenario:
    now = timezone.now()
    product = ProductFactory(organization=org, name="Insights Cloud", slug="insights")
    s = Scenario(org=org, product=product)
    categories = {
        "Product Management": Function.Category.BUILDING,
        "Engineering": Function.Category.BUILDING,
        "Customer Success": Function.Category.CUSTOMER_FACING,
        "Sales": Function.Category.CUSTOMER_FACING,
        "Finance": Function.Category.CROSS_FUNCTIONAL,
    }
    for name, category in categories.items():
        if name == "Customer Success" and cs_function is not None:
            s.functions[name] = cs_function
        else:
            s.functions[name] = FunctionFactory(organization=org, name=name, category=category)
    for key, name in (
        ("pat", "Product Management"),
        ("eve", "Engineering"),
        ("eli", "Engineering"),
        ("fin", "Finance"),
    ):
        s.people[key] = StakeholderFactory(function=s.functions[name], full_name=key.title())
    casey = Stakeholder.objects.filter(function=s.functions["Customer Success"]).first()
    s.people["casey"] = casey or StakeholderFactory(function=s.functions["Customer Success"], full_name="Casey")
    plan = (
        ("pm", "Product Management", "core", "lead"),
        ("eng", "Engineering", "core", "contributor"),
        ("cs", "Customer Success", "augmented", "lead"),
        ("sales", "Sales", "augmented", "contributor"),
    )
    for key, name, layer_key, emphasis in plan:
        s.assignments[key] = AssignmentFactory(
            product=product, function=s.functions[name], layer=layer(layer_key), emphasis=emphasis
        )
    Assignment.objects.filter(product=product).update(changed_at=now - timedelta(hours=3))
    review(s.assignments["pm"], s.people["pat"], at=now - timedelta(hours=2))
    review(s.assignments["eng"], s.people["eve"], at=now - timedelta(hours=2))
    review(s.assignments["eng"], s.people["eli"], verdict="disagree", at=now - timedelta(hours=2))
    review(s.assignments["cs"], s.people["casey"], at=now - timedelta(hours=2))
    # Customer Success's assignment changed after Casey agreed: her review needs re-confirming.
    Assignment.objects.filter(pk=s.assignments["cs"].pk).update(changed_at=now - timedelta(hours=1))
    a, b = sorted((s.functions["Customer Success"], s.functions["Sales"]), key=lambda f: f.pk)
    Partnership.objects.create(
        organization=org, function_a=a, function_b=b, trust=2, last_checked_on=date.today() - timedelta(days=3)
    )
    # The history above was dated by hand, behind the services that keep the read model.
    hooks.organization_changed(organization_id=org.pk)
    return s


def review(assignment: Assignment, person: Stakeholder, *, verdict: str = "agree", at: datetime) -> Review:
    comment = "" if verdict == "agree" else "This is not our layer."
    made = Review.objects.create(assignment=assignment, stakeholder=person, verdict=verdict, comment=comment)
    Review.objects.filter(pk=made.pk).update(created_at=at)
    hooks.review_written(organization_id=made.organization_id, assignment_id=assignment.pk, stakeholder_id=person.pk)
    return made


def build(
    product: Product, *, run_key: str = "", trigger: str = "manual", at: datetime | None = None
) -> CoverageReport:
    """Build a snapshot now and, with `at`, date it back (to draw a trend)."""
    report = services.build_report(product_id=product.pk, trigger=trigger, run_key=run_key or f"test:{uuid.uuid4()}")
    if at is not None:
        CoverageReport.objects.filter(pk=report.pk).update(generated_at=at)
        report.refresh_from_db()
    return report
