"""Plain words (issue 15 item 5): no design-section numbers, codes or raw ratios on any page of the demo.

Every main page of the demo organization is rendered for the user who sees it, and its visible
text (no tags, scripts or styles) is scanned for "DESIGN §", an underscore inside a word
(`open_dispute`), a number with more than one decimal (0.6667) and "0 minutes ago".
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.test import Client

from .pages import DEMO_PASSWORD, VISITORS, demo_paths, seed_demo

pytestmark = pytest.mark.django_db

JARGON = {
    "a design-section number": re.compile(r"DESIGN\s*§"),
    "a code with an underscore": re.compile(r"\b[A-Za-z]+_[A-Za-z_]+\b"),
    "a number with more than one decimal": re.compile(r"(?<![\d.])\d+\.\d{2,}(?![\d.])"),
    "a time of zero minutes": re.compile(r"\b0\s+minutes?\s+ago\b"),
}


class VisibleText(HTMLParser):
    """The text a reader sees: text nodes outside <script>, <style>, <template> and hidden elements.

    Code shown as code (<code>, <pre>, <kbd>: a command to run) is meant to be typed as it is.
    """

    SKIP = {"script", "style", "template", "noscript", "code", "pre", "kbd", "samp"}
    VOID = {"br", "hr", "img", "input", "meta", "link", "source", "area", "col", "wbr", "path", "rect", "circle"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.stack: list[bool] = []  # per open element: is it skipped?

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            return
        hidden = tag in self.SKIP or "hidden" in dict(attrs)
        self.stack.append(hidden or (bool(self.stack) and self.stack[-1]))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        pass

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def jargon_in(text: str) -> list[str]:
    found = []
    for what, pattern in JARGON.items():
        for match in pattern.finditer(text):
            start = max(match.start() - 40, 0)
            found.append(f"{what}: …{text[start : match.end() + 40]}…")
    return found


@pytest.fixture
def demo(db):
    return seed_demo()


def test_the_scanner_finds_what_it_looks_for():
    html = "<p>Live figures (DESIGN §4): open_dispute, 0.6667 agree, 0 minutes ago</p><script>a_b = 1.234</script>"

    assert [line.split(":")[0] for line in jargon_in(visible_text(html))] == [
        "a design-section number",
        "a code with an underscore",
        "a number with more than one decimal",
        "a time of zero minutes",
    ]


@pytest.mark.parametrize("who", list(VISITORS))
def test_every_main_page_of_the_demo_speaks_plainly(demo, who):
    client = Client()
    assert client.login(username=VISITORS[who].email, password=DEMO_PASSWORD)
    found = {}
    for path in demo_paths(who):
        response = client.get(path)
        assert response.status_code == 200, path
        problems = jargon_in(visible_text(response.content.decode()))
        if problems:
            found[path] = problems

    assert found == {}


def test_the_emails_of_a_campaign_and_a_dispute_speak_plainly(demo):
    """The review requests the demo's campaign sent, a dispute notice to the leaders, and the
    summary the campaign's close sends: subject, text and HTML, scanned like the pages."""
    from django.core import mail

    from layers.models import Review
    from layers.services import campaigns, reviews

    requests = len(mail.outbox)
    disagreement = Review.objects.filter(verdict="disagree", resolved_at__isnull=True).first()
    assert reviews.notify_dispute(review_id=disagreement.pk, base_url="http://testserver") >= 1
    campaigns.campaign_close(campaign=demo)
    assert campaigns.send_summary(campaign_id=demo.pk)
    assert requests >= 1 and len(mail.outbox) >= requests + 2

    found = {}
    for message in mail.outbox:
        parts = [message.subject, message.body] + [visible_text(html) for html, _ in message.alternatives]
        problems = [problem for part in parts for problem in jargon_in(part)]
        if problems:
            found[message.subject] = problems

    assert found == {}
