"""Review campaigns (issue 4): a leader asks a product's stakeholders to review their part by a deadline.

The daily beat task ("campaign reminders", 08:00) closes campaigns whose deadline has
passed, with a summary, and reminds everyone else who still has a pending or stale pair:
- at most one reminder every REMIND_EVERY days per person and campaign, unless something
  made their review stale after the last reminder (an assignment change, a disruption):
  then the next run asks again;
- nobody whose reviews are all current is reminded;
- nobody another campaign of the same product emailed in the last REMIND_EVERY days is asked
  by a new one (closing and restarting campaigns cannot flood anyone's inbox);
- each reminder is claimed by inserting its CampaignReminder row (unique per campaign,
  person and day) *before* the email leaves, so two runs on one day send one email.

A campaign emails review requests only to people who have an account, at the address of that
account's person record: it never creates an invitation or an account (DESIGN §5). The first
email of a campaign to someone asks them to review; the later ones remind them. People without an
account are listed for admins on the campaign's page, beside the admin-only invite action.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from roles.models import Function, Stakeholder
from roles.services import invites
from wholeproduct.errors import DomainError

from .. import selectors_reviews as selectors
from ..models import Assignment, CampaignReminder, Product, ReviewCampaign
from ..review_state import format_day
from ..selectors_campaign import burnup_values

log = logging.getLogger(__name__)

REMIND_EVERY = timedelta(days=3)
NAME_MAX = ReviewCampaign._meta.get_field("name").max_length
Status = ReviewCampaign.Status


class ReminderDeliveryFailed(Exception):
    """Some reminders could not be sent; their claims were released so a retry sends them."""


def _field(name: str, message: str) -> DomainError:
    return DomainError(message, fields={name: [message]})


def _tasks() -> Any:
    from ..tasks import reviews as tasks  # the task module imports this one

    return tasks


# --- start and close -------------------------------------------------------------------------------


def _check_functions(product: Product, chosen: list[Function], mapped: set[int]) -> None:
    for function in chosen:
        if function.organization_id != product.organization_id or function.pk not in mapped:
            raise _field("functions", f"{function.name} has no assignment on {product.name}.")


@transaction.atomic
def campaign_start(
    *,
    product: Product,
    deadline: datetime,
    by: Any,
    name: str = "",
    functions: Iterable[Function] = (),
    base_url: str | None = None,
    now: datetime | None = None,
) -> ReviewCampaign:
    """Open a campaign for some functions of a product (none chosen: all mapped ones) and ask them now."""
    now = now or timezone.now()
    if deadline <= now:
        raise _field("deadline", "Choose a deadline in the future.")
    Product.objects.select_for_update().filter(pk=product.pk).first()  # one open campaign per product
    running = ReviewCampaign.objects.filter(product=product, status=Status.OPEN).first()
    if running is not None:
        raise DomainError(f"“{running.name}” is still open for {product.name}. Close it before starting another.")
    mapped = set(Assignment.objects.filter(product=product).values_list("function_id", flat=True))
    if not mapped:
        raise DomainError(f"Nothing to review yet: map some functions on {product.name} first.")
    chosen = list(functions)
    _check_functions(product, chosen, mapped)
    scope = [f.pk for f in chosen] or list(mapped)
    if not Stakeholder.objects.filter(function_id__in=scope).exists():
        raise _field("functions", "Nobody works in these functions yet: add their people first.")
    name = " ".join((name or "").split())[:NAME_MAX] or f"{product.name} review, {format_day(now)}"
    campaign = ReviewCampaign.objects.create(
        product=product, name=name, deadline=deadline, starts_at=now, created_by=by if getattr(by, "pk", None) else None
    )
    campaign.functions.set(chosen)
    # Ask everyone right away; the daily run then reminds at most every REMIND_EVERY days.
    transaction.on_commit(partial(_tasks().campaign_remind.delay, campaign.pk, invites.site_url(base_url)))
    return campaign


def campaign_close(*, campaign: ReviewCampaign, by: Any = None, now: datetime | None = None) -> ReviewCampaign:
    """Close a campaign with its summary (as of the deadline when it has passed). Closing twice is a no-op."""
    now = now or timezone.now()
    as_of = min(now, campaign.deadline)
    with transaction.atomic():
        progress = selectors.campaign_progress(campaign, now=as_of)
        # Its page shows it as it stood: the burn-up's daily values too (layers/selectors_campaign.py).
        summary = progress.summary() | {"burnup": burnup_values(progress, as_of=as_of)}
        claimed = ReviewCampaign.objects.filter(pk=campaign.pk, status=Status.OPEN).update(
            status=Status.CLOSED, closed_at=now, summary=summary
        )
        if claimed:
            transaction.on_commit(partial(_tasks().send_campaign_summary.delay, campaign.pk))
    campaign.refresh_from_db()
    return campaign


def close_due(*, now: datetime | None = None) -> list[int]:
    """Close every open campaign whose deadline has passed; their ids."""
    now = now or timezone.now()
    closed = []
    for campaign in ReviewCampaign.objects.filter(status=Status.OPEN, deadline__lte=now).select_related("product"):
        campaign_close(campaign=campaign, now=now)
        closed.append(campaign.pk)
    return closed


def open_campaign_ids(*, now: datetime | None = None) -> list[int]:
    now = now or timezone.now()
    return list(ReviewCampaign.objects.filter(status=Status.OPEN, deadline__gt=now).values_list("pk", flat=True))


# --- reminders -------------------------------------------------------------------------------------


def is_due(person: selectors.PersonProgress, now: datetime) -> bool:
    """Remind someone who still has work, unless reminded lately about the same work."""
    if not person.tally.to_review:
        return False
    last = person.last_reminded
    if last is None or last <= now - REMIND_EVERY:
        return True
    # Made stale after the last reminder (a change, a disruption): they have new work.
    return person.asked_since is not None and person.asked_since > last


def _claim(campaign: ReviewCampaign, person: Stakeholder, now: datetime) -> CampaignReminder | None:
    try:
        with transaction.atomic():
            return CampaignReminder.objects.create(
                campaign=campaign, stakeholder=person, sent_on=timezone.localdate(now), sent_at=now
            )
    except IntegrityError:
        return None  # another run reminded them today


def campaign_send_reminders(*, campaign_id: int, now: datetime | None = None, base_url: str | None = None) -> int:
    """Remind the people of one campaign who are due; the number of emails sent."""
    now = now or timezone.now()
    campaign = ReviewCampaign.objects.select_related("product__organization").filter(pk=campaign_id).first()
    if campaign is None or campaign.status != Status.OPEN:
        return 0
    if campaign.deadline <= now:
        campaign_close(campaign=campaign, now=now)
        return 0
    progress = selectors.campaign_progress(campaign, now=now)
    lately = _asked_lately_by_another_campaign(campaign, now)
    sent, failed = 0, []
    for person in progress.waiting:
        if not person.stakeholder.user_id or not is_due(person, now):
            continue  # no account: only an admin's invitation can bring them in
        if person.last_reminded is None and person.stakeholder.pk in lately:
            continue  # closing and restarting a campaign must not email people more often
        first = person.last_reminded is None
        claim = _claim(campaign, person.stakeholder, now)
        if claim is None:
            continue
        try:
            _send_request(campaign, person, _link_for(person.stakeholder, base_url), first=first)
        except Exception:
            log.exception("Reminder to stakeholder %s for campaign %s failed", person.stakeholder.pk, campaign.pk)
            claim.delete()
            failed.append(person.stakeholder.pk)
        else:
            sent += 1
    if failed:
        raise ReminderDeliveryFailed(f"{len(failed)} reminder(s) of campaign {campaign.pk} failed; retry sends them.")
    return sent


def _asked_lately_by_another_campaign(campaign: ReviewCampaign, now: datetime) -> set[int]:
    """People another campaign of the same product emailed in the last REMIND_EVERY days."""
    recent = CampaignReminder.objects.filter(
        campaign__product_id=campaign.product_id, sent_at__gt=now - REMIND_EVERY, sent_at__lte=now
    ).exclude(campaign=campaign)
    return set(recent.values_list("stakeholder_id", flat=True))


def _link_for(person: Stakeholder, base_url: str | None) -> str:
    """Their "my role" page: they sign in to their account to review."""
    return invites.site_url(base_url) + reverse("me", kwargs={"org": person.organization.slug})


def _send_request(campaign: ReviewCampaign, person: selectors.PersonProgress, link: str, *, first: bool) -> None:
    """The first email of a campaign asks for a review; the later ones remind."""
    product = campaign.product
    context = {
        "campaign": campaign,
        "product": product,
        "organization": product.organization,
        "person": person.stakeholder,
        "tally": person.tally,
        "url": link,
        "first": first,
        "deadline": format_day(campaign.deadline, timezone.get_current_timezone()),
    }
    if first:
        subject = f"Please review your part of {product.name} by {context['deadline']}"
    else:
        subject = f"Reminder: review your part of {product.name} by {context['deadline']}"
    invites.send_templated_email(
        to=person.stakeholder.email, subject=subject, template="campaign_reminder", context=context
    )


def send_summary(*, campaign_id: int) -> bool:
    """Email the closed campaign's summary to the leader who started it, once."""
    with transaction.atomic():
        campaign = (
            ReviewCampaign.objects.select_for_update(of=("self",))
            .select_related("product__organization", "created_by")
            .filter(pk=campaign_id, status=Status.CLOSED)
            .first()
        )
        leader = campaign.created_by if campaign else None
        if campaign is None or leader is None or not leader.email or campaign.summary.get("emailed_at"):
            return False
        campaign.summary = {**campaign.summary, "emailed_at": timezone.now().isoformat()}
        campaign.save(update_fields=["summary"])
        path = reverse("campaign-detail", kwargs={"org": campaign.product.organization.slug, "pk": campaign.pk})
        context = {"campaign": campaign, "summary": campaign.summary, "url": invites.site_url() + path}
        # Inside the transaction: a failed send rolls the claim back, so a retry sends it.
        invites.send_templated_email(
            to=leader.email, subject=f"“{campaign.name}” is closed", template="campaign_summary", context=context
        )
    return True
