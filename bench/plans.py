"""Where a page's statements spend PostgreSQL's time: planning them against running them.

    .venv/bin/python bench/plans.py --org SLUG "map editor" "my role" [--rounds 5] [--all]

Requests each target once drawn by its view (the state cache bypassed), records its statements,
then asks PostgreSQL to plan and run each again (`EXPLAIN (ANALYZE, SUMMARY, TIMING OFF)`, the
best of `--rounds`) and prints, per target, the planning and running milliseconds in all and for
its most costly statements. A statement joining many tables can take longer to plan than to run
(decision 0020): this is where that shows. The organization is a generated one (generate_org or
a benchmark run prints its slug); the target names are those of the benchmark's table.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


@dataclass(frozen=True)
class Timed:
    sql: str
    planning_ms: float
    running_ms: float


def plan_and_run(cursor: Any, sql: str, params: Any, rounds: int = 5) -> Timed:
    """The best of `rounds` (planning + running) of one read-only statement, in milliseconds."""
    best: tuple[float, float] | None = None
    for _ in range(rounds):
        cursor.execute("EXPLAIN (ANALYZE, SUMMARY, TIMING OFF) " + sql, params)
        lines = [row[0] for row in cursor.fetchall()]
        planning = _ms(lines, "Planning Time:")
        running = _ms(lines, "Execution Time:")
        if best is None or planning + running < sum(best):
            best = (planning, running)
    assert best is not None
    return Timed(" ".join(sql.split()), *best)


class _Recorder(list[tuple[str, Any]]):
    """A database wrapper (`connection.execute_wrapper`) that keeps each statement it sees."""

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.append((sql, params))
        return execute(sql, params, many, context)


def _reads(sql: str) -> bool:
    """Whether a statement only reads (a SELECT, or a WITH whose statement is one): only those
    are run again."""
    words = sql.split(None, 1)
    return bool(words) and words[0].upper() in ("SELECT", "WITH") and not _WRITES.search(sql)


_WRITES = re.compile(r"\b(INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)


def _ms(lines: list[str], label: str) -> float:
    return float(next(line for line in lines if line.strip().startswith(label)).split()[-2])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("targets", nargs="+", help='benchmark targets, e.g. "dashboard" "api reviews"')
    parser.add_argument("--org", required=True, help="a generated organization's slug")
    parser.add_argument("--rounds", type=int, default=5, help="plans and runs of each statement (the best counts)")
    parser.add_argument("--all", action="store_true", help="list every statement, not the six most costly")
    args = parser.parse_args()
    from bench.run import setup

    setup()
    from django.db import connection

    from bench import measure
    from bench.run import _logins_of, _org
    from bench.targets import TARGETS

    by_name = {target.name: target for target in TARGETS}
    unknown = [name for name in args.targets if name not in by_name]
    if unknown:
        sys.exit(f"No target {unknown[0]!r}; choose among: {', '.join(by_name)}.")
    made = {"slug": args.org, "logins": _logins_of(args.org)}
    visitors, org = measure.visitors(made["logins"]), _org(made)
    for name in args.targets:
        target = by_name[name]
        url = target.address(org)
        if url is None:
            print(f"{name}: no such page here")
            continue
        seen = _Recorder()
        with measure.drawn():
            visitors.get(target, url)  # warm: the token's user and the like
            with connection.execute_wrapper(seen):
                visitors.get(target, url)
        reads = [(sql, params) for sql, params in seen if _reads(sql)]
        with connection.cursor() as cursor:
            timed = [plan_and_run(cursor, sql, params, args.rounds) for sql, params in reads]
        planning, running = sum(t.planning_ms for t in timed), sum(t.running_ms for t in timed)
        print(f"{name}: {len(timed)} reads, planned in {planning:.2f} ms, run in {running:.2f} ms")
        shown = sorted(timed, key=lambda t: -(t.planning_ms + t.running_ms))
        for t in shown if args.all else shown[:6]:
            print(f"  plan {t.planning_ms:6.2f}  run {t.running_ms:6.2f}  {t.sql[:110]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
