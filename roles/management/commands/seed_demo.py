"""`manage.py seed_demo`: load the demo organizations of roles/demo_data.py (DESIGN §7).

Safe to rerun: every row is matched on its natural key (organization slug, function
name, person email, product slug, user email) and only written when it differs
from the data, so a second run writes nothing and never resets a password.
Partnerships (matched on their pair) and disruptions (on their title) are only
created when missing: a partnership's trust and last check are living data that
check-ins change, and a disruption logged twice would count twice.
Everything happens in one transaction: a broken data file leaves the database as
it was.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models, transaction
from django.utils import timezone

from layers.models import Assignment, AssignmentChange, CoverageReport, Layer, Product, Review
from layers.readmodel import hooks as readmodel
from layers.services import playbook_matches
from layers.services.mapping import apply as apply_playbook
from layers.services.reports import build_report
from roles import demo_data
from roles.models import Disruption, Function, Membership, Organization, Partnership, PartnershipCheckIn, Stakeholder
from roles.services.disruptions import disruption_log
from roles.services.partnerships import ordered_pair


@dataclass
class Login:
    email: str
    access: str
    organization: str
    person: str  # "Priya Raman, VP of Product", or "" when the user is not a person of the org


@dataclass
class Tally:
    """What one run wrote, per model, so a rerun can say "nothing changed"."""

    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)

    def describe(self) -> str:
        if not +self.created and not +self.updated:
            return "nothing changed"
        parts = []
        for label, counts in (("created", +self.created), ("updated", +self.updated)):  # + drops zeros
            if counts:
                parts.append(f"{label} " + ", ".join(f"{n} {model}" for model, n in sorted(counts.items())))
        return "; ".join(parts)


def _sync(obj: models.Model, values: dict[str, Any]) -> bool:
    """Set the fields that differ and save only those; report whether anything did."""
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    if changed:
        obj.save(update_fields=changed)
    return bool(changed)


def _seed_organization(row: dict[str, Any], tally: Tally) -> Organization:
    org = Organization.objects.filter(slug=row["slug"]).first()
    if org is None:
        tally.created["organizations"] += 1
        return Organization.objects.create(**row)
    if _sync(org, {"name": row["name"], "go_to_market": row["go_to_market"]}):
        tally.updated["organizations"] += 1
    return org


def _seed_functions(org: Organization, rows: list[dict[str, Any]], tally: Tally) -> dict[str, Function]:
    """Create missing functions in bulk, then align every field (parents last: they need ids)."""
    existing = {f.name.lower() for f in org.functions.all()}
    missing = [row for row in rows if row["name"].lower() not in existing]
    created = [
        Function(
            organization=org,
            name=row["name"],
            category=row["category"],
            is_external=row["is_external"],
            description=row["description"],
        )
        for row in missing
    ]
    playbook_matches.stamp_all(created)
    Function.objects.bulk_create(created)
    tally.created["functions"] += len(missing)
    # Re-read rather than trust bulk_create's ids: not every backend returns them.
    by_name = {f.name.lower(): f for f in org.functions.all()}
    for row in rows:
        function = by_name[row["name"].lower()]
        parent = by_name[row["parent"].lower()] if row["parent"] else None
        values = {
            "name": row["name"],
            "category": row["category"],
            "is_external": row["is_external"],
            "description": row["description"],
            "parent_id": parent.pk if parent else None,
        }
        if _sync(function, values) and row["name"].lower() in existing:
            tally.updated["functions"] += 1
    return by_name


def _seed_people(
    org: Organization, people: dict[str, list[tuple[str, str, str]]], functions: dict[str, Function], tally: Tally
) -> dict[str, Stakeholder]:
    rows = [
        {"function_id": functions[name.lower()].pk, "full_name": full_name, "title": title, "email": email}
        for name, members in people.items()
        for full_name, title, email in members
    ]
    existing = {s.email.lower(): s for s in org.stakeholders.all()}
    missing = [row for row in rows if row["email"].lower() not in existing]
    Stakeholder.objects.bulk_create(Stakeholder(organization=org, **row) for row in missing)
    tally.created["people"] += len(missing)
    for row in rows:
        person = existing.get(row["email"].lower())
        if person is not None and _sync(person, row):
            tally.updated["people"] += 1
    return {s.email.lower(): s for s in org.stakeholders.select_related("function")}


def _seed_products(org: Organization, rows: list[dict[str, Any]], people: dict[str, Stakeholder], tally: Tally) -> None:
    existing = {p.slug: p for p in org.products.all()}
    for row in rows:
        values = {"name": row["name"], "description": row["description"], "head_id": people[row["head"]].pk}
        product = existing.get(row["slug"])
        if product is None:
            Product.objects.create(organization=org, slug=row["slug"], **values)
            tally.created["products"] += 1
        elif _sync(product, values):
            tally.updated["products"] += 1


def _seed_user(row: dict[str, Any], tally: Tally) -> AbstractUser:
    """Find the login by its username (the lowercased email); the password is set only on creation."""
    user_model = get_user_model()
    username = row["email"].lower()
    names = {"email": row["email"], "first_name": row["first_name"], "last_name": row["last_name"]}
    user = user_model.objects.filter(username=username).first()
    if user is None:
        user = user_model(username=username, **names)
        user.set_password(demo_data.PASSWORD)
        user.save()
        tally.created["users"] += 1
    elif _sync(user, names):
        tally.updated["users"] += 1
    return user


def _seed_logins(
    org: Organization, rows: list[dict[str, Any]], people: dict[str, Stakeholder], tally: Tally
) -> list[Login]:
    logins = []
    for row in rows:
        user = _seed_user(row, tally)
        membership = Membership.objects.filter(user=user, organization=org).first()
        if membership is None:
            Membership.objects.create(user=user, organization=org, access=row["access"])
            tally.created["memberships"] += 1
        elif _sync(membership, {"access": row["access"]}):
            tally.updated["memberships"] += 1
        person = people.get(row["email"].lower())
        if person is not None and _sync(person, {"user_id": user.pk}):
            tally.created["login links"] += 1
        described = f"{person.full_name}, {person.title}" if person else ""
        logins.append(Login(email=row["email"], access=row["access"], organization=org.name, person=described))
    return logins


def _seed_partnerships(
    org: Organization, rows: list[dict[str, Any]], functions: dict[str, Function], tally: Tally
) -> None:
    """Create the missing links of the web with their trust history, in two bulk inserts."""
    if not rows:
        return
    today = timezone.localdate()
    existing = set(Partnership.objects.filter(organization=org).values_list("function_a_id", "function_b_id"))
    new: list[tuple[Partnership, list[tuple[int, int, str]]]] = []
    for row in rows:
        a, b = ordered_pair(functions[row["a"].lower()], functions[row["b"].lower()])
        if (a.pk, b.pk) in existing:
            continue
        days_ago, trust, _ = row["checks"][-1]  # the latest reading is the current trust
        partnership = Partnership(
            organization=org,
            function_a=a,
            function_b=b,
            trust=trust,
            cadence=row["cadence"],
            shared_goal=row["goal"],
            feedback_carried=row["feedback"],
            last_checked_on=today - timedelta(days=days_ago),
        )
        new.append((partnership, row["checks"]))
    if not new:
        return
    # PostgreSQL and SQLite (3.35+) return the new ids, which the check-ins need.
    Partnership.objects.bulk_create([partnership for partnership, _ in new])
    check_ins = [
        PartnershipCheckIn(
            organization_id=partnership.organization_id,
            partnership=partnership,
            trust=trust,
            note=note,
            checked_on=today - timedelta(days=days),
        )
        for partnership, checks in new
        for days, trust, note in checks
    ]
    PartnershipCheckIn.objects.bulk_create(check_ins)
    tally.created["partnerships"] += len(new)
    tally.created["check-ins"] += len(check_ins)


def _leader(data: dict[str, Any]) -> AbstractUser | None:
    email = next((u["email"].lower() for u in data["users"] if u["access"] == Membership.Access.LEADER), None)
    return get_user_model().objects.filter(username=email).first() if email else None


def _seed_maps(org: Organization, data: dict[str, Any], tally: Tally) -> None:
    """Map the products that ask for it from the playbook, once: a map that exists is a leader's to keep."""
    specs = {row["slug"]: row["map"] for row in data["products"] if row.get("map")}
    if not specs:
        return
    for product in Product.objects.filter(organization=org, slug__in=specs, assignments__isnull=True):
        spec = specs[product.slug]
        result = apply_playbook(product=product, by=_leader(data))
        mapped_at = timezone.now() - timedelta(days=spec["days_ago"])
        # Backdated, so the demo's reviews come after the map (current) and the reorg after both.
        product.assignments.update(created_at=mapped_at, changed_at=mapped_at)
        AssignmentChange.objects.filter(product=product).update(at=mapped_at)
        tally.created["assignments"] += result.created
        tally.created["reviews"] += _seed_reviews(product, spec, mapped_at)


