"""The benchmark's verdicts and its printed table (issue 9)."""

from __future__ import annotations

from typing import Any

PAGE_BUDGET = 5.0  # x the bare view's median server time
BUILD_BUDGET_S = 1.0
IMPORT_BUDGET_S = 10.0
DASHBOARD_SHARE = 0.25  # of the bare view's throughput


def _bare_ms(run: dict[str, Any], size: str) -> float | None:
    bare = next(r for r in run["requests"] if r["name"] == "bare view")
    return bare[size]["median_ms"]


def ratio(run: dict[str, Any], row: dict[str, Any], size: str) -> float | None:
    bare, median = _bare_ms(run, size), row[size]["median_ms"]
    return median / bare if bare and median is not None else None


def targets(run: dict[str, Any]) -> list[dict[str, Any]]:
    """Every target of issue 9 with its measured value; `met` is None when it was not measured."""
    verdicts = []
    for row in run["requests"]:
        if row["kind"] == "floor":
            continue
        small, large = row["small"]["queries"], row["large"]["queries"]
        statuses = {row["small"]["status"], row["large"]["status"]}
        verdicts.append(
            _verdict(
                f"{row['name']}: same queries small and large",
                "equal",
                f"{small} / {large}",
                None if small is None else (small == large and statuses == {200}),
                row["required"],
            )
        )
        times = ratio(run, row, "large")
        verdicts.append(
            _verdict(
                f"{row['name']}: large median ≤ {PAGE_BUDGET:g}x bare",
                f"≤ {PAGE_BUDGET:g}x",
                "—" if times is None else f"{times:.1f}x",
                None if times is None else times <= PAGE_BUDGET,
                row["required"],
            )
        )
    tasks = run.get("tasks")
    if tasks:
        slowest = tasks["report_builds"]["max_s"]
        verdicts.append(
            _verdict("report build, slowest product", f"≤ {BUILD_BUDGET_S:g} s", f"{slowest:.2f} s", slowest <= 1)
        )
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
        f"{machine['cpus']} CPUs, PostgreSQL {machine['postgres']}, Django {machine['django']}; "
        f"load average {_load(machine['loadavg_start'])} at the start, {_load(machine['loadavg_end'])} at the end"
    )
    for size, org in run["organizations"].items():
        made = f" (generated in {org['generated_s']} s)" if org["generated_s"] is not None else " (reused)"
        print(
            f"{size}: {org['slug']}{made} — {org['functions']:,} functions, {org['people']:,} people, "
            f"{org['products']} products, {org['assignments']:,} assignments, {org['reviews']:,} reviews, "
            f"{org['reports']} reports"
        )
    _print_requests(run)
    _print_tasks(run.get("tasks"))
    _print_load(run.get("throughput"))
    print()
    print("Targets (issue 9)")
    for verdict in run["targets"]:
        mark = {True: "met ", False: "MISS", None: "n/a "}[verdict["met"]]
        extra = "" if verdict["required"] else "  (extra page)"
        print(f"  [{mark}] {verdict['what']:<52} {verdict['value']:>12}  target {verdict['target']}{extra}")


def _load(values: Any) -> str:
    return " ".join(f"{v:.2f}" for v in values)


def _print_requests(run: dict[str, Any]) -> None:
    print()
    head = f"{'request':<18} {'queries':>9}  {'small median':>12} {'p95':>7}  {'large median':>12} {'p95':>7}"
    head += f"  {'x bare':>6}"
    print(head + "\n" + "-" * len(head))
    for row in run["requests"]:
        small, large = row["small"], row["large"]
        if small["url"] is None and large["url"] is None:
            print(f"{row['name']:<18} (no such route yet)")
            continue
        queries = f"{_n(small['queries'])}/{_n(large['queries'])}"
        status = "" if {small["status"], large["status"]} == {200} else f"  HTTP {small['status']}/{large['status']}"
        times = ratio(run, row, "large")
        print(
            f"{row['name']:<18} {queries:>9}  {_ms(small['median_ms']):>9} ms {_ms(small['p95_ms']):>7}"
            f"  {_ms(large['median_ms']):>9} ms {_ms(large['p95_ms']):>7}  "
            f"{'—' if times is None else f'{times:.1f}':>6}{status}"
        )


def _n(value: int | None) -> str:
    return "—" if value is None else str(value)


def _print_tasks(tasks: dict[str, Any] | None) -> None:
    if not tasks:
        return
    builds, imported, applied = tasks["report_builds"], tasks["import"], tasks["apply"]
    print()
    print(
        f"Report build: median {builds['median_s']:.2f} s, slowest {builds['max_s']:.2f} s per product "
        f"({len(builds['per_product_s'])} products, {', '.join(map(str, builds['queries']))} queries each)"
    )
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
