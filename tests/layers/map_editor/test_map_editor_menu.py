"""The map editor's cell menu, lead swap, undo and restoring dismissed suggestions (issue 15 item 2)."""

from __future__ import annotations

import re

import pytest

from layers.models import Assignment, AssignmentChange, DismissedSuggestion
from layers.services.assignments import UndoRefused, assignment_replace_lead, assignment_set, undo_changes
from tests.factories import AssignmentFactory, ProductFactory, layer
from tests.layers.map_editor.conftest import MAP, cell_url

UNDO = MAP + "undo/"
RESTORE = MAP + "suggestions/restore/"
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver" + MAP}


@pytest.fixture
def pm_leads_core(insights, pm):
    return AssignmentFactory(
        product=insights, function=pm, layer=layer("core"), emphasis="lead", contribution="Owns it"
    )


def core_cells(product) -> dict[str, str]:
    rows = Assignment.objects.filter(product=product, layer__key="core").values_list("function__name", "emphasis")
    return dict(rows)


def test_a_cell_on_a_led_layer_offers_to_replace_the_lead(leader_client, pm_leads_core, engineering):
    html = leader_client.get(MAP).content.decode()

    cell = re.search(rf'<td id="cell-{engineering.pk}-core".*?</td>', html, re.S).group(0)
    options = re.findall(r'name="emphasis" value="(\w+)"[^>]*>(?:<span[^>]*>[^<]*</span>)?([^<]+)<', cell)
    assert options == [
        ("none", "Not assigned"),
        ("contributor", "Contributor"),
        ("replace", "Make lead, replacing Product Management"),
    ]
    assert "Product Management stays on as a contributor." in cell


def test_the_leads_own_cell_offers_plain_lead_as_its_current_state(leader_client, pm_leads_core, pm):
    html = leader_client.get(MAP).content.decode()

    cell = re.search(rf'<td id="cell-{pm.pk}-core".*?</td>', html, re.S).group(0)
    assert 'value="lead" aria-current="true" disabled' in cell
    assert "replacing" not in cell


def test_make_lead_replacing_swaps_both_cells_in_one_step(leader_client, leader, insights, pm_leads_core, engineering):
    response = leader_client.post(cell_url(engineering, "core"), {"emphasis": "replace", "version": 0}, **HTMX)

    assert response.status_code == 200
    assert core_cells(insights) == {"Engineering": "lead", "Product Management": "contributor"}
    pm_row = Assignment.objects.get(product=insights, function__name="Product Management", layer__key="core")
    assert pm_row.contribution == "Owns it"  # the former lead keeps what it wrote
    changes = list(AssignmentChange.objects.filter(product=insights).order_by("id"))
    assert [(c.function.name, c.action, (c.after or {}).get("emphasis")) for c in changes] == [
        ("Product Management", "updated", "contributor"),
        ("Engineering", "created", "lead"),
    ]
    assert all(c.by == leader for c in changes)
    # The whole matrix is redrawn (two cells and a header changed), with the undo note.
    assert response["HX-Retarget"] == "#map-body"
    html = response.content.decode()
    assert "Engineering now leads the Core product; Product Management stays on as a contributor." in html
    assert f'name="changes" value="{changes[0].pk},{changes[1].pk}"' in html


def test_a_stale_version_swaps_nothing(leader_client, insights, pm_leads_core, engineering):
    AssignmentFactory(product=insights, function=engineering, layer=layer("core"), emphasis="contributor")

    response = leader_client.post(cell_url(engineering, "core"), {"emphasis": "replace", "version": 0}, **HTMX)

    assert response.status_code == 409
    assert core_cells(insights) == {"Engineering": "contributor", "Product Management": "lead"}
    assert not AssignmentChange.objects.filter(product=insights).exists()


def test_the_swap_service_rolls_back_both_cells_when_the_second_write_fails(
    insights, pm_leads_core, engineering, leader
):
    with pytest.raises(Exception):  # noqa: B017  a stale version: Conflict
        assignment_replace_lead(product=insights, function=engineering, layer="core", by=leader, expected_version=7)

    assert core_cells(insights) == {"Product Management": "lead"}
    assert not AssignmentChange.objects.exists()


def test_undo_puts_a_swap_back_and_the_history_keeps_both_steps(leader_client, insights, pm_leads_core, engineering):
    leader_client.post(cell_url(engineering, "core"), {"emphasis": "replace", "version": 0}, **HTMX)
    swap = ",".join(str(pk) for pk in AssignmentChange.objects.order_by("id").values_list("pk", flat=True))

    response = leader_client.post(UNDO, {"changes": swap}, **HTMX)

    assert response.status_code == 200
    assert core_cells(insights) == {"Product Management": "lead"}
    history = [(c.function.name, c.action) for c in AssignmentChange.objects.order_by("id")]
    assert history == [
        ("Product Management", "updated"),
        ("Engineering", "created"),
        ("Engineering", "deleted"),  # undone newest first, so one lead at every moment
        ("Product Management", "updated"),
    ]
    html = response.content.decode()
    assert "Undone: the map is back as it was." in html and ">Redo</button>" in html