def _seed_reviews(product: Product, spec: dict[str, Any], mapped_at: Any) -> int:
    layers = {layer.key: layer for layer in Layer.objects.all()}
    disputes = {(d["email"], d["layer"]): d for d in spec["disputes"]}
    pending = set(spec["leave_pending"])
    people = Stakeholder.objects.filter(organization_id=product.organization_id).order_by("email")
    by_function: dict[int, list[Stakeholder]] = {}
    for person in people:
        by_function.setdefault(person.function_id, []).append(person)
    reviews = []
    for assignment in Assignment.objects.filter(product=product).select_related("layer"):
        for index, person in enumerate(by_function.get(assignment.function_id, []), start=1):
            dispute = disputes.get((person.email, assignment.layer.key))
            if person.email in pending or (index % spec["skip_every"] == 0 and not dispute):
                continue
            reviews.append(
                Review(
                    organization_id=product.organization_id,
                    assignment=assignment,
                    stakeholder=person,
                    verdict=Review.Verdict.DISAGREE if dispute else Review.Verdict.AGREE,
                    comment=dispute["comment"] if dispute else "",
                    suggested_layer=layers[dispute["suggested_layer"]] if dispute else None,
                )
            )
    created = Review.objects.bulk_create(reviews)
    # Spread over the days after the map; auto_now_add cannot be backdated on insert.
    days = max(spec["days_ago"] - 1, 1)
    for i, review in enumerate(created):
        review.created_at = mapped_at + timedelta(days=i % days + 1, minutes=i)
    Review.objects.bulk_update(created, ["created_at"], batch_size=500)
    return len(created)


