"""The map editor (issue 3 item 5): access, cell cycling with optimistic locking, contributions,
history, suggestions, filters, and a constant number of queries whatever the organization's size."""

from __future__ import annotations

import re

import pytest

from layers.models import Assignment, AssignmentChange, DismissedSuggestion
from layers.services.assignments import assignment_set
from tests.factories import (
    AssignmentFactory,
    FunctionFactory,
    ProductFactory,
    layer,
)
from tests.layers.map_editor.conftest import (
    APPLY,
    DISMISS,
    HTMX,
    MAP,
    cell_url,
    cells,
    post_cell,
)

# --- access: the page -------------------------------------------------------------------------


def test_it_sends_anonymous_visitors_to_login(client, insights):
    response = client.get(MAP)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_it_answers_404_to_outsiders(outsider_client, insights):
    assert outsider_client.get(MAP).status_code == 404


def test_it_answers_404_for_a_product_of_another_organization(leader_client, other_org):
    ProductFactory(organization=other_org, slug="globex-crm")
    assert leader_client.get("/o/acme/p/globex-crm/map/").status_code == 404


def test_a_stakeholder_views_their_products_map_read_only(stakeholder_client, own_product, pm):
    response = stakeholder_client.get(MAP)
    assert response.status_code == 200
    html = response.content.decode()
    assert "★ Lead" in html and "Product Management" in html
    assert "<form" not in html.split('id="map-body"')[1].split("</main>")[0].replace('id="map-filters"', "")
    assert "Playbook suggestions" not in html


def test_a_stakeholder_cannot_see_the_map_of_a_product_they_are_not_on(stakeholder_client, insights):
    assert stakeholder_client.get(MAP).status_code == 404


def test_a_leader_sees_the_matrix_and_the_suggestions(leader_client, insights, pm, engineering):
    response = leader_client.get(MAP)
    assert response.status_code == 200
    html = response.content.decode()
    headers = re.findall(r'<th scope="col" id="col-(\w+)"', html)
    assert headers == ["core", "expected", "augmented", "potential"]
    assert f'id="cell-{pm.pk}-core"' in html and f'id="cell-{engineering.pk}-potential"' in html
    assert "Playbook suggestions" in html and "Accept all" in html


def test_the_matrix_groups_functions_by_category(leader_client, insights, pm, cs_function):
    FunctionFactory(organization=insights.organization, name="CEO", category="leadership")
    html = leader_client.get(MAP).content.decode()
    groups = re.findall(r'scope="rowgroup"><span class="cat-dot cat-(\w+)"', html)
    assert groups == ["building", "customer_facing", "leadership"]


def test_the_page_only_answers_get(leader_client, insights):
    assert leader_client.post(MAP).status_code == 405


# --- access: endpoints ------------------------------------------------------------------------


