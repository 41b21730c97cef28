"""Organization export and restore (issue 8 item 7): one file, nothing lost, nothing half-written.

The organization under test is the demo's Northwind Analytics (seed_demo: functions in a
tree, sixty people, two products mapped by the playbook, reviews and disputes, the
partnership web with its check-in history, a reorg) plus what the demo lacks: a resolved
dispute, a dismissed suggestion, an open and a closed review campaign with reminders,
coverage reports (whose JSON holds ids), a product without a head and an assignment last
changed by someone who is no longer a member.
"""

from __future__ import annotations

import json

import pytest
from django.apps import apps
from django.db import connection
from django.db.models import ForeignObjectRel
from django.test.utils import CaptureQueriesContext

from layers.models import (
    Assignment,
    CoverageReport,
    Product,
)
from layers.services import org_transfer
from layers.services.org_transfer import spec
from roles.models import (
    Function,
    Invite,
    Membership,
    Partnership,
    Stakeholder,
)
from tests.factories import FunctionFactory, StakeholderFactory, UserFactory
from tests.roles.org_transfer.conftest import (
    EXPORTED_MODELS,
    User,
    empty_the_instance,
    model_counts,
    refused,
    roundtrip,
    without_identity,
)

# --- nothing lost -------------------------------------------------------------------------------------


def test_every_column_of_every_exported_model_is_in_the_file():
    """A field added to a model later fails here until the export carries it."""
    for model in EXPORTED_MODELS:
        fields = {f.name for f in model._meta.get_fields() if not isinstance(f, ForeignObjectRel)}
        carried = {"id", *spec.COLUMNS[model], *spec.LINKS[model], *spec.DERIVED.get(model, ())}
        assert fields == carried, f"{model.__name__}: not carried {fields - carried}, unknown {carried - fields}"


def test_every_model_of_the_apps_is_exported_or_left_out_on_purpose():
    # reference data; single-use secrets; transient uploads; transient export files (issue 15 item 9);
    # answers kept a day against double submits
    left_out = {"Layer", "Invite", "ImportJob", "ExportJob", "Submission"}
    # The activity log (issue 16) is this instance's record of who did what: not carried over.
    left_out |= {"HistoricalFunction", "HistoricalInvite", "HistoricalMembership", "HistoricalStakeholder"}
    # The read model: derived rows, rebuilt from the restored ones (layers.readmodel).
    left_out |= {"ReviewPair", "CellCounts", "FunctionCounts", "LayerCounts", "ProductCounts", "SuggestionRow"}
    left_out |= {"FeedbackLoopRow"}
    models = {m.__name__ for name in ("roles", "layers") for m in apps.get_app_config(name).get_models()}
    assert models == {m.__name__ for m in EXPORTED_MODELS} | left_out


def test_an_organization_restored_under_a_new_slug_exports_exactly_as_the_original(northwind):
    before = model_counts(northwind)

    exported, copy = roundtrip(northwind, "northwind-copy")

    assert copy.slug == "northwind-copy" and copy.pk != northwind.pk
    again = org_transfer.export_organization(organization=copy)
    assert without_identity(again) == without_identity(exported)
    assert model_counts(copy) == before == model_counts(northwind)  # and the original is untouched
    assert all(before[k] for k in before), before  # the fixture really has some of everything


def test_a_restore_keeps_timestamps_versions_authors_and_links(northwind):
    _, copy = roundtrip(northwind, "copy")

    assert copy.created_at == northwind.created_at
    for original in Assignment.objects.filter(product__organization=northwind).select_related("function", "layer"):
        twin = Assignment.objects.get(
            product__organization=copy,
            product__slug=original.product.slug,
            function__name=original.function.name,
            layer=original.layer,
        )
        assert twin.pk != original.pk
        assert (twin.version, twin.created_at, twin.changed_at, twin.changed_by_id) == (
            original.version,
            original.created_at,
            original.changed_at,
            original.changed_by_id,  # the same accounts of this instance, matched by email
        )
    person = Stakeholder.objects.get(organization=copy, email="stakeholder@northwind.test")
    assert person.user == User.objects.get(username="stakeholder@northwind.test")
    head = Product.objects.get(organization=copy, slug="insights").head
    assert head.organization == copy and head.email == "daniel.okafor@northwind.test"
    assert Function.objects.get(organization=copy, name="Product Owners").parent.organization == copy
    members = dict(Membership.objects.filter(organization=copy).values_list("user__username", "access"))
    assert members == {
        "admin@northwind.test": "admin",
        "leader@northwind.test": "leader",
        "stakeholder@northwind.test": "stakeholder",
    }
    assert not Invite.objects.filter(organization=copy).exists()  # left out on purpose