def _oldest_disruption_days(data: dict[str, Any]) -> int:
    return max((row["days_ago"] for row in data.get("disruptions", [])), default=0)


def _seed_reports(org: Organization, run: str, generated_at: Any) -> None:
    """One coverage snapshot per product for the demo run `run` (once: the run key is unique)."""
    run_key = f"demo:{run}"
    for product in org.products.exclude(reports__run_key=run_key).order_by("pk"):
        report = build_report(product_id=product.pk, trigger=CoverageReport.Trigger.SCHEDULE, run_key=run_key)
        CoverageReport.objects.filter(pk=report.pk).update(generated_at=generated_at)


def _seed_disruptions(org: Organization, data: dict[str, Any], functions: dict[str, Function], tally: Tally) -> None:
    """Log the missing disruptions through the service, so their flags and stale reviews apply."""
    rows = data.get("disruptions", [])
    if not rows:
        return
    logged = set(Disruption.objects.filter(organization=org).values_list("title", flat=True))
    missing = [row for row in rows if row["title"] not in logged]
    if not missing:
        return
    by = _leader(data)
    for row in missing:
        disruption_log(
            organization=org,
            kind=row["kind"],
            title=row["title"],
            note=row["note"],
            occurred_on=timezone.localdate() - timedelta(days=row["days_ago"]),
            function_ids=[functions[name.lower()].pk for name in row["functions"]],
            by=by,
        )
    tally.created["disruptions"] += len(missing)


