"""A scenario's impact exported for a leadership meeting (issue 18 item 5): XLSX through the export
framework's format (a sheet per table, real numbers, escaped text), PDF through WeasyPrint."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from roles.models import Function
from scenarios import services
from tests.factories import AssignmentFactory, ProductFactory, StakeholderFactory, layer

pytestmark = pytest.mark.django_db


@pytest.fixture
def scenario(org, leader, cs_function):
    sales = Function.objects.create(organization=org, name="Sales", category=Function.Category.CUSTOMER_FACING)
    product = ProductFactory(organization=org, name="Acme Cloud", slug="cloud")
    AssignmentFactory(product=product, function=cs_function, layer=layer("augmented"), emphasis="lead")
    AssignmentFactory(product=product, function=sales, layer=layer("augmented"), emphasis="contributor")
    StakeholderFactory(organization=org, function=cs_function, full_name="Casey CS", email="casey@acme.test")
    draft = services.create_scenario(organization=org, by=leader, name="Merge CS into Sales")
    services.add_change(scenario=draft, by=leader, kind="merge_function", function=cs_function.pk, into=sales.pk)
    return draft


def export(client, org, scenario, fmt: str):
    return client.get(reverse("scenario-export", kwargs={"org": org.slug, "pk": scenario.pk}) + f"?format={fmt}")


def test_the_xlsx_has_a_sheet_per_table_with_todays_and_the_scenarios_figures(leader_client, org, scenario):
    response = export(leader_client, org, scenario, "xlsx")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="scenario-merge-cs-into-sales-')
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Products", "Lead changes", "Consequences", "Steps"]
    products = list(book["Products"].iter_rows(values_only=True))
    header, row = products[0], products[1]
    assert header[:3] == ("Product", "Score today", "Score in the scenario")
    assert row[0] == "Acme Cloud"
    assert isinstance(row[1], int) and isinstance(row[2], int) and row[2] < row[1]
    leads = list(book["Lead changes"].iter_rows(values_only=True))
    assert leads[1] == ("Acme Cloud", "Augmented product", "Customer Success", "No lead")
    steps = list(book["Steps"].iter_rows(values_only=True))
    assert steps[1] == (1, "Merge Customer Success into Sales")


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs pdftotext (poppler-utils)")
def test_the_pdf_says_what_would_happen_and_draws_both_sides(leader_client, org, scenario, tmp_path):
    response = export(leader_client, org, scenario, "pdf")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    path = tmp_path / "impact.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Merge CS into Sales" in text
    assert "What would happen" in text
    assert "loses its lead (Customer Success)" in " ".join(text.split())
    assert "Today" in text and "In the scenario" in text


def test_an_unknown_format_is_refused_in_plain_words(leader_client, org, scenario):
    response = export(leader_client, org, scenario, "docx")

    assert response.status_code == 400
    assert response.content.decode() == "Cannot export as “docx”: choose one of pdf, xlsx."


def test_a_stakeholder_cannot_export_a_scenario(stakeholder_client, org, scenario):
    assert export(stakeholder_client, org, scenario, "xlsx").status_code == 404
