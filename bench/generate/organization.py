"""A large, realistic organization built in bulk, for load and performance work (issue 9).

`generate_organization` makes a *new* organization each call, shaped like a real one:

- functions: the playbook's canonical functions at the top (CEO, Engineering, Sales …), then
  sub-teams under them — most named the way HR systems name them and matched by the playbook
  ("Platform Engineering", "QA Team", "Account Executives"), the rest regional or segment teams
  that match nothing ("Sales — EMEA 3") and are mapped by hand on some products, left for a
  leader to map on others; a few functions have nobody in them yet;
- people spread over the functions by the size such teams have (Engineering large, the Board
  small), with a few linked to users (members of the organization);
- products, each mapped by the mapping service from the playbook, plus manual assignments;
- reviews of every state: agreements, open disputes with suggested layers, resolved ones (kept
  or changed), superseded ones, stale ones (an assignment changed or a disruption since),
  and pending pairs;
- the partnership web with trust of every level, old and missing check-ins, disruptions over
  the last two months, an open review campaign;
- a month of nightly coverage snapshots per product: today's built by the report service,
  the earlier ones derived from it (a trend that rises, with dips after the disruptions).

Rows go in with bulk statements inside one transaction, so a run either leaves a whole
organization or nothing. Deterministic for a given seed, apart from the slug and timestamps.
"""

from __future__ import annotations

import itertools
import random
import secrets
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.text import slugify

from layers import matching
from layers.models import Assignment, AssignmentChange, CoverageReport, Layer, Product, Review, ReviewCampaign
from layers.playbook import PLAYBOOK, PlaybookEntry
from layers.readmodel import hooks as readmodel
from layers.services import mapping, playbook_matches
from layers.services.reports import build_report
from wholeproduct.errors import DomainError

from .models import Disruption, Function, Membership, Organization, Partnership, PartnershipCheckIn, Stakeholder

PASSWORD = "bench"  # noqa: S105 - the documented password of generated logins, like seed_demo's "demo"
SNAPSHOTS = 30  # nightly reports per product: a month of trend
BATCH = 2000
HISTORY_DAYS = 75  # the map was made this long ago; reviews and disruptions come after
ENTRY = {entry.name: entry for entry in PLAYBOOK}

# Relative size of a sub-team of each playbook function, and how often one exists.
TEAM_WEIGHT: dict[str, float] = {
    "Engineering": 30,
    "Sales & Account Management": 12,
    "Customer Support": 9,
    "Customer Success": 8,
    "Product Management": 5,
    "UX & Design": 4,
    "Product Marketing": 4,
    "Pre-sales / Solutions Engineering": 4,
    "Corporate Marketing": 3,
    "Security": 2,
    "Business Development": 2,
    "HR / People": 2,
    "Finance": 2,
    "Product Owners": 2,
    "Technical Writing": 1.5,
    "Product Operations": 1,
    "Subject Matter Experts": 1,
    "Channel Partners": 2,
    "Data & Technology Partners": 1.5,
    "Legal": 1,
    "Directors & VPs of Product": 0.5,
    "Practice Directors": 0.5,
    "CEO": 0.2,
    "Board of Directors": 0.1,
}
# A small organization keeps the functions that cover the four layers first.
FIRST_FUNCTIONS = (
    "Product Management",
    "Engineering",
    "Customer Success",
    "CEO",
    "Sales & Account Management",
    "UX & Design",
    "Customer Support",
    "Product Marketing",
    "HR / People",
    "Channel Partners",
)
SUFFIXES = ("", " Team", " Group", " Dept", " Division", " Unit", " Org")
SEGMENTS = (
    "EMEA",
    "North America",
    "APAC",
    "LATAM",
    "DACH",
    "Nordics",
    "UK & Ireland",
    "Japan",
    "Enterprise",
    "Mid-Market",
    "SMB",
    "Public Sector",
    "Healthcare",
    "Financial Services",
    "Payments",
    "Identity",
    "Mobile",
    "Analytics",
    "Integrations",
    "Onboarding",
)


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


