"""The "my role" page (issue 4): a stakeholder's own function, its layers, why, and their review."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from layers.models import Assignment, Layer, Review
from layers.readmodel.oracle import rebuild_everything
from layers.services import reviews as review_services
from roles.models import Disruption, Function, Membership
from tests.conftest import client_for
from tests.factories import (
    AssignmentFactory,
    FunctionFactory,
    MembershipFactory,
    ProductFactory,
    StakeholderFactory,
    UserFactory,
    layer,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org, cs_function, stakeholder_user, insights, engineering):
    product, eng = insights, engineering
    eve = UserFactory(email="eve@acme.test")
    MembershipFactory(user=eve, organization=org, access=Membership.Access.STAKEHOLDER)
    StakeholderFactory(function=eng, full_name="Eve Engineer", email="eve@acme.test", user=eve)
    augmented = AssignmentFactory(
        product=product,
        function=cs_function,
        layer=layer("augmented"),
        emphasis=Assignment.Emphasis.LEAD,
        contribution="Onboards and trains every customer.",
    )
    expected = AssignmentFactory(product=product, function=cs_function, layer=layer("expected"), contribution="")
    core = AssignmentFactory(
        product=product, function=eng, layer=layer("core"), emphasis="lead", contribution="Builds a reliable engine."
    )
    sales = FunctionFactory(organization=org, name="Sales", category=Function.Category.CUSTOMER_FACING)
    AssignmentFactory(product=product, function=sales, layer=layer("augmented"), contribution="Shows the value.")
    return {"product": product, "augmented": augmented, "expected": expected, "core": core, "eve": eve, "eng": eng}


@pytest.mark.parametrize(("who", "status"), [("anonymous", 302), ("outsider", 404)])
def test_anonymous_and_outsiders_do_not_get_in(request, world, who, status):
    client = Client() if who == "anonymous" else client_for(request.getfixturevalue("outsider"))
    response = client.get("/o/acme/me/")
    assert response.status_code == status


def test_a_stakeholder_sees_their_functions_assignments_with_why_and_who_else(stakeholder_client, world):
    html = stakeholder_client.get("/o/acme/me/").content.decode()
    assert "Casey Success" in html and "Insights Cloud" in html
    assert f'id="assignment-{world["augmented"].pk}"' in html
    assert f'id="assignment-{world["expected"].pk}"' in html
    assert f'id="assignment-{world["core"].pk}"' not in html  # another function's assignment
    assert "Onboards and trains every customer." in html
    # The playbook's reason for Customer Success on the augmented layer (000_…).
    assert "Customer Success" in html and "Why you are here" in html
    assert "Shared with" in html and "Sales" in html
    assert "Not reviewed yet." in html
    assert 'class="wp-rings"' in html and "is-highlighted" in html  # the picture, their function outlined
    assert "2 need your review" in html


def test_the_why_comes_from_the_playbook_rule_for_that_layer(stakeholder_client, world):
    from domain.matching import match

    rule = next(r for r in match("Customer Success").rules if r.layer == "augmented")
    html = stakeholder_client.get("/o/acme/me/").content.decode()
    assert rule.reason.replace("'", "&#x27;")[:80] in html


def test_the_page_says_plainly_when_a_review_needs_re_confirming(stakeholder_client, world, stakeholder_user):
    casey = stakeholder_user.stakeholders.get()
    review_services.review_submit(assignment=world["augmented"], stakeholder=casey, verdict="agree")
    assert "You agreed on" in stakeholder_client.get("/o/acme/me/").content.decode()
    Assignment.objects.filter(pk=world["augmented"].pk).update(changed_at=timezone.now() + timedelta(seconds=1))
    rebuild_everything()  # a raw change, behind the services that keep the read model
    html = stakeholder_client.get("/o/acme/me/").content.decode()
    assert "the assignment changed on" in html and "so it needs re-confirming" in html
    assert "Re-confirm" in html


def test_a_disruption_asks_again(stakeholder_client, world, org, stakeholder_user, cs_function):
    casey = stakeholder_user.stakeholders.get()
    review_services.review_submit(assignment=world["augmented"], stakeholder=casey, verdict="agree")
    disruption = Disruption.objects.create(
        organization=org, kind="reorg", title="Reorg", occurred_on=timezone.localdate(), effective_at=timezone.now()
    )
    disruption.functions.add(cs_function)
    rebuild_everything()  # a raw row, behind the services that keep the read model
    html = stakeholder_client.get("/o/acme/me/").content.decode()
    assert "a disruption touched the function on" in html


def test_the_resolution_note_is_shown_to_the_stakeholder(stakeholder_client, world, stakeholder_user, leader):
    casey = stakeholder_user.stakeholders.get()
    review = review_services.review_submit(
        assignment=world["augmented"], stakeholder=casey, verdict="disagree", comment="Support leads onboarding here."
    )
    review_services.dispute_keep(review=review, note="Onboarding stays with CS this year.", by=leader)
    html = stakeholder_client.get("/o/acme/me/").content.decode()
    assert "A leader kept the assignment" in html
    assert "Onboarding stays with CS this year." in html
    assert "Support leads onboarding here." in html  # their own comment


def test_they_never_see_another_persons_comment(stakeholder_client, world, cs_function):
    dana = StakeholderFactory(function=cs_function, full_name="Dana Other")
    review_services.review_submit(
        assignment=world["augmented"], stakeholder=dana, verdict="disagree", comment="A secret complaint."
    )
    html = stakeholder_client.get("/o/acme/me/").content.decode()
    assert "A secret complaint." not in html
    assert "Not reviewed yet." in html  # Dana's review is not Casey's


def test_a_leader_without_a_person_record_gets_an_explanation(leader_client, world):
    html = leader_client.get("/o/acme/me/").content.decode()
    assert "You are not linked to a person of Acme Analytics" in html
    assert "Add yourself on the" in html
    assert 'href="/o/acme/me/"' not in leader_client.get("/o/acme/").content.decode()  # no "My role" in the nav


def test_an_admin_with_an_unlinked_record_is_offered_the_invite(admin_client_, world, cs_function):
    StakeholderFactory(function=cs_function, full_name="Ada Admin", email="Admin@acme.test")
    html = admin_client_.get("/o/acme/me/").content.decode()
    assert "Ada Admin" in html and "Send me the invite" in html


def test_a_leader_with_an_unlinked_record_is_told_to_ask_an_admin(leader_client, world, cs_function):
    """Invites are an admin's to send (DESIGN §5)."""
    StakeholderFactory(function=cs_function, full_name="Lee Leader", email="Leader@acme.test")
    html = leader_client.get("/o/acme/me/").content.decode()
    assert "Lee Leader" in html and "Ask an admin of Acme Analytics to send you its invite" in html
    assert "Send me the invite" not in html


