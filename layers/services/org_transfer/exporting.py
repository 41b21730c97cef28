"""Export one organization as a dict (then JSON): everything, named by natural keys.

Reads only, from one snapshot of the database (a REPEATABLE READ transaction on PostgreSQL;
SQLite's transactions are snapshots already), so a file never holds a review of an
assignment it does not hold. Rows come through `values()` with their joins: a fixed number
of queries whatever the size. Every list is sorted by natural keys (ids only break ties), so
two exports of equal organizations are equal files.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from layers.models import (
    Assignment,
    AssignmentChange,
    CampaignReminder,
    CoverageReport,
    DismissedSuggestion,
    Product,
    Review,
    ReviewCampaign,
)
from roles.models import (
    Disruption,
    Function,
    FunctionAlias,
    Membership,
    Organization,
    Partnership,
    PartnershipCheckIn,
    Stakeholder,
)

from .spec import COLUMNS, FORMAT, MISSING, REF, VERSION, columns_of, encode, translate_ids


def _fold(text: str | None) -> str:
    return (text or "").casefold()


class _Exporter:
    def __init__(self, organization: Organization) -> None:
        self.org = organization
        # Rows that name a user hold its id until every section is read; `_fill_users` swaps in emails.
        self.user_slots: list[tuple[dict[str, Any], str]] = []
        self.function_names: dict[int, str] = {}
        self.person_emails: dict[int, str] = {}
        self.product_slugs: dict[int, str] = {}
        self.assignment_keys: dict[int, list[str]] = {}
        self.partnership_keys: dict[int, list[str]] = {}

    def _user(self, row: dict[str, Any], key: str, user_id: int | None) -> None:
        row[key] = user_id
        if user_id is not None:
            self.user_slots.append((row, key))

    def run(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "format": FORMAT,
            "version": VERSION,
            "exported_at": encode(timezone.now()),
            "organization": columns_of(Organization, Organization.objects.filter(pk=self.org.pk).values().get()),
            "memberships": self.memberships(),
            "functions": self.functions(),
            "people": self.people(),
            "products": self.products(),
            "assignments": self.assignments(),
            "assignment_changes": self.assignment_changes(),
            "dismissed_suggestions": self.dismissed_suggestions(),
            "reviews": self.reviews(),
            "partnerships": self.partnerships(),
            "disruptions": self.disruptions(),
            "campaigns": self.campaigns(),
            "reports": self.reports(),
        }
        data["users"] = self._fill_users()
        return data

    # --- the organization side ---

    def memberships(self) -> list[dict[str, Any]]:
        rows = []
        for m in Membership.objects.filter(organization=self.org).values("user_id", *COLUMNS[Membership]):
            row = columns_of(Membership, m)
            self._user(row, "user", m["user_id"])
            rows.append(row)
        return rows  # sorted by email once the emails are known

    def functions(self) -> list[dict[str, Any]]:
        found = list(
            Function.objects.filter(organization=self.org).values(
                "id", "parent_id", "created_by_id", *COLUMNS[Function]
            )
        )
        self.function_names = {f["id"]: f["name"] for f in found}
        aliases: dict[int, list[dict[str, Any]]] = {}
        for alias in FunctionAlias.objects.filter(organization=self.org).values("function_id", *COLUMNS[FunctionAlias]):
            aliases.setdefault(alias["function_id"], []).append(columns_of(FunctionAlias, alias))
        rows = []
        for f in sorted(found, key=lambda f: (_fold(f["name"]), f["id"])):
            row = columns_of(Function, f) | {
                "parent": self.function_names.get(f["parent_id"]),
                "aliases": sorted(aliases.get(f["id"], []), key=lambda a: _fold(a["label"])),
            }
            self._user(row, "created_by", f["created_by_id"])
            rows.append(row)
        return rows

    def people(self) -> list[dict[str, Any]]:
        found = list(
            Stakeholder.objects.filter(organization=self.org).values(
                "id", "function_id", "user_id", "manager_id", "created_by_id", *COLUMNS[Stakeholder]
            )
        )
        self.person_emails.update({p["id"]: p["email"] for p in found})
        rows = []
        for p in sorted(found, key=lambda p: (_fold(p["email"]), p["id"])):
            row = columns_of(Stakeholder, p) | {
                "function": self.function_names[p["function_id"]],
                "manager": self.person_emails.get(p["manager_id"]),
            }
            self._user(row, "user", p["user_id"])
            self._user(row, "created_by", p["created_by_id"])
            rows.append(row)
        return rows

    def products(self) -> list[dict[str, Any]]:
        found = Product.objects.filter(organization=self.org).values(
            "id", "head_id", "created_by_id", *COLUMNS[Product]
        )
        rows = []
        for p in sorted(found, key=lambda p: (p["slug"], p["id"])):
            self.product_slugs[p["id"]] = p["slug"]
            row = columns_of(Product, p) | {"head": self.person_emails.get(p["head_id"])}
            self._user(row, "created_by", p["created_by_id"])
            rows.append(row)
        return rows

    # --- the product side ---

    def _cell(self, row: dict[str, Any]) -> dict[str, Any]:
        return {
            "product": self.product_slugs[row["product_id"]],
            "function": self.function_names[row["function_id"]],
            "layer": row["layer__key"],
        }

    @staticmethod
    def _cell_order(cell: dict[str, Any]) -> tuple[str, str, str]:
        return cell["product"], _fold(cell["function"]), cell["layer"]

    def assignments(self) -> list[dict[str, Any]]:
        found = Assignment.objects.filter(organization=self.org).values(
            "id", "product_id", "function_id", "layer__key", "changed_by_id", *COLUMNS[Assignment]
        )
        rows = []
        for a in found:
            row = self._cell(a) | columns_of(Assignment, a)
            self.assignment_keys[a["id"]] = [row["product"], row["function"], row["layer"]]
            self._user(row, "changed_by", a["changed_by_id"])
            rows.append(row)
        return sorted(rows, key=self._cell_order)

    def assignment_changes(self) -> list[dict[str, Any]]:
        found = AssignmentChange.objects.filter(organization=self.org).values(
            "id", "product_id", "function_id", "layer__key", "by_id", *COLUMNS[AssignmentChange]
        )
        rows = []
        for c in sorted(found, key=lambda c: (c["at"], c["id"])):
            row = self._cell(c) | columns_of(AssignmentChange, c)
            self._user(row, "by", c["by_id"])
            rows.append(row)
        return sorted(rows, key=self._cell_order)  # stable: each cell's history stays in time order

    def dismissed_suggestions(self) -> list[dict[str, Any]]:
        found = DismissedSuggestion.objects.filter(organization=self.org).values(
            "product_id", "function_id", "layer__key", "by_id", *COLUMNS[DismissedSuggestion]
        )
        rows = []
        for d in found:
            row = self._cell(d) | columns_of(DismissedSuggestion, d)
            self._user(row, "by", d["by_id"])
            rows.append(row)
        return sorted(rows, key=self._cell_order)

    def reviews(self) -> list[dict[str, Any]]:
        found = Review.objects.filter(organization=self.org).values(
            "id",
            "assignment_id",
            "stakeholder_id",
            "suggested_layer__key",
            "resolved_by_id",
            *COLUMNS[Review],
        )
        rows = []
        for r in sorted(found, key=lambda r: (r["created_at"], r["id"])):
            product, function, layer = self.assignment_keys[r["assignment_id"]]
            row = {"product": product, "function": function, "layer": layer}
            row |= {"person": self.person_emails[r["stakeholder_id"]], "suggested_layer": r["suggested_layer__key"]}
            row |= columns_of(Review, r)
            self._user(row, "resolved_by", r["resolved_by_id"])
            rows.append(row)
        return sorted(rows, key=lambda r: (*self._cell_order(r), _fold(r["person"])))

    # --- the partnership web ---

    def partnerships(self) -> list[dict[str, Any]]:
        found = Partnership.objects.filter(organization=self.org).values(
            "id", "function_a_id", "function_b_id", *COLUMNS[Partnership]
        )
        check_ins: dict[int, list[dict[str, Any]]] = defaultdict(list)
        readings = PartnershipCheckIn.objects.filter(organization=self.org).values(
            "id", "partnership_id", "by_id", *COLUMNS[PartnershipCheckIn]
        )
        for c in sorted(readings, key=lambda c: (c["checked_on"], c["created_at"], c["id"])):
            row = columns_of(PartnershipCheckIn, c)
            self._user(row, "by", c["by_id"])
            check_ins[c["partnership_id"]].append(row)
        rows = []
        for p in found:
            pair = sorted((self.function_names[p["function_a_id"]], self.function_names[p["function_b_id"]]), key=_fold)
            self.partnership_keys[p["id"]] = pair
            rows.append({"functions": pair} | columns_of(Partnership, p) | {"check_ins": check_ins[p["id"]]})
        return sorted(rows, key=lambda r: [_fold(name) for name in r["functions"]])

    def disruptions(self) -> list[dict[str, Any]]:
        found = Disruption.objects.filter(organization=self.org).values("id", "created_by_id", *COLUMNS[Disruption])
        touched: dict[int, list[str]] = defaultdict(list)
        through = Disruption.functions.through.objects.filter(disruption__organization=self.org)
        for disruption_id, function_id in through.values_list("disruption_id", "function_id"):
            touched[disruption_id].append(self.function_names[function_id])
        rows = []
        order = ("occurred_on", "effective_at", "created_at", "id")
        for d in sorted(found, key=lambda d: tuple(d[k] for k in order)):
            row = columns_of(Disruption, d) | {"functions": sorted(touched[d["id"]], key=_fold)}
            self._user(row, "created_by", d["created_by_id"])
            rows.append(row)
        return rows

    # --- reviews campaigns and reports ---

    def campaigns(self) -> list[dict[str, Any]]:
        found = ReviewCampaign.objects.filter(organization=self.org).values(
            "id", "product_id", "created_by_id", *COLUMNS[ReviewCampaign]
        )
        scoped: dict[int, list[str]] = defaultdict(list)
        through = ReviewCampaign.functions.through.objects.filter(reviewcampaign__organization=self.org)
        for campaign_id, function_id in through.values_list("reviewcampaign_id", "function_id"):
            scoped[campaign_id].append(self.function_names[function_id])
        reminders: dict[int, list[dict[str, Any]]] = defaultdict(list)
        sent = CampaignReminder.objects.filter(organization=self.org).values(
            "id", "campaign_id", "stakeholder_id", *COLUMNS[CampaignReminder]
        )
        for r in sorted(sent, key=lambda r: (r["sent_on"], _fold(self.person_emails[r["stakeholder_id"]]), r["id"])):
            reminders[r["campaign_id"]].append(
                {"person": self.person_emails[r["stakeholder_id"]]} | columns_of(CampaignReminder, r)
            )
        rows = []
        for c in sorted(found, key=lambda c: (self.product_slugs[c["product_id"]], c["created_at"], c["id"])):
            row = {"product": self.product_slugs[c["product_id"]]} | columns_of(ReviewCampaign, c)
            row |= {"functions": sorted(scoped[c["id"]], key=_fold), "reminders": reminders[c["id"]]}
            self._user(row, "created_by", c["created_by_id"])
            rows.append(row)
        return rows

    def reports(self) -> list[dict[str, Any]]:
        found = CoverageReport.objects.filter(organization=self.org).values(
            "product_id", "requested_by_id", *COLUMNS[CoverageReport]
        )
        rows = []
        for r in sorted(found, key=lambda r: (self.product_slugs[r["product_id"]], r["generated_at"], r["run_key"])):
            row = {"product": self.product_slugs[r["product_id"]]} | columns_of(CoverageReport, r)
            for name in ("layers", "gaps", "totals", "data"):
                row[name] = translate_ids(row[name], self._natural_key)
            self._user(row, "requested_by", r["requested_by_id"])
            rows.append(row)
        return rows

    def _natural_key(self, kind: str, value: Any) -> Any:
        if not isinstance(value, int) or isinstance(value, bool):
            return value
        names: dict[str, dict[int, Any]] = {
            "function": self.function_names,
            "person": self.person_emails,
            "product": self.product_slugs,
            "assignment": self.assignment_keys,
            "partnership": self.partnership_keys,
        }
        key = names[kind].get(value)
        # Something deleted since the report was built: its id would name nothing (or the wrong
        # thing) in another instance.
        return MISSING if key is None else {REF: kind, "key": key}

    # --- users last: every section has said whom it names ---

    def _fill_users(self) -> list[dict[str, Any]]:
        ids = {row[key] for row, key in self.user_slots}
        users = get_user_model().objects.filter(pk__in=ids).order_by("id")
        emails: dict[int, str] = {}
        # Two accounts whose emails differ only in case are one person to a restore (it matches
        # accounts by email in any case): the file lists the older.
        listed: dict[str, dict[str, Any]] = {}
        for u in users.values("id", "email", "username", "first_name", "last_name"):
            emails[u["id"]] = u["email"] or u["username"]
            row = {"email": emails[u["id"]], "first_name": u["first_name"], "last_name": u["last_name"]}
            listed.setdefault(_fold(row["email"]), row)
        for row, key in self.user_slots:
            row[key] = emails[row[key]]
        return [listed[key] for key in sorted(listed)]


def export_organization(*, organization: Organization) -> dict[str, Any]:
    """Everything of `organization` as one JSON-ready dict (see spec.py for the format)."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        data = _Exporter(organization).run()
    data["memberships"].sort(key=lambda m: _fold(m["user"]))
    return data
