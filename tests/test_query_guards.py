"""Query-count guards (issue 9): pages and API lists read as many queries for a small organization
as for a larger one, so a query per row fails CI long before a customer notices.

Most pages and lists already have their own guard next to their other tests (dashboard, product
page, map editor, my role, review inbox, reports, functions, people, products, web, timeline,
members, and every API list but two). This file covers the rest, on two organizations built by
`generate_org`'s generator — every dimension grows at once: functions, people, products,
assignments, reviews, partnerships, reports. The benchmark (bench/run.py) checks every page at
10 and 1,000 functions; it is a measurement, not a test.

It also holds the performance work of issue 9 to its promises: the inbox's progress, now
counted in the database, equals the pair engine's; pages that listed every function or
dispute show a page of them and say how many more.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models.functions import Lower
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bench.generate.organization import generate_organization
from bench.generate.world import Sizes
from domain import review_pairs
from layers.models import Assignment, Product, Review, ReviewCampaign
from layers.readmodel.oracle import rebuild_everything
from layers.selectors import campaigns
from layers.selectors import me as me_selectors
from layers.selectors import reviews as selectors_reviews
from roles.models import Function, Membership, Organization, Stakeholder

from .factories import MembershipFactory, OrganizationFactory

# `drawn`: the views draw every page (the state cache would answer the second request from its
# store, in the same two queries at any size, and hide what the view itself reads).
pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.usefixtures("drawn")]

SMALL = Sizes(functions=10, people=30, products=2, reviews=60)
LARGER = Sizes(functions=80, people=600, products=4, reviews=1500)


@dataclass
class Made:
    org: Organization
    clients: dict[str, Client]
    logins: dict[str, str]

    def url(self, name: str, **kwargs: object) -> str:
        return reverse(name, kwargs={"org": self.org.slug, **kwargs})

    def campaign(self) -> ReviewCampaign:
        return ReviewCampaign.objects.get(product__organization=self.org)

    def open_dispute(self) -> Review:
        # The oldest open dispute (any review when there is none): a pair with some history.
        return (
            Review.objects.filter(assignment__product__organization=self.org, verdict="disagree")
            .filter(resolved_at__isnull=True)
            .order_by("created_at", "pk")
            .first()
        ) or Review.objects.filter(assignment__product__organization=self.org).order_by("pk").first()

    def product(self) -> Product:
        return Product.objects.filter(organization=self.org).order_by("pk").first()

    def own_product(self) -> Product:
        """The last product (by name) the stakeholder's function sits on: one my role loads later."""
        person = Stakeholder.objects.get(organization=self.org, user__username=self.logins["stakeholder"])
        return Product.objects.filter(assignments__function_id=person.function_id).order_by("-name").first()

    def mapped_cell(self) -> Assignment:
        return Assignment.objects.filter(product__organization=self.org).order_by("pk").first()


def _make(sizes: Sizes) -> Made:
    generated = generate_organization(sizes=sizes)
    users = get_user_model().objects.in_bulk(list(generated.logins.values()), field_name="username")
    clients = {}
    for who, email in generated.logins.items():
        clients[who] = Client()
        clients[who].force_login(users[email])
    return Made(generated.organization, clients, generated.logins)


@pytest.fixture
def sizes() -> tuple[Made, Made]:
    return _make(SMALL), _make(LARGER)


def queries(client: Client, url: str) -> int:
    client.get(url)  # warm: the session, caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, f"{url}: HTTP {response.status_code}"
    return len(captured.captured_queries)


