"""The benchmark's verdicts and its printed table (issue 9)."""

from __future__ import annotations

from typing import Any

PAGE_BUDGET = 5.0  # x the login page's median server time, at every size (aim for 3x)
FIXED_BUDGET = 2.0  # x login: the cheapest signed-in page (issue 13 item 8)
BUILD_BUDGET_S = 0.2  # per product at 5,000 functions
IMPORT_BUDGET_S = 10.0
DASHBOARD_SHARE = 0.25  # of the bare view's throughput
MAIN = ("northwind", "bench-1000", "bench-5000")
# Each request is measured two ways (bench/measure.py): as the app answers it again at the same
# state of the organization's data (from the state cache), and drawn by its view (the first
# request after a write changed what it shows). Their figures: (queries, ratio to login).
ANSWERED, DRAWN = "answered again", "drawn"
WAYS = {ANSWERED: ("queries", "x_login"), DRAWN: ("drawn_queries", "drawn_x_login")}
GROWTH = ("bench-100", "bench-1000", "bench-5000")


def targets(run: dict[str, Any]) -> list[dict[str, Any]]:
    """Every target of issue 13 with its measured value; `met` is None when it was not measured."""
    verdicts = []
    requests = run["requests"]
    tenants = requests["tenants"]
    for name, meta in requests["targets"].items():
        if meta["kind"] == "floor":
            continue
        for way, (queries, ratio) in WAYS.items():
            counts = [tenants[slug][name].get(queries) for slug in GROWTH if slug in tenants]
            statuses = {tenants[slug][name]["status"] for slug in GROWTH if slug in tenants}
            verdicts.append(
                _verdict(
                    f"{name}, {way}: same queries at 100 / 1,000 / 5,000 functions",
                    "equal",
                    " / ".join(_n(c) for c in counts),
                    None if None in counts else (len(set(counts)) == 1 and statuses == {200}),
                    meta["required"],
                )
            )
            for slug in MAIN:
                times = tenants.get(slug, {}).get(name, {}).get(ratio)
                verdicts.append(
                    _verdict(
                        f"{name}, {way} ({slug}) ≤ {PAGE_BUDGET:g}x login",
                        f"≤ {PAGE_BUDGET:g}x",
                        "—" if times is None else f"{times:.1f}x",
                        None if times is None else times <= PAGE_BUDGET,
                        meta["required"],
                    )
                )
    for slug in MAIN:
        rows = tenants.get(slug, {})
        floor = rows.get("signed-in view", {}).get("x_login")
        pages = [
            (r["x_login"], n) for n, r in rows.items() if requests["targets"][n]["kind"] == "page" and r["x_login"]
        ]
        cheapest = min(pages, default=None)
        for what, value in (
            ("signed-in view (layout only)", floor),
            (f"cheapest page, {cheapest[1]}" if cheapest else "cheapest page", cheapest[0] if cheapest else None),
        ):
            verdicts.append(
                _verdict(
                    f"{what} ({slug}) ≤ {FIXED_BUDGET:g}x login",
                    f"≤ {FIXED_BUDGET:g}x",
                    "—" if value is None else f"{value:.1f}x",
                    None if value is None else value <= FIXED_BUDGET,
                    True,
                )
            )
    builds = run.get("report_builds", {}).get("bench-5000")
    if builds:
        slowest = builds["max_s"]
        verdicts.append(
            _verdict(
                "report build per product, 5,000 functions (slowest product's median)",
                f"≤ {BUILD_BUDGET_S:g} s",
                f"{slowest:.2f} s",
                slowest <= BUILD_BUDGET_S,
            )
        )
    tasks = run.get("tasks")
    if tasks:
        seconds = tasks["import"]["seconds"]
        verdicts.append(
            _verdict(
                f"import of {tasks['import']['rows']:,} rows",
                f"≤ {IMPORT_BUDGET_S:g} s",
                f"{seconds:.1f} s",
                seconds <= IMPORT_BUDGET_S,
            )
        )
    load = run.get("throughput", {})
    for entry in load.get("runs", []):
        if entry["name"] == "dashboard":
            share = entry["ratio_to_bare"] or 0
            errors = entry["non_2xx"] + entry["socket_errors"]
            verdicts.append(
                _verdict(
                    "dashboard throughput vs bare",
                    f"≥ {DASHBOARD_SHARE:.0%}",
                    f"{share:.1%}" + (f" ({errors} errors)" if errors else ""),
                    share >= DASHBOARD_SHARE and not errors,
                )
            )
    return verdicts


def _verdict(what: str, target: str, value: str, met: bool | None, required: bool = True) -> dict[str, Any]:
    return {"what": what, "target": target, "value": value, "met": met, "required": required}


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def print_run(run: dict[str, Any]) -> None:
    machine = run["machine"]
    print()
    print(
        f"{run['started']}: {machine['cpus']} CPUs, PostgreSQL {machine['postgres']}, Django {machine['django']}; "
        f"load average {_load(machine['loadavg_start'])} at the start, {_load(machine['loadavg_end'])} at the end"
    )
    for slug, org in run["organizations"].items():
        made = f" (made in {org['generated_s']} s)" if org["generated_s"] is not None else ""
        print(
            f"{slug}{made}: {org['functions']:,} functions, {org['people']:,} people, "
            f"{org['products']} products, {org['assignments']:,} assignments, {org['reviews']:,} reviews, "
            f"{org['partnerships']:,} links"
        )
    print()
    print(f"Answered again at the same state (the state cache):\n\n{table(run)}")
    print()
    print(f"Drawn by the view (the first request after a write changed what it shows):\n\n{table(run, DRAWN)}")
    print()
    print(growth(run))
    _print_builds(run.get("report_builds"))
    _print_tasks(run.get("tasks"))
    _print_load(run.get("throughput"))
    print()
    print("Targets (issue 13)")
    for verdict in run["targets"]:
        mark = {True: "met ", False: "MISS", None: "n/a "}[verdict["met"]]
        extra = "" if verdict["required"] else "  (extra page)"
        print(f"  [{mark}] {verdict['what']:<58} {verdict['value']:>18}  target {verdict['target']}{extra}")


