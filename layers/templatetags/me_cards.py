"""`{% me_card item %}`: one assignment card of "my role" (`layers/me_assignment.html`), written here.

A stakeholder's page shows a card per assignment of their function (ten on a product of a large
organization), and every review anywhere in the organization draws the page again (the state
cache keys pages on the organization's version): each card's includes, URL tags, token tags and
lookups were most of the page's drawing. The card with its blank review form (`DrawnForm`, the
page's GET) is written here with f-strings and `shared.markup.esc`; a card with a bound form or a
thank-you (the answer to a review, `me_swap.html`) is the template's, which stays the reference:
a test renders both for every state and holds them equal, character for character.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from shared.markup import csrf_input, esc, shown_date
from wholeproduct.idempotency import FORM_FIELD

register = template.Library()

TEMPLATE = "layers/me_assignment.html"
LEAD_BADGE = '<span class="badge badge-access">★ Lead</span>'
CONTRIBUTOR_BADGE = '<span class="badge">Contributor</span>'
CHANGE = "Change your review"


@register.simple_tag(takes_context=True)
def me_card(context: template.Context, item: Any) -> SafeString:
    form = item.form
    if context.get("thanks") or not hasattr(form, "drawn") or form.errors:
        with context.push(item=item):
            drawing = context.template
            assert drawing is not None
            card = drawing.engine.get_template(TEMPLATE)
            return mark_safe(card.render(context))  # noqa: S308 (the template's own output)
    return mark_safe(_card(context, item))  # noqa: S308 (every value in it is escaped)


def _card(context: template.Context, item: Any) -> str:
    a, state = item.assignment, item.state
    org = context["org"].slug
    pk, layer, product = a.pk, a.layer, a.product
    key = esc(layer.key)
    emphasis = LEAD_BADGE if a.emphasis == "lead" else CONTRIBUTOR_BADGE
    contribution = (
        f'<p class="me-contribution">{esc(a.contribution)}</p>'
        if a.contribution
        else '<p class="me-contribution is-empty">No one has written how your function contributes here yet.</p>'
    )
    why = (
        f"The playbook places {esc(a.function.name)} here for the reason quoted above, "
        "taken from the Whole Product model."
        if item.why == a.contribution
        else esc(item.why)
    )
    if item.shared:
        shared = _shared(item.shared)
    else:
        product_url = esc(reverse("product-detail", kwargs={"org": org, "product": product.slug}))
        shared = (
            f'<dd id="shared-{pk}"><span class="muted">Named when the picture of {esc(product.name)} loads, or on '
            f'<a href="{product_url}">the whole product</a>.</span></dd>'
        )
    status = state.state
    reason_class = (
        " is-stale"
        if status == "stale"
        else " is-open"
        if state.is_open
        else " is-current"
        if status == "current"
        else ""
    )
    ask = " Tell us whether this is right." if status == "pending" else ""
    form = _form(context, item, org)
    if status == "current":
        chosen = f'\n  <details class="me-change">\n    <summary>{CHANGE}</summary>\n    {form}\n  </details>\n  '
    else:
        chosen = f"\n  {form}\n  "
    # The template's lines, each tag line leaving its indent and line end.
    return (
        f'\n<article class="me-card layer-{key}" id="assignment-{pk}" aria-labelledby="assignment-{pk}-title">\n'
        f'  <header class="me-card-head">\n'
        f'    <h3 id="assignment-{pk}-title"><span class="layer-ring" aria-hidden="true">{esc(layer.ring)}</span> '
        f"{esc(layer.name)}</h3>\n"
        f"    {emphasis}\n"
        f'    <span class="states">{_badge(state)}\n</span>\n'
        f"  </header>\n"
        f"  {contribution}\n"
        f'  <dl class="me-facts">\n'
        f"    <dt>Why you are here</dt>\n"
        f'    <dd class="me-why">{why}</dd>\n'
        f"    <dt>Shared with</dt>\n"
        f"    {shared}\n"
        f"  </dl>\n"
        f'  <p class="me-reason{reason_class}">{esc(state.reason)}{ask}</p>\n'
        f"  \n"
        f"{_latest(item, org)}"
        f"  \n"  # the end of the latest review's block
        f"  \n"  # a thank-you (the template's)
        f"  \n"  # the form's block
        f"  {chosen}\n"
        f"  \n"
        f"</article>\n\n"
    )


def _badge(state: Any) -> str:
    """`review_state_badge.html`."""
    if state.state == "pending":
        return '<span class="state state-pending">Not reviewed yet</span>'
    if state.state == "stale":
        badge = '<span class="state state-stale">↻ Needs re-confirming</span>'
        return f'{badge} <span class="state state-open">Dispute open</span>' if state.is_open else badge
    if state.is_open:
        return '<span class="state state-open">Dispute open</span>'
    return '<span class="state state-current">✓ Reviewed</span>'


def _shared(shared: Any) -> str:
    """`me_shared.html`, not out of band."""
    if not (shared.others or shared.unloaded):
        inner = '<span class="muted">No other function: your function is alone on this layer.</span>'
    else:
        chips = []
        for other in shared.shown:
            title = ("Lead" if other.is_lead else "Contributor") + (
                f": {esc(other.contribution)}" if other.contribution else ""
            )
            star = "★ " if other.is_lead else ""
            chips.append(
                f'<span class="chip chip-sm cat-{esc(other.category)}" title="{title}">{star}{esc(other.name)}</span>'
            )
        more = f'<span class="muted small">and {esc(shared.more)} more</span>' if shared.more else ""
        inner = f'<span class="chips">{"".join(chips)}{more}</span>'
    return f'\n<dd id="shared-{shared.assignment_id}">{inner}</dd>\n'


def _latest(item: Any, org: str) -> str:
    """The requester's latest review of it: the history link, what they wrote, a leader's answer
    (the template's three lines, each with its indent and line end)."""
    latest = item.latest
    history = ""
    if latest:
        url = esc(reverse("review-detail", kwargs={"org": org, "pk": latest.pk}))
        history = f'<p class="small me-history"><a href="{url}">Your review history</a></p>'
    mine = ""
    if latest and latest.verdict == "disagree":
        suggested = latest.suggested_layer
        suggestion = (
            f' (you suggested the <span class="layer-pill layer-{esc(suggested.key)}">{esc(suggested.name)}</span>)'
            if suggested
            else ""
        )
        mine = (
            f'\n  <div class="me-mine">\n'
            f'    <span class="muted">What you wrote{suggestion}:</span>\n'
            f'    <blockquote class="quote">{esc(latest.comment)}</blockquote>\n'
            f"  </div>\n  "
        )
    answer = ""
    if item.resolved:
        outcome = "A leader kept the assignment" if latest.resolution == "kept" else "A leader changed the assignment"
        by = latest.resolved_by
        who = f'<span class="muted"> · {esc(by.get_full_name() or by.email)}</span>' if by else ""
        note = f"<p>{esc(latest.resolution_note)}</p>" if latest.resolution_note else ""
        answer = (
            f'\n  <div class="me-resolution" role="note">\n'
            f"    <strong>{outcome}</strong>{who}"
            f'<span class="muted"> · {esc(shown_date(latest.resolved_at, "j M Y"))}</span>\n'
            f"    {note}\n"
            f"  </div>\n  "
        )
    return f"  {history}\n  {mine}\n  {answer}\n"


def _form(context: template.Context, item: Any, org: str) -> str:
    """`me_form.html` with a blank form already drawn (`layers.views.me.DrawnForm`)."""
    pk = item.assignment.pk
    url = esc(reverse("me-review", kwargs={"org": org, "pk": pk}))
    token = f'<input type="hidden" name="{FORM_FIELD}" value="{uuid.uuid4().hex}">'
    button = "Re-confirm" if item.state.state == "stale" else "Save my review"
    return (
        f'\n<form class="form me-form" method="post" action="{url}"\n'
        f'      hx-post="{url}" hx-target="#assignment-{pk}" hx-swap="outerHTML" data-review-form>\n'
        f"  {csrf_input(context)}{token}\n"
        f"  \n\n"
        f"  {item.form.drawn}\n"
        f'  <div class="form-actions">\n'
        f'    <button class="btn btn-primary" type="submit">{button}</button>\n'
        f'    <span class="muted small">Only you and the product leaders see your comment.</span>\n'
        f"  </div>\n"
        f"</form>\n"
    )
