"""The bad-input corpus (issue 8 item 6): files and payloads kept in tests/fixtures/ (the import
corpus in import/, the rest in bad_input/), and the big ones generated here.

Every input answers a clear error — never a 500 — and writes nothing: the rows of every
table of the domain are the same before and after (tests/security/conftest.fingerprint).
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from roles.models import ImportJob

from .conftest import body_text, changed_tables, client_as, fingerprint
from .endpoints import endpoints
from .routes import ROUTES
from .world import FIXTURES, World

pytestmark = [pytest.mark.django_db, pytest.mark.read_model_built]  # the module world rebuilt it

CORPUS = FIXTURES / "bad_input"
IMPORT_CORPUS = FIXTURES / "import"
ENDPOINTS = {e.key: e for e in endpoints()}


def _ids(world: World) -> dict[str, Any]:
    return {
        "cs": world.cs.pk,
        "eng": world.eng.pk,
        "empty_function": world.empty_function.pk,
        "product": world.product.slug,
        "other_product": world.other_product.pk,
        "assignment": world.assignment.pk,
        "attacker_function": world.attacker_function.pk,
        "attacker_product": world.attacker_product.pk,
        "attacker_person": world.attacker_person.pk,
        "attacker_assignment": world.attacker_assignment.pk,
    }


def _fill(value: Any, ids: dict[str, Any]) -> Any:
    """{name} placeholders: a whole-string one becomes the id itself, others are formatted in."""
    if isinstance(value, str):
        whole = re.fullmatch(r"\{(\w+)\}", value)
        return ids[whole.group(1)] if whole else re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), value)
    if isinstance(value, list):
        return [_fill(item, ids) for item in value]
    if isinstance(value, dict):
        return {_fill(key, ids): _fill(item, ids) for key, item in value.items()}
    return value


def _cases(name: str) -> list[dict[str, Any]]:
    return json.loads((CORPUS / name).read_text())


def _url(world: World, key: str, query: str = "") -> str:
    kwargs = ROUTES[key].kwargs(world)
    return reverse(ENDPOINTS[key].name, kwargs=kwargs) + (f"?{query}" if query else "")


def _refused_and_nothing_written(world: World, send) -> Any:
    before = fingerprint()
    response = send()
    assert response.status_code < 500, body_text(response)[:500]
    assert changed_tables(before, fingerprint()) == []
    return response


# --- API payloads -------------------------------------------------------------------------------

API_CASES = _cases("api_payloads.json")


@pytest.mark.parametrize("case", API_CASES, ids=[c["name"] for c in API_CASES])
def test_a_bad_api_payload_answers_400_with_its_reason(world, case):
    client = client_as(world, case.get("as", "admin"))
    url = _url(world, case["url"], case.get("query", ""))
    if "raw" in case or "raw_hex" in case:
        data: Any = case["raw"].encode() if "raw" in case else bytes.fromhex(case["raw_hex"])
    else:
        data = json.dumps(_fill(case.get("body"), _ids(world)))
    method = getattr(client, case["method"].lower())
    kwargs = {} if case["method"] == "GET" else {"data": data, "content_type": "application/json"}
    response = _refused_and_nothing_written(world, lambda: method(url, **kwargs))
    assert response.status_code == case.get("status", 400), body_text(response)[:500]
    body = response.json()
    assert set(body) >= {"error", "detail", "fields"} and body["detail"]
    messages = [body["detail"], *(message for field in body["fields"].values() for message in field)]
    assert any(case["expect"] in message for message in messages), body


# --- form payloads ------------------------------------------------------------------------------

FORM_CASES = _cases("form_payloads.json")


@pytest.mark.parametrize("case", FORM_CASES, ids=[c["name"] for c in FORM_CASES])
def test_a_bad_form_is_sent_back_with_its_reason(world, case):
    client = client_as(world, case.get("as", "admin"))
    url = _url(world, case["url"])
    body = _fill(case["body"], _ids(world))
    response = _refused_and_nothing_written(world, lambda: client.post(url, body, follow=True))
    assert response.status_code in {200, 400}, response.status_code
    assert case["expect"] in body_text(response), body_text(response)[:3000]


# --- files for the org-chart import -------------------------------------------------------------

NOT_BINARY = "This is not a CSV or XLSX file (it contains binary data)."
NOT_TEXT = "This file is not readable text in any encoding it could be"
DAMAGED = "This XLSX file is damaged or incomplete"
NO_PEOPLE = "The file has a header row but no people under it."
# file → ("refused", message on the upload form), ("rows", the preview's first error) or
# ("read", the encoding the preview names: UTF-16 and Shift-JIS are read since issue 14)
IMPORT_FILES: dict[str, tuple[str, str]] = {
    "import/empty.csv": ("refused", "The file is empty."),
    "import/blank_lines.csv": ("refused", "The file is empty."),
    "import/binary.csv": ("refused", NOT_BINARY),
    "import/not_text.csv": ("refused", NOT_TEXT),
    "import/undecodable.csv": ("refused", NOT_TEXT),
    "import/utf16.csv": ("read", "UTF-16 (with byte-order mark)"),
    "import/corrupt.xlsx": ("refused", DAMAGED),
    "import/truncated.xlsx": ("refused", DAMAGED),
    "import/legacy.xls": ("refused", "Old Excel files (.xls) are not supported"),
    "import/header_only.csv": ("refused", NO_PEOPLE),
    "import/header_only.xlsx": ("refused", NO_PEOPLE),
    "import/formula.csv": ("rows", "looks like a formula; formulas are not imported."),
    "import/formula_plus.csv": ("rows", "looks like a formula; formulas are not imported."),
    "import/formula.xlsx": ("rows", "formulas are not imported"),
    "import/overlong.csv": ("rows", "the value is 201 characters long; the limit is 200."),
    "import/overlong_function.csv": ("rows", "the value is 121 characters long; the limit is 120."),
    "import/control_chars.csv": ("rows", "the value contains a control character U+0007 (BELL) at position"),
    "import/line_break.csv": ("rows", "the value contains a line break"),
    "import/bad_category.csv": ("rows", '"Wizards" is not a category'),
    "import/malformed_email.csv": ("rows", "is not a valid email address."),
    "import/missing_name.csv": ("rows", "the name is missing."),
    "import/missing_email.csv": ("rows", "the email is missing."),
    "import/missing_department.csv": ("rows", "the function (department or team) is missing."),
    "import/duplicate_email.csv": ("rows", "appears twice; each person needs their own row."),
    "import/category_conflict.csv": ("rows", "is given different categories"),
    "import/own_parent.csv": ("rows", "cannot be inside itself."),
    "import/parent_cycle.csv": ("rows", "would be inside each other."),
    "import/extra_cells.csv": ("rows", "is not a valid email address."),
    "bad_input/nul_bytes.csv": ("refused", NOT_BINARY),
    "bad_input/png_image.png": ("refused", NOT_BINARY),
    "bad_input/only_bom.csv": ("refused", "The file is empty."),
    "bad_input/shift_jis.csv": ("read", "Shift-JIS (guessed)"),
    "bad_input/html_page.csv": ("refused", NO_PEOPLE),
    "bad_input/json_document.csv": ("refused", NO_PEOPLE),
    "bad_input/csv_named_xlsx.xlsx": ("refused", DAMAGED),
    "bad_input/bidi_override.csv": (
        "rows",
        "the value contains a text-direction control U+202E (RIGHT-TO-LEFT OVERRIDE) at position",
    ),
    "bad_input/escape_sequences.csv": ("rows", "the value contains a control character U+001B (ESCAPE) at position"),
    "bad_input/unknown_category.csv": ("rows", '"Galactic" is not a category'),
    "bad_input/unclosed_quote.csv": ("rows", "the value contains a line break"),
}
# An upload writes its job (the preview); never a person or a function before the commit.
JOB_ONLY = {"roles.importjob"}


def _upload(world: World, name: str, content: bytes) -> Any:
    client = client_as(world, "admin")
    return client.post(f"/o/{world.org.slug}/import/", {"file": SimpleUploadedFile(name, content)})


@pytest.mark.parametrize(("name", "expected"), IMPORT_FILES.items(), ids=list(IMPORT_FILES))
def test_a_bad_file_is_refused_or_previewed_with_its_errors_and_never_imported(world, name, expected):
    kind, message = expected
    before = fingerprint()
    response = _upload(world, Path(name).name, (FIXTURES / name).read_bytes())
    if kind == "refused":
        assert response.status_code == 400
        assert message in body_text(response)
        assert changed_tables(before, fingerprint()) == []
        return
    assert response.status_code == 302
    job = ImportJob.objects.order_by("-pk").first()
    if kind == "read":
        assert job.state == ImportJob.State.READY
        assert message in html.unescape(body_text(client_as(world, "admin").get(response["Location"])))
        assert set(changed_tables(before, fingerprint())) <= JOB_ONLY
        return
    assert job.state == ImportJob.State.INVALID
    assert message in html.unescape(body_text(client_as(world, "admin").get(response["Location"])))
    committed = client_as(world, "admin").post(f"/o/{world.org.slug}/import/{job.token}/commit/", follow=True)
    assert committed.status_code == 200
    job.refresh_from_db()
    assert job.state == ImportJob.State.INVALID
    assert set(changed_tables(before, fingerprint())) <= JOB_ONLY


def test_the_corpus_folder_has_no_file_without_an_expectation():
    files = {f"bad_input/{p.name}" for p in CORPUS.iterdir() if p.suffix not in {".json", ".md"}}
    assert files - set(IMPORT_FILES) == set()


def test_an_xlsx_under_a_csv_name_is_read_by_its_content(world):
    response = _upload(world, "people.csv", (CORPUS.parent / "import" / "good.xlsx").read_bytes())
    assert response.status_code == 302
    assert ImportJob.objects.order_by("-pk").first().state == ImportJob.State.READY


# --- generated: too big, too many, too deep ------------------------------------------------------


def _csv(rows: int, width: int = 0) -> bytes:
    lines = ["Full Name,Work Email,Department"]
    pad = "x" * width
    lines += [f"Person {n}{pad},p{n}@quokka.test,Engineering" for n in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def test_a_file_over_10_mb_is_refused(world):
    content = _csv(70_000, width=150)
    assert len(content) > 10 * 1024 * 1024
    response = _refused_and_nothing_written(world, lambda: _upload(world, "big.csv", content))
    assert response.status_code == 400
    assert "the limit is 10 MB" in body_text(response)


def test_a_file_over_100000_rows_is_refused(world):
    # The limit went from 50,000 to 100,000 rows in issue 14 (settings.IMPORT_MAX_ROWS).
    response = _refused_and_nothing_written(world, lambda: _upload(world, "many.csv", _csv(100_001)))
    assert response.status_code == 400
    assert "The file has 100,001 rows of people; the limit is 100,000." in body_text(response)


def _api_post(world: World, key: str, data: str) -> Any:
    return client_as(world, "admin").post(_url(world, key), data=data, content_type="application/json")


def test_a_json_body_over_the_limit_answers_413_before_it_is_read(world):
    data = json.dumps({"name": "x" * (11 * 1024 * 1024), "category": "building"})
    response = _refused_and_nothing_written(world, lambda: _api_post(world, "api:function-list", data))
    assert response.status_code == 413
    assert response.json()["error"] == "too_large" and "the limit is 2.5 MB" in response.json()["detail"]


def test_json_nested_too_deep_answers_400_not_a_crash(world):
    data = '{"name": ' + "[" * 100_000 + "]" * 100_000 + ', "category": "building"}'
    response = _refused_and_nothing_written(world, lambda: _api_post(world, "api:function-list", data))
    assert response.status_code == 400
    assert "nested more than 32 levels deep" in response.json()["detail"]


def test_a_list_of_100000_ids_answers_400_at_once(world):
    body = {"kind": "reorg", "title": "Boom", "occurred_on": "2025-02-03", "functions": list(range(1, 100_001))}
    response = _refused_and_nothing_written(world, lambda: _api_post(world, "api:disruption-list", json.dumps(body)))
    assert response.status_code == 400
    assert response.json()["fields"] == {"functions": ["A list may hold at most 1000 items; this one has 100000."]}


@pytest.mark.parametrize(
    ("encoding", "message"),
    [("multipart", "The form's fields hold more than 2.5 MB of text."), ("urlencoded", "the limit is 2.5 MB.")],
)
def test_a_form_field_over_the_limit_answers_413_with_a_page_that_says_so(world, encoding, message):
    from urllib.parse import urlencode

    client = client_as(world, "admin")
    url = _url(world, "function-create")
    body = {"name": "x" * (11 * 1024 * 1024), "category": "building"}
    if encoding == "multipart":
        send = lambda: client.post(url, body)  # noqa: E731
    else:
        send = lambda: client.post(url, urlencode(body), content_type="application/x-www-form-urlencoded")  # noqa: E731
    response = _refused_and_nothing_written(world, send)
    assert response.status_code == 413
    page = html.unescape(body_text(response))
    assert "That was too large to accept" in page and message in page and "Nothing was saved" in page


def test_a_form_of_100000_fields_is_refused(world):
    client = client_as(world, "admin")
    body = {f"field{n}": "x" for n in range(100_000)} | {"name": "Ops", "category": "building"}
    response = _refused_and_nothing_written(world, lambda: client.post(_url(world, "function-create"), body))
    assert response.status_code == 400
    assert "more fields than any page of this site has" in body_text(response)


def test_a_typed_product_address_is_normalized_never_a_path(world):
    client = client_as(world, "admin")
    client.post(_url(world, "product-create"), {"name": "Lens", "slug": "../../etc/passwd"})
    from layers.models import Product

    assert Product.objects.get(organization=world.org, name="Lens").slug == "etcpasswd"


def test_passwords_are_not_checked_for_control_characters(world):
    """A password is compared, never shown: the guard leaves it alone (the form then just fails)."""
    response = client_as(world, "anonymous").post("/accounts/login/", {"username": "a@b.test", "password": "p\x07w"})
    assert response.status_code == 200
    assert "No account matches the email a@b.test with this password" in body_text(response)


def test_control_characters_in_a_query_or_a_password_field_of_json_pass_through(world):
    response = client_as(world, "anonymous").post(
        "/api/v1/auth/token/", {"email": "a@b.test", "password": "p\x1bw"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "do not match" in json.dumps(response.json())