def test_redo_applies_the_undone_change_again(leader_client, insights, pm, engineering):
    leader_client.post(cell_url(pm, "core"), {"emphasis": "contributor", "version": 0}, **HTMX)
    first = AssignmentChange.objects.get()
    leader_client.post(UNDO, {"changes": str(first.pk)}, **HTMX)
    undo = AssignmentChange.objects.latest("id")

    leader_client.post(UNDO, {"changes": str(undo.pk), "redo": "1"}, **HTMX)

    assert core_cells(insights) == {"Product Management": "contributor"}
    assert AssignmentChange.objects.count() == 3


def test_undo_refuses_when_the_cell_changed_since(leader_client, leader, insights, pm):
    leader_client.post(cell_url(pm, "core"), {"emphasis": "contributor", "version": 0}, **HTMX)
    change = AssignmentChange.objects.get()
    assignment_set(product=insights, function=pm, layer="core", emphasis="lead", by=leader)

    response = leader_client.post(UNDO, {"changes": str(change.pk)}, **HTMX)

    assert response.status_code == 409
    assert "Product Management on the Core product changed since, so nothing was undone." in response.content.decode()
    assert core_cells(insights) == {"Product Management": "lead"}
    assert AssignmentChange.objects.count() == 2


@pytest.mark.parametrize("changes", ["", "abc", "1;2", ",".join(["1"] * 11), "99999"])
def test_undo_with_bad_input_changes_nothing(leader_client, insights, pm_leads_core, changes):
    response = leader_client.post(UNDO, {"changes": changes}, **HTMX)

    assert response.status_code in (400, 409)
    assert "nothing to undo" in response.content.decode().lower()
    assert core_cells(insights) == {"Product Management": "lead"}


def test_undo_cannot_reach_another_products_changes(leader_client, org, leader, insights, pm):
    other = ProductFactory(organization=org, name="Other", slug="other")
    assignment_set(product=other, function=pm, layer="core", emphasis="lead", by=leader)
    change = AssignmentChange.objects.get()

    with pytest.raises(UndoRefused):
        undo_changes(product=insights, change_ids=[change.pk], by=leader)
    response = leader_client.post(UNDO, {"changes": str(change.pk)}, **HTMX)

    assert response.status_code == 409
    assert Assignment.objects.get(product=other).emphasis == "lead"


def test_undo_is_for_editors_only(stakeholder_client, outsider_client, insights, pm):
    assert stakeholder_client.post(UNDO, {"changes": "1"}).status_code == 403
    assert outsider_client.post(UNDO, {"changes": "1"}).status_code == 404


def test_a_plain_browser_undo_redirects_with_a_message(leader_client, insights, pm):
    leader_client.post(cell_url(pm, "core"), {"emphasis": "contributor", "version": 0})
    change = AssignmentChange.objects.get()

    response = leader_client.post(UNDO, {"changes": str(change.pk)}, follow=True)

    assert response.redirect_chain[-1][0] == MAP
    assert "Undone: the map is back as it was." in response.content.decode()
    assert core_cells(insights) == {}


def test_a_dismissed_suggestion_is_listed_and_can_be_restored(leader_client, leader, insights, pm):
    leader_client.post(MAP + "suggestions/dismiss/", {"function": pm.pk, "layer": "core"}, **HTMX)
    html = leader_client.get(MAP).content.decode()
    dismissed = re.search(r'<details class="sugg-applied sugg-dismissed-list".*?</details>', html, re.S).group(0)
    assert "Product Management" in dismissed and "Restore" in dismissed

    response = leader_client.post(RESTORE, {"function": pm.pk, "layer": "core"}, **HTMX)

    assert response.status_code == 200
    assert not DismissedSuggestion.objects.filter(product=insights).exists()
    assert "The suggestion for Product Management is back in the list." in response.content.decode()


def test_restore_with_bad_input_is_refused(leader_client, insights, pm):
    DismissedSuggestion.objects.create(product=insights, function=pm, layer=layer("core"))

    response = leader_client.post(RESTORE, {"function": pm.pk, "layer": "nowhere"}, **HTMX)

    assert response.status_code == 400
    assert DismissedSuggestion.objects.filter(product=insights).count() == 1


def test_restore_is_for_editors_and_this_organization_only(stakeholder_client, outsider_client, insights, pm):
    data = {"function": pm.pk, "layer": "core"}
    assert stakeholder_client.post(RESTORE, data).status_code == 403
    assert outsider_client.post(RESTORE, data).status_code == 404