# (name, who asks, the address in one organization)
PAGES: list[tuple[str, str, Callable[[Made], str]]] = [
    ("campaign list", "leader", lambda m: m.url("campaign-list")),
    ("campaign detail", "leader", lambda m: m.url("campaign-detail", pk=m.campaign().pk)),
    ("review detail", "leader", lambda m: m.url("review-detail", pk=m.open_dispute().pk)),
    ("import page", "admin", lambda m: m.url("import")),
    (
        "map cell history",
        "leader",
        lambda m: m.url(
            "product-map-history",
            product=m.mapped_cell().product.slug,
            function=m.mapped_cell().function_id,
            layer=m.mapped_cell().layer.key,
        ),
    ),
    ("api layers", "leader", lambda m: "/api/v1/layers/"),
    # issue 13 item 9: the paged and summarized pages, and the pickers' search
    ("function list", "leader", lambda m: m.url("function-list")),
    ("function search", "leader", lambda m: m.url("function-list") + "?q=e"),
    ("people search", "leader", lambda m: m.url("person-search") + "?q=a"),
    ("function picker", "admin", lambda m: m.url("function-search") + "?q=e"),
    ("members search", "admin", lambda m: m.url("members") + "?q=e"),
    ("inbox of one product", "leader", lambda m: m.url("review-inbox") + f"?product={m.product().slug}&page=2"),
    ("organization switcher", "leader", lambda m: m.url("org-switcher")),
    ("product form", "leader", lambda m: m.url("product-create")),
    ("web", "leader", lambda m: m.url("web")),
    # my role's later products: the picture with the shared-with lists, loaded when scrolled to
    ("my role picture", "stakeholder", lambda m: m.url("me-picture", product=m.own_product().slug)),
]


@pytest.mark.parametrize("name, who, address", PAGES, ids=[page[0] for page in PAGES])
def test_it_reads_as_many_queries_for_a_larger_organization(sizes, name, who, address):
    small, larger = sizes
    assert queries(small.clients[who], address(small)) == queries(larger.clients[who], address(larger)), name


def test_the_organization_list_reads_as_many_queries_for_one_membership_as_for_six(db):
    user = get_user_model().objects.create_user(username="many@orgs.test", email="many@orgs.test")
    MembershipFactory(user=user, organization=OrganizationFactory(slug="first"), access=Membership.Access.LEADER)
    client = Client()
    client.force_login(user)
    one = queries(client, "/api/v1/orgs/")
    for n in range(5):
        MembershipFactory(user=user, organization=OrganizationFactory(slug=f"more-{n}"), access="stakeholder")
    assert queries(client, "/api/v1/orgs/") == one
    assert client.get("/api/v1/orgs/").json()["count"] == 6


# --- the inbox's progress, counted in the database, agrees with the pair engine ---------------------


def _pair_engine_progress(org: Organization, now, product=None) -> dict[int, review_pairs.Tally]:
    """The inbox's figures the way they were computed before issue 9: every pair, in Python."""
    assignments = Assignment.objects.filter(product__organization=org)
    if product is not None:
        assignments = assignments.filter(product=product)
    people = Stakeholder.objects.filter(organization=org).values_list("pk", "function_id")
    pairs = review_pairs.evaluate_pairs(
        assignments=selectors_reviews._facts_of(assignments),
        people=selectors_reviews._people_by_function(people),
        reviews=selectors_reviews.review_facts(Review.objects.filter(assignment__in=assignments)),
        disruptions=selectors_reviews.disruption_times(Function.objects.filter(organization=org).values("pk"), now=now),
        now=now,
    )
    tallies: dict[int, review_pairs.Tally] = defaultdict(review_pairs.Tally)
    for pair in pairs:
        tallies[pair.function_id].add(pair)
    return tallies


@pytest.mark.parametrize("one_product", [False, True])
def test_the_counted_progress_equals_the_pair_engine_on_a_generated_organization(one_product):
    org = generate_organization(sizes=LARGER).organization
    # A person who moved to another function: their old reviews no longer count anywhere.
    mover = Review.objects.filter(assignment__product__organization=org).select_related("stakeholder").first()
    other = Function.objects.filter(organization=org).exclude(pk=mover.stakeholder.function_id).first()
    Stakeholder.objects.filter(pk=mover.stakeholder_id).update(function=other)
    rebuild_everything()  # the raw move above, behind the services that keep the read model
    now = timezone.now()
    product = Product.objects.filter(organization=org).order_by("pk").first() if one_product else None
    expected = _pair_engine_progress(org, now, product)
    counted = campaigns.function_progress(org, product=product, now=now)
    assert counted and sum(row.tally.stale for row in counted) > 0 and sum(row.tally.open for row in counted) > 0
    assert {row.function.pk: row.tally for row in counted} == {
        pk: expected.get(pk, review_pairs.Tally()) for pk in (row.function.pk for row in counted)
    }