def _seed_scenarios(org: Organization, data: dict[str, Any], functions: dict[str, Function], tally: Tally) -> None:
    """The drafts of the demo (issue 18), through the scenario services; one that exists is left as it is."""
    from scenarios import services as scenarios
    from scenarios.models import Scenario

    for row in data.get("scenarios", []):
        if Scenario.objects.filter(organization=org, name=row["name"]).exists():
            continue
        by = _leader(data)
        scenario = scenarios.create_scenario(organization=org, by=by, name=row["name"], description=row["description"])
        for step in row["steps"]:
            fields = {k: functions[v.lower()].pk if k in ("function", "into", "to") else v for k, v in step.items()}
            scenarios.add_change(scenario=scenario, by=by, **fields)
        tally.created["scenarios"] += 1


def _seed_organization_data(data: dict[str, Any], tally: Tally) -> list[Login]:
    written = sum(tally.created.values())
    org = _seed_organization(data["organization"], tally)
    try:
        functions = _seed_functions(org, data["functions"], tally)
        people = _seed_people(org, data["people"], functions, tally)
        _seed_products(org, data["products"], people, tally)
        logins = _seed_logins(org, data["users"], people, tally)
        _seed_partnerships(org, data.get("partnerships", []), functions, tally)
        _seed_maps(org, data, tally)  # before the disruptions, so the reorg stales what it touches
        if sum(tally.created.values()) != written:
            # People, products and backdated reviews were written in bulk: count them in.
            readmodel.organization_changed(organization_id=org.pk)
        # A report before the reorg and one after it, so the dashboard shows what it did.
        _seed_reports(org, "before-disruptions", timezone.now() - timedelta(days=_oldest_disruption_days(data) + 1))
        _seed_disruptions(org, data, functions, tally)
        _seed_reports(org, "seeded", timezone.now())
        _seed_scenarios(org, data, functions, tally)
    except KeyError as exc:
        # A typo in demo_data.py: say which name, and roll everything back.
        raise CommandError(f"The demo data of {org.name} refers to {exc}, which it does not define.") from exc
    return logins


@transaction.atomic
def seed_demo(*, organizations: list[dict[str, Any]]) -> tuple[list[Login], Tally]:
    tally = Tally()
    logins: list[Login] = []
    for data in organizations:
        logins += _seed_organization_data(data, tally)
    return logins, tally


def base_url() -> str:
    return f"http://127.0.0.1:{os.environ.get('PORT') or '8000'}/"


def format_logins(logins: list[Login]) -> str:
    email_width = max(len(login.email) for login in logins)
    access_width = max(len(login.access) for login in logins)
    org_width = max(len(login.organization) for login in logins)
    lines = [
        f"Demo logins — open {base_url()} and sign in with password: {demo_data.PASSWORD}",
        "",
    ]
    for login in logins:
        row = f"  {login.email:<{email_width}}  {login.access:<{access_width}}  {login.organization:<{org_width}}"
        lines.append(f"{row}  {login.person}".rstrip())
    rule = "-" * max(len(line) for line in lines)
    return "\n".join([rule, *lines, rule])


class Command(BaseCommand):
    help = "Load the demo organizations (Northwind Analytics, Contoso Robotics) and their logins. Safe to rerun."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet", action="store_true", help="Print only the demo logins.")

    def handle(self, *args: Any, quiet: bool = False, **options: Any) -> None:
        started = time.perf_counter()
        logins, tally = seed_demo(organizations=demo_data.ORGANIZATIONS)
        if not quiet:
            for data in demo_data.ORGANIZATIONS:
                org = data["organization"]
                people = sum(len(members) for members in data["people"].values())
                products = len(data["products"])
                self.stdout.write(
                    f"{org['name']} ({org['slug']}): {len(data['functions'])} functions, "
                    f"{people} people, {products} product{'s' if products != 1 else ''}"
                )
            elapsed = time.perf_counter() - started
            self.stdout.write(self.style.SUCCESS(f"Demo data ready in {elapsed:.2f} s: {tally.describe()}."))
            self.stdout.write("")
        self.stdout.write(format_logins(logins))