def test_the_nav_shows_my_role_to_a_linked_stakeholder(stakeholder_client, world):
    assert 'href="/o/acme/me/"' in stakeholder_client.get("/o/acme/").content.decode()


def test_a_stakeholder_whose_function_is_not_mapped_sees_an_empty_state(org, world):
    user = UserFactory(email="hr@acme.test")
    MembershipFactory(user=user, organization=org, access=Membership.Access.STAKEHOLDER)
    StakeholderFactory(function=FunctionFactory(organization=org, name="HR"), email="hr@acme.test", user=user)
    html = client_for(user).get("/o/acme/me/").content.decode()
    assert "Nothing to review yet" in html


def test_an_open_campaign_is_announced(stakeholder_client, world, leader):
    from layers.services import campaigns

    campaigns.campaign_start(product=world["product"], deadline=timezone.now() + timedelta(days=5), by=leader)
    assert "Review requested by" in stakeholder_client.get("/o/acme/me/").content.decode()


@pytest.mark.usefixtures("drawn")  # counts what the view itself does
def test_the_page_runs_the_same_queries_for_one_or_many_products(
    stakeholder_client, world, org, cs_function, stakeholder_user, django_assert_num_queries
):
    casey = stakeholder_user.stakeholders.get()
    review_services.review_submit(assignment=world["augmented"], stakeholder=casey, verdict="agree")
    stakeholder_client.get("/o/acme/me/")
    with CaptureQueriesContext(connection) as small:
        stakeholder_client.get("/o/acme/me/")
    for n in range(4):
        product = ProductFactory(organization=org, slug=f"more-{n}")
        for key in ("core", "augmented", "potential"):
            a = AssignmentFactory(product=product, function=cs_function, layer=layer(key))
            review_services.review_submit(assignment=a, stakeholder=casey, verdict="disagree", comment="No.")
            AssignmentFactory(product=product, layer=layer(key))
        StakeholderFactory(function=cs_function)
        Disruption.objects.create(
            organization=org, kind="other", title="x", occurred_on=timezone.localdate(), effective_at=timezone.now()
        ).functions.add(cs_function)
    with django_assert_num_queries(len(small.captured_queries)):
        response = stakeholder_client.get("/o/acme/me/")
    assert response.content.decode().count('class="me-card ') == 14


