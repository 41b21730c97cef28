"""`shared.markup.esc` writes what Django's `escape` writes, for any text or number."""

from __future__ import annotations

from django.utils.html import escape
from hypothesis import given
from hypothesis import strategies as st

from shared.markup import esc


@given(st.one_of(st.text(), st.integers(), st.floats(allow_nan=False)))
def test_it_escapes_as_django_does(value):
    assert esc(value) == escape(value)


def test_it_escapes_markup_and_both_quotes():
    assert esc("""<a href="x" title='y'>Tom & Jerry</a>""") == (
        "&lt;a href=&quot;x&quot; title=&#x27;y&#x27;&gt;Tom &amp; Jerry&lt;/a&gt;"
    )
