#!/usr/bin/env python3
"""mypy against a baseline that may only shrink (issue 17 item 5).

    scripts/mypy_baseline.py            run mypy; fail on any error not in mypy-baseline.txt,
                                        and on baseline lines mypy no longer reports (shrink it)
    scripts/mypy_baseline.py --update   rewrite mypy-baseline.txt from mypy's errors now
                                        (`make mypy-baseline`, after a merge or a fix)

An error is compared without its line number ("path: error: message [code]"), so code moving
inside a file keeps its entry; the same error twice in a file counts twice. Notes are left out.
mypy reads its configuration from pyproject.toml ([tool.mypy]); extra arguments go to mypy.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
BASELINE = REPOSITORY / "mypy-baseline.txt"
ERROR = re.compile(r"^(?P<path>[^:\s]+\.pyi?):\d+(?::\d+)?: error: (?P<message>.*)$")


def normalize(output: Iterable[str]) -> Counter[str]:
    """`roles/api.py:12: error: X  [code]` → `roles/api.py: error: X  [code]`, counted."""
    found: Counter[str] = Counter()
    for line in output:
        match = ERROR.match(line.rstrip())
        if match:
            found[f"{match['path']}: error: {match['message']}"] += 1
    return found


def run_mypy(arguments: Sequence[str]) -> list[str]:
    # Settings need a SECRET_KEY in production mode; mypy only imports them.
    env = {"SECRET_KEY": "mypy-only-not-a-secret", **os.environ}
    command = [sys.executable, "-m", "mypy", *arguments]
    result = subprocess.run(command, cwd=REPOSITORY, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode not in (0, 1):  # 2: mypy itself failed (configuration, crash)
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"mypy failed to run (exit {result.returncode})")
    return result.stdout.splitlines()


def read_baseline() -> Counter[str]:
    if not BASELINE.is_file():
        return Counter()
    lines = [line for line in BASELINE.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    return Counter(lines)


def write_baseline(errors: Counter[str]) -> None:
    header = "# mypy errors accepted for now, without line numbers; this file may only shrink.\n"
    header += "# Rewritten by `make mypy-baseline` (scripts/mypy_baseline.py --update).\n"
    BASELINE.write_text(header + "".join(f"{line}\n" for line in sorted(errors.elements())), encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    update = "--update" in arguments
    arguments = [a for a in arguments if a != "--update"]
    now = normalize(run_mypy(arguments))
    if update:
        write_baseline(now)
        print(f"mypy-baseline.txt: {sum(now.values())} errors")
        return 0
    accepted = read_baseline()
    new, gone = now - accepted, accepted - now
    if new:
        print(f"mypy: {sum(new.values())} new error(s), not in mypy-baseline.txt:", file=sys.stderr)
        for line in sorted(new.elements()):
            print(f"  {line}", file=sys.stderr)
        print("Fix them (the full output: .venv/bin/mypy); the baseline is for old errors only.", file=sys.stderr)
    if gone:
        print(
            f"mypy: {sum(gone.values())} error(s) of the baseline are fixed; shrink it: make mypy-baseline",
            file=sys.stderr,
        )
        for line in sorted(gone.elements()):
            print(f"  {line}", file=sys.stderr)
    if new or gone:
        return 1
    print(f"mypy: {sum(now.values())} errors, all in the baseline (it may only shrink)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
