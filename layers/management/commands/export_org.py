"""`manage.py export_org --org SLUG FILE`: write an organization to one JSON file (issue 8).

The file holds everything but invites, import uploads and passwords, every link named by a
natural key, so `restore_org` can rebuild it in another instance or under another slug.
The file is written next to its destination and renamed into place: an interrupted export
never leaves half a file behind. FILE `-` writes to standard output.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from layers.services import org_transfer
from roles.models import Organization


class Command(BaseCommand):
    help = "Export an organization (functions, people, products, map, reviews, web, reports, members) as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Where to write the JSON file; - for standard output.")
        parser.add_argument("--org", required=True, help="The organization's slug.")

    def handle(self, *args: Any, **options: Any) -> None:
        organization = Organization.objects.filter(slug=options["org"]).first()
        if organization is None:
            raise CommandError(f"No organization with the slug {options['org']!r}.")
        data = org_transfer.export_organization(organization=organization)
        payload = org_transfer.dumps(data)
        if options["file"] == "-":
            self.stdout.write(payload.decode(), ending="\n")
            return
        path = Path(options["file"])
        self._write(path, payload)
        counts = org_transfer.section_counts(data)
        summary = ", ".join(f"{n} {org_transfer.SECTION_LABELS[k].lower()}" for k, n in counts.items() if n)
        self.stdout.write(
            self.style.SUCCESS(f"Exported {organization.slug} to {path} ({len(payload) / 1024:.0f} KB): {summary}.")
        )

    @staticmethod
    def _write(path: Path, payload: bytes) -> None:
        try:
            directory = path.resolve().parent
            handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".part")
        except OSError as exc:
            raise CommandError(f"Cannot write {path}: {exc.strerror}.") from None
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(payload)
            os.replace(temporary, path)
        except OSError as exc:
            Path(temporary).unlink(missing_ok=True)
            raise CommandError(f"Cannot write {path}: {exc.strerror}.") from None
