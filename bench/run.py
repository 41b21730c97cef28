"""The performance benchmark of issue 9: the app against Django's own floor, on one machine, in one run.

    DATABASE_URL=postgres://… REDIS_URL=redis://… SECRET_KEY=… .venv/bin/python bench/run.py

Against PostgreSQL (a database of its own: each run adds two generated organizations and an
imported one), it

1. generates a small organization (10 functions) and a large one (1,000 functions, 20,000
   people, 10 products, 100,000 reviews) with `generate_org`'s generator;
2. counts the queries of every page and API list at both sizes (they must be equal) and times
   them in this process — median and p95 over `--repeat` interleaved rounds — next to a bare
   Django view and the same view doing one indexed query;
3. times a report build per product, a 20,000-row people import and applying the playbook's
   suggestions to 1,000 functions;
4. serves the app with gunicorn (2 workers, 127.0.0.1) and measures throughput with wrk for
   `--load-seconds` each: the bare view, the dashboard and one API list;

then prints a table, says which targets are met, and writes everything to a JSON file.
It is a measurement, not a test: it exits 0 unless `--check` is given and a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SMALL = {"functions": 10, "people": 50, "products": 3, "reviews": 200}
LARGE = {"functions": 1000, "people": 20_000, "products": 10, "reviews": 100_000}
LOAD_API = "api functions"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=30, help="timed rounds per target (default 30)")
    parser.add_argument("--load-seconds", type=int, default=10, help="wrk duration per URL (default 10)")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections (default 4)")
    parser.add_argument("--small", metavar="SLUG", help="reuse this generated small organization")
    parser.add_argument("--large", metavar="SLUG", help="reuse this generated large organization")
    parser.add_argument("--skip-tasks", action="store_true", help="skip report builds, import and apply")
    parser.add_argument("--skip-load", action="store_true", help="skip the gunicorn + wrk throughput runs")
    parser.add_argument("--output", type=Path, help="JSON file (default bench/results/benchmark-<time>.json)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    return parser.parse_args(argv)


def setup() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    if connection.vendor != "postgresql":
        sys.exit(
            "The benchmark runs against PostgreSQL: set DATABASE_URL=postgres://user@host:5432/dbname "
            "(a database of its own), REDIS_URL and SECRET_KEY."
        )
    if MigrationExecutor(connection).migration_plan(MigrationExecutor(connection).loader.graph.leaf_nodes()):
        sys.exit("The database has unapplied migrations: run `manage.py migrate` first.")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    setup()
    from bench import report

    started = time.time()
    run: dict[str, Any] = {"started": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "machine": machine()}
    orgs = {
        "small": organization(args.small, SMALL),
        "large": organization(args.large, LARGE),
    }
    run["organizations"] = {size: made["summary"] for size, made in orgs.items()}
    run["requests"] = requests(orgs, args.repeat)
    if not args.skip_tasks:
        run["tasks"] = heavy_jobs(orgs["large"])
    if not args.skip_load:
        run["throughput"] = throughput(
            orgs["large"], orgs["small"], seconds=args.load_seconds, connections=args.connections
        )
    run["machine"]["loadavg_end"] = os.getloadavg()
    run["seconds"] = round(time.time() - started, 1)
    run["targets"] = report.targets(run)
    output = args.output or ROOT / "bench" / "results" / f"benchmark-{time.strftime('%Y%m%d-%H%M%S')}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(run, indent=2, default=str))
    report.print_run(run)
    print(f"\nWritten to {output}")
    missed = [t for t in run["targets"] if t["met"] is False]
    return 1 if args.check and missed else 0


def machine() -> dict[str, Any]:
    import django
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    return {
        "cpus": os.cpu_count(),
        "loadavg_start": os.getloadavg(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgres": postgres,
        "platform": platform.platform(),
    }


def organization(slug: str | None, sizes: dict[str, int]) -> dict[str, Any]:
    """Generate a new organization of `sizes`, or find the generated one named `slug`."""
    from roles.generate import Sizes, generate_organization

    started = time.perf_counter()
    generated = slug is None
    if slug is None:
        print(f"Generating an organization of {sizes['functions']:,} functions …", flush=True)
        made = generate_organization(sizes=Sizes(**sizes))
        slug, logins = made.organization.slug, made.logins
    else:
        logins = _logins_of(slug)
    return {"slug": slug, "logins": logins, "summary": _summary(slug, time.perf_counter() - started, generated)}


def _logins_of(slug: str) -> dict[str, str]:
    """The generator's logins of an existing generated organization."""
    from roles.models import Membership, Organization

    org = Organization.objects.filter(slug=slug).first()
    if org is None:
        sys.exit(f"No organization {slug!r} to reuse.")
    person = (
        Membership.objects.filter(organization=org, access=Membership.Access.STAKEHOLDER)
        .filter(user__stakeholders__function__name="Customer Success")
        .values_list("user__email", flat=True)
        .order_by("user_id")
        .first()
    )
    return {"admin": f"admin@{slug}.test", "leader": f"leader@{slug}.test", "stakeholder": person or ""}


