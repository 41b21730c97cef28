"""Managers and departments of an import (issue 14): links resolved after every row, joins with reasons."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from roles.models import Function, FunctionAlias, Stakeholder
from roles.services import imports
from tests.factories import FunctionFactory, StakeholderFactory

HEADER = "Name,Email,Department,Manager\r\n"


def table(text: str) -> imports.Table:
    return imports.read_table(content=(HEADER + text).encode(), filename="people.csv")


def plan_for(org, text: str, **kwargs) -> imports.Plan:
    t = table(text)
    return imports.build_plan(organization=org, table=t, mapping=imports.recognize(t.headers), **kwargs)


def run(org, text: str, **kwargs) -> imports.Plan:
    t = table(text)
    return imports.import_table(organization=org, table=t, mapping=imports.recognize(t.headers), **kwargs)


def managers(org) -> dict[str, str | None]:
    people = Stakeholder.objects.filter(organization=org).select_related("manager")
    return {p.email: p.manager.email if p.manager else None for p in people}


# Managers -----------------------------------------------------------------------------------------


def test_a_manager_named_later_in_the_file_is_linked(org):
    run(org, "Alan Turing,alan@acme.test,Sales,ada@acme.test\r\nAda Lovelace,ada@acme.test,Sales,\r\n")
    assert managers(org) == {"alan@acme.test": "ada@acme.test", "ada@acme.test": None}


def test_a_manager_is_found_by_name_in_any_order_and_case(org):
    run(org, 'Alan Turing,alan@acme.test,Sales,"LOVELACE, Ada"\r\nAda Lovelace,ada@acme.test,Sales,\r\n')
    assert managers(org)["alan@acme.test"] == "ada@acme.test"


def test_a_manager_already_in_the_organization_is_linked(org):
    StakeholderFactory(function=FunctionFactory(organization=org, name="Board"), email="ceo@acme.test")
    run(org, "Alan Turing,alan@acme.test,Sales,CEO@acme.test\r\n")
    assert managers(org)["alan@acme.test"] == "ceo@acme.test"


def test_an_unknown_manager_is_a_row_error_and_nothing_is_written(org):
    with pytest.raises(imports.ImportRejected) as caught:
        run(org, "Alan Turing,alan@acme.test,Sales,nobody@acme.test\r\nAda Lovelace,ada@acme.test,Sales,\r\n")
    assert caught.value.plan.errors == [
        'Row 2, column "Manager" (D): no one in the file or the organization has the email "nobody@acme.test".'
    ]
    assert Stakeholder.objects.filter(organization=org).count() == 0


def test_a_manager_name_two_people_share_asks_for_the_email(org):
    plan = plan_for(
        org,
        "Ada Lovelace,ada@acme.test,Sales,\r\nAda Lovelace,ada2@acme.test,Sales,\r\n"
        "Alan,alan@acme.test,Sales,Ada Lovelace\r\n",
    )
    assert plan.errors == ['Row 4, column "Manager" (D): 2 people are named "Ada Lovelace"; give the manager\'s email.']


def test_a_person_cannot_manage_themselves(org):
    plan = plan_for(org, "Ada Lovelace,ada@acme.test,Sales,ada@acme.test\r\n")
    assert plan.errors == ['Row 2, column "Manager" (D): a person cannot be their own manager.']


def test_a_reporting_loop_is_refused_on_every_row_of_it(org):
    plan = plan_for(
        org,
        "Ada,ada@acme.test,Sales,alan@acme.test\r\nAlan,alan@acme.test,Sales,grace@acme.test\r\n"
        "Grace,grace@acme.test,Sales,ada@acme.test\r\nKate,kate@acme.test,Sales,ada@acme.test\r\n",
    )
    assert plan.errors == [
        'Rows 2, 3 and 4, column "Manager" (D): Ada, Alan and Grace would manage each other in a loop.',
        'Row 5, column "Manager" (D): the manager\'s row (2) has errors; fix it or leave this row out too.',
    ]
    assert [row.state for row in plan.rows] == ["error"] * 4


def test_a_loop_through_someone_already_in_the_organization_is_refused(org):
    sales = FunctionFactory(organization=org, name="Sales")
    ada = StakeholderFactory(function=sales, email="ada@acme.test", full_name="Ada")
    alan = StakeholderFactory(function=sales, email="alan@acme.test", full_name="Alan", manager=ada)
    assert alan.manager == ada
    plan = plan_for(org, "Ada,ada@acme.test,Sales,alan@acme.test\r\n")
    assert plan.errors == ['Row 2, column "Manager" (D): Ada and Alan would manage each other in a loop.']


def test_a_manager_change_shows_in_the_preview_and_an_empty_cell_clears_it(org):
    run(org, "Ada,ada@acme.test,Sales,\r\nAlan,alan@acme.test,Sales,ada@acme.test\r\n")
    plan = plan_for(org, "Ada,ada@acme.test,Sales,\r\nAlan,alan@acme.test,Sales,\r\n")
    assert plan.rows[1].changes == [("Manager", "Ada", "—")]
    run(org, "Ada,ada@acme.test,Sales,\r\nAlan,alan@acme.test,Sales,\r\n")
    assert managers(org) == {"ada@acme.test": None, "alan@acme.test": None}


def test_without_a_manager_column_managers_stay(org):
    run(org, "Ada,ada@acme.test,Sales,\r\nAlan,alan@acme.test,Sales,ada@acme.test\r\n")
    t = imports.read_table(content=b"Name,Email,Department\r\nAlan,alan@acme.test,Sales\r\n")
    imports.import_table(organization=org, table=t, mapping=imports.recognize(t.headers))
    assert managers(org)["alan@acme.test"] == "ada@acme.test"


def test_the_preview_lists_every_ignored_column_by_its_header(org):
    t = imports.read_table(content=b"Name,Email,Department,Hire Date,Cost Center,\r\nA,a@acme.test,Sales,2020,7,\r\n")
    plan = imports.build_plan(organization=org, table=t, mapping=imports.recognize(t.headers))
    assert plan.ignored == ["Hire Date", "Cost Center"]


# Departments joining existing functions -----------------------------------------------------------


def test_a_department_that_is_another_name_of_an_existing_function_joins_it(org, engineering):
    plan = run(org, "Ada,ada@acme.test,R&D,\r\n")
    assert [j.reason for j in plan.joins] == ["R&D joins Engineering: both are Engineering in the playbook."]
    assert Stakeholder.objects.get(email="ada@acme.test").function == engineering
    assert Function.objects.filter(organization=org).count() == 1
    # Confirmed by the import: remembered, and used next time with its own reason.
    assert list(FunctionAlias.objects.values_list("label", "function__name")) == [("R&D", "Engineering")]
    again = plan_for(org, "Alan,alan@acme.test,R&D,\r\n")
    assert [j.reason for j in again.joins] == [
        "R&D joins Engineering: your organization confirmed R&D as another name of Engineering."
    ]


def test_an_alias_joins_even_where_the_playbook_knows_nothing(org, engineering):
    FunctionAlias.objects.create(organization=org, function=engineering, label="Skunkworks")
    plan = run(org, "Ada,ada@acme.test,skunkworks,\r\n")
    assert plan.joins[0].function == "Engineering"
    assert Stakeholder.objects.get(email="ada@acme.test").function == engineering


def test_a_join_can_be_kept_separate(org, engineering):
    plan = run(org, "Ada,ada@acme.test,R&D,\r\nAlan,alan@acme.test,People Ops,\r\n", separate=["r&d"])
    assert plan.joins == []
    assert sorted(Function.objects.filter(organization=org).values_list("name", flat=True)) == [
        "Engineering",
        "People Ops",
        "R&D",
    ]
    assert not FunctionAlias.objects.exists()


def test_a_department_never_joins_a_function_that_is_only_a_part_of_the_playbook_function(org):
    # Frontend, Backend and Mobile are all parts of Engineering in the playbook: three teams, not one.
    FunctionFactory(organization=org, name="Frontend", category="building")
    plan = run(org, "Ada,ada@acme.test,Backend,\r\nAlan,alan@acme.test,Mobile,\r\n")
    assert plan.joins == []
    assert sorted(Function.objects.filter(organization=org).values_list("name", flat=True)) == [
        "Backend",
        "Frontend",
        "Mobile",
    ]
    assert not FunctionAlias.objects.exists()


def test_another_name_joins_the_whole_function_not_a_part_of_it(org, engineering):
    FunctionFactory(organization=org, name="Backend", category="building")  # sorts before Engineering
    plan = plan_for(org, "Ada,ada@acme.test,R&D,\r\nAlan,alan@acme.test,Frontend,\r\n")
    assert [(j.label, j.function) for j in plan.joins] == [("Frontend", "Engineering"), ("R&D", "Engineering")]


def test_workday_organizations_and_org_unit_paths_resolve_to_their_department(org, engineering):
    FunctionFactory(organization=org, name="Sales", category="customer_facing")
    run(org, "Ada,ada@acme.test,Engineering (Jane Doe),\r\nAlan,alan@acme.test,/Sales/EMEA,\r\n")
    people = dict(Stakeholder.objects.values_list("email", "function__name"))
    assert people == {"ada@acme.test": "Engineering", "alan@acme.test": "Sales"}
    assert Function.objects.filter(organization=org).count() == 2


def test_import_org_separate_functions_keeps_every_department_apart(org, engineering, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(HEADER + "Ada,ada@acme.test,R&D,\r\n")
    out = StringIO()
    call_command("import_org", str(path), "--org", "acme", "--separate-functions", stdout=out)
    assert "joins" not in out.getvalue()
    assert Stakeholder.objects.get(email="ada@acme.test").function.name == "R&D"


def test_the_preview_offers_each_join_and_keeps_a_label_separate_on_request(leader_client, org, engineering):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from roles.models import ImportJob

    upload = SimpleUploadedFile("people.csv", (HEADER + "Ada,ada@acme.test,R&D,\r\n").encode())
    leader_client.post(reverse("import", kwargs={"org": "acme"}), {"file": upload})
    job = ImportJob.objects.get()
    page = leader_client.get(reverse("import-preview", kwargs={"org": "acme", "token": job.token})).content.decode()
    assert "R&amp;D joins Engineering: both are Engineering in the playbook." in page
    assert 'name="separate" value="R&amp;D"' in page

    leader_client.post(reverse("import-joins", kwargs={"org": "acme", "token": job.token}), {"separate": "R&D"})
    job.refresh_from_db()
    assert (job.options["separate"], job.preview["joins"], job.preview["totals"]["functions_create"]) == (
        ["R&D"],
        [],
        1,
    )
    leader_client.post(reverse("import-commit", kwargs={"org": "acme", "token": job.token}))
    assert Stakeholder.objects.get(email="ada@acme.test").function.name == "R&D"

    bad = leader_client.post(
        reverse("import-joins", kwargs={"org": "acme", "token": job.token}), {"separate": "Nope"}, follow=True
    )
    assert "This import has already been committed" in bad.content.decode()


# Skipping bad rows by choice ----------------------------------------------------------------------


def test_import_org_skip_invalid_writes_the_good_rows_and_the_rejected_ones(org, tmp_path):
    path, rejected = tmp_path / "people.csv", tmp_path / "rejected.csv"
    path.write_text(
        HEADER + "Ada,ada@acme.test,Sales,\r\nAlan,not-an-email,Sales,\r\nGrace,grace@acme.test,Sales,ada@acme.test\r\n"
    )
    with pytest.raises(CommandError):
        call_command("import_org", str(path), "--org", "acme", stdout=StringIO(), stderr=StringIO())
    assert Stakeholder.objects.count() == 0

    out = StringIO()
    call_command(
        "import_org",
        str(path),
        "--org",
        "acme",
        "--skip-invalid",
        "--rejected",
        str(rejected),
        stdout=out,
        stderr=StringIO(),
    )
    assert "Left out 1 row with errors." in out.getvalue()
    assert managers(org) == {"ada@acme.test": None, "grace@acme.test": "ada@acme.test"}
    lines = rejected.read_text(encoding="utf-8-sig").splitlines()
    assert lines == [
        "Name,Email,Department,Manager,Reason",
        'Alan,not-an-email,Sales,,"Row 3, column ""Email"" (B): ""not-an-email"" is not a valid email address."',
    ]


def test_a_row_whose_manager_is_rejected_is_rejected_too(org):
    plan = run(
        org, "Ada,bad,Sales,\r\nAlan,alan@acme.test,Sales,Ada\r\nGrace,grace@acme.test,Sales,\r\n", skip_invalid=True
    )
    assert [r.state for r in plan.rows] == ["error", "error", "create"]
    assert plan.result["rejected"] == 2
    assert list(Stakeholder.objects.values_list("email", flat=True)) == ["grace@acme.test"]


def test_a_new_function_the_playbook_knows_shows_why_in_the_preview(leader_client, org):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    upload = SimpleUploadedFile("people.csv", (HEADER + "Ada,ada@acme.test,Customer Success Operations,\r\n").encode())
    response = leader_client.post(reverse("import", kwargs={"org": "acme"}), {"file": upload})
    page = leader_client.get(response["Location"]).content.decode()
    assert (
        "“Customer Success Operations” contains Customer Success, a name of Customer Success in the playbook." in page
    )


def test_the_people_page_and_the_person_page_show_the_manager(leader_client, org):
    from django.urls import reverse

    run(org, "Ada Lovelace,ada@acme.test,Sales,\r\nAlan Turing,alan@acme.test,Sales,ada@acme.test\r\n")
    people_page = leader_client.get(reverse("people-list", kwargs={"org": "acme"})).content.decode()
    assert '<td class="manager">Ada Lovelace</td>' in people_page
    alan = Stakeholder.objects.get(email="alan@acme.test")
    ada = Stakeholder.objects.get(email="ada@acme.test")
    person_page = leader_client.get(reverse("person-edit", kwargs={"org": "acme", "pk": alan.pk})).content.decode()
    assert "Manager: <a href" in person_page and "Ada Lovelace</a>" in person_page
    ada_page = leader_client.get(reverse("person-edit", kwargs={"org": "acme", "pk": ada.pk})).content.decode()
    assert "Reports: <a href" in ada_page and "Alan Turing</a>" in ada_page


def test_a_reporting_chain_deeper_than_the_written_levels_is_still_linked(org):
    rows = "".join(f"P{i},p{i}@acme.test,Sales,{f'p{i - 1}@acme.test' if i else ''}\r\n" for i in range(60))
    run(org, rows)
    linked = managers(org)
    assert all(linked[f"p{i}@acme.test"] == f"p{i - 1}@acme.test" for i in range(1, 60))
    assert linked["p0@acme.test"] is None
