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

import random
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from bench.generate.history import (
    _analyze,
    _make_campaign,
    _make_disruptions,
    _make_partnerships,
    _make_read_model,
    _make_reports,
    _make_reviews,
)
from bench.generate.names import (
    FIRST_FUNCTIONS,
    FIRST_NAMES,
    LAST_NAMES,
    PRODUCT_NAMES,
    SEGMENTS,
    SUFFIXES,
    TEAM_WEIGHT,
    TITLES,
)
from bench.generate.world import (
    BATCH,
    ENTRY,
    HISTORY_DAYS,
    PASSWORD,
    Generated,
    Sizes,
    _bulk,
    _layers,
    _Team,
    _unique,
    _World,
    new_slug,
)
from domain import matching
from domain.playbook.catalog import PLAYBOOK
from domain.playbook.model import PlaybookEntry
from layers.models import Assignment, AssignmentChange, Product
from layers.services import mapping
from roles.models import Function, Membership, Organization, Stakeholder
from roles.services import playbook_matches
from wholeproduct.errors import DomainError


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
    ids = list(assignments.order_by("pk").values_list("pk", flat=True))  # a fixed order: the seed decides
    edited = world.rng.sample(ids, k=len(ids) // 30)
    Assignment.objects.filter(pk__in=edited).update(changed_at=world.now - timedelta(days=5), version=2)
    world.counts["assignments"] = len(ids)


# --- disruptions and reviews ----------------------------------------------------------------------


# --- the partnership web and a campaign -------------------------------------------------------------


# --- reports ------------------------------------------------------------------------------------------
