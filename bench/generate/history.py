"""The generator's history: disruptions, reviews, partnerships, a campaign, the read model, a month of reports."""

from __future__ import annotations

import itertools
import random
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.utils import timezone

from bench.generate.names import (
    DISPUTES,
    DISRUPTIONS,
)
from bench.generate.world import (
    HISTORY_DAYS,
    SNAPSHOTS,
    Sizes,
    _bulk,
    _keeping_created_at,
    _World,
)
from layers.models import Assignment, AssignmentChange, CoverageReport, Product, Review, ReviewCampaign
from layers.readmodel import hooks as readmodel
from layers.services.reports import build_report
from roles.models import Disruption, Function, Partnership, PartnershipCheckIn, Stakeholder


def _make_disruptions(world: _World, sizes: Sizes) -> None:
    rows, touched = [], []
    for kind, title, days_ago in DISRUPTIONS:
        moment = world.now - timedelta(days=days_ago)
        rows.append(
            Disruption(
                organization=world.org,
                kind=kind,
                title=title,
                note="Logged by the generator.",
                occurred_on=moment.date(),
                effective_at=moment,
                applied_at=moment,
                created_by=world.leader,
            )
        )
        touched.append(world.rng.sample(world.functions, k=min(len(world.functions), 2 + len(world.functions) // 80)))
    disruptions = _bulk(Disruption, rows)
    through = Disruption.functions.through
    _bulk(
        through,
        (through(disruption=d, function=f) for d, fs in zip(disruptions, touched, strict=True) for f in fs),
    )
    world.disrupted = {f.pk for fs in touched for f in fs}
    world.counts["disruptions"] = len(disruptions)


def _make_reviews(world: _World, sizes: Sizes) -> None:
    rng, now = world.rng, world.now
    cells = list(
        Assignment.objects.filter(organization=world.org).order_by("pk").values_list("pk", "function_id", "layer_id")
    )
    cells = [cell for cell in cells if world.people_of.get(cell[1])]
    if not cells or not sizes.reviews:
        return
    cumulative = list(itertools.accumulate(len(world.people_of[cell[1]]) for cell in cells))
    layer_ids = [layer.pk for layer in world.layers.values()]
    reviews: list[Review] = []
    seen: set[tuple[int, int]] = set()
    attempts = 0
    while len(reviews) < sizes.reviews and attempts < sizes.reviews * 4:
        attempts += 1
        pk, function_id, layer_id = rng.choices(cells, cum_weights=cumulative)[0]
        person = rng.choice(world.people_of[function_id])
        if (pk, person) in seen:
            continue
        seen.add((pk, person))
        minutes = rng.randint(60, (HISTORY_DAYS - 1) * 24 * 60)
        if rng.random() < 0.1 and len(reviews) + 1 < sizes.reviews:
            # Changed their mind: an older review, superseded by the newer one below.
            older = minutes + rng.randint(600, 20_000)
            reviews.append(_review(rng, pk, person, layer_id, layer_ids, now - timedelta(minutes=older)))
        reviews.append(_review(rng, pk, person, layer_id, layer_ids, now - timedelta(minutes=minutes)))
    for review in reviews:
        if review.resolved_at:
            review.resolved_by = world.leader
    with _keeping_created_at():
        _bulk(Review, reviews, world.org)
    world.counts["reviews"] = len(reviews)


def _review(
    rng: random.Random, assignment_id: int, person: int, layer_id: int, layer_ids: list[int], at: datetime
) -> Review:
    review = Review(assignment_id=assignment_id, stakeholder_id=person, verdict=Review.Verdict.AGREE, created_at=at)
    if rng.random() < 0.12:
        review.verdict = Review.Verdict.DISAGREE
        review.comment = rng.choice(DISPUTES)
        if rng.random() < 0.6:
            review.suggested_layer_id = rng.choice([pk for pk in layer_ids if pk != layer_id])
        if rng.random() < 0.5:
            review.resolution = rng.choice([Review.Resolution.KEPT] * 3 + [Review.Resolution.CHANGED])
            review.resolution_note = "Discussed with the team lead; the map says what we agreed."
            review.resolved_at = at + timedelta(minutes=rng.randint(1, 50))
    return review


def _make_partnerships(world: _World, sizes: Sizes) -> None:
    rng, today = world.rng, world.now.date()
    functions = world.functions
    if len(functions) < 2:
        return
    wanted = min(len(functions) * 3 // 2, len(functions) * (len(functions) - 1) // 2)
    pairs: set[tuple[int, int]] = set()
    building = [f for f in functions if f.category == Function.Category.BUILDING] or functions
    others = [f for f in functions if f.category != Function.Category.BUILDING] or functions
    attempts = 0
    while len(pairs) < wanted and attempts < wanted * 20:
        attempts += 1
        # 003's web: most links join a building function and a customer-facing or other one.
        a, b = (rng.choice(building), rng.choice(others)) if rng.random() < 0.7 else rng.sample(functions, 2)
        if a.pk != b.pk:
            pairs.add((min(a.pk, b.pk), max(a.pk, b.pk)))
    cadences = list(Partnership.Cadence.values)
    rows = []
    for a, b in sorted(pairs):
        checked = rng.random()
        last = None if checked < 0.15 else today - timedelta(days=rng.randint(1, 80) if checked < 0.75 else 200)
        rows.append(
            Partnership(
                organization=world.org,
                function_a_id=a,
                function_b_id=b,
                trust=rng.choices([1, 2, 3, 4, 5], [5, 10, 30, 35, 20])[0],
                shared_goal="Customers adopt what we ship.",
                cadence=rng.choice(cadences),
                feedback_carried="Prospects' needs and onboarding problems." if rng.random() < 0.5 else "",
                last_checked_on=last,
            )
        )
    partnerships = _bulk(Partnership, rows)
    flagged = [p.pk for p in partnerships if world.disrupted & {p.function_a_id, p.function_b_id}]
    Partnership.objects.filter(pk__in=flagged).update(needs_trust_check=True)
    check_ins = [
        PartnershipCheckIn(
            partnership=p, trust=p.trust, note="Monthly check-in.", checked_on=p.last_checked_on, by=world.leader
        )
        for p in partnerships
        if p.last_checked_on and rng.random() < 0.4
    ]
    _bulk(PartnershipCheckIn, check_ins, world.org)
    world.counts["partnerships"] = len(partnerships)


def _make_campaign(world: _World, sizes: Sizes) -> None:
    """A review campaign running on the first product (written directly: starting one emails everyone)."""
    ReviewCampaign.objects.create(
        product=world.products[0],
        name=f"{world.products[0].name}: quarterly review",
        starts_at=world.now - timedelta(days=3),
        deadline=world.now + timedelta(days=11),
        created_by=world.leader,
    )


def _make_read_model(world: _World, sizes: Sizes) -> None:
    """Review pairs and counters for everything written in bulk above (as `rebuild_read_model`)."""
    readmodel.organization_changed(organization_id=world.org.pk)


def _make_reports(world: _World, sizes: Sizes) -> None:
    """Tonight's snapshot of each product from the report service, then the month before it,
    derived: the score climbs towards today's, with a dip after each disruption. A derived
    snapshot keeps tonight's details (per-layer rows, gaps, rings) under its own score: they are
    copied inside the database, as a month of real ones would weigh."""
    _analyze()
    dips = [world.now - timedelta(days=days) for _, _, days in DISRUPTIONS]
    past: list[list[Any]] = []
    for product in world.products:
        latest = build_report(
            product_id=product.pk,
            trigger=CoverageReport.Trigger.SCHEDULE,
            run_key=f"schedule:{timezone.localtime(world.now):%Y-%m-%d}:02h",
        )
        for days in range(1, SNAPSHOTS):
            moment = latest.generated_at - timedelta(days=days)
            dip = sum(4 for when in dips if moment < when <= moment + timedelta(days=4))
            score = min(max(latest.score - days // 3 - dip + world.rng.randint(-1, 1), 0), 100)
            ratio = score / latest.score if latest.score else 1.0
            run_key = f"schedule:{timezone.localtime(moment):%Y-%m-%d}:02h"
            past.append([run_key, moment, score, round(latest.review_coverage * ratio, 4), latest.pk])
    _copy_snapshots(past)
    world.counts["reports"] = len(past) + len(world.products)


def _copy_snapshots(rows: list[list[Any]]) -> None:
    """Insert past snapshots that copy a built one's JSON columns server-side (a month of a large
    organization's snapshots is hundreds of megabytes of JSON: no need to send it from here)."""
    table = connection.ops.quote_name(CoverageReport._meta.db_table)
    copied = "product_id, organization_id, trigger, layer_coverage, function_coverage, agreement, layers, gaps, "
    copied += "totals, data, duration_ms"
    sql = (
        f"INSERT INTO {table} (run_key, generated_at, score, review_coverage, {copied}) "  # noqa: S608 - names are ours
        f"SELECT %s, %s, %s, %s, {copied} FROM {table} WHERE id = %s"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _analyze() -> None:
    """Refresh PostgreSQL's statistics: tables filled in this transaction still look empty to its
    planner, which would then read a large organization with nested loops."""
    if connection.vendor != "postgresql":
        return
    models_ = (
        Function,
        Stakeholder,
        Product,
        Assignment,
        AssignmentChange,
        Review,
        Partnership,
        Disruption,
        CoverageReport,
    )
    tables = [model._meta.db_table for model in models_]
    with connection.cursor() as cursor:
        for table in [*tables, Disruption.functions.through._meta.db_table]:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
