"""`manage.py import_org FILE --org SLUG [--dry-run] [--column FIELD=HEADER …] [--separate-functions]
[--skip-invalid [--rejected OUT.csv]]` (DESIGN §7).

The same service as the import page: prints how the file was read (encoding, ignored columns,
departments joining existing functions), the preview totals and every error; exits non-zero
and writes nothing when the file has errors, unless --skip-invalid leaves the bad rows out
(and --rejected writes them, with the reason, to fix and import again); otherwise writes all
rows in one transaction.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from roles.models import Organization
from roles.services import imports
from roles.services.imports import columns
from wholeproduct.errors import DomainError

ERRORS_PRINTED = 200


class Command(BaseCommand):
    help = "Import people and functions from an org-chart CSV or XLSX file into an organization."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="A CSV or XLSX file with a header row.")
        parser.add_argument("--org", required=True, help="The organization's slug.")
        parser.add_argument("--dry-run", action="store_true", help="Show what would change; write nothing.")
        parser.add_argument(
            "--column",
            action="append",
            default=[],
            metavar="FIELD=HEADER",
            help="Which column holds a field when its header is not recognized. "
            f"Fields: {', '.join(columns.FIELD_LABELS)}.",
        )
        parser.add_argument(
            "--separate-functions",
            action="store_true",
            help="Keep every department a function of its own, even where it is another name of an existing one.",
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Import the good rows of a file with errors and leave the bad ones out.",
        )
        parser.add_argument(
            "--rejected",
            metavar="OUT.csv",
            help="With --skip-invalid: write the rows left out, with a Reason column, to this file.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        table = self._read(Path(options["file"]))
        mapping = self._mapping(table, options["column"])
        organization = Organization.objects.filter(slug=options["org"]).first()
        if organization is None:
            raise CommandError(f"No organization with the slug {options['org']!r}.")
        if options["rejected"] and not options["skip_invalid"]:
            raise CommandError("--rejected needs --skip-invalid: without it a file with errors imports nothing.")
        self._describe_file(table, mapping)
        started = time.monotonic()
        try:
            plan = imports.import_table(
                organization=organization,
                table=table,
                mapping=mapping,
                dry_run=options["dry_run"],
                separate=bool(options["separate_functions"]),
                skip_invalid=options["skip_invalid"],
            )
        except imports.ImportRejected as exc:
            self._print_totals(exc.plan)
            for message in exc.plan.errors[:ERRORS_PRINTED]:
                self.stderr.write(message)
            if len(exc.plan.errors) > ERRORS_PRINTED:
                self.stderr.write(f"… and {len(exc.plan.errors) - ERRORS_PRINTED} more errors.")
            raise CommandError(exc.detail) from None
        except DomainError as exc:
            raise CommandError(exc.detail) from None
        self._print_totals(plan)
        for join in plan.joins:
            self.stdout.write(join.reason)
        if plan.rejected:
            for message in plan.errors[:ERRORS_PRINTED]:
                self.stderr.write(message)
            self.stdout.write(f"Left out {len(plan.rejected)} row{'s' if len(plan.rejected) != 1 else ''} with errors.")
            if options["rejected"]:
                reasons = {row.number: " ".join(row.errors) for row in plan.rejected}
                Path(options["rejected"]).write_bytes(imports.rejected_csv_of(table, reasons))
                self.stdout.write(f"Wrote them, with the reason for each, to {options['rejected']}.")
        seconds = time.monotonic() - started
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was written.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported into {organization.slug} in {seconds:.2f} s."))

    def _read(self, path: Path) -> imports.Table:
        try:
            size = path.stat().st_size
            if size > imports.MAX_BYTES:
                # Refused before reading, like the upload form.
                raise CommandError(f"{path} is {size / 1024 / 1024:.1f} MB; the limit is 10 MB.")
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from None
        try:
            return imports.read_table(content=content, filename=path.name)
        except imports.ImportFileError as exc:
            raise CommandError(f"{path}: {exc.detail}") from None

    def _describe_file(self, table: imports.Table, mapping: dict[str, int]) -> None:
        if table.encoding:
            guessed = " (guessed)" if table.encoding_guessed else ""
            self.stdout.write(f"Read as {table.encoding}{guessed}.")
        ignored = columns.ignored(table.headers, mapping)
        if ignored:
            self.stdout.write(f"Columns not imported ({len(ignored)}): {', '.join(map(repr, ignored))}.")

    def _mapping(self, table: imports.Table, overrides: list[str]) -> dict[str, int]:
        mapping = columns.recognize(table.headers)
        normalized = [columns.normalize(h) for h in table.headers]
        for item in overrides:
            field, _, header = item.partition("=")
            if field not in columns.FIELD_LABELS or columns.normalize(header) not in normalized:
                raise CommandError(f"--column {item!r}: expected FIELD=HEADER with a header of the file.")
            mapping = {f: c for f, c in mapping.items() if f != field}
            mapping[field] = normalized.index(columns.normalize(header))
        try:
            return columns.check(mapping, table.headers)
        except DomainError as exc:
            headers = ", ".join(f'"{h}"' for h in table.headers)
            raise CommandError(f"{exc.detail} The file's headers are: {headers}. Use --column FIELD=HEADER.") from None

    def _print_totals(self, plan: imports.Plan) -> None:
        t = plan.totals
        self.stdout.write(
            f"Rows: {t['rows']} — create {t['create']}, update {t['update']}, unchanged {t['unchanged']}, "
            f"errors {t['error']}. Functions: create {t['functions_create']}, update {t['functions_update']}."
        )