def test_a_restore_makes_each_functions_playbook_match_again_from_its_name(northwind):
    _, copy = roundtrip(northwind, "northwind-copy")

    original = dict(Function.objects.filter(organization=northwind).values_list("name", "playbook_name"))
    restored = dict(Function.objects.filter(organization=copy).values_list("name", "playbook_name"))
    assert restored == original
    assert None not in restored.values() and any(restored.values())


def test_ids_inside_report_json_point_at_the_restored_objects(northwind):
    _, copy = roundtrip(northwind, "copy")

    report = CoverageReport.objects.get(organization=copy, run_key="test:insights")
    original = CoverageReport.objects.get(organization=northwind, run_key="test:insights")
    new_functions = dict(Function.objects.filter(organization=copy).values_list("pk", "name"))
    old_functions = dict(Function.objects.filter(organization=northwind).values_list("pk", "name"))
    targets = [g["target"] for g in report.gaps if "function_id" in g["target"]]
    assert targets, "the scenario should have gaps about functions"
    old_targets = [g["target"] for g in original.gaps if "function_id" in g["target"]]
    assert [new_functions[t["function_id"]] for t in targets] == [old_functions[t["function_id"]] for t in old_targets]
    leads = [(row["key"], new_functions.get(row["lead_function_id"])) for row in report.layers if row["lead"]]
    assert leads == [(row["key"], row["lead"]) for row in report.layers if row["lead"]]
    partnerships = set(Partnership.objects.filter(organization=copy).values_list("pk", flat=True))
    linked = [g["target"]["partnership_id"] for g in report.gaps if "partnership_id" in g["target"]]
    assert linked and set(linked) <= partnerships
    assert (report.score, report.totals, report.generated_at) == (
        original.score,
        original.totals,
        original.generated_at,
    )


def test_an_id_of_something_deleted_since_the_report_is_left_out_rather_than_pointing_elsewhere(northwind):
    report = CoverageReport.objects.get(organization=northwind, run_key="test:insights")
    gaps = [*report.gaps, {"kind": "unmapped_function", "target": {"function_id": 987654}, "text": "gone"}]
    CoverageReport.objects.filter(pk=report.pk).update(gaps=gaps)

    exported, copy = roundtrip(northwind, "copy")

    gone = next(g for g in exported["reports"] if g["run_key"] == "test:insights")["gaps"][-1]
    assert gone["target"] == {}
    restored = CoverageReport.objects.get(organization=copy, run_key="test:insights")
    assert restored.gaps[-1] == {"kind": "unmapped_function", "target": {}, "text": "gone"}


def test_a_restore_into_an_empty_instance_brings_back_everything_and_creates_the_accounts(northwind):
    exported = json.loads(org_transfer.dumps(org_transfer.export_organization(organization=northwind)))
    before = model_counts(northwind)
    empty_the_instance()

    result = org_transfer.restore_organization(data=exported)

    org = result.organization
    assert org.slug == "northwind"
    assert without_identity(org_transfer.export_organization(organization=org)) == without_identity(exported)
    assert model_counts(org) == before
    assert sorted(result.users_created) == [
        "admin@northwind.test",
        "former@northwind.test",
        "leader@northwind.test",
        "stakeholder@northwind.test",
    ]
    admin = User.objects.get(username="admin@northwind.test")
    assert (admin.email, admin.first_name, admin.has_usable_password()) == ("admin@northwind.test", "Dana", False)
    assert Membership.objects.get(organization=org, user=admin).access == "admin"


def test_exporting_a_bigger_organization_takes_no_more_queries(northwind, org):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            org_transfer.export_organization(organization=northwind)
        return len(captured)

    first = queries()
    function = FunctionFactory(organization=northwind, name="Growth", parent=Function.objects.first())
    for i in range(5):
        StakeholderFactory(function=function, email=f"growth{i}@northwind.test", user=UserFactory())
    assert queries() == first