PRODUCT_NAMES = (
    "Insights",
    "Connect",
    "Payments",
    "Identity",
    "Mobile",
    "Marketplace",
    "Atlas",
    "Pulse",
    "Ledger",
    "Beacon",
    "Forge",
    "Harbor",
    "Orbit",
    "Relay",
    "Summit",
)
FIRST_NAMES = _words(
    "Ada Alan Amara Ana Arjun Ben Bianca Carlos Chen Chloe Dana David Elena Emeka Eva Farah Felix Grace Hana Hugo "
    "Ines Ivan Jada James Kai Karin Lars Leila Liam Lucia Maya Mei Mohammed Nadia Noah Olga Omar Paula Priya Rafael "
    "Rosa Sam Sara Sofia Tariq Tomas Uma Victor Wen Yara Yusuf Zoe"
)
LAST_NAMES = _words(
    "Abbott Adeyemi Alvarez Andersen Baker Banerjee Becker Brown Carter Castillo Chen Costa Dubois Edwards Eriksen "
    "Fischer Garcia Gupta Hansen Hernandez Ito Jensen Johnson Kaur Kim Kowalski Larsen Lee Lopez Martin Meyer Moreau "
    "Nakamura Nguyen Novak Okafor Oliveira Patel Petrov Quinn Rossi Santos Schmidt Silva Singh Suzuki Tanaka "
    "Walker Wang Weber Yilmaz Zhang"
)
TITLES: dict[str, tuple[str, ...]] = {
    Function.Category.BUILDING: ("Engineer", "Senior Engineer", "Staff Engineer", "Engineering Manager", "Designer"),
    Function.Category.CUSTOMER_FACING: ("Account Executive", "Customer Success Manager", "Support Specialist"),
    Function.Category.CROSS_FUNCTIONAL: ("Specialist", "Manager", "Business Partner", "Analyst"),
    Function.Category.LEADERSHIP: ("Director", "Vice President", "Chief of Staff"),
    Function.Category.PARTNER: ("Partner Manager", "Alliance Lead", "Reseller Contact"),
}
DISPUTES = (
    "We contribute here more than the map says.",
    "This is not our layer: we work on the core.",
    "We lead this in practice; nobody else does it.",
    "Our team stopped doing this after the reorg.",
)
DISRUPTIONS = (
    (Disruption.Kind.REORG, "Customer org merged into one Go-to-Market group", 58),
    (Disruption.Kind.LEADERSHIP_CHANGE, "New VP of Engineering", 41),
    (Disruption.Kind.NEW_HIRES, "Support doubled for the launch", 27),
    (Disruption.Kind.SUSTAINED_PRESSURE, "Quarter-end pressure on Sales", 12),
    (Disruption.Kind.OTHER, "Office move", 4),
)


@dataclass
class Sizes:
    functions: int = 1000
    people: int = 20_000
    products: int = 10
    reviews: int = 100_000

    def check(self) -> None:
        if self.functions < 1 or self.products < 1:
            raise DomainError("An organization needs at least one function and one product.")
        if self.reviews < 0:
            raise DomainError("The number of reviews cannot be negative.")
        if self.people < 3:
            raise DomainError("Generate at least 3 people: the admin, the leader and a stakeholder are people too.")


@dataclass
class Generated:
    """What a run made, for the command to print and the benchmark to use."""

    organization: Organization
    logins: dict[str, str]  # access -> email; every password is PASSWORD
    counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    stakeholder_email: str = ""


@dataclass
class _Team:
    """A function before it is saved: its playbook family and whether the playbook matches its name."""

    name: str
    entry: PlaybookEntry
    matched: bool
    parent: int | None  # index in the team list
    weight: float


@dataclass
class _World:
    org: Organization
    rng: random.Random
    now: datetime
    layers: dict[str, Layer]
    teams: list[_Team] = field(default_factory=list)
    functions: list[Function] = field(default_factory=list)
    people: list[Stakeholder] = field(default_factory=list)
    people_of: dict[int, list[int]] = field(default_factory=dict)  # function id -> stakeholder ids
    disrupted: set[int] = field(default_factory=set)  # functions a disruption touched
    products: list[Product] = field(default_factory=list)
    leader: Any = None
    logins: dict[str, str] = field(default_factory=dict)
    stakeholder_email: str = ""
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    timings: dict[str, float] = field(default_factory=dict)


def new_slug() -> str:
    """A slug no run has used: the time plus a random suffix."""
    return f"gen-{timezone.now():%y%m%d-%H%M%S}-{secrets.token_hex(2)}"


