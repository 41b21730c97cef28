"""bench/history.py: years of history added to an organization leave its present as it was: the
latest snapshot of each product, each link's trust and last check, and a read model equal to the
oracle (the disruptions are logged through the service, as a leader logs one)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from bench.history import add_history
from layers.models import CoverageReport
from layers.readmodel.oracle import check_organization
from roles.models import Disruption, Partnership, PartnershipCheckIn
from roles.services import partnerships
from tests.factories import FunctionFactory

from .layers.reports_scenario import build, insights

pytestmark = pytest.mark.django_db


def test_history_is_added_before_the_present(org, cs_function):
    scenario = insights(org, cs_function=cs_function)
    latest = build(scenario.product)
    a, b, c = (FunctionFactory(organization=org) for _ in range(3))
    partnerships.partnership_create(organization=org, function_a=a, function_b=b, trust=4)
    checked = partnerships.partnership_create(organization=org, function_a=b, function_b=c, trust=2)
    Partnership.objects.filter(pk=checked.pk).update(last_checked_on=timezone.localdate() - timedelta(days=10))
    links = {p.pk: (p.trust, p.last_checked_on) for p in Partnership.objects.filter(organization=org)}
    present = set(PartnershipCheckIn.objects.filter(organization=org).values_list("pk", flat=True))

    said = add_history(org, years=1)

    assert said == f"365 snapshots, 73 disruptions of 60 functions each, {52 * len(links)} check-ins"
    assert CoverageReport.objects.filter(product=scenario.product).count() == 366
    newest = CoverageReport.objects.filter(product=scenario.product).order_by("-generated_at", "-id").first()
    assert newest.pk == latest.pk  # the history is older than what there was
    logged = Disruption.objects.filter(organization=org).order_by("effective_at")
    assert len(logged) == 73 and logged.last().effective_at <= timezone.now()
    assert logged.first().effective_at < timezone.now() - timedelta(days=360)  # each on its own day
    assert {p.pk: (p.trust, p.last_checked_on) for p in Partnership.objects.filter(organization=org)} == links
    added = PartnershipCheckIn.objects.filter(organization=org).exclude(pk__in=present).select_related("partnership")
    assert len(added) == 52 * len(links)
    for check_in in added:  # each before its link's last check, so its trust and check stay
        assert check_in.checked_on <= (check_in.partnership.last_checked_on or timezone.localdate())
    assert check_organization(org, repair=False).clean