# --- refusals: a clear message and nothing written ------------------------------------------------------


def test_it_never_overwrites_an_existing_slug(exported):
    assert "already exists" in refused(exported, slug=None)
    assert "--slug" in refused(exported, slug="northwind")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("version"), 'no "version" field'),
        (lambda d: d.update(version=2), "format version 2; this instance reads version 1"),
        (lambda d: d.update(version="1"), "must be a whole number from 1, not '1'"),
        (lambda d: d.update(format="something-else"), "not a Whole Product Map organization export"),
        (lambda d: d.pop("reviews"), "lacks the key reviews"),
        (lambda d: d.update(people={}), '"people" must be a list'),
        (lambda d: d["people"].append("someone"), "must be an object with keys, not a str"),
        (lambda d: d["functions"][0].pop("category"), "functions #1 lacks category"),
        (lambda d: d["partnerships"][0]["check_ins"][0].pop("trust"), "partnerships #1: check_ins #1 lacks trust"),
    ],
    ids=["no-version", "newer", "version-text", "format", "no-reviews", "people-dict", "row-text", "row-key", "nested"],
)
def test_a_file_of_the_wrong_shape_is_refused_before_anything_is_written(exported, change, message):
    change(exported)
    assert message in refused(exported)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["functions"][0].update(category="wizards"), "functions #1 (Board of Directors): category"),
        (lambda d: d["people"][1].update(email="not-an-email"), "email: Enter a valid email address."),
        (lambda d: d["people"][0].update(function="Nobody's team"), 'names the function "Nobody\'s team"'),
        (lambda d: d["assignments"][0].update(layer="outer-space"), "'outer-space' is not a layer"),
        (lambda d: d["reviews"][0].update(person="ghost@northwind.test"), "names the person 'ghost@northwind.test'"),
        (lambda d: d["memberships"][0].update(user="nobody@else.test"), "names the user 'nobody@else.test'"),
        (lambda d: d["reports"][0].update(generated_at="yesterday"), "generated_at"),
        (lambda d: d["reports"][0].update(generated_at="2025-01-01T10:00:00"), "has no time zone"),
        (lambda d: d["reports"][0].update(gaps={"a": 1}), "gaps must be a JSON list"),
        (lambda d: d["reports"][-1]["gaps"].append({"target": {"function_id": 7}}), "where a reference to a function"),
        (lambda d: d["functions"].append(dict(d["functions"][0])), "appears twice in the file"),
        (lambda d: d["functions"][0].update(parent=d["functions"][0]["name"]), "inside itself"),
        (lambda d: d["partnerships"][0].update(functions=["Sales & Account Management"]), "the two functions"),
    ],
    ids=[
        "choice",
        "email",
        "unknown-function",
        "layer",
        "unknown-person",
        "unknown-user",
        "datetime",
        "naive",
        "json-type",
        "bare-id",
        "duplicate",
        "cycle",
        "pair",
    ],
)
def test_a_bad_row_is_refused_with_its_place_and_nothing_is_written(exported, change, message):
    change(exported)
    assert message in refused(exported)


def test_a_row_breaking_a_database_rule_late_in_the_file_rolls_back_everything_before_it(exported):
    """Two leads of one layer pass every per-row check; the database's constraint refuses them,
    after the users, functions and people were already inserted: all of it goes."""
    lead = next(a for a in exported["assignments"] if a["emphasis"] == "lead")
    other = next(
        a
        for a in exported["assignments"]
        if a["product"] == lead["product"] and a["layer"] == lead["layer"] and a["emphasis"] != "lead"
    )
    other["emphasis"] = "lead"
    empty_the_instance()

    detail = refused(exported, slug=None)

    assert "breaks a rule of the data" in detail and "nothing was restored" in detail
    assert not User.objects.exists()  # the accounts created first were rolled back too


def test_a_slug_that_is_not_a_slug_is_refused(exported):
    assert "is not a slug" in refused(exported, slug="Not a slug!")
    assert "1 to 50 characters" in refused(exported, slug="x" * 51)