@pytest.mark.parametrize("tail", ["", "contribution/", "history/"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_cell_endpoints_send_anonymous_visitors_to_login(client, insights, pm, tail, method):
    response = getattr(client, method)(cell_url(pm, "core", tail), {"emphasis": "lead", "version": "0"})
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert not Assignment.objects.exists()


@pytest.mark.parametrize("tail", ["", "contribution/", "history/"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_cell_endpoints_answer_404_to_outsiders(outsider_client, insights, pm, tail, method):
    response = getattr(outsider_client, method)(cell_url(pm, "core", tail), {"emphasis": "lead", "version": "0"})
    assert response.status_code == 404
    assert not Assignment.objects.exists()


@pytest.mark.parametrize("path", [APPLY, DISMISS])
def test_suggestion_endpoints_answer_404_to_outsiders(outsider_client, insights, pm, path):
    assert outsider_client.post(path, {"function": pm.pk, "layer": "core"}).status_code == 404
    assert not Assignment.objects.exists() and not DismissedSuggestion.objects.exists()


@pytest.mark.parametrize("path", [APPLY, DISMISS])
def test_suggestion_endpoints_send_anonymous_visitors_to_login(client, insights, path):
    response = client.post(path)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_a_stakeholder_may_not_change_a_cell(stakeholder_client, own_product, pm):
    response = stakeholder_client.post(cell_url(pm, "core"), {"emphasis": "lead", "version": "0"}, **HTMX)
    assert response.status_code == 403
    assert not Assignment.objects.filter(function=pm).exists()


def test_a_stakeholder_may_not_edit_a_contribution(stakeholder_client, own_product, cs_function):
    url = cell_url(cs_function, "augmented", "contribution/")
    assert stakeholder_client.get(url).status_code == 403
    response = stakeholder_client.post(url, {"contribution": "Mine now.", "version": "1"})
    assert response.status_code == 403
    own_product.refresh_from_db()
    assert own_product.contribution == "Builds the thing."


def test_a_stakeholder_may_not_apply_or_dismiss_suggestions(stakeholder_client, own_product, pm):
    assert stakeholder_client.post(APPLY).status_code == 403
    assert stakeholder_client.post(DISMISS, {"function": pm.pk, "layer": "core"}).status_code == 403
    assert cells(own_product.product) == {("Customer Success", "augmented", "lead")}
    assert not DismissedSuggestion.objects.exists()


def test_a_stakeholder_may_read_a_cell_and_its_history(stakeholder_client, own_product, cs_function):
    assert stakeholder_client.get(cell_url(cs_function, "augmented")).status_code == 200
    assert stakeholder_client.get(cell_url(cs_function, "augmented", "history/")).status_code == 200


@pytest.mark.parametrize("path", [APPLY, DISMISS])
def test_suggestion_endpoints_only_answer_post(leader_client, insights, path):
    assert leader_client.get(path).status_code == 405


def test_history_only_answers_get(leader_client, insights, pm):
    assert leader_client.post(cell_url(pm, "core", "history/")).status_code == 405


def test_a_function_of_another_organization_is_not_found(leader_client, insights, other_org):
    stranger = FunctionFactory(organization=other_org, name="Spies")
    response = leader_client.post(cell_url(stranger, "core"), {"emphasis": "lead", "version": "0"}, **HTMX)
    assert response.status_code == 404
    assert not Assignment.objects.exists()


def test_an_unknown_layer_is_not_found(leader_client, insights, pm):
    response = leader_client.post(cell_url(pm, "mantle"), {"emphasis": "lead", "version": "0"}, **HTMX)
    assert response.status_code == 404


# --- cycling a cell ---------------------------------------------------------------------------


def test_a_cell_cycles_none_contributor_lead_none(leader_client, leader, insights, pm):
    response = post_cell(leader_client, pm, "core", "contributor", 0)
    assert response.status_code == 200
    assert cells(insights) == {("Product Management", "core", "contributor")}
    html = response.content.decode()
    assert html.lstrip().startswith(f'<td id="cell-{pm.pk}-core"')  # only the cell is swapped
    assert 'name="version" value="1"' in html and 'value="lead"' in html

    response = post_cell(leader_client, pm, "core", "lead", 1)
    assert response.status_code == 200
    assert cells(insights) == {("Product Management", "core", "lead")}
    assert 'name="version" value="2"' in response.content.decode()

    response = post_cell(leader_client, pm, "core", "none", 2)
    assert response.status_code == 200
    assert cells(insights) == set()
    assert 'name="version" value="0"' in response.content.decode()
    actions = list(AssignmentChange.objects.order_by("at", "id").values_list("action", "by"))
    assert actions == [("created", leader.pk), ("updated", leader.pk), ("deleted", leader.pk)]


def test_a_new_lead_redraws_the_column_header_out_of_band(leader_client, insights, pm):
    html = post_cell(leader_client, pm, "core", "lead", 0).content.decode()
    header = re.search(r'<th scope="col" id="col-core"[^>]*hx-swap-oob="true">(.*?)</th>', html, re.S)
    assert header and "★ Product Management" in header.group(1)


def test_a_plain_browser_post_redirects_back_to_the_map_with_a_message(leader_client, insights, pm):
    response = leader_client.post(cell_url(pm, "core"), {"emphasis": "contributor", "version": "0"}, follow=True)
    assert response.redirect_chain[-1][0] == f"{MAP}#fn-{pm.pk}"
    assert "Product Management is now a contributor on the Core product." in response.content.decode()
    assert cells(insights) == {("Product Management", "core", "contributor")}


@pytest.mark.parametrize(
    "data",
    [
        {"emphasis": "boss", "version": "0"},
        {"emphasis": "lead", "version": "abc"},
        {"emphasis": "lead", "version": "-1"},
        {"emphasis": "lead"},
        {},
    ],
)
def test_bad_input_is_refused_in_the_cell_and_nothing_is_written(leader_client, insights, pm, data):
    response = leader_client.post(cell_url(pm, "core"), data, **HTMX)
    assert response.status_code == 400
    assert 'class="map-alert map-error" role="alert"' in response.content.decode()
    assert not Assignment.objects.exists() and not AssignmentChange.objects.exists()


def test_a_stale_version_is_a_conflict_that_shows_who_and_what_and_writes_nothing(
    leader_client, leader, colleague, insights, pm
):
    mine = AssignmentFactory(product=insights, function=pm, layer=layer("core"), emphasis="contributor")
    seen = mine.version  # what our leader's page was drawn with
    assignment_set(product=insights, function=pm, layer="core", emphasis="lead", by=colleague, expected_version=seen)

    response = post_cell(leader_client, pm, "core", "none", seen)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Lee Leader changed this cell" in html and "contributor → lead" in html
    assert "Your change was not saved" in html
    assert "★ Lead" in html and f'name="version" value="{seen + 1}"' in html  # the cell as it is now
    assert cells(insights) == {("Product Management", "core", "lead")}
    assert not AssignmentChange.objects.filter(by=leader).exists()


def test_creating_a_cell_someone_else_just_filled_is_a_conflict(leader_client, colleague, insights, pm):
    assignment_set(product=insights, function=pm, layer="core", emphasis="contributor", by=colleague)
    response = post_cell(leader_client, pm, "core", "contributor", 0)  # our page saw an empty cell
    assert response.status_code == 409
    assert "Lee Leader changed this cell just now: added as contributor." in response.content.decode()
    assert Assignment.objects.get(function=pm).changed_by == colleague


def test_a_plain_browser_conflict_redirects_with_the_reason(leader_client, colleague, insights, pm):
    assignment_set(product=insights, function=pm, layer="core", emphasis="contributor", by=colleague)
    response = leader_client.post(cell_url(pm, "core"), {"emphasis": "lead", "version": "0"}, follow=True)
    assert "Lee Leader changed this cell" in response.content.decode()
    assert cells(insights) == {("Product Management", "core", "contributor")}


def test_a_second_lead_is_refused_in_the_cell_and_nothing_is_written(leader_client, insights, pm, engineering):
    AssignmentFactory(product=insights, function=pm, layer=layer("core"), emphasis="lead")
    eng = AssignmentFactory(product=insights, function=engineering, layer=layer("core"), emphasis="contributor")
    response = post_cell(leader_client, engineering, "core", "lead", eng.version)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Product Management already leads the Core product layer of Insights Cloud" in html
    assert "Contributor" in html  # the cell as it still is
    assert cells(insights) == {("Product Management", "core", "lead"), ("Engineering", "core", "contributor")}
    assert not AssignmentChange.objects.exists()


def test_a_cell_can_be_drawn_on_its_own(leader_client, insights, pm):
    response = leader_client.get(cell_url(pm, "core"))
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith(f'<td id="cell-{pm.pk}-core"')


# --- contributions ----------------------------------------------------------------------------


def test_the_contribution_form_opens_in_the_cell(leader_client, pm_core, pm):
    response = leader_client.get(cell_url(pm, "core", "contribution/"), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<textarea" in html and "Old." in html and f'value="{pm_core.version}"' in html


def test_saving_a_contribution_changes_only_the_sentence(leader_client, leader, pm_core, pm):
    url = cell_url(pm, "core", "contribution/")
    response = leader_client.post(url, {"contribution": "  Owns the roadmap.  ", "version": pm_core.version}, **HTMX)
    assert response.status_code == 200
    pm_core.refresh_from_db()
    assert (pm_core.contribution, pm_core.emphasis, pm_core.version) == ("Owns the roadmap.", "lead", 2)
    assert "Owns the roadmap." in response.content.decode()
    change = AssignmentChange.objects.get()
    assert change.by == leader and change.before["contribution"] == "Old."


def test_a_too_long_contribution_is_refused_with_a_message_and_nothing_written(leader_client, pm_core, pm):
    url = cell_url(pm, "core", "contribution/")
    response = leader_client.post(url, {"contribution": "x" * 501, "version": pm_core.version}, **HTMX)
    assert response.status_code == 400
    assert "at most 500 characters" in response.content.decode()
    pm_core.refresh_from_db()
    assert pm_core.contribution == "Old." and pm_core.version == 1


def test_a_stale_contribution_is_a_conflict(leader_client, colleague, pm_core, pm, insights):
    assignment_set(product=insights, function=pm, layer="core", emphasis="lead", contribution="Theirs.", by=colleague)
    url = cell_url(pm, "core", "contribution/")
    response = leader_client.post(url, {"contribution": "Mine.", "version": "1"}, **HTMX)
    assert response.status_code == 409
    assert "Lee Leader changed this cell just now: contribution edited." in response.content.decode()
    pm_core.refresh_from_db()
    assert pm_core.contribution == "Theirs."


def test_a_contribution_for_a_cell_removed_meanwhile_is_a_conflict(leader_client, colleague, pm_core, pm, insights):
    from layers.services.assignments import assignment_clear

    assignment_clear(product=insights, function=pm, layer="core", by=colleague)
    url = cell_url(pm, "core", "contribution/")
    response = leader_client.post(url, {"contribution": "Mine.", "version": "1"}, **HTMX)
    assert response.status_code == 409
    assert "removed (was lead)" in response.content.decode()
    assert not Assignment.objects.exists()


def test_a_contribution_needs_an_assignment(leader_client, insights, pm):
    response = leader_client.get(cell_url(pm, "core", "contribution/"), **HTMX)
    assert response.status_code == 400
    assert "Assign the function to this layer first." in response.content.decode()


# --- history ----------------------------------------------------------------------------------


def test_a_cells_history_says_who_when_and_what(leader_client, leader, colleague, insights, pm):
    assignment_set(product=insights, function=pm, layer="core", emphasis="contributor", by=colleague)
    assignment_set(product=insights, function=pm, layer="core", emphasis="lead", by=leader)
    response = leader_client.get(cell_url(pm, "core", "history/"), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    items = re.findall(r"<li>(.*?)</li>", html, re.S)
    assert len(items) == 2
    assert "Contributor → lead" in items[0] and leader.get_full_name() in items[0]
    assert "Added as contributor" in items[1] and "Lee Leader" in items[1]
    assert re.search(r">(just now|a second ago|\d+ seconds ago)<", items[0])  # never "0 minutes ago"


def test_an_untouched_cell_has_an_empty_history(leader_client, insights, pm):
    html = leader_client.get(cell_url(pm, "core", "history/")).content.decode()
    assert "No change recorded for this cell yet." in html
