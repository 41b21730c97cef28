"""Counts read by prepared statements (rowcounts.count_rows) equal the lists' COUNT(*)."""

from __future__ import annotations

import uuid

import pytest
from django.utils import timezone

from layers.selectors.coverage import _every_report, every_report_count
from layers.services.reports import build_report
from roles.models import Disruption
from roles.rowcounts import counted
from roles.selectors.web import disruption_count, disruptions_of

from ..factories import OrganizationFactory, ProductFactory

pytestmark = pytest.mark.django_db


def _disruption(organization):
    now = timezone.now()
    Disruption.objects.create(
        organization=organization, kind=Disruption.Kind.REORG, title="Reorg", occurred_on=now.date(), effective_at=now
    )


def _report(organization):
    product = ProductFactory(organization=organization)
    build_report(product_id=product.pk, trigger="manual", run_key=uuid.uuid4().hex)


def test_the_disruptions_and_reports_counted_as_their_lists_hold_them():
    org, other = OrganizationFactory(), OrganizationFactory()
    _disruption(other)
    _report(other)
    for added in (0, 1, 3):  # none, then one, then four of each
        for _ in range(added):
            _disruption(org)
            _report(org)
        for _ in range(2):  # built, then replayed
            assert counted(disruption_count(org.pk)) == disruptions_of(org).count()
            assert counted(every_report_count(org.pk)) == _every_report(org.pk).count()
    assert disruptions_of(org).count() == 4 and _every_report(org.pk).count() == 4
