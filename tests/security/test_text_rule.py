"""The one text rule (wholeproduct/text.py) and everything that applies it: the input guard, the
API's fields, model validators, forms and the import (issue 16 item 3 and its LOW item)."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError

from roles.forms.functions import FunctionForm
from roles.models import Function, Stakeholder
from tests.api.conftest import token_client
from tests.factories import FunctionFactory
from wholeproduct.text import LONG_REGEX, LONG_TEXT, SHORT_REGEX, SHORT_TEXT, text_problem

BASE = "/api/v1/orgs/acme"

# --- the rule itself -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("Ops\u200bTeam", "contains an invisible character U+200B (ZERO WIDTH SPACE) at position 4"),
        ("\u200eAnn", "contains a text-direction control U+200E (LEFT-TO-RIGHT MARK) at position 1"),
        ("Ann\u200f", "contains a text-direction control U+200F (RIGHT-TO-LEFT MARK) at position 4"),
        ("A\u061cB", "contains a text-direction control U+061C (ARABIC LETTER MARK) at position 2"),
        ("Ops \u202ecod.exe", "contains a text-direction control U+202E (RIGHT-TO-LEFT OVERRIDE) at position 5"),
        ("x\u2067y", "contains a text-direction control U+2067 (RIGHT-TO-LEFT ISOLATE) at position 2"),
        ("Ops\x00", "contains a control character U+0000 (NULL) at position 4"),
        ("\x1b[31mRed", "contains a control character U+001B (ESCAPE) at position 1"),
        ("C1\x9b", "contains a control character U+009B (C1 CONTROL) at position 3"),
        ("Ann\u2060Lee", "contains an invisible character U+2060 (WORD JOINER) at position 4"),
        ("\ufeffAnn", "contains an invisible character U+FEFF (ZERO WIDTH NO-BREAK SPACE) at position 1"),
        ("soft\xadhyphen", "contains an invisible character U+00AD (SOFT HYPHEN) at position 5"),
        ("\u3164", "contains an invisible character U+3164 (HANGUL FILLER) at position 1"),
        ("tag\U000e0041", "contains an invisible character U+E0041 (TAG LATIN CAPITAL LETTER A) at position 4"),
        ("Ann\nLee", "contains a line break U+000A (LINE FEED) at position 4"),
        ("Ann\tLee", "contains a tab U+0009 (CHARACTER TABULATION) at position 4"),
        ("a\u2028b", "contains a line separator U+2028 (LINE SEPARATOR) at position 2"),
        ("bad\ud800", "contains an invalid character U+D800 (SURROGATE) at position 4"),
    ],
)
def test_a_name_refuses_the_character_and_says_which_and_where(value, message):
    with pytest.raises(ValidationError) as refused:
        SHORT_TEXT(value)
    assert message in refused.value.messages[0]


@pytest.mark.parametrize(
    "value",
    ["Zoë O'Brien-Ångström", "José Núñez", "李小龙", "\u0645\u062d\u0645\u062f", "\u05e9\u05e8\u05d4", "R&D (EMEA) #2"],
)
def test_a_name_accepts_any_visible_script(value):
    assert text_problem(value) is None
    SHORT_TEXT(value)


def test_long_text_allows_line_breaks_tabs_and_joiners_but_nothing_else_invisible():
    assert text_problem("First line\r\nSecond\tcolumn", multiline=True) is None
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # a word that needs its non-joiner
    assert text_problem(f"👩\u200d💻 {persian}", multiline=True) is None
    LONG_TEXT("A note\nover two lines")
    with pytest.raises(ValidationError, match=r"U\+200B \(ZERO WIDTH SPACE\) at position 2"):
        LONG_TEXT("a\u200bb")
    with pytest.raises(ValidationError, match=r"U\+202E"):
        LONG_TEXT("line one\n\u202eevil")


def test_the_schema_pattern_says_exactly_what_the_rule_says_for_every_character_it_can_name():
    """Every character of the Basic Multilingual Plane: the pattern matches it iff the rule accepts
    it (the pattern cannot name characters beyond, nor surrogates, which no valid text holds: the
    rule refuses those)."""
    for code in (c for c in range(0x10000) if not 0xD800 <= c <= 0xDFFF):
        text = f"a{chr(code)}b"
        for regex, multiline in ((SHORT_REGEX, False), (LONG_REGEX, True)):
            assert (regex.fullmatch(text) is not None) == (text_problem(text, multiline=multiline) is None), (
                hex(code),
                multiline,
            )


# --- where it applies ------------------------------------------------------------------------------

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("char", ["\u200b", "\u200e", "\u200f", "\u061c"])
def test_the_api_refuses_zero_width_and_direction_marks_in_names_and_writes_nothing(leader, org, char):
    api = token_client(leader)
    response = api.post(f"{BASE}/functions/", {"name": f"Ops{char}", "category": "building"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert f"U+{ord(char):04X}" in body["detail"] and "at position 4" in body["detail"]
    assert body["fields"]["name"] == [body["detail"]]
    assert not Function.objects.filter(organization=org).exists()


def test_the_api_refuses_a_line_break_in_a_name_even_where_drf_would_trim_it(leader, org):
    api = token_client(leader)
    response = api.post(f"{BASE}/functions/", {"name": "Ops\n", "category": "building"}, format="json")
    assert response.status_code == 400
    assert "contains a line break U+000A (LINE FEED) at position 4" in response.json()["fields"]["name"][0]
    assert not Function.objects.filter(organization=org).exists()


def test_the_api_keeps_line_breaks_in_a_description(leader, org):
    api = token_client(leader)
    body = {"name": "Ops", "category": "building", "description": "Runs the platform.\nOn call\tweekly."}
    response = api.post(f"{BASE}/functions/", body, format="json")
    assert response.status_code == 201, response.json()
    assert Function.objects.get(organization=org, name="Ops").description == "Runs the platform.\nOn call\tweekly."


def test_a_form_refuses_a_direction_mark_in_a_name(leader_client, org):
    response = leader_client.post("/o/acme/functions/new/", {"name": "Sales\u200f", "category": "customer_facing"})
    assert response.status_code in {200, 400}
    assert "U+200F (RIGHT-TO-LEFT MARK) at position 6" in response.content.decode()
    assert not Function.objects.filter(organization=org).exists()


def test_the_model_form_and_validators_share_the_rule(org):
    form = FunctionForm(data={"name": "R\u200bD", "category": "building"}, organization=org)
    assert not form.is_valid()
    assert "U+200B (ZERO WIDTH SPACE) at position 2" in form.errors["name"][0]
    person = Stakeholder(
        organization=org, function=FunctionFactory(organization=org), full_name="Eve\u202e", email="e@acme.test"
    )
    with pytest.raises(ValidationError) as refused:
        person.full_clean()
    assert "U+202E (RIGHT-TO-LEFT OVERRIDE) at position 4" in refused.value.message_dict["full_name"][0]


def test_the_schema_states_the_rule_and_the_lengths(admin_user):
    admin_api = token_client(admin_user)
    schema = admin_api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    function = schema["components"]["schemas"]["FunctionRequest"]["properties"]
    assert function["name"]["pattern"] == SHORT_REGEX.pattern
    assert function["name"]["maxLength"] == 120
    description = function["description"]["oneOf"][0]
    assert description["pattern"] == LONG_REGEX.pattern and description["maxLength"] == 2000


def test_the_import_refuses_a_zero_width_space_in_a_name():
    from roles.services.imports.rows import _control_problem

    assert _control_problem("Ann\u200bLee") == "an invisible character U+200B (ZERO WIDTH SPACE) at position 4"


# --- the guard, whatever the Content-Type -----------------------------------------------------------


@pytest.mark.parametrize("content_type", ["*/*", "text/plain", "application/*", "application/x-www-form-urlencoded"])
def test_an_api_write_that_is_not_json_answers_415_and_writes_nothing(leader, org, content_type):
    api = token_client(leader)
    body = json.dumps({"name": "Ops \u202ecod.exe\x1b[2J", "category": "building"})
    response = api.generic("POST", f"{BASE}/functions/", body, content_type=content_type)
    assert response.status_code == 415
    assert response.json()["error"] == "unsupported_media_type"
    assert not Function.objects.filter(organization=org).exists()


@pytest.mark.parametrize("content_type", ["*/*", "application/json"])
def test_a_deeply_nested_body_answers_400_never_a_recursion_error(leader, org, content_type):
    api = token_client(leader)
    response = api.generic("POST", f"{BASE}/functions/", "[" * 100_000, content_type=content_type)
    assert response.status_code in {400, 415}
    assert response["Content-Type"] == "application/json"
    assert not Function.objects.filter(organization=org).exists()


def test_the_api_parser_refuses_depth_even_without_the_middleware(leader, org):
    from rest_framework.exceptions import ParseError

    from wholeproduct.security import JSONParser

    deep = ("[" * 40 + "]" * 40).encode()
    with pytest.raises(ParseError, match="nested more than 32 levels"):
        JSONParser().parse(__import__("io").BytesIO(deep))
    with pytest.raises(ParseError, match="nested more than 32 levels"):
        JSONParser().parse(__import__("io").BytesIO(b"[" * 100_000))
    with pytest.raises(ParseError, match=r"U\+200B"):
        JSONParser().parse(__import__("io").BytesIO(json.dumps({"note": "a\u200b"}).encode()))


def test_a_post_without_a_body_needs_no_content_type(admin_user, org):
    admin_api = token_client(admin_user)
    response = admin_api.generic("POST", f"{BASE}/reports/", "", content_type="")
    assert response.status_code != 415


@pytest.mark.parametrize(
    "url",
    ["/api/v1/orgs/acme/functions/?search=a%00b", "/api/v1/orgs/acme/functions/?a%00=1", "/api/v1/orgs/a%00b/"],
)
def test_a_nul_byte_in_an_api_address_answers_400_json(leader, org, url):
    response = token_client(leader).get(url)
    assert response.status_code == 400
    assert "NUL character (U+0000)" in response.json()["detail"]


@pytest.mark.parametrize("url", ["/o/acme/people/?q=a%00", "/invite/abc%00def/", "/o/acme/functions/?x=%00"])
def test_a_nul_byte_in_a_page_address_answers_400(leader_client, org, url):
    response = leader_client.get(url)
    assert response.status_code == 400
    assert "NUL character (U+0000)" in response.content.decode()
    assert "That address cannot be opened" in response.content.decode()


def test_a_nul_byte_in_a_form_answers_400_and_writes_nothing(leader_client, org):
    response = leader_client.post("/o/acme/functions/new/", {"name": "Ops\x00", "category": "building"})
    assert response.status_code == 400
    assert "U+0000 (NULL) at position 4" in response.content.decode()
    assert not Function.objects.filter(organization=org).exists()
