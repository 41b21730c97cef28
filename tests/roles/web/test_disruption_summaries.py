"""A reorganization touches hundreds of functions: the disruptions timeline, the web's banner and
the report's story name the first few by name and count the rest (issue 13 item 9), in the same
number of queries whether a disruption touched three functions or three hundred."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from roles.models import Disruption
from roles.selectors.disruptions import touched
from roles.views.web import TOUCHED_IN_BANNER, TOUCHED_SHOWN

from .conftest import DISRUPTIONS, WEB, make

pytestmark = pytest.mark.django_db


def _reorg(org, count: int, title: str = "Reorg") -> Disruption:
    disruption = Disruption.objects.create(
        organization=org, kind="reorg", title=title, occurred_on=timezone.localdate(), effective_at=timezone.now()
    )
    disruption.functions.add(*[make(org, f"{title} team {i:03d}") for i in range(count)])
    return disruption


def test_the_first_functions_by_name_and_how_many_in_all(org, other_org):
    big, small = _reorg(org, 30), _reorg(org, 2, title="Small")
    _reorg(other_org, 5, title="Elsewhere")
    found = touched([big.pk, small.pk], first=4, organization_id=org.pk)
    assert found[big.pk].names == [f"Reorg team {i:03d}" for i in range(4)] and found[big.pk].more == 26
    assert found[small.pk].names == ["Small team 000", "Small team 001"] and found[small.pk].more == 0
    assert touched([], first=4, organization_id=org.pk) == {}
    # Another organization's disruption touched none of this organization's functions.
    elsewhere = Disruption.objects.get(organization=other_org)
    assert touched([elsewhere.pk], first=4, organization_id=org.pk)[elsewhere.pk].names == []


def test_the_timeline_names_the_first_functions_of_a_reorg_and_counts_the_rest(org, leader_client):
    _reorg(org, TOUCHED_SHOWN + 7)
    html = leader_client.get(DISRUPTIONS).content.decode()
    chips = re.findall(r'class="chip chip-sm cat-[a-z_]+" href="/o/acme/web/\?function=\d+"', html)
    assert len(chips) == TOUCHED_SHOWN
    assert "Reorg team 000" in html and f"Reorg team {TOUCHED_SHOWN - 1:03d}" in html
    assert f"Reorg team {TOUCHED_SHOWN:03d}" not in html
    assert "and 7 more functions" in html


@pytest.mark.usefixtures("drawn")  # counts what the view itself does
def test_the_timeline_and_the_web_read_as_many_queries_for_three_functions_as_for_three_hundred(org, leader_client):
    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert leader_client.get(url).status_code == 200
        return len(captured.captured_queries)

    first = _reorg(org, 3)
    small = count(DISRUPTIONS), count(WEB)
    first.functions.add(*[make(org, f"More team {i:03d}") for i in range(300)])
    _reorg(org, 300, title="Second")
    assert (count(DISRUPTIONS), count(WEB)) == small


def test_the_webs_banner_names_the_latest_disruptions_first_functions(org, leader_client):
    _reorg(org, 2, title="Older")
    _reorg(org, TOUCHED_IN_BANNER + 40, title="Latest")
    html = " ".join(leader_client.get(WEB).content.decode().split())
    names = ", ".join(f"Latest team {i:03d}" for i in range(TOUCHED_IN_BANNER))
    assert "Latest disruption: Latest</strong>" in html
    assert f"touching {names} and 40 more functions" in html


def test_the_summary_reads_as_a_sentence():
    from roles.selectors.disruptions import Touched, TouchedFunction

    two = [TouchedFunction(1, "Legal", "ops"), TouchedFunction(2, "Sales", "customer_facing")]
    assert Touched(two, 2).sentence == "Legal, Sales" and Touched(two, 2).more_words == ""
    assert Touched(two, 3).sentence == "Legal, Sales and 1 more function"
    assert Touched(two, 1_320).sentence == "Legal, Sales and 1,318 more functions"
