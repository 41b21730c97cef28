"""`{% review_bar tally %}`: a stacked bar of review states (agreed, disputed, to re-confirm, not
reviewed), for the inbox's 50 functions, the campaigns and a campaign's figures; and
`{% progress_row row %}`, a function's row of the inbox's progress table (a page of 50), and
`{% dispute_card dispute %}`, an open dispute's card (a page of 25).

They were templates, the bar included per row; written here they are the same HTML, numbers
unlocalized (decision 0014).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.defaultfilters import urlencode
from django.utils.safestring import SafeString, mark_safe

from roles.templatetags.chips import function_chip
from shared.markup import esc, org_address, row_address, shown_date

from .plain_words import ago

register = template.Library()


@register.simple_tag
def review_bar(tally: Any, large: bool = False) -> SafeString:
    """`tally`: anything with `segments` ((state, x, width) in percent) and `bar_label`."""
    rects = "".join(
        f'<rect class="seg-{esc(name)}" x="{x}" y="0" width="{width}" height="10"/>'
        for name, x, width in tally.segments
    )
    return mark_safe(  # noqa: S308 (every value in it is escaped or a number)
        f'<svg class="bar{" bar-lg" if large else ""}" viewBox="0 0 100 10" preserveAspectRatio="none" role="img" '
        f'aria-label="{esc(tally.bar_label)}">{rects}</svg>'
    )


@register.simple_tag(takes_context=True)
def progress_row(context: template.Context, row: Any) -> SafeString:
    """A function's row of the inbox's progress table: `row` has the `function`, its `people` and
    its `tally` (current, pending, stale, open, pairs, percent and the bar's segments); an admin is
    offered to invite the function's people."""
    tally = row.tally
    disputes = f'<span class="state state-open">{tally.open}</span>' if tally.open else "0"
    if tally.pairs:
        progress = f'<div class="bar-cell">{review_bar(tally)}<span class="num">{tally.percent}%</span></div>'
    else:
        progress = '<span class="muted small">Nobody works here yet</span>'
    invite = ""
    if row.people and context["ctx"].is_admin:
        href = esc(org_address("invite-create", context["org"].slug))
        back = esc(urlencode(context["request"].get_full_path()))
        invite = (
            f'<a class="btn btn-small" href="{href}?scope=function&amp;function={row.function.pk}&amp;next={back}">'
            "Invite</a>"
        )
    return mark_safe(  # noqa: S308 (every value in it is escaped or a number)
        "      <tr>\n"
        f"        <td>{function_chip(row.function)}</td>\n"
        f'        <td class="num">{row.people}</td>\n'
        f'        <td class="num">{tally.current}</td>\n'
        f'        <td class="num">{tally.pending}</td>\n'
        f'        <td class="num">{tally.stale}</td>\n'
        f'        <td class="num">{disputes}</td>\n'
        f"        <td>{progress}</td>\n"
        f'        <td class="row-actions">{invite}</td>\n'
        "      </tr>"
    )


@register.simple_tag(takes_context=True)
def dispute_card(context: template.Context, dispute: Any) -> SafeString:
    """An open dispute's card in the inbox: who disagrees with which cell and what they suggest,
    when, whether the assignment changed since, and the leader's action (a leader who raised it
    only views it: another resolves it)."""
    r = dispute.review
    a = r.assignment
    org = context["org"].slug
    suggests = ""
    if r.suggested_layer:
        layer = r.suggested_layer
        suggests = (
            '<span class="arrow" aria-hidden="true">→</span><span class="muted">suggests</span> '
            f'<span class="layer-pill layer-{esc(layer.key)}">{esc(layer.name)}</span>'
        )
    stale = '<span class="state state-stale">Assignment changed since</span>' if dispute.is_stale else ""
    if r.stakeholder.user_id == context.get("my_user_id"):
        href = esc(row_address("review-detail", org, r.pk))
        action = (
            '\n      <span class="muted small">You raised this: another leader resolves it.</span>\n'
            f'      <a class="btn btn-small" href="{href}">View</a>\n      '
        )
    else:
        href = esc(row_address("review-resolve", org, r.pk))
        action = f'\n      <a class="btn btn-primary" href="{href}">Resolve</a>\n      '
    return mark_safe(  # noqa: S308 (every value in it is escaped or a number)
        f'\n  <li class="card dispute" id="dispute-{r.pk}">\n    <div>\n'
        f'      <div class="dispute-who"><strong>{esc(r.stakeholder.full_name)}</strong>{function_chip(a.function)}'
        f'<span class="muted small">on {esc(a.product.name)}</span></div>\n'
        '      <div class="dispute-what">\n'
        f'        disagrees with <span class="layer-pill layer-{esc(a.layer.key)}">{esc(a.layer.name)}</span> '
        f'<span class="badge">{esc(a.get_emphasis_display())}</span>\n'
        f"        {suggests}\n      </div>\n"
        f'      <blockquote class="quote">{esc(r.comment)}</blockquote>\n'
        f'      <div class="dispute-meta"><span>{esc(shown_date(r.created_at, "j M Y"))} · '
        f"{esc(ago(r.created_at))}</span>{stale}</div>\n"
        "    </div>\n"
        f'    <div class="dispute-side">\n      {action}\n    </div>\n  </li>\n  '
    )
