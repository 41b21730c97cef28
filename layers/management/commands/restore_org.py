"""`manage.py restore_org FILE [--slug NEW]`: rebuild an organization from an export (issue 8).

All or nothing, in one transaction. The file is checked first (format, version, keys, every
row and every name it refers to); any problem stops the restore with a message naming the
row, and nothing is written. An existing slug is never overwritten: restore under another
one with --slug. Members are matched to this instance's accounts by email; an account that
does not exist yet is created without a usable password, and listed.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from layers.services import org_transfer


class Command(BaseCommand):
    help = "Restore an organization from a file made by export_org (or the export page), as a new organization."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The JSON file to restore; - for standard input.")
        parser.add_argument("--slug", help="Restore under this slug instead of the one in the file.")

    def handle(self, *args: Any, **options: Any) -> None:
        raw = self._read(options["file"])
        started = time.monotonic()
        try:
            data = org_transfer.loads(raw)
            result = org_transfer.restore_organization(data=data, slug=options["slug"])
        except org_transfer.TransferFileError as exc:
            raise CommandError(f"{exc.detail} Nothing was restored.") from None
        org = result.organization
        counts = ", ".join(
            f"{n} {org_transfer.SECTION_LABELS[k].lower()}" for k, n in result.counts.items() if n and k != "users"
        )
        seconds = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Restored {org.name} as {org.slug} in {seconds:.2f} s: {counts}."))
        if result.users_created:
            self.stdout.write(
                f"Created {len(result.users_created)} account(s) without a password; set one with "
                "`manage.py changepassword USERNAME`: " + ", ".join(result.users_created)
            )

    @staticmethod
    def _read(name: str) -> bytes:
        if name == "-":
            return sys.stdin.buffer.read()
        try:
            return Path(name).read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {name}: {exc.strerror}.") from None