def generate_organization(
    *, sizes: Sizes, slug: str | None = None, seed: int = 9, progress: Callable[[str], None] | None = None
) -> Generated:
    """Build a new organization of `sizes`; all or nothing."""
    sizes.check()
    slug = slug or new_slug()
    if Organization.objects.filter(slug=slug).exists():
        raise DomainError(f"An organization with the slug {slug!r} exists already: generate_org makes a new one.")
    say = progress or (lambda _message: None)
    with transaction.atomic():
        org = Organization.objects.create(
            slug=slug, name=f"Generated {sizes.functions:,}-function org", go_to_market=Organization.GoToMarket.HYBRID
        )
        world = _World(org=org, rng=random.Random(seed), now=timezone.now(), layers=_layers())  # noqa: S311
        steps: list[tuple[str, Callable[[_World, Sizes], None]]] = [
            ("functions", _make_functions),
            ("people", _make_people),
            ("members", _make_members),
            ("products", _make_products),
            ("assignments", _make_assignments),
            ("disruptions", _make_disruptions),
            ("reviews", _make_reviews),
            ("partnerships", _make_partnerships),
            ("campaign", _make_campaign),
            ("read model", _make_read_model),
            ("reports", _make_reports),
        ]
        for name, step in steps:
            started = time.perf_counter()
            step(world, sizes)
            world.timings[name] = time.perf_counter() - started
            say(f"{name}: {world.timings[name]:.1f} s")
    _analyze()  # again, committed: every connection's planner now sees the organization as it is
    return Generated(
        organization=org,
        logins=world.logins,
        counts=dict(world.counts),
        timings=world.timings,
        stakeholder_email=world.stakeholder_email,
    )


def _layers() -> dict[str, Layer]:
    layers = {layer.key: layer for layer in Layer.objects.all()}
    if len(layers) != 4:
        raise DomainError("The four layers are missing: run `manage.py migrate` first.")
    return layers


def _bulk(
    model: type[models.Model], rows: Iterable[models.Model], organization: Organization | None = None
) -> list[Any]:
    rows = list(rows)
    if organization is not None:  # the tenant key: bulk_create skips the save() that derives it
        for row in rows:
            row.organization_id = organization.pk
    return model.objects.bulk_create(rows, batch_size=BATCH)


# --- functions -------------------------------------------------------------------------------------


def _make_functions(world: _World, sizes: Sizes) -> None:
    world.teams = _plan_teams(world.rng, sizes.functions)
    rows = [
        Function(
            organization=world.org,
            name=team.name,
            category=team.entry.category,
            is_external=team.entry.is_external,
            description=team.entry.description if team.parent is None else f"Part of {team.entry.name}.",
        )
        for team in world.teams
    ]
    playbook_matches.stamp_all(rows)
    world.functions = _bulk(Function, rows)
    for team, function in zip(world.teams, world.functions, strict=True):
        if team.parent is not None:
            function.parent_id = world.functions[team.parent].pk
    Function.objects.bulk_update([f for f in world.functions if f.parent_id], ["parent"], batch_size=BATCH)
    world.counts["functions"] = len(world.functions)


def _plan_teams(rng: random.Random, count: int) -> list[_Team]:
    """The playbook's functions first, then sub-teams named after them until there are `count`."""
    order = list(FIRST_FUNCTIONS) + [e.name for e in PLAYBOOK if e.name not in FIRST_FUNCTIONS]
    teams = [_Team(name, ENTRY[name], True, None, TEAM_WEIGHT[name] / 4) for name in order[:count]]
    taken = {team.name.casefold() for team in teams}
    pools = {name: _matched_names(ENTRY[name], rng) for name in order}
    families = order[: len(teams)]
    weights = [TEAM_WEIGHT[name] for name in families]
    sub_teams: dict[str, list[int]] = defaultdict(list)
    while len(teams) < count:
        family = rng.choices(families, weights)[0]
        entry = ENTRY[family]
        top = order.index(family)
        if rng.random() < 0.65 and pools[family]:
            name, parent, matched = pools[family].pop(), top, True
        else:
            siblings = sub_teams[family]
            parent = rng.choice(siblings) if siblings and rng.random() < 0.5 else top
            name, matched = f"{teams[parent].name} — {rng.choice(SEGMENTS)}", False
        name = _unique(name, taken)
        matched = matching.match(name) is not None  # what the mapping service will see
        if matched:
            sub_teams[family].append(len(teams))
        teams.append(_Team(name, entry, matched, parent, TEAM_WEIGHT[family] * rng.lognormvariate(0, 0.6)))
    return teams


