"""`manage.py suggest_mapping --org SLUG --product SLUG [--apply] [--format json|table]`.

The playbook's suggestions for one product, through the same mapping service the
map editor and the API use. `--apply` writes them (never over a manual mapping,
never a second lead) and reports what changed.
"""

from __future__ import annotations

import json
import shutil
import textwrap
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from layers.models import Layer, Product
from layers.services import mapping
from roles.models import Organization

STATUS_LABELS = {
    mapping.NEW: "new",
    mapping.APPLIED: "applied",
    mapping.DIFFERS: "differs",
    mapping.MANUAL: "manual (kept)",
    mapping.LEAD_TAKEN: "lead taken",
    mapping.DISMISSED: "dismissed",
}


class Command(BaseCommand):
    help = "Suggest (and optionally apply) the playbook's layer assignments for one product."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="organization slug")
        parser.add_argument("--product", required=True, help="product slug within the organization")
        parser.add_argument("--apply", action="store_true", help="write the suggestions (manual mappings are kept)")
        parser.add_argument("--format", choices=["table", "json"], default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        product = self._product(options["org"], options["product"])
        applied = mapping.apply(product=product, by=None) if options["apply"] else None
        # Suggest after applying, so the statuses show the map as it now stands.
        result = mapping.suggest(product=product)
        if options["format"] == "json":
            self.stdout.write(json.dumps(as_json(result, applied), indent=2))
        else:
            self.stdout.write(self._table(product, result, applied))

    def _product(self, org_slug: str, product_slug: str) -> Product:
        organization = Organization.objects.filter(slug=org_slug).first()
        if organization is None:
            raise CommandError(f"No organization with slug {org_slug!r}.")
        product = Product.objects.select_related("organization").filter(organization=organization, slug=product_slug)
        found = product.first()
        if found is None:
            known = ", ".join(Product.objects.filter(organization=organization).values_list("slug", flat=True))
            raise CommandError(
                f"No product {product_slug!r} in {organization.name}. Its products: {known or 'none yet'}."
            )
        return found

    def _table(self, product: Product, result: mapping.SuggestionSet, applied: mapping.ApplyResult | None) -> str:
        width = max(80, min(shutil.get_terminal_size((120, 20)).columns, 160))
        names = dict(Layer.objects.values_list("key", "name"))
        lines = [self.style.MIGRATE_HEADING(f"{product.organization.name} / {product.name} ({result.go_to_market})")]
        rows = [
            (s.function_name, names.get(s.layer_key, s.layer_key), s.emphasis, STATUS_LABELS[s.status], s.reason)
            for s in result.suggestions
        ]
        lines += _grid(("Function", "Layer", "Emphasis", "Status", "Reason"), rows, width)
        if result.unmatched:
            lines += ["", self.style.WARNING(f"Unmatched ({len(result.unmatched)}): map these by hand")]
            lines += [f"  {u.function_name}  (closest: {', '.join(u.hints) or '-'})" for u in result.unmatched]
        counts = ", ".join(f"{count} {STATUS_LABELS[status]}" for status, count in result.counts().items() if count)
        lines += ["", f"{len(result.suggestions)} suggestions: {counts or 'none'}"]
        if applied is not None:
            lines.append(
                self.style.SUCCESS(
                    f"Applied: {applied.created} created, {applied.updated} updated, {applied.unchanged} unchanged, "
                    f"{applied.skipped_manual} manual kept, {applied.skipped_dismissed} dismissed skipped."
                )
            )
            lines += [self.style.ERROR(f"  {message}") for message in applied.conflicts]
        return "\n".join(lines)


def as_json(result: mapping.SuggestionSet, applied: mapping.ApplyResult | None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "suggestions": [
            {
                "function": s.function_name,
                "layer": s.layer_key,
                "emphasis": s.emphasis,
                "reason": s.reason,
                "status": s.status,
            }
            for s in result.suggestions
        ],
        "unmatched": [{"function": u.function_name, "hints": u.hints} for u in result.unmatched],
    }
    if applied is not None:
        data["applied"] = applied.as_dict()
    return data


def _grid(header: tuple[str, ...], rows: list[tuple[str, ...]], width: int) -> list[str]:
    """A plain-text table whose last column wraps to the terminal's width."""
    if not rows:
        return ["  (no suggestions: no function matches the playbook)"]
    fixed = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header) - 1)]
    last = max(20, width - sum(fixed) - 2 * len(fixed) - 2)
    out = []
    for index, row in enumerate([header, *rows]):
        wrapped = textwrap.wrap(str(row[-1]), last) or [""]
        cells = [str(cell).ljust(fixed[i]) for i, cell in enumerate(row[:-1])]
        out.append("  " + "  ".join([*cells, wrapped[0]]))
        pad = "  " + "  ".join(" " * w for w in fixed)
        out += [f"{pad}  {more}" for more in wrapped[1:]]
        if index == 0:
            out.append("  " + "  ".join("-" * w for w in [*fixed, min(last, 40)]))
    return out
