"""Reviews and disputes (issue 4): submitting, the inbox, resolving, states, and who sees what."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from domain.review_state import PairStatus
from layers.models import Assignment, Review
from layers.readmodel.oracle import rebuild_everything
from layers.selectors import campaigns, me
from layers.selectors import reviews as selectors
from layers.services import reviews as services
from roles.models import Disruption
from roles.permissions import org_context
from tests.conftest import client_for
from tests.factories import (
    AssignmentFactory,
    FunctionFactory,
    ProductFactory,
    StakeholderFactory,
    layer,
)
from tests.layers.reviews.conftest import dispute
from tests.layers.reviews.test_review_access import _client
from wholeproduct.errors import DomainError, Forbidden, NotFound

pytestmark = pytest.mark.django_db


# --- submitting ---------------------------------------------------------------------------------


def test_a_stakeholder_agrees_from_their_page(stakeholder_client, world):
    pk = world["augmented"].pk
    response = stakeholder_client.post(f"/o/acme/me/assignments/{pk}/review/", {f"a{pk}-verdict": "agree"})
    assert response.status_code == 302 and response.url == f"/o/acme/me/#assignment-{pk}"
    review = Review.objects.get()
    assert (review.stakeholder, review.verdict, review.suggested_layer) == (world["casey"], "agree", None)


def test_a_disagreement_keeps_its_comment_and_suggestion(stakeholder_client, world):
    pk = world["augmented"].pk
    data = {
        f"a{pk}-verdict": "disagree",
        f"a{pk}-comment": "  Support leads it.  ",
        f"a{pk}-suggested_layer": layer("core").pk,
    }
    stakeholder_client.post(f"/o/acme/me/assignments/{pk}/review/", data)
    review = Review.objects.get()
    assert (review.verdict, review.comment, review.suggested_layer.key) == ("disagree", "Support leads it.", "core")
    assert review.is_open


def test_htmx_gets_the_card_back(stakeholder_client, world):
    pk = world["augmented"].pk
    response = stakeholder_client.post(
        f"/o/acme/me/assignments/{pk}/review/", {f"a{pk}-verdict": "agree"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith("<article")
    assert "Thanks: your agreement is recorded." in html and "✓ Reviewed" in html
    # The page's counters come along out of band, so they agree with the card.
    assert 'id="me-banners" hx-swap-oob="true"' in html and "Your reviews are up to date." in html
    assert f'id="product-status-{world["product"].pk}" hx-swap-oob="true"' in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"verdict": "disagree", "comment": "   "}, "Say why you disagree"),
        ({"verdict": "maybe"}, "Select a valid choice"),
        ({}, "Choose whether you agree."),
        ({"verdict": "disagree", "comment": "x", "suggested_layer": "augmented"}, "Select a valid choice"),
        ({"verdict": "disagree", "comment": "x" * 2001}, "at most 2000 characters"),
    ],
)
def test_bad_review_input_is_explained_and_writes_nothing(stakeholder_client, world, data, message):
    pk = world["augmented"].pk
    if data.get("suggested_layer") == "augmented":
        data["suggested_layer"] = layer("augmented").pk  # the layer it is already on
    payload = {f"a{pk}-{key}": value for key, value in data.items()}
    response = stakeholder_client.post(f"/o/acme/me/assignments/{pk}/review/", payload)
    assert response.status_code == 400
    assert message in response.content.decode()
    htmx = stakeholder_client.post(f"/o/acme/me/assignments/{pk}/review/", payload, HTTP_HX_REQUEST="true")
    assert htmx.status_code == 200 and message in htmx.content.decode()
    assert Review.objects.count() == 0


def test_the_service_refuses_what_the_form_cannot_send(world):
    with pytest.raises(NotFound):
        services.review_submit(assignment=world["core"], stakeholder=world["casey"], verdict="agree")
    with pytest.raises(DomainError, match="already on the Augmented product"):
        dispute(world, suggested="augmented")
    with pytest.raises(DomainError, match="Choose agree or disagree"):
        services.review_submit(assignment=world["augmented"], stakeholder=world["casey"], verdict="meh")
    agreed = services.review_submit(
        assignment=world["augmented"], stakeholder=world["casey"], verdict="agree", suggested_layer="core"
    )
    assert agreed.suggested_layer is None  # a suggestion goes with a disagreement only
    assert Review.objects.count() == 1


@pytest.mark.parametrize(("who", "status"), [("anonymous", 302), ("outsider", 404), ("other_function", 404)])
def test_nobody_reviews_someone_elses_part(request, world, who, status):
    if who == "anonymous":
        client = Client()
    elif who == "outsider":
        client = client_for(request.getfixturevalue("outsider"))
    else:
        client = client_for(world["eve_user"])
    pk = world["augmented"].pk
    response = client.post(f"/o/acme/me/assignments/{pk}/review/", {f"a{pk}-verdict": "agree"})
    assert response.status_code == status
    assert Review.objects.count() == 0


def test_a_leader_without_a_record_cannot_review(leader_client, world):
    pk = world["augmented"].pk
    response = leader_client.post(f"/o/acme/me/assignments/{pk}/review/", {f"a{pk}-verdict": "agree"})
    assert response.status_code == 404
    assert Review.objects.count() == 0


# --- states on hand-built cases -----------------------------------------------------------------


def my_state(world, user, assignment):
    ctx = org_context(user, "acme")
    role = me.my_role(ctx)
    return next(i.state for p in role.products for i in p.assignments if i.assignment.pk == assignment.pk)


def test_re_review_after_an_assignment_change(world, stakeholder_user, leader):
    from layers.services.assignments import assignment_set

    a = world["augmented"]
    assert my_state(world, stakeholder_user, a).state == PairStatus.PENDING
    services.review_submit(assignment=a, stakeholder=world["casey"], verdict="agree")
    assert my_state(world, stakeholder_user, a).state == PairStatus.CURRENT
    assignment_set(
        product=a.product, function=a.function, layer=a.layer, emphasis="lead", contribution="New.", by=leader
    )
    state = my_state(world, stakeholder_user, a)
    assert state.state == PairStatus.STALE and "the assignment changed" in state.reason
    services.review_submit(assignment=a, stakeholder=world["casey"], verdict="agree")
    assert my_state(world, stakeholder_user, a).state == PairStatus.CURRENT


def test_after_a_resolution_that_keeps_it_the_review_stays_current_and_closed(world, stakeholder_user, leader):
    review = dispute(world)
    state = my_state(world, stakeholder_user, world["augmented"])
    assert state.state == PairStatus.CURRENT and state.is_open
    services.dispute_keep(review=review, note="It stays.", by=leader)
    state = my_state(world, stakeholder_user, world["augmented"])
    assert state.state == PairStatus.CURRENT and not state.is_open
    assert "a leader kept the assignment on" in state.reason


def test_after_a_resolution_that_changes_it_the_review_is_stale_and_closed(world, stakeholder_user, leader):
    review = dispute(world)
    a = world["augmented"]
    services.dispute_change(
        review=review, emphasis="contributor", contribution="Trains.", by=leader, expected_version=a.version
    )
    state = my_state(world, stakeholder_user, a)
    assert state.state == PairStatus.STALE and not state.is_open
    assert "so it needs re-confirming" in state.reason
    # Dana had agreed before the change: she is asked again too.
    assert campaigns.function_progress(world["product"].organization)[0].tally.to_review >= 2


def test_after_a_disruption_the_pair_is_stale_until_re_reviewed(world, stakeholder_user, org, cs_function):
    a = world["augmented"]
    services.review_submit(assignment=a, stakeholder=world["casey"], verdict="agree")
    disruption = Disruption.objects.create(
        organization=org, kind="reorg", title="Reorg", occurred_on=timezone.localdate(), effective_at=timezone.now()
    )
    disruption.functions.add(cs_function)
    rebuild_everything()  # a raw row, behind the services that keep the read model
    assert my_state(world, stakeholder_user, a).state == PairStatus.STALE
    services.review_submit(assignment=a, stakeholder=world["casey"], verdict="agree")
    assert my_state(world, stakeholder_user, a).state == PairStatus.CURRENT


def test_a_planned_disruption_does_not_count_yet(world, stakeholder_user, org, cs_function):
    a = world["augmented"]
    services.review_submit(assignment=a, stakeholder=world["casey"], verdict="agree")
    later = timezone.now() + timedelta(days=10)
    Disruption.objects.create(
        organization=org, kind="reorg", title="Planned", occurred_on=later.date(), effective_at=later
    ).functions.add(cs_function)
    assert my_state(world, stakeholder_user, a).state == PairStatus.CURRENT


# --- the inbox ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"), [("anonymous", 302), ("outsider", 404), ("stakeholder", 403), ("leader", 200), ("admin", 200)]
)
def test_who_may_open_the_inbox(request, world, who, status):
    client = _client(request, who)
    assert client.get("/o/acme/reviews/").status_code == status


def test_the_inbox_lists_open_disputes_with_comment_and_suggestion(leader_client, world):
    dispute(world, suggested="core")
    html = leader_client.get("/o/acme/reviews/").content.decode()
    assert "Casey Success" in html and "Support leads onboarding, not us." in html
    assert "suggests" in html and "Core product" in html
    assert 'href="/o/acme/reviews/' in html and "/resolve/" in html


def test_a_withdrawn_dispute_leaves_the_inbox(leader_client, world):
    dispute(world)
    services.review_submit(assignment=world["augmented"], stakeholder=world["casey"], verdict="agree")
    assert selectors.open_disputes(world["product"].organization) == []
    assert "Support leads onboarding" not in leader_client.get("/o/acme/reviews/").content.decode()


def test_per_function_progress_counts_reviewed_pending_disputed_and_stale(world, org, cs_function):
    a = world["augmented"]
    # Casey disputes (current); Dana agreed before a disruption (stale); Eve's core pair is pending.
    dispute(world)
    Review.objects.create(assignment=a, stakeholder=world["dana"], verdict="agree")
    Review.objects.filter(stakeholder=world["dana"]).update(created_at=timezone.now() - timedelta(days=2))
    Disruption.objects.create(
        organization=org,
        kind="reorg",
        title="Reorg",
        occurred_on=timezone.localdate(),
        effective_at=timezone.now() - timedelta(days=1),
    ).functions.add(cs_function)
    rebuild_everything()  # raw rows above, behind the services that keep the read model
    rows = {row.function.name: row for row in campaigns.function_progress(org)}
    cs, eng = rows["Customer Success"], rows["Engineering"]
    assert (cs.people, cs.tally.pairs, cs.tally.current, cs.tally.stale, cs.tally.pending, cs.tally.open) == (
        2,
        2,
        1,
        1,
        0,
        1,
    )
    assert (cs.tally.disagreed, cs.tally.agreed) == (1, 0)
    assert (eng.people, eng.tally.pairs, eng.tally.pending, eng.tally.current) == (1, 1, 1, 0)


def test_the_inbox_can_be_narrowed_to_one_product(leader_client, world, org, cs_function):
    other = ProductFactory(organization=org, name="Other Product", slug="other")
    AssignmentFactory(product=other, function=cs_function, layer=layer("potential"))
    dispute(world)
    html = leader_client.get("/o/acme/reviews/?product=other").content.decode()
    assert "Support leads onboarding" not in html and "No open disputes" in html


@pytest.mark.usefixtures("drawn")  # counts what the view itself does
def test_the_inbox_runs_the_same_queries_for_a_small_or_large_organization(
    leader_client, world, org, cs_function, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    dispute(world)
    with CaptureQueriesContext(connection) as small:
        leader_client.get("/o/acme/reviews/")
    for n in range(3):
        product = ProductFactory(organization=org, slug=f"p{n}")
        function = FunctionFactory(organization=org, name=f"Team {n}")
        a = AssignmentFactory(product=product, function=function, layer=layer("core"))
        for i in range(3):
            person = StakeholderFactory(function=function, email=f"t{n}-{i}@acme.test")
            services.review_submit(assignment=a, stakeholder=person, verdict="disagree", comment="No.")
    with django_assert_num_queries(len(small.captured_queries)):
        response = leader_client.get("/o/acme/reviews/")
    assert response.content.decode().count('class="card dispute"') == 10


# --- resolving ----------------------------------------------------------------------------------


def test_a_leader_keeps_the_assignment_with_a_note_the_stakeholder_reads(
    leader_client, stakeholder_client, world, eager_tasks, django_capture_on_commit_callbacks
):
    review = dispute(world)
    with django_capture_on_commit_callbacks(execute=True):
        response = leader_client.post(
            f"/o/acme/reviews/{review.pk}/resolve/", {"action": "keep", "keep-note": "CS owns onboarding this year."}
        )
    assert response.status_code == 302 and response.url == "/o/acme/reviews/"
    review.refresh_from_db()
    assert (review.resolution, review.resolution_note) == ("kept", "CS owns onboarding this year.")
    assert review.resolved_by.email == "leader@acme.test" and review.resolved_at is not None
    assert "CS owns onboarding this year." in stakeholder_client.get("/o/acme/me/").content.decode()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["cs@acme.test"]
    assert "kept" in mail.outbox[0].subject and "CS owns onboarding this year." in mail.outbox[0].body


def test_keeping_needs_a_note(leader_client, world):
    review = dispute(world)
    response = leader_client.post(f"/o/acme/reviews/{review.pk}/resolve/", {"action": "keep", "keep-note": "  "})
    assert response.status_code == 400
    assert "Tell them why the assignment stays" in response.content.decode()
    review.refresh_from_db()
    assert review.resolved_at is None


def test_a_leader_changes_the_assignment_which_makes_old_reviews_stale(leader_client, world):
    a = world["augmented"]
    services.review_submit(assignment=a, stakeholder=world["dana"], verdict="agree")
    review = dispute(world, suggested="core")
    data = {
        "action": "change",
        "change-emphasis": "contributor",
        "change-contribution": "Trains customers after onboarding.",
        "change-version": a.version,
        "change-add_suggested_layer": "on",
    }
    response = leader_client.post(f"/o/acme/reviews/{review.pk}/resolve/", data)
    assert response.status_code == 302
    a.refresh_from_db()
    assert (a.emphasis, a.contribution, a.version) == ("contributor", "Trains customers after onboarding.", 2)
    assert Assignment.objects.filter(product=a.product, function=a.function, layer__key="core").exists()
    review.refresh_from_db()
    assert review.resolution == "changed" and "now contributor on the Augmented product" in review.resolution_note
    assert "was added to the Core product" in review.resolution_note
    organization = world["product"].organization
    rows = {row.function.name: row for row in campaigns.function_progress(organization)}
    assert rows["Customer Success"].tally.current == 0  # Dana's agreement is stale now


def test_a_stale_version_is_a_conflict_and_writes_nothing(leader_client, world, leader):
    from layers.services.assignments import assignment_set

    a = world["augmented"]
    review = dispute(world)
    assignment_set(
        product=a.product, function=a.function, layer=a.layer, emphasis="lead", contribution="Other.", by=leader
    )
    data = {"action": "change", "change-emphasis": "contributor", "change-contribution": "Mine.", "change-version": 1}
    response = leader_client.post(f"/o/acme/reviews/{review.pk}/resolve/", data)
    assert response.status_code == 400
    assert "after you loaded it" in response.content.decode()
    a.refresh_from_db()
    assert (a.contribution, a.version) == ("Other.", 2)
    review.refresh_from_db()
    assert review.resolved_at is None


def test_a_change_that_changes_nothing_is_refused(leader_client, world):
    a = world["augmented"]
    review = dispute(world)
    data = {
        "action": "change",
        "change-emphasis": "lead",
        "change-contribution": "Onboards.",
        "change-version": a.version,
    }
    response = leader_client.post(f"/o/acme/reviews/{review.pk}/resolve/", data)
    assert response.status_code == 400 and "Nothing changed" in response.content.decode()
    review.refresh_from_db()
    a.refresh_from_db()
    assert review.resolved_at is None and a.version == 1


def test_a_leader_cannot_resolve_a_dispute_they_wrote(org, world, leader):
    # The leader is also a person of Customer Success.
    person = StakeholderFactory(function=world["augmented"].function, email="leader@acme.test", user=leader)
    review = services.review_submit(assignment=world["augmented"], stakeholder=person, verdict="disagree", comment="Hm")
    client = client_for(leader)
    assert "You raised this dispute yourself" in client.get(f"/o/acme/reviews/{review.pk}/resolve/").content.decode()
    response = client.post(f"/o/acme/reviews/{review.pk}/resolve/", {"action": "keep", "keep-note": "Mine, kept."})
    assert response.status_code == 403
    review.refresh_from_db()
    assert review.resolved_at is None
    with pytest.raises(Forbidden):
        services.dispute_keep(review=review, note="x", by=leader)


@pytest.mark.parametrize(("who", "status"), [("anonymous", 302), ("outsider", 404), ("stakeholder", 403)])
def test_who_may_not_resolve(request, world, who, status):
    review = dispute(world)
    response = _client(request, who).post(f"/o/acme/reviews/{review.pk}/resolve/", {"action": "keep", "keep-note": "x"})
    assert response.status_code == status
    review.refresh_from_db()
    assert review.resolved_at is None


def test_an_admin_may_resolve(admin_client_, world):
    review = dispute(world)
    admin_client_.post(f"/o/acme/reviews/{review.pk}/resolve/", {"action": "keep", "keep-note": "Stays."})
    review.refresh_from_db()
    assert review.resolution == "kept"


def test_a_resolved_dispute_cannot_be_resolved_twice(leader_client, world, leader):
    review = dispute(world)
    services.dispute_keep(review=review, note="First.", by=leader)
    html = leader_client.get(f"/o/acme/reviews/{review.pk}/resolve/").content.decode()
    assert "This dispute is no longer open" in html
    response = leader_client.post(f"/o/acme/reviews/{review.pk}/resolve/", {"action": "keep", "keep-note": "Second."})
    assert response.status_code == 400 and "This dispute is no longer open" in response.content.decode()
    review.refresh_from_db()
    assert review.resolution_note == "First."


# --- who sees which review ----------------------------------------------------------------------