def _matched_names(entry: PlaybookEntry, rng: random.Random) -> list[str]:
    """Team names the playbook recognizes as `entry`: its aliases, bare or with a container word."""
    names = [alias + suffix for suffix in SUFFIXES for alias in entry.aliases if len(alias) > 3 or suffix]
    rng.shuffle(names)
    return [name for name in names if matching.match(name) is entry]


def _unique(name: str, taken: set[str]) -> str:
    candidate, number = name, 2
    while candidate.casefold() in taken:
        candidate, number = f"{name} {number}", number + 1
    taken.add(candidate.casefold())
    return candidate


# --- people and members ----------------------------------------------------------------------------


def _make_people(world: _World, sizes: Sizes) -> None:
    rng, org = world.rng, world.org
    weights = [team.weight for team in world.teams]
    # A few sub-teams are new and have nobody in them yet ("unstaffed" in the reports).
    for index, team in enumerate(world.teams):
        if team.parent is not None and rng.random() < 0.02:
            weights[index] = 0
    # Everyone else gets at least one person, then the rest by team size.
    staffed = [i for i, w in enumerate(weights) if w > 0]
    homes = staffed[: sizes.people] + rng.choices(range(len(weights)), weights, k=max(sizes.people - len(staffed), 0))
    domain = f"{org.slug}.test"
    rows = []
    for number, index in enumerate(homes):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        function = world.functions[index]
        rows.append(
            Stakeholder(
                organization=org,
                function=function,
                full_name=f"{first} {last}",
                title=rng.choice(TITLES[function.category]),
                email=f"{first}.{last}.{number}@{domain}".lower(),
            )
        )
    people = _bulk(Stakeholder, rows)
    for person in people:
        world.people_of.setdefault(person.function_id, []).append(person.pk)
    world.counts["people"] = len(people)
    world.people = people


def _make_members(world: _World, sizes: Sizes) -> None:
    """An admin, a leader and a stakeholder to log in as, plus 1% of the people as members."""
    org, people = world.org, world.people
    domain = f"{org.slug}.test"
    # The stakeholder to log in as works in Customer Success (the Augmented layer's lead).
    cs = next((f.pk for f in world.functions if f.name == "Customer Success"), None)
    reviewer = next((p for p in people if p.function_id == cs), people[0])
    linked = [reviewer] + [p for p in people[::100] if p != reviewer]
    password = make_password(PASSWORD)
    user_model = get_user_model()
    users = [
        user_model(username=f"admin@{domain}", email=f"admin@{domain}", first_name="Avery", password=password),
        user_model(username=f"leader@{domain}", email=f"leader@{domain}", first_name="Lee", password=password),
    ]
    users += [
        user_model(username=p.email, email=p.email, first_name=p.full_name.split()[0], password=password)
        for p in linked
    ]
    users = _bulk(user_model, users)
    accesses = [Membership.Access.ADMIN, Membership.Access.LEADER] + [Membership.Access.STAKEHOLDER] * len(linked)
    _bulk(Membership, (Membership(user=u, organization=org, access=a) for u, a in zip(users, accesses, strict=True)))
    for person, user in zip(linked, users[2:], strict=True):
        person.user = user
    Stakeholder.objects.bulk_update(linked, ["user"], batch_size=BATCH)
    world.leader = users[1]
    world.logins = {"admin": users[0].email, "leader": users[1].email, "stakeholder": reviewer.email}
    world.stakeholder_email = reviewer.email
    world.counts["members"] = len(users)


# --- products and their maps ----------------------------------------------------------------------


def _make_products(world: _World, sizes: Sizes) -> None:
    heads = [f for f in world.functions if f.name in ("Product Management", "Directors & VPs of Product")]
    head_pool = [pid for f in heads for pid in world.people_of.get(f.pk, [])] or [None]
    rows = []
    for number in range(sizes.products):
        base = PRODUCT_NAMES[number % len(PRODUCT_NAMES)]
        name = base if number < len(PRODUCT_NAMES) else f"{base} {number // len(PRODUCT_NAMES) + 1}"
        rows.append(
            Product(
                organization=world.org,
                slug=slugify(name),
                name=name,
                description=f"The {name} product line.",
                head_id=world.rng.choice(head_pool),
            )
        )
    world.products = _bulk(Product, rows)
    world.counts["products"] = len(world.products)


