"""Review tasks (issue 4): campaign reminders and closing, resolution notices.

Thin (STYLE §4): primitive ids in, one service call. Each is idempotent by construction:
reminders with a unique row, closing with a conditional UPDATE of the status (invite emails,
`roles.tasks.send_invites`, claim their send the same way). Retries are for transient mail
errors only, with the retry policy of `roles.tasks`.
"""

from __future__ import annotations

from celery import shared_task

from roles.services import invites
from roles.tasks import RETRY, TRANSIENT
from wholeproduct.errors import DomainError

from ..services import campaigns, reviews

__all__ = [
    "campaign_remind",
    "campaigns_daily",
    "send_campaign_summary",
    "send_dispute_notice",
    "send_resolution",
]


@shared_task(name="layers.campaigns_daily", ignore_result=True)
def campaigns_daily() -> None:
    """The beat entry "campaign reminders": close what is due, then remind, one task per campaign."""
    campaigns.close_due()
    for campaign_id in campaigns.open_campaign_ids():
        campaign_remind.delay(campaign_id, invites.site_url())


@shared_task(
    name="layers.campaign_remind",
    ignore_result=True,
    autoretry_for=(*TRANSIENT, campaigns.ReminderDeliveryFailed),
    retry_backoff=300,
    max_retries=3,
)
def campaign_remind(campaign_id: int, base_url: str = "") -> int:
    return campaigns.campaign_send_reminders(campaign_id=campaign_id, base_url=base_url or None)


@shared_task(name="layers.send_campaign_summary", ignore_result=True, **RETRY)
def send_campaign_summary(campaign_id: int) -> bool:
    return campaigns.send_summary(campaign_id=campaign_id)


@shared_task(name="layers.send_resolution", ignore_result=True, **RETRY)
def send_resolution(review_id: int) -> bool:
    try:
        return reviews.notify_resolution(review_id=review_id)
    except DomainError:
        return False


@shared_task(name="layers.send_dispute_notice", ignore_result=True, **RETRY)
def send_dispute_notice(review_id: int) -> int:
    return reviews.notify_dispute(review_id=review_id)