def _load(values: Any) -> str:
    return " ".join(f"{v:.2f}" for v in values)


def table(run: dict[str, Any], way: str = ANSWERED) -> str:
    """Every page and API list of each measured tenant (Markdown), answered again or drawn:
    status, queries, median ms, x login."""
    tenants = run["requests"]["tenants"]
    shown = [slug for slug in MAIN if slug in tenants]
    queries, ratio = WAYS[way]
    median = "median_ms" if way == ANSWERED else "drawn_median_ms"
    head = "| request | " + " | ".join(f"{slug}: HTTP · queries · ms · x login" for slug in shown) + " |"
    lines = [head, "|---|" + "---:|" * len(shown)]
    for name in run["requests"]["targets"]:
        cells = []
        for slug in shown:
            row = tenants[slug][name]
            if row["url"] is None:
                cells.append("no route")
                continue
            times = "—" if row.get(ratio) is None else f"{row[ratio]:.1f}x"
            cells.append(f"{row['status']} · {_n(row.get(queries))} · {_ms(row.get(median))} · {times}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def growth(run: dict[str, Any]) -> str:
    """Each page's queries, median ms and x login at 100 → 1,000 → 5,000 functions (Markdown),
    answered again, then drawn."""
    tenants = run["requests"]["tenants"]
    shown = [slug for slug in GROWTH if slug in tenants]
    sizes = " → ".join(s.removeprefix("bench-") for s in shown)
    lines = [
        f"| request | queries {sizes} (again · drawn) | median ms again | median ms drawn | x login again · drawn |",
        "|---|---|---|---|---|",
    ]
    for name, meta in run["requests"]["targets"].items():
        if meta["kind"] == "floor":
            continue
        rows = [tenants[slug][name] for slug in shown]
        cells = []
        for queries in ("queries", "drawn_queries"):
            counts = [r.get(queries) for r in rows]
            cells.append(" → ".join(_n(c) for c in counts) + ("" if len(set(counts)) == 1 else " (grows)"))
        ms = [" → ".join(_ms(r.get(m)) for r in rows) for m in ("median_ms", "drawn_median_ms")]
        times = " · ".join(
            " → ".join("—" if r.get(x) is None else f"{r[x]:.1f}" for r in rows) for x in ("x_login", "drawn_x_login")
        )
        lines.append(f"| {name} | {cells[0]} · {cells[1]} | {ms[0]} | {ms[1]} | {times} |")
    return "\n".join(lines)


def _n(value: int | None) -> str:
    return "—" if value is None else str(value)


def _print_builds(builds: dict[str, Any] | None) -> None:
    if not builds:
        return
    print()
    for slug, figures in builds.items():
        rounds = figures.get("rounds", 1)
        single = f"; slowest single build {figures['slowest_single_s']:.2f} s" if "slowest_single_s" in figures else ""
        print(
            f"Report build, {slug}: median {figures['median_s']:.2f} s, slowest {figures['max_s']:.2f} s per product "
            f"({len(figures['per_product_s'])} products, median of {rounds} builds each, "
            f"{', '.join(map(str, figures['queries']))} queries each{single})"
        )


def _print_tasks(tasks: dict[str, Any] | None) -> None:
    if not tasks:
        return
    imported, applied = tasks["import"], tasks["apply"]
    print()
    print(
        f"Import: {imported['rows']:,} rows ({imported['bytes'] / 1e6:.1f} MB CSV) into an empty organization in "
        f"{imported['seconds']:.1f} s (reading {imported['read_s']:.1f} s); the same file again (nothing to "
        f"change) {imported['reimport_unchanged_s']:.1f} s"
    )
    print(
        f"Apply suggestions: {applied['functions']:,} functions → {applied['result']['created']:,} assignments in "
        f"{applied['seconds']:.2f} s ({applied['queries']} queries); suggesting them took {applied['suggest_s']:.2f} s"
    )


def _print_load(load: dict[str, Any] | None) -> None:
    if not load:
        return
    print()
    if "skipped" in load:
        print(f"Throughput: skipped — {load['skipped']}")
        return
    print(
        f"Throughput: gunicorn {load['workers']} workers, wrk {load['connections']} connections x {load['seconds']} s"
    )
    for run in load["runs"]:
        errors = run["non_2xx"] + run["socket_errors"]
        print(
            f"  {run['name']:<16} {run['requests_per_s']:>8.1f} req/s  {run['ratio_to_bare']:>6.1%} of bare  "
            f"p50 {_ms(run['latency_p50_ms'])} ms  p99 {_ms(run['latency_p99_ms'])} ms"
            + (f"  {errors} errors" if errors else "")
        )