def test_reviews_are_only_of_the_stakeholders_latest_word(stakeholder_client, world, stakeholder_user):
    casey = stakeholder_user.stakeholders.get()
    review_services.review_submit(assignment=world["augmented"], stakeholder=casey, verdict="disagree", comment="No")
    review_services.review_submit(assignment=world["augmented"], stakeholder=casey, verdict="agree")
    assert Review.objects.filter(stakeholder=casey).count() == 2
    html = stakeholder_client.get("/o/acme/me/").content.decode()
    assert "You agreed on" in html


# --- pictures after the first load when scrolled to (issue 13 item 9) ----------------------------


def test_the_first_product_comes_with_its_picture_and_the_others_load_when_reached(
    stakeholder_client, world, org, cs_function
):
    later = ProductFactory(organization=org, name="Zeta Pipelines", slug="zeta")  # after Insights by name
    AssignmentFactory(product=later, function=cs_function, layer=layer("core"))
    AssignmentFactory(product=later, function=world["eng"], layer=layer("core"), emphasis="lead")

    html = stakeholder_client.get("/o/acme/me/").content.decode()
    assert html.count('class="wp-rings"') == 1  # Insights Cloud's, drawn with the page
    assert 'hx-get="/o/acme/me/picture/zeta/"' in html and 'hx-trigger="revealed"' in html
    assert 'href="/o/acme/p/zeta/">Open the whole product</a>' in html  # without JavaScript

    mine = Assignment.objects.get(product=later, function=cs_function)
    # Who shares the layer on a later product is named when its picture loads, not with the page.
    shared = re.search(rf'<dd id="shared-{mine.pk}">(.*?)</dd>', html, re.S)
    assert shared and "Named when the picture of Zeta Pipelines loads" in shared.group(1)
    assert 'href="/o/acme/p/zeta/">the whole product</a>' in shared.group(1)  # without JavaScript

    picture = stakeholder_client.get("/o/acme/me/picture/zeta/")
    assert picture.status_code == 200
    fragment = picture.content.decode()
    assert 'class="wp-rings"' in fragment and "is-highlighted" in fragment and "<html" not in fragment
    assert "Engineering" in fragment  # the others on the product are drawn too
    # ... and the picture brings the "shared with" list of each of their layers on it, by id.
    swapped = re.search(rf'<dd id="shared-{mine.pk}" hx-swap-oob="true">(.*?)</dd>', fragment, re.S)
    assert swapped and "★ Engineering" in swapped.group(1) and "Customer Success" not in swapped.group(1)


