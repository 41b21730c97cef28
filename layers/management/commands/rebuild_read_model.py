"""`manage.py rebuild_read_model [--org SLUG] [--check]` (DESIGN §7, issue 13).

Rebuilds the review pairs and coverage counters from raw rows and says what it changed;
with --check it changes nothing, prints every difference and exits 1 when there is one.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from layers.readmodel.oracle import check_organization, organizations


class Command(BaseCommand):
    help = "Rebuild the read model (review pairs, coverage counters) from raw rows, or --check it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", default="", help="Only this organization (its slug).")
        parser.add_argument("--check", action="store_true", help="Change nothing; exit 1 on any difference.")

    def handle(self, *args: Any, **options: Any) -> None:
        orgs = list(organizations(options["org"] or None))
        if options["org"] and not orgs:
            raise CommandError(f"There is no organization {options['org']!r}.")
        check = options["check"]
        dirty = 0
        for org in orgs:
            started = time.perf_counter()
            report = check_organization(org, repair=not check)
            seconds = time.perf_counter() - started
            for line in report.differences:
                self.stdout.write(f"{org.slug}: {line}")
            verb = "differs in" if check else "repaired"
            if report.differences:
                dirty += 1
                self.stdout.write(f"{org.slug}: {verb} {len(report.differences)} places ({seconds:.1f} s).")
            else:
                self.stdout.write(self.style.SUCCESS(f"{org.slug}: consistent ({seconds:.1f} s)."))
        if check and dirty:
            sys.exit(1)
