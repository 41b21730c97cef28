"""`{% member_row member person me last_admin %}`: one member's row of the members page.

A page lists 50 members, each with two forms (change the access, remove) whose addresses and
CSRF inputs a template wrote anew per row; written here it is the same HTML at a fraction of
the cost.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from roles.models import Membership
from shared.markup import csrf_input, esc, row_address, shown_date

from .chips import function_chip

register = template.Library()


@register.simple_tag(takes_context=True)
def member_row(context: template.Context, m: Membership, person: Any, me: bool, last_admin: bool) -> SafeString:
    org = context["org"]
    user = m.user
    email = esc(user.email)
    who = esc(user.get_full_name() or user.email)
    you = '<span class="badge member-you">you</span>' if me else ""
    if person:
        shown = f"{esc(person.full_name)} {function_chip(person.function)}"
    else:
        shown = '<span class="muted small">No person record</span>'
    if me:
        access = f'<span class="badge badge-access">{esc(m.get_access_display())}</span>'
    else:
        options = "".join(
            f'<option value="{esc(value)}"{" selected" if value == m.access else ""}>{esc(label)}</option>'
            for value, label in context["access_choices"]
        )
        access = (
            f'<form class="inline-form" method="post" '
            f'action="{esc(row_address("member-access", org.slug, m.pk))}">\n'
            f"{csrf_input(context)}\n"
            f'<label class="visually-hidden" for="access-{m.pk}">Access of {email}</label>\n'
            f'<select id="access-{m.pk}" name="access">{options}</select>\n'
            '<button class="btn btn-small" type="submit">Save</button>\n</form>'
        )
    if me:
        action = '<span class="muted small">That\'s you</span>'
    elif last_admin:
        action = '<span class="muted small">Last admin</span>'
    else:
        action = (
            f'<form method="post" action="{esc(row_address("member-remove", org.slug, m.pk))}">'
            f'{csrf_input(context)}<button class="btn btn-small btn-quiet-danger" type="submit" '
            f'data-confirm="Remove {email} from {esc(org.name)}? They can be invited again.">Remove</button></form>'
        )
    return mark_safe(  # noqa: S308 (every value in it is escaped)
        f'<tr id="member-{m.pk}">\n'
        f'<td><span class="row-title">{who}</span>{you}<div class="muted small">{email}</div></td>\n'
        f"<td>{shown}</td>\n<td>\n{access}\n</td>\n"
        f'<td class="nowrap muted small">{esc(shown_date(m.created_at, "j M Y"))}</td>\n'
        f'<td class="row-actions">\n{action}\n</td>\n</tr>\n'
    )
