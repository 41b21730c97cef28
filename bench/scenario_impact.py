"""The scenario impact benchmark (issue 18): a 100-step scenario on a 5,000-function tenant.

    DATABASE_URL=postgres://…/wp_bench REDIS_URL=redis://… SECRET_KEY=… .venv/bin/python bench/scenario_impact.py

Reuses the tenant `bench-5000` of bench/run.py when the database holds it, else generates it
once (5,000 functions, 100,000 people, 10 products, 500,000 reviews; minutes). It drafts a
scenario of 100 steps of every kind through the services (moves, hires, leavers, new, renamed,
merged and split functions, assignments set and cleared, a disruption), times
`scenarios.services.impact` over `--repeat` rounds and prints the median, with the query count.
The draft is deleted afterwards; nothing else is written. The target is 1 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SLUG = "bench-5000"
SIZES = {"functions": 5_000, "people": 100_000, "products": 10, "reviews": 500_000}
TARGET_S = 1.0


def setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()


def tenant(slug: str, sizes: dict[str, int]):
    from roles.generate import Sizes, generate_organization
    from roles.models import Organization

    found = Organization.objects.filter(slug=slug).first()
    if found is not None:
        return found
    print(f"generating {slug} (once; minutes) …", flush=True)
    return generate_organization(sizes=Sizes(**sizes), slug=slug).organization


def draft(org, steps: int):
    """A scenario of `steps` valid steps of every kind, drafted through the services."""
    from layers.models import Assignment, Product
    from roles.models import Function, Stakeholder
    from scenarios import services
    from scenarios.changes import InvalidChange

    by = org.memberships.filter(access="leader").first().user
    scenario = services.create_scenario(organization=org, by=by, name="Benchmark reorg")
    functions = list(Function.objects.filter(organization=org).order_by("pk").values_list("pk", flat=True)[:400])
    people = list(
        Stakeholder.objects.filter(organization=org, function_id__in=functions)
        .order_by("pk")
        .values_list("pk", "function_id")[:600]
    )
    products = list(Product.objects.filter(organization=org).order_by("pk").values_list("pk", flat=True))
    cells = list(
        Assignment.objects.filter(organization=org, function_id__in=functions, emphasis="contributor")
        .order_by("pk")
        .values_list("product_id", "function_id", "layer__key")[:200]
    )
    plan = []
    for i in range(1000):
        kind = i % 10
        if kind == 0:
            plan.append({"kind": "move_person", "person": people[i % len(people)][0], "to": functions[(i * 7) % 400]})
        elif kind == 1:
            plan.append({"kind": "hire", "full_name": f"Bench hire {i}", "email": f"bench-hire-{i}@bench.test",
                         "function": functions[(i * 3) % 400]})  # fmt: skip
        elif kind == 2:
            plan.append({"kind": "leaver", "person": people[(i * 5) % len(people)][0]})
        elif kind == 3:
            plan.append({"kind": "rename_function", "function": functions[(i * 11) % 400], "name": f"Renamed team {i}"})
        elif kind == 4:
            plan.append({"kind": "merge_function", "function": functions[(i * 13) % 400],
                         "into": functions[(i * 17 + 1) % 400]})  # fmt: skip
        elif kind == 5:
            source = functions[(i * 19) % 400]
            members = [pk for pk, f in people if f == source][:2]
            if members:
                plan.append(
                    {"kind": "split_function", "function": source, "name": f"Split team {i}", "people": members}
                )
        elif kind == 6:
            product, function, layer = cells[i % len(cells)]
            plan.append({"kind": "clear_assignment", "product": product, "function": function, "layer": layer})
        elif kind == 7:
            product, function = products[i % len(products)], functions[(i * 23) % 400]
            plan.append({"kind": "set_assignment", "product": product, "function": function, "layer": "potential",
                         "emphasis": "contributor"})  # fmt: skip
        elif kind == 8:
            plan.append({"kind": "create_function", "name": f"Planned team {i}", "category": "building"})
        else:
            today, function = date.today().isoformat(), functions[(i * 29) % 400]
            plan.append({"kind": "disruption", "disruption_kind": "reorg", "title": f"Reorg {i}",
                         "occurred_on": today, "functions": [function]})  # fmt: skip
    made = 0
    for fields in plan:
        if made == steps:
            break
        try:
            services.add_change(scenario=scenario, by=by, **fields)
        except InvalidChange:
            continue  # an earlier step made this one impossible (a merged function, a leaver): next
        made += 1
    return scenario


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--slug", default=SLUG)
    parser.add_argument("--people", type=int, default=SIZES["people"], help="when generating (default 100,000)")
    parser.add_argument("--reviews", type=int, default=SIZES["reviews"], help="when generating (default 500,000)")
    args = parser.parse_args(argv)
    setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from roles.models import Function
    from scenarios import services

    org = tenant(args.slug, {**SIZES, "people": args.people, "reviews": args.reviews})
    scenario = draft(org, args.steps)
    try:
        steps = scenario.changes.count()
        with CaptureQueriesContext(connection) as queries:
            first = services.impact(scenario)
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            services.impact(scenario)
            times.append(time.perf_counter() - started)
        median = statistics.median(times)
        functions = Function.objects.filter(organization=org).count()
        size = f"{functions:,} functions, {len(first.products)} products"
        print(
            f"impact of a {steps}-step scenario on {org.slug} ({size}): "
            f"median {median * 1000:.0f} ms over {args.repeat} rounds (min {min(times) * 1000:.0f}, "
            f"max {max(times) * 1000:.0f}), {len(queries.captured_queries)} queries; target {TARGET_S:.0f} s"
        )
        return 0
    finally:
        scenario.delete()


if __name__ == "__main__":
    raise SystemExit(main())