# --- a large organization's pages show a page of rows, and say how many more --------------------------


def test_the_inbox_pages_its_disputes_and_its_functions(monkeypatch):
    from layers.views import reviews as inbox

    monkeypatch.setattr(selectors_reviews, "DISPUTE_PAGE", 10)
    monkeypatch.setattr(inbox, "PROGRESS_PAGE", 7)
    made = _make(LARGER)
    everyone = selectors_reviews.open_disputes(made.org)
    assert len(everyone) > 20
    url = made.url("review-inbox")
    first = made.clients["leader"].get(url)
    html = first.content.decode()
    assert html.count('class="card dispute"') == 10 and f"Disputes 1\u201310 of {len(everyone)}, oldest first" in html
    assert [d.review.pk for d in first.context["disputes"]] == [d.review.pk for d in everyone[:10]]
    functions = len(campaigns.function_progress(made.org))
    assert len(first.context["progress"]) == 7 and f"Functions 1\u20137 of {functions}" in html
    assert first.context["totals"].pairs == sum(r.tally.pairs for r in campaigns.function_progress(made.org))
    second = made.clients["leader"].get(url, {"page": 2, "functions": 2})
    assert [d.review.pk for d in second.context["disputes"]] == [d.review.pk for d in everyone[10:20]]
    assert "Functions 8\u201314" in second.content.decode()
    assert made.clients["leader"].get(url, {"page": "x", "functions": "999"}).status_code == 200


def test_the_inbox_of_one_product_reads_its_counters_and_pages_its_pairs(monkeypatch):
    """The filtered inbox: totals and counts from the product's counter row, a page of open pairs
    and a page of function counters, equal to the full lists they replace."""
    from layers.views import reviews as inbox

    monkeypatch.setattr(selectors_reviews, "DISPUTE_PAGE", 3)
    monkeypatch.setattr(inbox, "PROGRESS_PAGE", 4)
    made = _make(LARGER)
    product = Product.objects.filter(organization=made.org).order_by("pk").first()
    everyone = selectors_reviews.open_disputes(made.org, product=product)
    progress = campaigns.function_progress(made.org, product=product)
    assert len(everyone) > 6 and len(progress) > 8
    response = made.clients["leader"].get(
        made.url("review-inbox"), {"product": product.slug, "page": 2, "functions": 2}
    )
    assert [d.review.pk for d in response.context["disputes"]] == [d.review.pk for d in everyone[3:6]]
    assert response.context["dispute_page"].paginator.count == len(everyone)
    by_name = Function.objects.filter(pk__in=[row.function.pk for row in progress]).order_by(Lower("name"), "pk")
    by_pk = {row.function.pk: row for row in progress}
    rows = [(row.function.pk, row.people, row.tally) for row in response.context["progress"]]
    assert rows == [(pk, by_pk[pk].people, by_pk[pk].tally) for pk in by_name.values_list("pk", flat=True)[4:8]]
    assert response.context["progress_page"].paginator.count == len(progress)
    totals = review_pairs.Tally()
    for row in progress:
        totals = totals.merged(row.tally)
    assert response.context["totals"] == totals and totals.open == len(everyone)


def test_the_product_page_lists_the_first_rows_of_each_layer_and_points_to_the_map(monkeypatch):
    from layers.views import whole_product

    monkeypatch.setattr(whole_product, "TABLE_LIMIT", 3)
    made = _make(LARGER)
    product = Product.objects.filter(organization=made.org).order_by("pk").first()
    response = made.clients["leader"].get(made.url("product-detail", product=product.slug))
    html = response.content.decode()
    assert html.count(f'<tr id="wp-{product.slug}-') == 4 * 3
    assert html.count(f'more contributors: <a href="{made.url("product-map", product=product.slug)}">') == 4
    assert len(response.context["feedback_loops"]) <= 3


