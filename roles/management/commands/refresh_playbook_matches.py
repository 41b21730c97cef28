"""`manage.py refresh_playbook_matches [--org SLUG]`: recompute every function's stored playbook
match after the playbook (domain/playbook/catalog.py) or the matcher changed (issue 13 item 9)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from roles.models import Function, Organization
from roles.services import playbook_matches


class Command(BaseCommand):
    help = "Recompute the playbook match stored on each function (after the playbook changes)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", default="", help="Only this organization's functions (its slug).")

    def handle(self, *args: Any, **options: Any) -> None:
        organization = None
        if options["org"]:
            organization = Organization.objects.filter(slug=options["org"]).first()
            if organization is None:
                raise CommandError(f"No organization with the slug {options['org']!r}.")
        started = time.perf_counter()
        changed = playbook_matches.refresh(organization=organization)
        scope = Function.objects.filter(organization=organization) if organization else Function.objects.all()
        self.stdout.write(
            f"Checked {scope.count():,} functions in {time.perf_counter() - started:.1f} s: "
            f"{changed:,} stored match{'es' if changed != 1 else ''} changed."
        )
