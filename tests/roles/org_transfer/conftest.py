"""What the organization transfer tests share: the demo's Northwind, counts of every model, a round
trip, and a refusal that writes nothing."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from demo import data as demo_data
from demo.management.commands.seed_demo import seed_demo
from layers.models import (
    Assignment,
    AssignmentChange,
    CampaignReminder,
    CoverageReport,
    DismissedSuggestion,
    Product,
    Review,
    ReviewCampaign,
)
from layers.services import campaigns, mapping, org_transfer, reviews
from layers.services import reports as report_services
from layers.services.org_transfer import spec
from roles.models import (
    Disruption,
    Function,
    FunctionAlias,
    Invite,
    Membership,
    Organization,
    Partnership,
    PartnershipCheckIn,
    Stakeholder,
)
from roles.services.partnerships import checkin_record
from tests.factories import UserFactory

User = get_user_model()
EXPORTED_MODELS = list(spec.COLUMNS)


def _northwind() -> Organization:
    seed_demo(organizations=[demo_data.NORTHWIND])
    org = Organization.objects.get(slug="northwind")
    leader = User.objects.get(username="leader@northwind.test")
    insights, connect = Product.objects.get(organization=org, slug="insights"), org.products.get(slug="connect")
    # A dispute kept with a note, by the leader.
    dispute = Review.objects.filter(assignment__product=insights, verdict="disagree", resolved_at=None).first()
    reviews.dispute_keep(review=dispute, note="Kept: Security reviews every release.", by=leader)
    # A suggestion the leader said no to.
    function = Function.objects.get(organization=org, name="Technical Writing")
    mapping.dismiss(product=connect, function=function, layer="augmented", by=leader)
    # One campaign closed with its summary and a reminder sent; another open.
    cs = Function.objects.get(organization=org, name="Customer Success")
    now = timezone.now()
    closed = campaigns.campaign_start(product=insights, deadline=now + timedelta(days=3), by=leader, functions=[cs])
    person = Stakeholder.objects.filter(function=cs).order_by("email").first()
    CampaignReminder.objects.create(campaign=closed, stakeholder=person, sent_on=now.date())
    campaigns.campaign_close(campaign=closed, by=leader)
    campaigns.campaign_start(product=insights, deadline=now + timedelta(days=9), by=leader, name="Q4 check — ü")
    # A later trust reading, by the leader.
    partnership = Partnership.objects.filter(organization=org).order_by("pk").first()
    checkin_record(partnership=partnership, trust=4, note="Better after the offsite.", by=leader)
    # An assignment last changed by someone who has since left (no membership any more).
    former = UserFactory(email="former@northwind.test", first_name="Fiona", last_name="Former")
    Assignment.objects.filter(pk=insights.assignments.order_by("pk").first().pk).update(changed_by=former)
    # A product without a head, and a report of every product.
    Product.objects.create(organization=org, slug="labs", name="Northwind Labs")
    for product in org.products.all():
        report_services.build_report(product_id=product.pk, trigger="manual", run_key=f"test:{product.slug}", by=leader)
    # A manager link and a confirmed department label (issue 14).
    Stakeholder.objects.filter(pk=person.pk).update(
        manager=Stakeholder.objects.filter(organization=org).exclude(pk=person.pk).order_by("email").first()
    )
    FunctionAlias.objects.create(organization=org, function=cs, label="Client Happiness")
    # An invite: deliberately not exported.
    Invite.objects.create(
        organization=org, stakeholder=person, email=person.email, nonce="n" * 40, expires_at=now + timedelta(days=7)
    )
    return org


@pytest.fixture
def northwind(db):
    return _northwind()


def model_counts(org: Organization) -> dict[str, int]:
    return {
        "members": Membership.objects.filter(organization=org).count(),
        "functions": Function.objects.filter(organization=org).count(),
        "children": Function.objects.filter(organization=org, parent__isnull=False).count(),
        "people": Stakeholder.objects.filter(organization=org).count(),
        "managed people": Stakeholder.objects.filter(organization=org, manager__isnull=False).count(),
        "function aliases": FunctionAlias.objects.filter(organization=org).count(),
        "linked people": Stakeholder.objects.filter(organization=org, user__isnull=False).count(),
        "products": Product.objects.filter(organization=org).count(),
        "assignments": Assignment.objects.filter(product__organization=org).count(),
        "history": AssignmentChange.objects.filter(product__organization=org).count(),
        "dismissed": DismissedSuggestion.objects.filter(product__organization=org).count(),
        "reviews": Review.objects.filter(assignment__product__organization=org).count(),
        "resolved": Review.objects.filter(assignment__product__organization=org, resolved_at__isnull=False).count(),
        "partnerships": Partnership.objects.filter(organization=org).count(),
        "check-ins": PartnershipCheckIn.objects.filter(partnership__organization=org).count(),
        "disruptions": Disruption.objects.filter(organization=org).count(),
        "disrupted functions": Disruption.functions.through.objects.filter(disruption__organization=org).count(),
        "campaigns": ReviewCampaign.objects.filter(product__organization=org).count(),
        "campaign functions": ReviewCampaign.functions.through.objects.filter(
            reviewcampaign__product__organization=org
        ).count(),
        "reminders": CampaignReminder.objects.filter(campaign__product__organization=org).count(),
        "reports": CoverageReport.objects.filter(organization=org).count(),
    }


def without_identity(data: dict) -> dict:
    """An export minus what legitimately differs between two copies: the slug and the moment."""
    return data | {"exported_at": None, "organization": data["organization"] | {"slug": None}}


def roundtrip(org: Organization, slug: str) -> tuple[dict, Organization]:
    exported = json.loads(org_transfer.dumps(org_transfer.export_organization(organization=org)))
    result = org_transfer.restore_organization(data=exported, slug=slug)
    return exported, result.organization


def empty_the_instance() -> None:
    """What a fresh instance holds: migrations' reference data, no organization, no account."""
    CoverageReport.objects.all().delete()
    Product.objects.all().delete()
    for model in (Partnership, Disruption, Invite, Stakeholder, Function, Membership, Organization):
        model.objects.all().delete()
    User.objects.all().delete()


def counts_everywhere() -> tuple[int, ...]:
    return (
        Organization.objects.count(),
        User.objects.count(),
        Function.objects.count(),
        Stakeholder.objects.count(),
        Assignment.objects.count(),
        CoverageReport.objects.count(),
    )


@pytest.fixture
def exported(northwind):
    return json.loads(org_transfer.dumps(org_transfer.export_organization(organization=northwind)))


def refused(data, *, slug: str | None = "copy") -> str:
    before = counts_everywhere()
    with pytest.raises(org_transfer.TransferFileError) as caught:
        org_transfer.restore_organization(data=data, slug=slug)
    assert counts_everywhere() == before
    return caught.value.detail


URL = "/o/acme/export/"
