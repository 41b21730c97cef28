"""Benchmark: build a coverage report for a large product and a small one (issue 5).

    .venv/bin/python bench/report_build.py [--runs 3] [--keep DIR]

Creates a throwaway SQLite database (embedded mode, in a temporary directory: it never touches
var/), loads

- a large organization: 1,000 functions, 20,000 stakeholders, one product mapping every function
  (1,000 assignments), 40,000 reviews, 20 disruptions and 500 partnerships;
- a small organization: 10 functions, 20 stakeholders, 10 assignments, 40 reviews;

then times `layers.services.reports.build_report` on each product (the best and the median of
`--runs` builds, each a new run key so each really builds) and counts its queries. It exits
non-zero if the large build takes 2 s or more, or runs more queries than the small one.
Not a test: it takes about a minute to load the data.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT_SECONDS = 2.0


def configure(state_dir: Path) -> None:
    """Embedded mode on a database of our own, before Django reads its settings."""
    for name in ("DATABASE_URL", "REDIS_URL"):
        os.environ.pop(name, None)
    os.environ["WHOLEPRODUCT_STATE_DIR"] = str(state_dir)
    os.environ["SQLITE_PATH"] = str(state_dir / "bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wholeproduct.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def load(*, slug: str, functions: int, people: int, reviews_each: int, disruptions: int, partnerships: int) -> int:
    """One organization with one product mapping every function; returns the product's id."""
    from django.utils import timezone

    from layers.models import Assignment, Layer, Product, Review
    from layers.readmodel.oracle import check_organization
    from roles.models import Disruption, Function, Organization, Partnership, Stakeholder

    rng = random.Random(slug)  # noqa: S311 - repeatable test data, not secrets
    now = timezone.now()
    org = Organization.objects.create(slug=slug, name=slug.title())
    categories = [c for c, _ in Function.Category.choices]
    Function.objects.bulk_create(
        Function(organization=org, name=f"Function {i:04d}", category=categories[i % len(categories)])
        for i in range(functions)
    )
    fns = list(Function.objects.filter(organization=org).order_by("id").values_list("id", flat=True))
    Stakeholder.objects.bulk_create(
        (
            Stakeholder(
                organization=org, function_id=fns[i % len(fns)], full_name=f"Person {i}", email=f"p{i}@{slug}.test"
            )
            for i in range(people)
        ),
        batch_size=2000,
    )
    product = Product.objects.create(organization=org, slug="main", name=f"{slug.title()} product")
    layers = list(Layer.objects.order_by("ring"))
    Assignment.objects.bulk_create(
        Assignment(
            organization=org,
            product=product,
            function_id=fid,
            layer=layers[i % 4],
            emphasis="lead" if i < 4 else "contributor",
        )
        for i, fid in enumerate(fns)
    )
    # changed_at is auto_now_add: date the map back with an update, before the reviews.
    Assignment.objects.filter(product=product).update(changed_at=now - timedelta(days=60))
    assignment_of = dict(Assignment.objects.filter(product=product).values_list("function_id", "id"))
    people_rows = Stakeholder.objects.filter(organization=org).values_list("id", "function_id")
    reviews = []
    for sid, fid in people_rows:
        for _ in range(reviews_each):
            disagree = rng.random() < 0.05
            reviews.append(
                Review(
                    organization=org,
                    assignment_id=assignment_of[fid],
                    stakeholder_id=sid,
                    verdict="disagree" if disagree else "agree",
                    comment="Not our layer." if disagree else "",
                )
            )
    Review.objects.bulk_create(reviews, batch_size=5000)
    # Spread the reviews over the last 50 days (bulk_create sets created_at to now).
    for day in range(50):
        Review.objects.filter(assignment__product=product, id__in=[r.id for r in reviews[day::50]]).update(
            created_at=now - timedelta(days=50 - day)
        )
    for i in range(disruptions):
        d = Disruption.objects.create(
            organization=org,
            kind="reorg",
            title=f"Reorg {i}",
            occurred_on=(now - timedelta(days=i)).date(),
            effective_at=now - timedelta(days=i),
        )
        d.functions.set(rng.sample(fns, k=min(5, len(fns))))
    pairs = set()
    while len(pairs) < partnerships:
        a, b = sorted(rng.sample(fns, 2))
        pairs.add((a, b))
    Partnership.objects.bulk_create(
        Partnership(organization=org, function_a_id=a, function_b_id=b, trust=rng.randint(1, 5)) for a, b in pairs
    )
    # Bulk statements bypass the services that keep the read model: build it from the raw rows,
    # as `rebuild_read_model` repairs an organization.
    check_organization(org, repair=True)
    return product.pk


def measure(product_id: int, runs: int) -> tuple[list[float], int, object]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from layers.services.reports import build_report

    build_report(product_id=product_id, trigger="manual", run_key="warm-up")  # imports, caches
    times = []
    queries = 0
    report = None
    for run in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            report = build_report(product_id=product_id, trigger="manual", run_key=f"bench-{run}")
            times.append(time.perf_counter() - started)
        queries = len(captured.captured_queries)
    return times, queries, report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", help="keep the database in this directory instead of a temporary one")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wpm-bench-") as tmp:
        state = Path(args.keep or tmp)
        state.mkdir(parents=True, exist_ok=True)
        configure(state)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        large = load(slug="large", functions=1000, people=20_000, reviews_each=2, disruptions=20, partnerships=500)
        small = load(slug="small", functions=10, people=20, reviews_each=2, disruptions=1, partnerships=3)
        print(f"Loaded the data in {time.perf_counter() - started:.1f} s ({state})")
        rows = []
        for name, product_id in (("large", large), ("small", small)):
            times, queries, report = measure(product_id, args.runs)
            rows.append((name, times, queries, report))
        print()
        heads = (
            ("functions", 9),
            ("people", 7),
            ("reviews", 8),
            ("best", 8),
            ("median", 8),
            ("queries", 8),
            ("score", 6),
        )
        print(f"{'product':<8} " + " ".join(f"{name:>{width}}" for name, width in heads))
        from layers.models import Review
        from roles.models import Function, Stakeholder

        for name, times, queries, report in rows:
            org_id = report.organization_id
            print(
                f"{name:<8} {Function.objects.filter(organization_id=org_id).count():>9,} "
                f"{Stakeholder.objects.filter(organization_id=org_id).count():>7,} "
                f"{Review.objects.filter(assignment__product_id=report.product_id).count():>8,} "
                f"{min(times):>7.3f}s {statistics.median(times):>7.3f}s {queries:>8} {report.score:>6}"
            )
        (_, large_times, large_queries, _), (_, _, small_queries, _) = rows
        fast = statistics.median(large_times) < LIMIT_SECONDS
        flat = large_queries == small_queries
        print()
        print(f"large build under {LIMIT_SECONDS:.0f} s: {'yes' if fast else 'NO'}")
        print(f"same number of queries as the small product ({small_queries}): {'yes' if flat else 'NO'}")
        return 0 if fast and flat else 1


if __name__ == "__main__":
    sys.exit(main())
