"""Profile one benchmark target with pyinstrument (issue 9: profile before optimizing).

    .venv/bin/python bench/profile.py --org SLUG "map editor" [--requests 5] [--html FILE]

Warms the target up, then records `--requests` requests, drawn by the view (the state cache
bypassed), in one profile and prints where the
time went (or writes pyinstrument's HTML). The organization is a generated one (generate_org or
a benchmark run prints its slug); the target names are those of the benchmark's table.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.run import setup


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target", help='a benchmark target, e.g. "dashboard" or "api reviews"')
    parser.add_argument("--org", required=True, help="a generated organization's slug")
    parser.add_argument("--requests", type=int, default=5)
    parser.add_argument("--html", type=Path, help="write pyinstrument's HTML report here")
    args = parser.parse_args()
    setup()
    from pyinstrument import Profiler

    from bench import measure
    from bench.run import _logins_of, _org
    from bench.targets import TARGETS

    target = next((t for t in TARGETS if t.name == args.target), None)
    if target is None:
        sys.exit(f"No target {args.target!r}; choose one of: {', '.join(t.name for t in TARGETS)}.")
    made = {"slug": args.org, "logins": _logins_of(args.org)}
    visitors = measure.visitors(made["logins"])
    url = target.address(_org(made))
    with measure.drawn():  # the view itself, not an answer from the state cache
        for _ in range(measure.WARM_UP):
            visitors.get(target, url)
        profiler = Profiler(interval=0.0005)
        with profiler:
            for _ in range(args.requests):
                visitors.get(target, url)
    if args.html:
        args.html.write_text(profiler.output_html())
        print(f"Written to {args.html}")
    else:
        print(profiler.output_text(unicode=True, color=False, show_all=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
