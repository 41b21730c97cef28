"""`ago` says what humanize's `naturaltime` says, in English, without its translation machinery."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.contrib.humanize.templatetags import humanize
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.utils import translation

from layers.templatetags import plain_words
from layers.templatetags.plain_words import ago

NOW = datetime(2026, 3, 31, 12, 30, 15, tzinfo=UTC)  # a month's end: months of every length behind it


class _Frozen(datetime):
    @classmethod
    def now(cls, tz=None):
        return NOW if tz is not None else NOW.replace(tzinfo=None)


DELTAS = [timedelta(seconds=s) for s in (0, 1, 2, 59, 60, 61, 119, 120, 3599, 3600, 3601, 7199, 7200, 86399)] + [
    timedelta(days=d, hours=h, minutes=m)
    for d in (1, 2, 6, 7, 8, 13, 14, 27, 28, 29, 30, 31, 32, 45, 59, 60, 61, 89, 364, 365, 366, 400, 730, 800, 1500)
    for h, m in ((0, 0), (1, 1), (23, 59))
]


@pytest.mark.parametrize("zone", [UTC, None], ids=["aware", "naive"])
def test_ago_says_what_naturaltime_says_in_english(zone):
    with (
        translation.override("en-us"),
        mock.patch.object(humanize, "datetime", _Frozen),
        mock.patch.object(plain_words, "datetime", _Frozen),
    ):
        for delta in DELTAS:
            moment = (NOW - delta) if zone else (NOW - delta).replace(tzinfo=None)
            expected = str(naturaltime(moment))
            assert ago(moment) == ("just now" if expected == "now" else expected), delta
        future = NOW + timedelta(minutes=5)
        assert ago(future) == str(naturaltime(future)) == "5\xa0minutes from now"
    assert ago(None) == ""
