"""`{% person_row person %}`: one person's row of the people list (a page of 50), written in
Python as decision 0014 says: the template's row spent its time on a dozen lookups, two
addresses and the invite badge's conditions, for each person."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.defaultfilters import urlencode
from django.utils.safestring import SafeString, mark_safe

from shared.markup import esc, org_address, row_address

from .chips import function_chip

register = template.Library()

BADGES = {"joined": " badge-ok", "invited": " badge-access", "expired": " badge-warn", "revoked": " badge-warn"}
DASH = "—"


@register.simple_tag(takes_context=True)
def person_row(context: template.Context, person: Any) -> SafeString:
    """The row of `person` (read with its function and manager, and its `invite_state` and
    `invite_label` set), with the invite and edit buttons for those who may edit."""
    ctx, org = context["ctx"], context["org"]
    name = esc(person.full_name)
    state = person.invite_state
    manager = person.manager.full_name if person.manager else ""
    actions = ""
    if ctx.can_edit:
        invite = ""
        if ctx.is_admin and state in ("not_invited", "expired"):
            href = esc(org_address("invite-create", org.slug))
            invite = (
                f'<a class="btn btn-small" href="{href}?email={esc(urlencode(person.email))}">Invite'
                f'<span class="visually-hidden"> {name}</span></a> '
            )
        edit = esc(row_address("person-edit", org.slug, person.pk))
        actions = (
            f'<td class="row-actions">{invite}<a class="btn btn-small" href="{edit}">Edit'
            f'<span class="visually-hidden"> {name}</span></a></td>'
        )
    email = esc(person.email)
    return mark_safe(  # noqa: S308 (every value in it is escaped)
        f'<tr id="person-{person.pk}">\n'
        f'  <td class="person-name"><strong>{name}</strong></td>\n'
        f"  <td>{esc(person.title or DASH)}</td>\n"
        f"  <td>{function_chip(person.function)}</td>\n"
        f'  <td class="manager">{esc(manager or DASH)}</td>\n'
        f'  <td class="email"><a href="mailto:{email}">{email}</a></td>\n'
        f'  <td><span class="badge invite-{esc(state)}{BADGES.get(state, "")}">{esc(person.invite_label)}</span></td>\n'
        f"  {actions}\n"
        "</tr>"
    )
