"""`manage.py build_reports [--org SLUG] [--sync]` (DESIGN §7).

Queues one coverage report build per product (of one organization, or of all), through the
same service as the dashboard's rebuild button. `--sync` builds them here instead, with no
worker, and prints each product's score.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from layers.models import CoverageReport, Product
from layers.services import reports as services
from roles.models import Organization
from wholeproduct.errors import DomainError


class Command(BaseCommand):
    help = "Build a coverage report for every product (of one organization with --org)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", help="organization slug (default: every organization)")
        parser.add_argument("--sync", action="store_true", help="build here and now instead of queueing for a worker")

    def handle(self, *args: Any, **options: Any) -> None:
        organizations = self._organizations(options["org"])
        if options["sync"]:
            self._build_here(organizations)
        else:
            self._queue(organizations)

    def _organizations(self, slug: str | None) -> list[Organization]:
        if slug is None:
            return list(Organization.objects.order_by("name"))
        found = Organization.objects.filter(slug=slug).first()
        if found is None:
            known = ", ".join(Organization.objects.order_by("slug").values_list("slug", flat=True))
            raise CommandError(f"No organization with slug {slug!r}. Known: {known or 'none yet'}.")
        return [found]

    def _queue(self, organizations: list[Organization]) -> None:
        queued = 0
        for organization in organizations:
            try:
                task_ids = services.request_build(organization=organization, trigger=CoverageReport.Trigger.MANUAL)
            except DomainError as error:
                self.stdout.write(f"{organization.name}: {error.detail}")
                continue
            queued += len(task_ids)
            self.stdout.write(f"{organization.name}: queued {len(task_ids)} build(s).")
        self.stdout.write(self.style.SUCCESS(f"Queued {queued} report build(s); a worker builds them."))

    def _build_here(self, organizations: list[Organization]) -> None:
        run_key = f"command:{uuid.uuid4()}"
        products = Product.objects.filter(organization__in=organizations).select_related("organization")
        built = 0
        for product in products.order_by("organization__name", "name"):
            report = services.build_report(
                product_id=product.pk, trigger=CoverageReport.Trigger.MANUAL, run_key=run_key
            )
            built += 1
            self.stdout.write(
                f"{product.organization.name} / {product.name}: score {report.score} "
                f"({len(report.gaps)} gap{'s' if len(report.gaps) != 1 else ''}, {report.duration_ms} ms)"
            )
        self.stdout.write(self.style.SUCCESS(f"Built {built} report(s)."))
