"""Restore an organization file into this instance, all of it or nothing.

The file is checked before anything is written (its format, version and keys), every row is
validated like a form would (choices, lengths, dates) and every natural key must name
something the file holds; the first problem stops the restore with a message naming the
row. Everything is written in one transaction, in bulk, ids remapped through the natural
keys. Timestamps are kept as they were, including those Django sets itself
(`auto_now_add`), which are written back right after the insert.

Users are matched by email (any case) to accounts of this instance; a missing one is
created without a usable password (set one with `manage.py changepassword USERNAME`;
the username is the email in lower case).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from layers.models import (
    Assignment,
    AssignmentChange,
    CampaignReminder,
    CoverageReport,
    DismissedSuggestion,
    Layer,
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
from roles.services import playbook_matches
from roles.services.partnerships import ordered_pair
from shared.packed import PackedJSONListField

from ...readmodel import hooks as readmodel
from .accounts import accounts_by_email, new_account
from .checking import TransferFileError, check_shape, check_slug
from .spec import COLUMNS, REF, is_ref, translate_ids

BATCH = 1000


@dataclass
class RestoreResult:
    organization: Organization
    counts: Counter[str] = field(default_factory=Counter)
    users_created: list[str] = field(default_factory=list)


def _pair_key(x: str, y: str) -> tuple[str, str]:
    """A partnership's key: its two functions' folded names, in order."""
    first, second = sorted((_fold(x), _fold(y)))
    return first, second


def _fold(text: str) -> str:
    return text.casefold()


# --- writing ----------------------------------------------------------------------------------------


def _stamps(model: type[models.Model]) -> list[str]:
    """Fields Django fills in on insert (auto_now, auto_now_add): written again after it."""
    return [
        f.name
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]


def _json_fields(model: type[models.Model]) -> list[models.Field]:
    """The columns a file gives as JSON: JSONFields and packed lists (a snapshot's gaps)."""
    kinds = (models.JSONField, PackedJSONListField)
    return [f for f in model._meta.concrete_fields if isinstance(f, kinds) and f.name in COLUMNS[model]]


class _Restorer:
    def __init__(self, data: dict[str, Any], slug: str) -> None:
        self.data = data
        self.slug = slug
        self.result: RestoreResult
        self.layers = {layer.key: layer for layer in Layer.objects.all()}
        self.users: dict[str, Any] = {}
        self.functions: dict[str, Function] = {}
        self.people: dict[str, Stakeholder] = {}
        self.products: dict[str, Product] = {}
        self.assignments: dict[tuple[str, str, str], Assignment] = {}
        self.partnerships: dict[tuple[str, str], Partnership] = {}

    def run(self) -> RestoreResult:
        org = self._build(Organization, self.data["organization"] | {"slug": self.slug}, "organization")
        created_at = org.created_at  # save() replaces it (auto_now_add); the file's is kept
        org.save()
        Organization.objects.filter(pk=org.pk).update(created_at=created_at)
        self.org = org
        self.result = RestoreResult(organization=org)
        for step in (
            self.users_,
            self.memberships,
            self.functions_,
            self.people_,
            self.products_,
            self.assignments_,
            self.assignment_changes,
            self.dismissed_suggestions,
            self.reviews,
            self.partnerships_,
            self.disruptions,
            self.campaigns,
            self.reports,
        ):
            step()
        readmodel.organization_changed(organization_id=org.pk)
        org.refresh_from_db()
        return self.result

    # --- building blocks ---

    def _build(self, model: type[models.Model], row: dict[str, Any], where: str, **links: Any) -> Any:
        obj = model(**{name: row[name] for name in COLUMNS[model]}, **links)
        relations = [f.name for f in model._meta.concrete_fields if f.is_relation]
        json_fields = _json_fields(model)
        try:
            obj.clean_fields(exclude=[*relations, *(f.name for f in json_fields)])
        except ValidationError as exc:
            name, messages = next(iter(exc.message_dict.items()))
            raise TransferFileError(f"{where}: {name}: {' '.join(messages)}") from None
        for json_field in json_fields:
            self._check_json(obj, json_field, where)
        for f in model._meta.concrete_fields:
            value = getattr(obj, f.attname)
            if isinstance(value, datetime) and value.tzinfo is None:
                raise TransferFileError(f"{where}: {f.name}: {row[f.name]!r} has no time zone.")
        return obj

    @staticmethod
    def _check_json(obj: models.Model, f: models.Field, where: str) -> None:
        value = getattr(obj, f.attname)
        expected = type(f.get_default()) if f.has_default() else None
        if value is None and f.null:
            return
        if expected is not None and not isinstance(value, expected):
            raise TransferFileError(f"{where}: {f.name} must be a JSON {expected.__name__}.")
        if expected is None and not isinstance(value, dict):
            raise TransferFileError(f"{where}: {f.name} must be a JSON object or null.")

    def _insert(self, model: type[models.Model], objects: list[Any], section: str) -> list[Any]:
        """Insert in bulk, then write back the timestamps Django overwrote on insert."""
        stamps = _stamps(model)
        kept = [{name: getattr(obj, name) for name in stamps} for obj in objects]
        if any(f.name == "organization" for f in model._meta.concrete_fields):
            for obj in objects:  # the tenant key: bulk_create skips the save() that derives it
                obj.organization_id = self.org.pk
        model.objects.bulk_create(objects, batch_size=BATCH)
        if stamps and objects:
            for obj, values in zip(objects, kept, strict=True):
                for name, value in values.items():
                    setattr(obj, name, value)
            model.objects.bulk_update(objects, stamps, batch_size=BATCH)
        self.result.counts[section] += len(objects)
        return objects

    def _named(self, table: dict[Any, Any], key: Any, what: str, where: str) -> Any:
        if not isinstance(key, str):
            raise TransferFileError(f"{where}: names a {what} by {key!r}, which is not a name.")
        found = table.get(_fold(key))
        if found is None:
            raise TransferFileError(f"{where}: names the {what} {key!r}, which the file does not hold.")
        return found

    def _optional(self, table: dict[Any, Any], key: Any, what: str, where: str) -> Any:
        return None if key is None else self._named(table, key, what, where)

    def _layer(self, key: Any, where: str) -> Layer:
        if not isinstance(key, str) or key not in self.layers:
            raise TransferFileError(f"{where}: {key!r} is not a layer; use one of {', '.join(self.layers)}.")
        return self.layers[key]

    def _cell(self, row: dict[str, Any], where: str) -> dict[str, Any]:
        return {
            "product": self._named(self.products, row["product"], "product", where),
            "function": self._named(self.functions, row["function"], "function", where),
            "layer": self._layer(row["layer"], where),
        }

    @staticmethod
    def _cell_key(cell: dict[str, Any]) -> tuple[str, str, str]:
        return _fold(cell["product"].slug), _fold(cell["function"].name), cell["layer"].key

    @staticmethod
    def _unique(seen: set[Any], key: Any, where: str, what: str) -> None:
        if key in seen:
            raise TransferFileError(f"{where}: {what} appears twice in the file.")
        seen.add(key)

    # --- the organization side ---

    def users_(self) -> None:
        rows = self.data["users"]
        for index, row in enumerate(rows):
            where = f"users #{index + 1}"
            email = row["email"]
            if not isinstance(email, str) or not email.strip() or len(email) > 150:
                raise TransferFileError(f"{where}: a user needs an email of up to 150 characters, not {email!r}.")
            if _fold(email) in self.users:
                raise TransferFileError(f"{where}: the user {email} appears twice in the file.")
            self.users[_fold(email)] = None
        accounts = accounts_by_email([row["email"] for row in rows])
        for row in rows:
            user = accounts.get(row["email"].lower())
            if user is None:
                user = new_account(row)
                self.result.users_created.append(user.username)
            self.users[_fold(row["email"])] = user
        self.result.counts["users"] = len(self.users)

    def _user(self, key: Any, where: str) -> Any:
        return self._optional(self.users, key, "user", where)

    def memberships(self) -> None:
        seen: set[str] = set()
        objects = []
        for index, row in enumerate(self.data["memberships"]):
            where = f"memberships #{index + 1}"
            user = self._named(self.users, row["user"], "user", where)
            self._unique(seen, user.pk, where, f"the member {row['user']}")
            objects.append(self._build(Membership, row, where, organization=self.org, user=user))
        self._insert(Membership, objects, "memberships")

    def functions_(self) -> None:
        objects = []
        for index, row in enumerate(self.data["functions"]):
            where = f"functions #{index + 1} ({row['name']})"
            by = self._user(row.get("created_by"), where)
            function = self._build(Function, row, where, organization=self.org, created_by=by)
            if _fold(function.name) in self.functions:
                raise TransferFileError(f"{where}: the function {function.name!r} appears twice in the file.")
            self.functions[_fold(function.name)] = function
            objects.append(function)
        playbook_matches.stamp_all(objects)  # derived from the name, never read from the file
        self._insert(Function, objects, "functions")
        parents = []
        for index, (function, row) in enumerate(zip(objects, self.data["functions"], strict=True)):
            where = f"functions #{index + 1} ({row['name']})"
            parent = self._optional(self.functions, row["parent"], "function", where)
            if parent is not None:
                function.parent = parent
                parents.append(function)
        self._check_no_cycle(objects)
        Function.objects.bulk_update(parents, ["parent"], batch_size=BATCH)
        self._aliases(objects)

    def _aliases(self, functions: list[Function]) -> None:
        """The labels the organization confirmed as other names of its functions (files since issue 14)."""
        objects, seen = [], set()
        for index, (function, row) in enumerate(zip(functions, self.data["functions"], strict=True)):
            aliases = row.get("aliases", [])
            if not isinstance(aliases, list):
                raise TransferFileError(f"functions #{index + 1} ({row['name']}): aliases must be a list.")
            for alias in aliases:
                where = f"functions #{index + 1} ({row['name']}): alias"
                if not isinstance(alias, dict) or {"label", "created_at"} - alias.keys():
                    raise TransferFileError(f"{where} must be an object with a label and created_at.")
                self._unique(seen, _fold(str(alias["label"])), where, f"the alias {alias['label']!r}")
                objects.append(self._build(FunctionAlias, alias, where, organization=self.org, function=function))
        self._insert(FunctionAlias, objects, "function_aliases")

    @staticmethod
    def _check_no_cycle(functions: list[Function]) -> None:
        parent_of = {f.pk: f.parent_id for f in functions}
        for function in functions:
            seen, current = set(), function.pk
            while current is not None:
                if current in seen:
                    raise TransferFileError(f"functions: {function.name!r} is inside itself through its parents.")
                seen.add(current)
                current = parent_of.get(current)

    def people_(self) -> None:
        objects = []
        for index, row in enumerate(self.data["people"]):
            where = f"people #{index + 1} ({row['email']})"
            function = self._named(self.functions, row["function"], "function", where)
            person = self._build(
                Stakeholder,
                row,
                where,
                organization=self.org,
                function=function,
                user=self._user(row["user"], where),
                created_by=self._user(row.get("created_by"), where),
            )
            if _fold(person.email) in self.people:
                raise TransferFileError(f"{where}: the person {person.email} appears twice in the file.")
            self.people[_fold(person.email)] = person
            objects.append(person)
        self._insert(Stakeholder, objects, "people")
        managed = []
        for index, (person, row) in enumerate(zip(objects, self.data["people"], strict=True)):
            manager = self._optional(self.people, row.get("manager"), "person", f"people #{index + 1} ({row['email']})")
            if manager is not None:
                person.manager = manager
                managed.append(person)
        Stakeholder.objects.bulk_update(managed, ["manager"], batch_size=BATCH)

    def products_(self) -> None:
        objects = []
        for index, row in enumerate(self.data["products"]):
            where = f"products #{index + 1} ({row['slug']})"
            head = self._optional(self.people, row["head"], "person", where)
            by = self._user(row.get("created_by"), where)
            product = self._build(Product, row, where, organization=self.org, head=head, created_by=by)
            if _fold(product.slug) in self.products:
                raise TransferFileError(f"{where}: the product {product.slug!r} appears twice in the file.")
            self.products[_fold(product.slug)] = product
            objects.append(product)
        self._insert(Product, objects, "products")

    # --- the product side ---

    def assignments_(self) -> None:
        objects = []
        for index, row in enumerate(self.data["assignments"]):
            where = f"assignments #{index + 1}"
            cell = self._cell(row, where)
            key = self._cell_key(cell)
            if key in self.assignments:
                raise TransferFileError(f"{where}: {row['function']} on {row['layer']} of {row['product']} twice.")
            assignment = self._build(Assignment, row, where, changed_by=self._user(row["changed_by"], where), **cell)
            self.assignments[key] = assignment
            objects.append(assignment)
        self._insert(Assignment, objects, "assignments")

    def assignment_changes(self) -> None:
        objects = [
            self._build(AssignmentChange, row, where, by=self._user(row["by"], where), **self._cell(row, where))
            for index, row in enumerate(self.data["assignment_changes"])
            for where in [f"assignment_changes #{index + 1}"]
        ]
        self._insert(AssignmentChange, objects, "assignment_changes")

    def dismissed_suggestions(self) -> None:
        objects = [
            self._build(DismissedSuggestion, row, where, by=self._user(row["by"], where), **self._cell(row, where))
            for index, row in enumerate(self.data["dismissed_suggestions"])
            for where in [f"dismissed_suggestions #{index + 1}"]
        ]
        self._insert(DismissedSuggestion, objects, "dismissed_suggestions")

    def reviews(self) -> None:
        objects = []
        for index, row in enumerate(self.data["reviews"]):
            where = f"reviews #{index + 1}"
            cell = self._cell(row, where)
            assignment = self.assignments.get(self._cell_key(cell))
            if assignment is None:
                raise TransferFileError(f"{where}: reviews an assignment the file does not hold.")
            links = {
                "assignment": assignment,
                "stakeholder": self._named(self.people, row["person"], "person", where),
                "suggested_layer": None
                if row["suggested_layer"] is None
                else self._layer(row["suggested_layer"], where),
                "resolved_by": self._user(row["resolved_by"], where),
            }
            objects.append(self._build(Review, row, where, **links))
        self._insert(Review, objects, "reviews")

    # --- the partnership web ---

    def partnerships_(self) -> None:
        objects, check_ins = [], []
        for index, row in enumerate(self.data["partnerships"]):
            where = f"partnerships #{index + 1}"
            names = row["functions"]
            if not isinstance(names, list) or len(names) != 2:
                raise TransferFileError(f"{where}: functions must name the two functions of the partnership.")
            a, b = (self._named(self.functions, name, "function", where) for name in names)
            if a is b:
                raise TransferFileError(f"{where}: a partnership joins two different functions.")
            first, second = ordered_pair(a, b)
            partnership = self._build(
                Partnership, row, where, organization=self.org, function_a=first, function_b=second
            )
            self.partnerships[_pair_key(a.name, b.name)] = partnership
            objects.append(partnership)
            for number, reading in enumerate(row["check_ins"]):
                at = f"{where}: check_ins #{number + 1}"
                by = self._user(reading["by"], at)
                check_ins.append(self._build(PartnershipCheckIn, reading, at, partnership=partnership, by=by))
        self._insert(Partnership, objects, "partnerships")
        self._insert(PartnershipCheckIn, check_ins, "check_ins")

    def disruptions(self) -> None:
        objects, touched = [], []
        for index, row in enumerate(self.data["disruptions"]):
            where = f"disruptions #{index + 1}"
            by = self._user(row["created_by"], where)
            disruption = self._build(Disruption, row, where, organization=self.org, created_by=by)
            # One whose date has come counts at once; a planned one waits for the beat task.
            disruption.applied_at = disruption.effective_at if disruption.effective_at <= timezone.now() else None
            objects.append(disruption)
            touched.append(self._functions(row["functions"], where))
        self._insert(Disruption, objects, "disruptions")
        through = Disruption.functions.through
        links = [through(disruption=d, function=f) for d, fs in zip(objects, touched, strict=True) for f in fs]
        through.objects.bulk_create(links, batch_size=BATCH)

    def _functions(self, names: Any, where: str) -> list[Function]:
        if not isinstance(names, list):
            raise TransferFileError(f"{where}: functions must be a list of function names.")
        return list({f.pk: f for f in (self._named(self.functions, n, "function", where) for n in names)}.values())

    # --- campaigns and reports ---

    def campaigns(self) -> None:
        objects, scoped, reminders = [], [], []
        for index, row in enumerate(self.data["campaigns"]):
            where = f"campaigns #{index + 1}"
            product = self._named(self.products, row["product"], "product", where)
            by = self._user(row["created_by"], where)
            campaign = self._build(ReviewCampaign, row, where, product=product, created_by=by)
            objects.append(campaign)
            scoped.append(self._functions(row["functions"], where))
            for number, sent in enumerate(row["reminders"]):
                at = f"{where}: reminders #{number + 1}"
                person = self._named(self.people, sent["person"], "person", at)
                reminders.append(self._build(CampaignReminder, sent, at, campaign=campaign, stakeholder=person))
        self._insert(ReviewCampaign, objects, "campaigns")
        through = ReviewCampaign.functions.through
        links = [through(reviewcampaign=c, function=f) for c, fs in zip(objects, scoped, strict=True) for f in fs]
        through.objects.bulk_create(links, batch_size=BATCH)
        self._insert(CampaignReminder, reminders, "reminders")

    def reports(self) -> None:
        objects = []
        for index, row in enumerate(self.data["reports"]):
            where = f"reports #{index + 1}"
            product = self._named(self.products, row["product"], "product", where)
            by = self._user(row["requested_by"], where)
            report = self._build(CoverageReport, row, where, product=product, organization=self.org, requested_by=by)
            for name in ("layers", "gaps", "totals", "data"):
                setattr(report, name, translate_ids(getattr(report, name), self._new_id(where)))
            objects.append(report)
        self._insert(CoverageReport, objects, "reports")

    def _new_id(self, where: str) -> Any:
        def resolve(kind: str, value: Any) -> int:
            if not is_ref(value) or value[REF] != kind:
                raise TransferFileError(f"{where}: holds {value!r} where a reference to a {kind} belongs.")
            key = value["key"]
            if kind == "assignment" and isinstance(key, list) and len(key) == 3:
                found = self.assignments.get((_fold(str(key[0])), _fold(str(key[1])), str(key[2])))
            elif kind == "partnership" and isinstance(key, list) and len(key) == 2:
                found = self.partnerships.get(_pair_key(str(key[0]), str(key[1])))
            else:
                table = {"function": self.functions, "person": self.people, "product": self.products}.get(kind, {})
                found = table.get(_fold(key)) if isinstance(key, str) else None
            if found is None:
                raise TransferFileError(f"{where}: refers to the {kind} {key!r}, which the file does not hold.")
            return found.pk

        return resolve


def restore_organization(*, data: dict[str, Any], slug: str | None = None) -> RestoreResult:
    """Create the organization of `data` (an export, see spec.py) under its slug or `slug`.

    Raises TransferFileError, with nothing written, for a file that does not check out, a slug
    that is taken, or a row that breaks a rule of the database.
    """
    check_shape(data)
    slug = check_slug(data["organization"]["slug"] if slug is None else slug)
    try:
        with transaction.atomic():
            return _Restorer(data, slug).run()
    except IntegrityError as exc:
        if Organization.objects.filter(slug=slug).exists():
            raise TransferFileError(f"An organization with the slug {slug!r} was created meanwhile.") from None
        raise TransferFileError(
            f"The file breaks a rule of the data ({_first_line(exc)}); nothing was restored."
        ) from None


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