def _make_assignments(world: _World, sizes: Sizes) -> None:
    """The playbook's map on every product (the mapping service), then manual rows for the teams
    it leaves out, on most products; the rest stay unmapped for a leader to see."""
    go_to_market = world.org.go_to_market
    canonical = [
        (function.pk, rule.layer)
        for team, function in zip(world.teams, world.functions, strict=True)
        if team.parent is None
        for rule in team.entry.rules_for(go_to_market)
    ]
    for product in world.products:
        # The playbook's own functions first, so "Customer Success" leads its layer rather than
        # whichever of its sub-teams sorts first; then every other function it recognizes.
        mapping.apply(product=product, by=world.leader, only=canonical)
        mapping.apply(product=product, by=world.leader)
    mapped = set(Assignment.objects.filter(organization=world.org).values_list("product_id", "function_id").distinct())
    manual = []
    for team, function in zip(world.teams, world.functions, strict=True):
        # Sub-teams of a function that leads (its lead is taken) work on its layer as contributors;
        # teams the playbook does not know are mapped by hand on most products.
        rule = team.entry.rules_for(go_to_market)[0]
        for product in world.products:
            if (product.pk, function.pk) in mapped or (not team.matched and world.rng.random() < 0.3):
                continue
            manual.append(
                Assignment(
                    product=product,
                    function=function,
                    layer=world.layers[rule.layer],
                    emphasis=Assignment.Emphasis.CONTRIBUTOR,
                    contribution=f"Works with {team.entry.name} on this layer for {team.name.split(' — ')[-1]}.",
                    source=Assignment.Source.MANUAL,
                    changed_by=world.leader,
                )
            )
    manual = _bulk(Assignment, manual, world.org)
    changes = []
    for row in manual:
        after = {"emphasis": row.emphasis, "contribution": row.contribution, "source": row.source, "version": 1}
        changes.append(
            AssignmentChange(
                product_id=row.product_id,
                function_id=row.function_id,
                layer_id=row.layer_id,
                action=AssignmentChange.Action.CREATED,
                after=after,
                by=world.leader,
                source=row.source,
            )
        )
    _bulk(AssignmentChange, changes, world.org)
    # The map was made weeks ago; a few cells were edited last week (their reviews are stale).
    made = world.now - timedelta(days=HISTORY_DAYS)
    assignments = Assignment.objects.filter(organization=world.org)
    assignments.update(created_at=made, changed_at=made)
    AssignmentChange.objects.filter(organization=world.org).update(at=made)
    ids = list(assignments.values_list("pk", flat=True))
    edited = world.rng.sample(ids, k=len(ids) // 30)
    Assignment.objects.filter(pk__in=edited).update(changed_at=world.now - timedelta(days=5), version=2)
    world.counts["assignments"] = len(ids)


# --- disruptions and reviews ----------------------------------------------------------------------


def _make_disruptions(world: _World, sizes: Sizes) -> None:
    rows, touched = [], []
    for kind, title, days_ago in DISRUPTIONS:
        moment = world.now - timedelta(days=days_ago)
        rows.append(
            Disruption(
                organization=world.org,
                kind=kind,
                title=title,
                note="Logged by the generator.",
                occurred_on=moment.date(),
                effective_at=moment,
                applied_at=moment,
                created_by=world.leader,
            )
        )
        touched.append(world.rng.sample(world.functions, k=min(len(world.functions), 2 + len(world.functions) // 80)))
    disruptions = _bulk(Disruption, rows)
    through = Disruption.functions.through
    _bulk(
        through,
        (through(disruption=d, function=f) for d, fs in zip(disruptions, touched, strict=True) for f in fs),
    )
    world.disrupted = {f.pk for fs in touched for f in fs}
    world.counts["disruptions"] = len(disruptions)


def _make_reviews(world: _World, sizes: Sizes) -> None:
    rng, now = world.rng, world.now
    cells = list(Assignment.objects.filter(organization=world.org).values_list("pk", "function_id", "layer_id"))
    cells = [cell for cell in cells if world.people_of.get(cell[1])]
    if not cells or not sizes.reviews:
        return
    cumulative = list(itertools.accumulate(len(world.people_of[cell[1]]) for cell in cells))
    layer_ids = [layer.pk for layer in world.layers.values()]
    reviews: list[Review] = []
    seen: set[tuple[int, int]] = set()
    attempts = 0
    while len(reviews) < sizes.reviews and attempts < sizes.reviews * 4:
        attempts += 1
        pk, function_id, layer_id = rng.choices(cells, cum_weights=cumulative)[0]
        person = rng.choice(world.people_of[function_id])
        if (pk, person) in seen:
            continue
        seen.add((pk, person))
        minutes = rng.randint(60, (HISTORY_DAYS - 1) * 24 * 60)
        if rng.random() < 0.1 and len(reviews) + 1 < sizes.reviews:
            # Changed their mind: an older review, superseded by the newer one below.
            older = minutes + rng.randint(600, 20_000)
            reviews.append(_review(rng, pk, person, layer_id, layer_ids, now - timedelta(minutes=older)))
        reviews.append(_review(rng, pk, person, layer_id, layer_ids, now - timedelta(minutes=minutes)))
    for review in reviews:
        if review.resolved_at:
            review.resolved_by = world.leader
    with _keeping_created_at():
        _bulk(Review, reviews, world.org)
    world.counts["reviews"] = len(reviews)


def _review(
    rng: random.Random, assignment_id: int, person: int, layer_id: int, layer_ids: list[int], at: datetime
) -> Review:
    review = Review(assignment_id=assignment_id, stakeholder_id=person, verdict=Review.Verdict.AGREE, created_at=at)
    if rng.random() < 0.12:
        review.verdict = Review.Verdict.DISAGREE
        review.comment = rng.choice(DISPUTES)
        if rng.random() < 0.6:
            review.suggested_layer_id = rng.choice([pk for pk in layer_ids if pk != layer_id])
        if rng.random() < 0.5:
            review.resolution = rng.choice([Review.Resolution.KEPT] * 3 + [Review.Resolution.CHANGED])
            review.resolution_note = "Discussed with the team lead; the map says what we agreed."
            review.resolved_at = at + timedelta(minutes=rng.randint(1, 50))
    return review


@contextmanager
def _keeping_created_at() -> Iterator[None]:
    """Let bulk_create store the reviews' past `created_at` instead of stamping "now".

    `auto_now_add` would stamp every row, and re-dating 100,000 rows afterwards costs as much as
    inserting them again. The flag is put back whatever happens; the generator runs alone in
    its process (a command or the benchmark), so no other thread saves a review meanwhile.
    """
    created_at = Review._meta.get_field("created_at")
    saved = created_at.auto_now_add
    created_at.auto_now_add = False
    try:
        yield
    finally:
        created_at.auto_now_add = saved


# --- the partnership web and a campaign -------------------------------------------------------------


def _make_partnerships(world: _World, sizes: Sizes) -> None:
    rng, today = world.rng, world.now.date()
    functions = world.functions
    if len(functions) < 2:
        return
    wanted = min(len(functions) * 3 // 2, len(functions) * (len(functions) - 1) // 2)
    pairs: set[tuple[int, int]] = set()
    building = [f for f in functions if f.category == Function.Category.BUILDING] or functions
    others = [f for f in functions if f.category != Function.Category.BUILDING] or functions
    attempts = 0
    while len(pairs) < wanted and attempts < wanted * 20:
        attempts += 1
        # 003's web: most links join a building function and a customer-facing or other one.
        a, b = (rng.choice(building), rng.choice(others)) if rng.random() < 0.7 else rng.sample(functions, 2)
        if a.pk != b.pk:
            pairs.add((min(a.pk, b.pk), max(a.pk, b.pk)))
    cadences = list(Partnership.Cadence.values)
    rows = []
    for a, b in sorted(pairs):
        checked = rng.random()
        last = None if checked < 0.15 else today - timedelta(days=rng.randint(1, 80) if checked < 0.75 else 200)
        rows.append(
            Partnership(
                organization=world.org,
                function_a_id=a,
                function_b_id=b,
                trust=rng.choices([1, 2, 3, 4, 5], [5, 10, 30, 35, 20])[0],
                shared_goal="Customers adopt what we ship.",
                cadence=rng.choice(cadences),
                feedback_carried="Prospects' needs and onboarding problems." if rng.random() < 0.5 else "",
                last_checked_on=last,
            )
        )
    partnerships = _bulk(Partnership, rows)
    flagged = [p.pk for p in partnerships if world.disrupted & {p.function_a_id, p.function_b_id}]
    Partnership.objects.filter(pk__in=flagged).update(needs_trust_check=True)
    check_ins = [
        PartnershipCheckIn(
            partnership=p, trust=p.trust, note="Monthly check-in.", checked_on=p.last_checked_on, by=world.leader
        )
        for p in partnerships
        if p.last_checked_on and rng.random() < 0.4
    ]
    _bulk(PartnershipCheckIn, check_ins, world.org)
    world.counts["partnerships"] = len(partnerships)


def _make_campaign(world: _World, sizes: Sizes) -> None:
    """A review campaign running on the first product (written directly: starting one emails everyone)."""
    ReviewCampaign.objects.create(
        product=world.products[0],
        name=f"{world.products[0].name}: quarterly review",
        starts_at=world.now - timedelta(days=3),
        deadline=world.now + timedelta(days=11),
        created_by=world.leader,
    )


# --- reports ------------------------------------------------------------------------------------------


def _make_read_model(world: _World, sizes: Sizes) -> None:
    """Review pairs and counters for everything written in bulk above (as `rebuild_read_model`)."""
    readmodel.organization_changed(organization_id=world.org.pk)


def _make_reports(world: _World, sizes: Sizes) -> None:
    """Tonight's snapshot of each product from the report service, then the month before it,
    derived: the score climbs towards today's, with a dip after each disruption. A derived
    snapshot keeps tonight's details (per-layer rows, gaps, rings) under its own score: they are
    copied inside the database, as a month of real ones would weigh."""
    _analyze()
    dips = [world.now - timedelta(days=days) for _, _, days in DISRUPTIONS]
    past: list[list[Any]] = []
    for product in world.products:
        latest = build_report(
            product_id=product.pk,
            trigger=CoverageReport.Trigger.SCHEDULE,
            run_key=f"schedule:{timezone.localtime(world.now):%Y-%m-%d}:02h",
        )
        for days in range(1, SNAPSHOTS):
            moment = latest.generated_at - timedelta(days=days)
            dip = sum(4 for when in dips if moment < when <= moment + timedelta(days=4))
            score = min(max(latest.score - days // 3 - dip + world.rng.randint(-1, 1), 0), 100)
            ratio = score / latest.score if latest.score else 1.0
            run_key = f"schedule:{timezone.localtime(moment):%Y-%m-%d}:02h"
            past.append([run_key, moment, score, round(latest.review_coverage * ratio, 4), latest.pk])
    _copy_snapshots(past)
    world.counts["reports"] = len(past) + len(world.products)


def _copy_snapshots(rows: list[list[Any]]) -> None:
    """Insert past snapshots that copy a built one's JSON columns server-side (a month of a large
    organization's snapshots is hundreds of megabytes of JSON: no need to send it from here)."""
    table = connection.ops.quote_name(CoverageReport._meta.db_table)
    copied = "product_id, organization_id, trigger, layer_coverage, function_coverage, agreement, layers, gaps, "
    copied += "totals, data, duration_ms"
    sql = (
        f"INSERT INTO {table} (run_key, generated_at, score, review_coverage, {copied}) "  # noqa: S608 - names are ours
        f"SELECT %s, %s, %s, %s, {copied} FROM {table} WHERE id = %s"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _analyze() -> None:
    """Refresh PostgreSQL's statistics: tables filled in this transaction still look empty to its
    planner, which would then read a large organization with nested loops."""
    if connection.vendor != "postgresql":
        return
    models_ = (
        Function,
        Stakeholder,
        Product,
        Assignment,
        AssignmentChange,
        Review,
        Partnership,
        Disruption,
        CoverageReport,
    )
    tables = [model._meta.db_table for model in models_]
    with connection.cursor() as cursor:
        for table in [*tables, Disruption.functions.through._meta.db_table]:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
