"""What history does to the pages: each benchmark target drawn by its view, on a generated
organization as it is and again after some years of history, added and then rolled back.

    .venv/bin/python bench/history.py [--org bench-5000] [--years 2] [--rounds 15] ["web" "api coverage" …]

The benchmark's tenants are young: a few snapshots a product, a few disruptions, one check-in a
link. An organization that has used the product for years has a snapshot a night for each product,
a disruption every few days, a check-in a week for each link. This copies the benchmark's database
(`CREATE DATABASE … TEMPLATE`, so nothing may be connected to it meanwhile), times every target (or
those named) drawn by the view on the copy (median of `--rounds` interleaved rounds), then adds to the organization:
`--years` of nightly snapshots for every product (dated before the oldest it has), a disruption
every five days touching 60 functions, logged through the service on its own day (so links are
flagged and the read model ages the reviews, as logging it did then), and weekly check-ins for every link (dated
before its last check, so its trust stays); it times them again, prints both and the ratio, and
drops the copy (`--keep` keeps it, to profile a page on it). A measurement, not a test.

The history is committed, not added in a transaction rolled back at the end: rows a transaction
still holds cost every read that meets them a check of the transaction's own subtransactions (one
per savepoint), which slowed pages that read no history at all two- and threefold.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.run import setup

DISRUPTION_EVERY_DAYS = 5
TOUCHED = 60


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("targets", nargs="*", help="benchmark targets (default: every page and API list)")
    parser.add_argument("--org", default="bench-5000", help="a generated organization's slug")
    parser.add_argument("--years", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--keep", action="store_true", help="keep the copy with its history (<database>_history)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    setup()
    from django.db import connection

    from bench import measure
    from bench.run import _logins_of, _org
    from bench.targets import API, PAGE, TARGETS
    from roles.models import Organization

    organization = Organization.objects.filter(slug=args.org).first()
    if organization is None:
        sys.exit(f"No organization {args.org!r}: run bench/run.py once to generate it.")
    chosen = [t for t in TARGETS if t.kind in (PAGE, API) and (not args.targets or t.name in args.targets)]
    unknown = set(args.targets) - {t.name for t in chosen}
    if unknown:
        sys.exit(f"No target {', '.join(sorted(unknown))}; choose among: {', '.join(t.name for t in TARGETS)}.")
    made = {"slug": args.org, "logins": _logins_of(args.org)}
    source = connection.settings_dict["NAME"]
    copy = f"{source}_history"
    _copy_database(connection, source, copy)
    try:
        visitors = measure.visitors(made["logins"])
        org = _org(made)
        before = _timed(measure, visitors, org, chosen, args.rounds)
        started = time.perf_counter()
        added = add_history(organization, years=args.years)  # the same row in the copy
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # as autovacuum would have, over the years
        print(f"Added in {time.perf_counter() - started:.0f} s: {added}")
        after = _timed(measure, visitors, org, chosen, args.rounds)
    finally:
        if args.keep:
            connection.close()
            print(f"The copy with its history is kept: {copy}")
        else:
            _drop_database(connection, source, copy)
    heading = f"{args.org}, drawn by the view, median of {args.rounds} (ms)"
    print(f"\n{heading}, as generated and with {args.years} years of history\n")
    print("| request | as generated | with history | x |\n|---|---:|---:|---:|")
    for target in chosen:
        if target.name in before and target.name in after:
            ratio = after[target.name] / before[target.name]
            print(f"| {target.name} | {before[target.name]:.1f} | {after[target.name]:.1f} | {ratio:.1f} |")
    return 0


def _copy_database(connection: Any, source: str, copy: str) -> None:
    """A copy of `source` named `copy`, which this process's connection then uses."""
    connection.close()
    with _maintenance(connection) as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{copy}"')
        cursor.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{source}"')
    connection.settings_dict["NAME"] = copy


def _drop_database(connection: Any, source: str, copy: str) -> None:
    connection.close()
    connection.settings_dict["NAME"] = source
    with _maintenance(connection) as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{copy}"')


@contextlib.contextmanager
def _maintenance(connection: Any) -> Iterator[Any]:
    """A cursor on the server's `postgres` database, outside any transaction (CREATE DATABASE)."""
    import psycopg2

    settings = connection.settings_dict
    conn = psycopg2.connect(
        dbname="postgres",
        user=settings["USER"],
        password=settings["PASSWORD"],
        host=settings["HOST"],
        port=settings["PORT"] or None,
    )
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            yield cursor
    finally:
        conn.close()


def _timed(measure: Any, visitors: Any, org: Any, targets: list[Any], rounds: int) -> dict[str, float]:
    """Each target's median drawn by the view over `rounds` interleaved rounds, as the benchmark
    times them (`bench.measure.probe` and `time_rounds`)."""
    results = measure.probe(visitors, org, tuple(targets))
    measure.time_rounds(visitors, results, rounds)
    return {r.target.name: r.drawn_median_ms for r in results if r.drawn_median_ms is not None}


def add_history(organization: Any, *, years: int) -> str:
    """Snapshots, disruptions and check-ins of `years` before today (see the module's docstring)."""
    from django.db.models import Min
    from django.utils import timezone

    from layers.models import CoverageReport, Product
    from roles.models import Function, Partnership, PartnershipCheckIn
    from roles.services.disruptions import disruption_log

    days = 365 * years
    today = timezone.localdate()
    products = list(Product.objects.filter(organization=organization).values_list("pk", flat=True))
    oldest = CoverageReport.objects.filter(organization=organization).aggregate(first=Min("generated_at"))["first"]
    start = (oldest or timezone.now()) - timedelta(days=days + 1)
    reports = [
        CoverageReport(
            product_id=product,
            organization=organization,
            run_key=f"history-{product}-{day}",
            trigger=CoverageReport.Trigger.SCHEDULE,
            generated_at=start + timedelta(days=day),
            score=40 + day % 50,
            layer_coverage=0.5,
            function_coverage=0.5,
            review_coverage=0.5,
            agreement=0.5,
        )
        for product in products
        for day in range(days)
    ]
    CoverageReport.objects.bulk_create(reports, batch_size=2_000)
    functions = list(Function.objects.filter(organization=organization).order_by("pk").values_list("pk", flat=True))
    disruptions = 0
    for day in range(days, 0, -DISRUPTION_EVERY_DAYS):
        first = (disruptions * TOUCHED // 3) % max(len(functions) - TOUCHED, 1)
        # Logged on its day, as it was (a disruption logged today counts from today, whatever
        # day it names): the service, and the read model it keeps, see that day's clock.
        then = timezone.now() - timedelta(days=day)
        with mock.patch("django.utils.timezone.now", return_value=then):
            disruption_log(
                organization=organization,
                kind="reorg",
                title=f"History {disruptions + 1}",
                occurred_on=timezone.localdate(then),
                function_ids=functions[first : first + TOUCHED],
            )
        disruptions += 1
    links = list(Partnership.objects.filter(organization=organization).values_list("pk", "last_checked_on"))
    weeks = days // 7
    check_ins = [
        PartnershipCheckIn(
            organization=organization,
            partnership_id=pk,
            trust=1 + week % 5,
            checked_on=(last or today) - timedelta(days=7 * (week + 1)),
        )
        for pk, last in links
        for week in range(weeks)
    ]
    PartnershipCheckIn.objects.bulk_create(check_ins, batch_size=5_000)
    return (
        f"{len(reports):,} snapshots, {disruptions} disruptions of {TOUCHED} functions each, "
        f"{len(check_ins):,} check-ins"
    )


if __name__ == "__main__":
    sys.exit(main())
