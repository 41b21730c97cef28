"""`shared.sql.array_text`: an array parameter as PostgreSQL's text of it, read back as the same values."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.sql import array_text


def test_numbers_and_days_are_written_as_postgresqls_array_text():
    assert array_text([3, -1, 2**62]) == "{3,-1,4611686018427387904}"
    assert array_text(iter([date(2026, 1, 2), date(999, 12, 31)])) == "{2026-01-02,0999-12-31}"
    assert array_text([]) == "{}"


@pytest.mark.parametrize(
    "values",
    [[True], [1, "2"], [datetime(2026, 1, 1, 10)], [1, date(2026, 1, 1)], [1.5], [None]],
)
def test_anything_else_is_refused(values):
    with pytest.raises(TypeError, match="whole numbers or days"):
        array_text(values)


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's arrays")
@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(min_value=-(2**63), max_value=2**63 - 1), max_size=30),
    st.lists(st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)), max_size=30),
)
def test_postgresql_reads_back_the_same_values(numbers, days):
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::bigint[], %s::date[]", [array_text(numbers), array_text(days)])
        assert cursor.fetchone() == (numbers, days)