def test_my_role_names_a_few_functions_beside_mine_and_counts_the_rest(monkeypatch):
    monkeypatch.setattr(me_selectors, "SHARED_SHOWN", 2)
    made = _make(LARGER)
    html = made.clients["stakeholder"].get(made.url("me")).content.decode()
    assert "and " in html and " more</span>" in html


def test_the_totals_of_several_open_campaigns_are_read_at_once_and_equal_their_progress():
    made = _make(LARGER)
    first = made.campaign()
    products = list(Product.objects.filter(organization=made.org).exclude(pk=first.product_id).order_by("pk"))
    chosen = ReviewCampaign.objects.create(
        organization=made.org, product=products[0], name="Some functions", deadline=first.deadline
    )
    chosen.functions.set(Function.objects.filter(organization=made.org, assignments__product=products[0])[:4])
    everything = ReviewCampaign.objects.create(
        organization=made.org, product=products[1], name="Every function", deadline=first.deadline
    )
    opened = [first, chosen, everything]
    now = timezone.now()
    with CaptureQueriesContext(connection) as read:
        totals = campaigns.campaign_totals_of(opened)
    assert len(read.captured_queries) == 3
    for campaign in opened:
        assert totals[campaign.pk] == campaigns.campaign_progress(campaign, now=now).totals
    assert all(totals[campaign.pk].pairs > 0 for campaign in opened)


def test_the_counted_campaign_totals_equal_the_campaign_progress():
    made = _make(LARGER)
    campaign = made.campaign()
    now = timezone.now()
    assert campaigns.campaign_totals(campaign, now=now) == campaigns.campaign_progress(campaign, now=now).totals
    campaign.functions.set(Function.objects.filter(organization=made.org, assignments__product=campaign.product)[:3])
    totals = campaigns.campaign_totals(campaign, now=now)
    assert totals == campaigns.campaign_progress(campaign, now=now).totals and totals.pairs > 0


# --- statements PostgreSQL can plan quickly -------------------------------------------------------------


def _joins_of_review_reads(client: Client, url: str) -> list[int]:
    """How many tables each statement reading reviews joins, on one drawn request of `url`."""
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    reads = [q["sql"] for q in captured.captured_queries if q["sql"].startswith('SELECT "layers_review"."id"')]
    assert reads, f"{url} read no review"
    return [sql.count(" JOIN ") + 1 for sql in reads]


def test_the_inbox_and_the_api_read_reviews_joining_four_tables_at_most():
    """Planning grows steeply with the tables a statement joins (PostgreSQL 15, 5,000 functions:
    0.3, 0.6, 1.1, 1.7 and 5 ms for two to six tables, for under 1 ms of work): the inbox's
    recently resolved cards and the API's page of reviews read their product, layers and who
    resolved apart, and still name them."""
    made = _make(SMALL)
    leader = made.clients["leader"]
    resolved = Review.objects.filter(organization=made.org, verdict="disagree").order_by("pk").first()
    leader_user = get_user_model().objects.get(username=made.logins["leader"])
    Review.objects.filter(pk=resolved.pk).update(resolved_at=timezone.now(), resolution="kept", resolved_by=leader_user)
    inbox = made.url("review-inbox")
    assert max(_joins_of_review_reads(leader, inbox)) <= 4
    card = leader.get(inbox).context["resolved"][0]
    assert card.pk == resolved.pk
    with CaptureQueriesContext(connection) as captured:
        named = (card.assignment.product.name, card.assignment.layer.name, card.resolved_by.email)
        named += (card.assignment.function.name, card.stakeholder.full_name)
    assert not captured.captured_queries and named[2] == leader_user.email
    assert named[0] == Product.objects.get(pk=card.assignment.product_id).name
    api = f"/api/v1/orgs/{made.org.slug}/reviews/"
    assert max(_joins_of_review_reads(leader, api)) <= 4
    first = leader.get(api).json()["results"][0]
    review = Review.objects.select_related("assignment__product", "assignment__layer").get(pk=first["id"])
    assert (first["product"], first["layer"]) == (review.assignment.product.slug, review.assignment.layer.key)
