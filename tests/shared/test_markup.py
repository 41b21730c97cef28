"""`shared.markup`: `esc` writes what Django's `escape` writes, for any text or number; `truncated`
what its Truncator gives."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.template import Context, Template
from django.urls import reverse, set_script_prefix
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import Truncator
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.markup import esc, row_address, shown_date, truncated


@given(st.one_of(st.text(), st.integers(), st.floats(allow_nan=False)))
def test_it_escapes_as_django_does(value):
    assert esc(value) == escape(value)


def test_it_escapes_markup_and_both_quotes():
    assert esc("""<a href="x" title='y'>Tom & Jerry</a>""") == (
        "&lt;a href=&quot;x&quot; title=&#x27;y&#x27;&gt;Tom &amp; Jerry&lt;/a&gt;"
    )


@given(st.text(max_size=120), st.integers(min_value=-2, max_value=100))
def test_truncated_is_what_djangos_truncator_gives(text, length):
    """`truncated` answers a text that fits without a Truncator: the same text, whatever its
    characters (combining ones, decomposed forms) and length."""
    assert truncated(text, length) == Truncator(text).chars(length)


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=200), st.integers(min_value=-2, max_value=120))
def test_truncated_cuts_a_plain_text_where_djangos_truncator_does(text, length):
    """An ASCII text too long is cut by its length (no combining character can be in it)."""
    assert truncated(text, length) == Truncator(text).chars(length)


@pytest.mark.parametrize("language", ["en", "fr", "de"])
def test_truncated_adds_the_languages_own_ending(language):
    from django.utils import translation

    with translation.override(language):
        for length in (1, 2, 3, 89, 90):
            assert truncated("A contribution " * 10, length) == Truncator("A contribution " * 10).chars(length)


def test_truncated_keeps_a_decomposed_text_that_fits_in_its_composed_form():
    assert truncated("Cafe\u0301 team", 90) == Truncator("Cafe\u0301 team").chars(90) == "Café team"
    assert truncated("x" * 100, 90) == "x" * 89 + "…"


@pytest.mark.parametrize("name", ["partnership-edit", "partnership-checkin", "function-edit", "person-edit"])
def test_a_rows_address_is_the_one_django_reverses(name):
    for slug, pk in (("acme", 1), ("acme", 123456), ("other-org", 7)):
        assert row_address(name, slug, pk) == reverse(name, kwargs={"org": slug, "pk": pk})


def test_a_rows_address_follows_the_script_prefix():
    try:
        set_script_prefix("/mounted/")
        assert row_address("function-edit", "acme", 3) == "/mounted/o/acme/functions/3/edit/"
    finally:
        set_script_prefix("/")
    assert row_address("function-edit", "acme", 3) == reverse("function-edit", kwargs={"org": "acme", "pk": 3})


def test_template_tags_format_dates_as_templates_do():
    """A tag that called Django's date filter as a function showed the UTC day where the template
    showed the site's (the members page did): tags format dates through `shown_date`, which takes
    the moment to the site's time zone first, and never import the filter themselves."""
    root = Path(__file__).resolve().parents[2]
    offenders = []
    for path in sorted(root.glob("*/templatetags/*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            imported = isinstance(node, ast.ImportFrom) and node.module == "django.template.defaultfilters"
            if imported and any(alias.name in ("date", "time") for alias in node.names):
                offenders.append(f"{path.relative_to(root)}:{node.lineno}")
    assert not offenders, f"use shared.markup.shown_date: {offenders}"


@pytest.mark.parametrize(("zone", "shown"), [("UTC", "5 Dec 2026 23:30"), ("Europe/Berlin", "6 Dec 2026 00:30")])
def test_shown_date_is_the_templates_date(zone, shown):
    moment = datetime(2026, 12, 5, 23, 30, tzinfo=UTC)
    with timezone.override(zone):
        assert shown_date(moment, "j M Y H:i") == shown
        assert shown_date(moment, "j M Y H:i") == Template('{{ m|date:"j M Y H:i" }}').render(Context({"m": moment}))
        assert shown_date(date(2026, 12, 5), "j M Y") == "5 Dec 2026"


FORMATS = [
    "j M Y",
    "j M Y H:i",
    "j M Y|H:i",
    "j M, H:i",
    "Y-m-d",
    "d/m/Y H:i",
    "D j M",
    "jS F Y",
    "N j, Y",
    "",
    "\\j M",
]


@settings(max_examples=300, deadline=None, derandomize=True, database=None)  # the same examples every run
@given(
    moment=st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)),
    zone=st.sampled_from(["UTC", "Europe/Berlin", "America/Los_Angeles", "Asia/Kolkata", "Pacific/Chatham"]),
    form=st.sampled_from(FORMATS),
    as_day=st.booleans(),
)
def test_shown_date_writes_what_the_templates_date_filter_writes(moment, zone, form, as_day):
    """The formats `shown_date` writes itself (and those it leaves to the filter) come out as the
    template's `date` filter writes them, for moments and days, in any zone."""
    value = moment.date() if as_day else moment
    with timezone.override(zone):
        try:
            expected = Template("{{ m|date:f }}").render(Context({"m": value, "f": form}))
        except TypeError:  # a time code for a day: the filter refuses it, and so does shown_date
            with pytest.raises(TypeError):
                shown_date(value, form)
            return
        assert esc(shown_date(value, form)) == expected


@pytest.mark.parametrize("value", [None, ""])
def test_shown_date_of_nothing_is_empty(value):
    assert shown_date(value, "j M Y") == ""
