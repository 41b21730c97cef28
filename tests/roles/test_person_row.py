"""`{% person_row %}`: a person's row of the people list, written in Python (decision 0014)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.template import Context, Template

from roles.models import Stakeholder

from ..factories import OrganizationFactory, StakeholderFactory

pytestmark = pytest.mark.django_db

# The row as the list's template wrote it before the tag (the page's HTML was compared too).
TEMPLATE_ROW = """{% load chips %}<tr id="person-{{ person.pk }}">
  <td class="person-name"><strong>{{ person.full_name }}</strong></td>
  <td>{{ person.title|default:"—" }}</td>
  <td>{% function_chip person.function %}</td>
  <td class="manager">{{ person.manager.full_name|default:"—" }}</td>
  <td class="email"><a href="mailto:{{ person.email }}">{{ person.email }}</a></td>
  <td><span class="badge invite-{{ person.invite_state }}{% if person.invite_state == 'joined' %} badge-ok{% elif person.invite_state == 'invited' %} badge-access{% elif person.invite_state == 'expired' or person.invite_state == 'revoked' %} badge-warn{% endif %}">{{ person.invite_label }}</span></td>
  {% if ctx.can_edit %}<td class="row-actions">{% if ctx.is_admin and person.invite_state == 'not_invited' or ctx.is_admin and person.invite_state == 'expired' %}<a class="btn btn-small" href="{% url 'invite-create' org=org.slug %}?email={{ person.email|urlencode }}">Invite<span class="visually-hidden"> {{ person.full_name }}</span></a> {% endif %}<a class="btn btn-small" href="{% url 'person-edit' org=org.slug pk=person.pk %}">Edit<span class="visually-hidden"> {{ person.full_name }}</span></a></td>{% endif %}
</tr>"""  # noqa: E501

HOSTILE = '<script>alert("x")</script> & O\'Brien'


def test_the_row_is_the_templates_row_for_every_state_and_access():
    org = OrganizationFactory()
    boss = StakeholderFactory(function__organization=org, organization=org, full_name=HOSTILE)
    people = [
        StakeholderFactory(
            function__organization=org, organization=org, full_name=HOSTILE, title="", email="o'brien+x@acme.test"
        ),
        StakeholderFactory(
            function__organization=org, organization=org, manager=boss, title="<b>Lead</b>", function__name=HOSTILE
        ),
    ]
    for person in Stakeholder.objects.filter(pk__in=[p.pk for p in people]).select_related("function", "manager"):
        for state in ("not_invited", "invited", "joined", "expired", "revoked"):
            person.invite_state, person.invite_label = state, f"<{state}>"
            for can_edit, is_admin in ((False, False), (True, False), (True, True)):
                context = {"person": person, "org": org, "ctx": SimpleNamespace(can_edit=can_edit, is_admin=is_admin)}
                tag = Template("{% load people_rows %}{% person_row person %}").render(Context(context))
                assert tag == Template(TEMPLATE_ROW).render(Context(context)), (state, can_edit, is_admin)
                assert "<script>" not in tag and "<b>" not in tag
                assert ("Invite<span" in tag) == (is_admin and state in ("not_invited", "expired"))
