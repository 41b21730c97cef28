"""The people export and the round trip: the import's columns, formulas escaped, and an export that
imports back unchanged."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from roles.models import Function, ImportJob, Stakeholder
from roles.services import imports
from tests.factories import FunctionFactory, StakeholderFactory
from tests.roles.imports.conftest import upload


@pytest.fixture
def tricky_people(org):
    """People whose values a spreadsheet would run as formulas, in nested functions."""
    parent = FunctionFactory(organization=org, name="Product Management", category="building")
    ops = FunctionFactory(organization=org, name="@Ops", category="customer_facing", parent=parent)
    partners = FunctionFactory(organization=org, name="Channel Partners", category="partner", is_external=True)
    StakeholderFactory(function=ops, full_name="=Boss", email="Boss@Acme.test", title="+1 escalations")
    zoe = StakeholderFactory(function=partners, full_name="Zoë Çelik", email="zoe@partner.test", title="")
    kate = StakeholderFactory(function=parent, full_name="Kate, PM", email="kate@acme.test", title="-")
    zoe.manager = kate  # the export writes the manager's email; importing it links them again
    zoe.save()


def test_the_csv_export_has_the_import_columns_and_escapes_formulas(leader_client, org, tricky_people):
    response = leader_client.get(reverse("people-export", kwargs={"org": "acme", "fmt": "csv"}))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="acme-people-')
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines == [
        "Full Name,Email,Job Title,Department,Category,Parent Function,Manager Email",
        "'=Boss,Boss@Acme.test,'+1 escalations,'@Ops,Customer-facing,Product Management,",
        '"Kate, PM",kate@acme.test,\'-,Product Management,Building,,',
        "Zoë Çelik,zoe@partner.test,,Channel Partners,Partner,,kate@acme.test",
    ]


def test_the_xlsx_export_writes_text_not_formulas(admin_client_, org, tricky_people):
    response = admin_client_.get(reverse("people-export", kwargs={"org": "acme", "fmt": "xlsx"}))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == [
        "Full Name",
        "Email",
        "Job Title",
        "Department",
        "Category",
        "Parent Function",
        "Manager Email",
    ]
    assert rows[1][:4] == ["'=Boss", "Boss@Acme.test", "'+1 escalations", "'@Ops"]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exporting_then_importing_changes_nothing(leader_client, org, tricky_people, fmt):
    leader_client.post(reverse("import", kwargs={"org": "acme"}), {"file": upload("good.csv")})
    leader_client.post(reverse("import-commit", kwargs={"org": "acme", "token": ImportJob.objects.get().token}))
    before = list(
        Stakeholder.objects.order_by("pk").values_list("full_name", "email", "title", "function_id", "manager_id")
    )
    before_functions = list(Function.objects.order_by("pk").values_list("name", "category", "parent_id", "is_external"))
    exported = leader_client.get(reverse("people-export", kwargs={"org": "acme", "fmt": fmt})).content

    response = leader_client.post(
        reverse("import", kwargs={"org": "acme"}), {"file": upload(f"people.{fmt}", exported)}
    )

    job = ImportJob.objects.order_by("-pk").first()
    assert response.url == reverse("import-preview", kwargs={"org": "acme", "token": job.token})
    totals = job.preview["totals"]
    assert totals | {"rows": 0} == {
        "create": 0,
        "update": 0,
        "unchanged": 11,
        "error": 0,
        "rows": 0,
        "errors": 0,
        "functions_create": 0,
        "functions_update": 0,
        "joins": 0,
    }
    imports.commit_import(job=job)
    after = Stakeholder.objects.order_by("pk").values_list("full_name", "email", "title", "function_id", "manager_id")
    assert list(after) == before
    assert Stakeholder.objects.get(email="zoe@partner.test").manager.email == "kate@acme.test"
    assert list(Function.objects.order_by("pk").values_list("name", "category", "parent_id", "is_external")) == (
        before_functions
    )


def test_the_export_is_scoped_to_the_organization(leader_client, org, other_org):
    StakeholderFactory(function=FunctionFactory(organization=other_org), email="secret@globex.test")
    StakeholderFactory(function=FunctionFactory(organization=org), email="mine@acme.test")
    content = leader_client.get(reverse("people-export", kwargs={"org": "acme", "fmt": "csv"})).content.decode()
    assert "mine@acme.test" in content
    assert "secret@globex.test" not in content


def test_an_unknown_export_format_is_404(leader_client):
    assert leader_client.get("/o/acme/people/export.pdf").status_code == 404
