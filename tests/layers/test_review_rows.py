"""The inbox's `{% dispute_card %}` and `{% progress_row %}`, written in Python (decision 0014):
the HTML the inbox's template wrote, for each state they draw, escaped."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from layers.models import Review

from ..factories import ReviewFactory, layer

pytestmark = pytest.mark.django_db

# The inbox's loops as its template wrote them before the tags (the pages were compared too).
TEMPLATE_CARDS = """{% load chips plain_words %}{% for d in disputes %}{% with r=d.review a=d.review.assignment %}
  <li class="card dispute" id="dispute-{{ r.pk }}">
    <div>
      <div class="dispute-who"><strong>{{ r.stakeholder.full_name }}</strong>{% function_chip a.function %}<span class="muted small">on {{ a.product.name }}</span></div>
      <div class="dispute-what">
        disagrees with <span class="layer-pill layer-{{ a.layer.key }}">{{ a.layer.name }}</span> <span class="badge">{{ a.get_emphasis_display }}</span>
        {% if r.suggested_layer %}<span class="arrow" aria-hidden="true">→</span><span class="muted">suggests</span> <span class="layer-pill layer-{{ r.suggested_layer.key }}">{{ r.suggested_layer.name }}</span>{% endif %}
      </div>
      <blockquote class="quote">{{ r.comment }}</blockquote>
      <div class="dispute-meta"><span>{{ r.created_at|date:"j M Y" }} · {{ r.created_at|ago }}</span>{% if d.is_stale %}<span class="state state-stale">Assignment changed since</span>{% endif %}</div>
    </div>
    <div class="dispute-side">
      {% if r.stakeholder.user_id == my_user_id %}
      <span class="muted small">You raised this: another leader resolves it.</span>
      <a class="btn btn-small" href="{% url 'review-detail' org=org.slug pk=r.pk %}">View</a>
      {% else %}
      <a class="btn btn-primary" href="{% url 'review-resolve' org=org.slug pk=r.pk %}">Resolve</a>
      {% endif %}
    </div>
  </li>
  {% endwith %}{% endfor %}"""  # noqa: E501

TEMPLATE_ROWS = """{% load chips review_bars %}      {% for row in progress %}
      <tr>
        <td>{% function_chip row.function %}</td>
        <td class="num">{{ row.people }}</td>
        <td class="num">{{ row.tally.current }}</td>
        <td class="num">{{ row.tally.pending }}</td>
        <td class="num">{{ row.tally.stale }}</td>
        <td class="num">{% if row.tally.open %}<span class="state state-open">{{ row.tally.open }}</span>{% else %}0{% endif %}</td>
        <td>{% if row.tally.pairs %}<div class="bar-cell">{% review_bar row.tally %}<span class="num">{{ row.tally.percent }}%</span></div>{% else %}<span class="muted small">Nobody works here yet</span>{% endif %}</td>
        <td class="row-actions">{% if row.people and ctx.is_admin %}<a class="btn btn-small" href="{% url 'invite-create' org=org.slug %}?scope=function&amp;function={{ row.function.pk }}&amp;next={{ request.get_full_path|urlencode }}">Invite</a>{% endif %}</td>
      </tr>
      {% endfor %}"""  # noqa: E501

TAG_CARDS = "{% load review_bars %}{% for d in disputes %}{% dispute_card d %}{% endfor %}"
TAG_ROWS = "{% load review_bars %}      {% for row in progress %}\n{% progress_row row %}\n      {% endfor %}"
HOSTILE = '<script>alert("x")</script> & O\'Brien'


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin"])
def test_a_dispute_card_is_the_templates_card(zone):
    review = ReviewFactory(
        verdict=Review.Verdict.DISAGREE,
        comment=f"<b>No</b>: {HOSTILE}",
        stakeholder__full_name=HOSTILE,
        assignment__function__name=HOSTILE,
        assignment__product__name=HOSTILE,
    )
    Review.objects.filter(pk=review.pk).update(created_at=datetime(2026, 12, 5, 23, 30, tzinfo=UTC))
    review = Review.objects.select_related(
        "stakeholder", "assignment__function", "assignment__product", "assignment__layer", "suggested_layer"
    ).get(pk=review.pk)
    org = review.assignment.product.organization
    with timezone.override(zone):
        for suggested in (None, layer("augmented")):
            review.suggested_layer = suggested
            for stale in (False, True):
                review.stakeholder.user_id = 777  # the person's login (not saved)
                for me in (777, 778):  # the leader who raised it, or another
                    disputes = [SimpleNamespace(review=review, is_stale=stale)] * 2
                    context = {"disputes": disputes, "org": org, "my_user_id": me}
                    tag = Template(TAG_CARDS).render(Context(context))
                    assert tag == Template(TEMPLATE_CARDS).render(Context(context)), (suggested, stale, me)
                    assert "<script>" not in tag and "<b>" not in tag
                    assert ("You raised this" in tag) == (me == 777)


def test_a_progress_row_is_the_templates_row():
    review = ReviewFactory(assignment__function__name=HOSTILE)
    function = review.assignment.function
    org = function.organization
    request = RequestFactory().get("/o/x/reviews/?product=a&b=<c>")
    tallies = [
        SimpleNamespace(current=3, pending=2, stale=1, open=2, pairs=8, percent=38, bar_label=HOSTILE,
                        segments=[("current", 0, 37.5), ("stale", 37.5, 12.5), ("pending", 50, 50)]),
        SimpleNamespace(current=0, pending=0, stale=0, open=0, pairs=0, percent=0, bar_label="", segments=[]),
    ]  # fmt: skip
    for tally in tallies:
        for people in (0, 4):
            for is_admin in (False, True):
                progress = [SimpleNamespace(function=function, people=people, tally=tally)] * 2
                context = {
                    "progress": progress,
                    "org": org,
                    "ctx": SimpleNamespace(is_admin=is_admin),
                    "request": request,
                }
                tag = Template(TAG_ROWS).render(Context(context))
                assert tag == Template(TEMPLATE_ROWS).render(Context(context)), (tally.pairs, people, is_admin)
                assert "<script>" not in tag and ("Invite</a>" in tag) == bool(people and is_admin)