def _summary(slug: str, seconds: float, generated: bool) -> dict[str, Any]:
    from layers.models import Assignment, CoverageReport, Product, Review
    from roles.models import Function, Partnership, Stakeholder

    scope = {"organization__slug": slug}
    return {
        "slug": slug,
        "generated_s": round(seconds, 1) if generated else None,
        "functions": Function.objects.filter(**scope).count(),
        "people": Stakeholder.objects.filter(**scope).count(),
        "products": Product.objects.filter(**scope).count(),
        "assignments": Assignment.objects.filter(product__organization__slug=slug).count(),
        "reviews": Review.objects.filter(assignment__product__organization__slug=slug).count(),
        "partnerships": Partnership.objects.filter(**scope).count(),
        "reports": CoverageReport.objects.filter(**scope).count(),
    }


def _org(made: dict[str, Any]) -> Any:
    from bench.targets import Org
    from layers.models import CoverageReport

    latest = CoverageReport.objects.filter(organization__slug=made["slug"], product__slug="insights").first()
    return Org(slug=made["slug"], product="insights", report_id=latest.pk if latest else None)


def requests(orgs: dict[str, dict[str, Any]], rounds: int) -> list[dict[str, Any]]:
    from bench import measure
    from bench.targets import TARGETS

    results = {}
    for size, made in orgs.items():
        print(f"Probing {made['slug']} …", flush=True)
        visitors = measure.visitors(made["logins"])
        results[size] = (visitors, measure.probe(visitors, _org(made), TARGETS))
    print(f"Timing {rounds} rounds of {len(TARGETS)} targets x 2 organizations …", flush=True)
    for _ in range(rounds):
        for visitors, probed in results.values():
            measure.time_rounds(visitors, probed, 1)
    rows = []
    for index, target in enumerate(TARGETS):
        small, large = results["small"][1][index], results["large"][1][index]
        rows.append(
            {
                "name": target.name,
                "kind": target.kind,
                "required": target.required,
                "small": _figures(small),
                "large": _figures(large),
            }
        )
    return rows


def _figures(result: Any) -> dict[str, Any]:
    return {
        "url": result.url,
        "status": result.status,
        "queries": result.queries,
        "median_ms": result.median_ms,
        "p95_ms": result.p95_ms,
        "samples": len(result.samples),
    }


def heavy_jobs(made: dict[str, Any]) -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    from bench import tasks
    from roles.models import Organization

    org = Organization.objects.get(slug=made["slug"])
    leader = get_user_model().objects.get(username=made["logins"]["leader"])
    print("Building a report of each large product …", flush=True)
    builds = tasks.report_builds(org)
    print("Importing 20,000 people …", flush=True)
    imported = tasks.people_import(org)
    print("Applying the playbook to 1,000 functions …", flush=True)
    applied = tasks.apply_suggestions(org, leader)
    return {"report_builds": builds, "import": imported, "apply": applied}


def throughput(made: dict[str, Any], small: dict[str, Any], *, seconds: int, connections: int) -> dict[str, Any]:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client
    from rest_framework.authtoken.models import Token

    from bench import load
    from bench.targets import TARGETS

    if load.wrk_path() is None:
        print(load.WRK_MISSING, flush=True)
        return {"skipped": load.WRK_MISSING}

    def session(of: dict[str, Any]) -> dict[str, str]:
        client = Client()
        client.force_login(get_user_model().objects.get(username=of["logins"]["leader"]))
        return {"Cookie": f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"}

    leader = get_user_model().objects.get(username=made["logins"]["leader"])
    token = {"Authorization": f"Token {Token.objects.get_or_create(user=leader)[0].key}"}
    org = _org(made)
    by_name = {t.name: t for t in TARGETS}
    plan = [
        ("bare view", by_name["bare view"].address(org), {}),
        ("one-query view", by_name["one-query view"].address(org), {}),
        ("dashboard", by_name["dashboard"].address(org), session(made)),
        # The same page of the small organization: what the page costs before size does.
        ("dashboard (small)", by_name["dashboard"].address(_org(small)), session(small)),
        (LOAD_API, by_name[LOAD_API].address(org), token),
    ]
    runs = []
    print(f"Serving with gunicorn (2 workers); wrk {seconds} s per URL …", flush=True)
    with load.gunicorn(workers=2) as base:
        for name, path, headers in plan:
            load.wrk(name, base + path, headers=headers, seconds=2, connections=connections)  # warm both workers
            runs.append(load.wrk(name, base + path, headers=headers, seconds=seconds, connections=connections))
    bare = runs[0].requests_per_s
    return {
        "tool": "wrk",
        "workers": 2,
        "connections": connections,
        "seconds": seconds,
        "runs": [run.as_dict() | {"ratio_to_bare": run.requests_per_s / bare if bare else None} for run in runs],
    }


if __name__ == "__main__":
    sys.exit(main())
