"""Two organizations full of data, for the isolation probe, the access matrix and the escaping test.

The victim ("Quokka Analytics", slug `victim-co`) has one object of every kind a URL can name:
functions, people, products, assignments, a review, a campaign, reports and a build job, a
partnership, a disruption, an invite, an import job, an API token. Its members are the six
roles of the access matrix: an admin, a leader, `own` (a stakeholder of Customer Success, the
function assigned to the product `insights`), `other` (a stakeholder of Engineering, assigned
to the product `connect` only), plus the anonymous visitor and `outsider`, an admin of
"Attacker Corp", who must find nothing of the victim anywhere.

Every name of the victim carries the marker "quokka" and no URL does, so a response that
contains it has shown the victim's data.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.core.cache import cache
from django.utils import timezone
from knox.models import AuthToken

from layers.models import Assignment, CoverageReport, Layer, Product, Review, ReviewCampaign
from layers.selectors_coverage import job_key
from roles.models import Disruption, Function, ImportJob, Invite, Membership, Organization, Partnership, Stakeholder
from roles.services import imports
from roles.services import invites as invite_services
from scenarios import services as scenario_services

MARKER = "quokka"
PASSWORD = "pw-for-tests-1"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ROLES = ("anonymous", "admin", "leader", "own", "other", "outsider")


@dataclass
class World:
    org: Organization
    attacker: Organization
    users: dict[str, Any]
    cs: Function
    eng: Function
    empty_function: Function
    product: Product
    other_product: Product
    assignment: Assignment
    eng_assignment: Assignment
    review: Review
    report: CoverageReport
    other_report: CoverageReport
    partnership: Partnership
    disruption: Disruption
    campaign: ReviewCampaign
    invite: Invite
    invite_token: str
    uninvited: Stakeholder
    pending_person: Stakeholder
    other_membership: Membership
    import_job: ImportJob
    job_id: str
    admin_token: AuthToken
    attacker_function: Function
    attacker_product: Product
    attacker_person: Stakeholder
    attacker_assignment: Assignment
    extra: dict[str, Any] = field(default_factory=dict)


def _user(email: str, first: str, last: str) -> Any:
    from django.contrib.auth import get_user_model

    user = get_user_model()(username=email, email=email, first_name=first, last_name=last)
    user.set_password(PASSWORD)
    user.save()
    return user


def _member(org: Organization, email: str, first: str, last: str, access: str) -> tuple[Any, Membership]:
    user = _user(email, first, last)
    return user, Membership.objects.create(user=user, organization=org, access=access)


def _report(product: Product, run_key: str) -> CoverageReport:
    from layers.readmodel import hooks
    from layers.services.reports import build_report

    # The world is written raw, behind the services that keep the read model the report copies.
    hooks.organization_changed(organization_id=product.organization_id)
    return build_report(product_id=product.pk, trigger=CoverageReport.Trigger.MANUAL, run_key=run_key)


def _export_job(report: CoverageReport, admin: Any) -> Any:
    """The admin's XLSX of the report, built by the worker's service (issue 15 item 9)."""
    from layers.models import ExportJob
    from layers.services.exports import run_export

    job = ExportJob.objects.create(
        organization=report.organization, report=report, requested_by=admin, file_format="xlsx"
    )
    run_export(job_id=job.pk)
    job.refresh_from_db()
    return job


def build_world() -> World:
    org = Organization.objects.create(slug="victim-co", name="Quokka Analytics")
    attacker = Organization.objects.create(slug="attacker-co", name="Attacker Corp")
    admin, _ = _member(org, "admin@quokka.test", "Ada", "Quokka", Membership.Access.ADMIN)
    leader, _ = _member(org, "leader@quokka.test", "Lee", "Quokka", Membership.Access.LEADER)
    own, _ = _member(org, "cs@quokka.test", "Casey", "Quokka", Membership.Access.STAKEHOLDER)
    other, other_membership = _member(org, "eng@quokka.test", "Eli", "Quokka", Membership.Access.STAKEHOLDER)
    outsider, _ = _member(attacker, "admin@attacker.test", "Mallory", "Attacker", Membership.Access.ADMIN)

    cs = Function.objects.create(organization=org, name="Quokka Customer Success", category="customer_facing")
    eng = Function.objects.create(organization=org, name="Quokka Engineering", category="building")
    empty_function = Function.objects.create(organization=org, name="Quokka Finance", category="cross_functional")
    Stakeholder.objects.create(
        organization=org, function=cs, full_name="Casey Quokka", email=own.email, title="CSM", user=own
    )
    Stakeholder.objects.create(
        organization=org, function=eng, full_name="Eli Quokka", email=other.email, title="Engineer", user=other
    )
    pending_person = Stakeholder.objects.create(
        organization=org, function=cs, full_name="Pat Quokka", email="pat@quokka.test", title="Support lead"
    )
    uninvited = Stakeholder.objects.create(
        organization=org, function=eng, full_name="Robin Quokka", email="robin@quokka.test", title="SRE"
    )

    product = Product.objects.create(organization=org, slug="insights", name="Quokka Insights")
    other_product = Product.objects.create(organization=org, slug="connect", name="Quokka Connect")
    layers = {layer.key: layer for layer in Layer.objects.all()}
    assignment = Assignment.objects.create(
        product=product, function=cs, layer=layers["augmented"], emphasis="lead", contribution="Quokka onboarding."
    )
    eng_assignment = Assignment.objects.create(
        product=other_product, function=eng, layer=layers["core"], emphasis="lead", contribution="Quokka builds."
    )
    review = Review.objects.create(
        assignment=assignment,
        stakeholder=Stakeholder.objects.get(user=own),
        verdict=Review.Verdict.DISAGREE,
        comment="Quokka says we lead the expected layer too.",
        suggested_layer=layers["expected"],
    )
    report = _report(product, "security-world-1")
    other_report = _report(other_product, "security-world-2")

    low, high = (cs, eng) if cs.pk < eng.pk else (eng, cs)
    partnership = Partnership.objects.create(
        organization=org, function_a=low, function_b=high, trust=3, shared_goal="Quokka handoffs"
    )
    disruption = Disruption.objects.create(
        organization=org,
        kind=Disruption.Kind.REORG,
        title="Quokka reorg",
        occurred_on=date.today() - timedelta(days=3),
        effective_at=timezone.now() - timedelta(days=3),
    )
    disruption.functions.add(eng)
    campaign = ReviewCampaign.objects.create(
        product=product, name="Quokka spring review", deadline=timezone.now() + timedelta(days=14)
    )
    invite = invite_services.invite_create(stakeholder=pending_person, by=admin, base_url="http://testserver/")
    import_job = imports.start_import(
        organization=org, by=admin, filename="people.csv", content=(FIXTURES / "import" / "good.csv").read_bytes()
    )
    job_id = str(uuid.uuid4())
    cache.set(job_key(job_id), {"organization_id": org.pk, "tasks": [[job_id, product.pk]]}, 3600)
    admin_token, _ = AuthToken.objects.create(user=admin)
    export_job = _export_job(report, admin)

    # A draft scenario of two steps (issue 18): its pages and API name it and its first step.
    scenario = scenario_services.create_scenario(organization=org, by=leader, name="Quokka merge")
    scenario_step = scenario_services.add_change(
        scenario=scenario, by=leader, kind="move_person", person=pending_person.pk, to=eng.pk
    )
    scenario_services.add_change(
        scenario=scenario,
        by=leader,
        kind="set_assignment",
        product=other_product.pk,
        function=empty_function.pk,
        layer="potential",
        emphasis="contributor",
    )

    attacker_function = Function.objects.create(organization=attacker, name="Attacker Ops", category="building")
    attacker_product = Product.objects.create(organization=attacker, slug="robotics", name="Attacker Robotics")
    attacker_assignment = Assignment.objects.create(
        product=attacker_product, function=attacker_function, layer=layers["core"]
    )
    attacker_person = Stakeholder.objects.create(
        organization=attacker, function=attacker_function, full_name="Mallory Attacker", email=outsider.email
    )

    return World(
        org=org,
        attacker=attacker,
        users={"admin": admin, "leader": leader, "own": own, "other": other, "outsider": outsider},
        cs=cs,
        eng=eng,
        empty_function=empty_function,
        product=product,
        other_product=other_product,
        assignment=assignment,
        eng_assignment=eng_assignment,
        review=review,
        report=report,
        other_report=other_report,
        partnership=partnership,
        disruption=disruption,
        campaign=campaign,
        invite=invite,
        invite_token=invite_services.token_for(invite),
        uninvited=uninvited,
        pending_person=pending_person,
        other_membership=other_membership,
        import_job=import_job,
        job_id=job_id,
        admin_token=admin_token,
        attacker_function=attacker_function,
        attacker_product=attacker_product,
        attacker_person=attacker_person,
        attacker_assignment=attacker_assignment,
        extra={"export_job": export_job, "scenario": scenario, "scenario_step": scenario_step},
    )