def test_the_first_products_shared_with_lists_come_with_the_page(stakeholder_client, world):
    html = stakeholder_client.get("/o/acme/me/").content.decode()
    shared = re.search(rf'<dd id="shared-{world["augmented"].pk}">(.*?)</dd>', html, re.S)
    assert shared and "Named when" not in shared.group(1) and 'class="chip' in shared.group(1)


def test_a_picture_of_a_product_that_is_not_theirs_is_not_found(stakeholder_client, world, org):
    ProductFactory(organization=org, name="Elsewhere", slug="elsewhere")  # nothing of Customer Success
    assert stakeholder_client.get("/o/acme/me/picture/elsewhere/").status_code == 404
    assert stakeholder_client.get("/o/acme/me/picture/no-such/").status_code == 404


def test_the_review_forms_drawn_once_per_layer_are_the_forms_django_draws(
    stakeholder_client, world, stakeholder_user, cs_function, org, settings, monkeypatch
):
    """The cards' blank review forms are drawn once per layer and legend and copied with each
    card's id (layers/views/me.py): the page is the same byte for byte as with every form drawn."""
    from layers.views import me as me_views

    settings.STATE_CACHE = False  # both pages drawn by the view
    casey = stakeholder_user.stakeholders.get()
    connect = ProductFactory(organization=org, name="Connect", slug="connect")
    for key in ("augmented", "core", "expected"):  # the same layers again, on a second product
        AssignmentFactory(product=connect, function=cs_function, layer=layer(key), contribution="")
    review_services.review_submit(assignment=world["augmented"], stakeholder=casey, verdict="agree")  # current
    Assignment.objects.filter(pk=world["augmented"].pk).update(changed_at=timezone.now() + timedelta(seconds=1))
    rebuild_everything()  # the review is stale now: a third legend

    def tokens_out(html: str) -> str:
        html = re.sub(r'"X-CSRFToken": "[^"]+"', '"X-CSRFToken": "-"', html)
        return re.sub(r'name="(csrfmiddlewaretoken|form_token)" value="[^"]+"', r'name="\1" value="-"', html)

    drawn = []
    real = me_views.render_to_string
    monkeypatch.setattr(me_views, "render_to_string", lambda *a, **k: drawn.append(a[0]) or real(*a, **k))
    monkeypatch.setattr(me_views, "_BLANK_FIELDS", {})  # none drawn yet in this process
    once = stakeholder_client.get("/o/acme/me/").content.decode()
    # Five cards, four (layer, legend) pairs: the expected layer's pending form is drawn once.
    assert drawn == ["layers/me_form_fields.html"] * 4
    # Drawn again, the page reuses the fields this process drew: they depend on the layers alone.
    assert tokens_out(stakeholder_client.get("/o/acme/me/").content.decode()) == tokens_out(once)
    assert drawn == ["layers/me_form_fields.html"] * 4

    def every_form_drawn(role):
        for product in role.products:
            for item in product.assignments:
                item.form = me_views.ReviewForm(assignment=item.assignment, layers=role.layers)

    real_attach = me_views._attach_forms
    monkeypatch.setattr(me_views, "_attach_forms", every_form_drawn)
    each = stakeholder_client.get("/o/acme/me/").content.decode()
    assert once.count('class="form me-form"') == 5
    assert "Is it still right?" in once and "Is this right?" in once
    assert tokens_out(once) == tokens_out(each)

    # A layer renamed is a new set of layers: the fields are drawn anew, with its new name.
    monkeypatch.setattr(me_views, "_attach_forms", real_attach)
    drawn.clear()
    Layer.objects.filter(key="potential").update(name="Potential offer")
    renamed = stakeholder_client.get("/o/acme/me/").content.decode()
    assert len(drawn) == 4 and ">Potential offer</option>" in renamed and ">Potential product</option>" not in renamed
