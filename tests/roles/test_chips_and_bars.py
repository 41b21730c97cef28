"""`{% function_chip %}` and `{% review_bar %}`, written once for every page that lists functions."""

from __future__ import annotations

from types import SimpleNamespace

from django.template import Context, Template

from domain.review_pairs import Tally


def draw(source: str, **context: object) -> str:
    return Template(source).render(Context(context))


def test_a_chip_names_the_function_in_its_categorys_colour_escaped():
    function = SimpleNamespace(name='R&D <"Labs">', category="building")
    html = draw("{% load chips %}{% function_chip f %}", f=function)
    assert html == '<span class="chip chip-sm cat-building" title="Building">R&amp;D &lt;&quot;Labs&quot;&gt;</span>'


def test_a_chip_of_no_function_is_nothing_and_an_unknown_category_shows_its_key():
    assert draw("{% load chips %}{% function_chip f %}", f=None) == ""
    html = draw("{% load chips %}{% function_chip f %}", f=SimpleNamespace(name="X", category="mystery"))
    assert 'title="mystery"' in html


def test_a_review_bar_stacks_the_states_and_says_them():
    tally = Tally(pairs=10, current=6, agreed=5, disagreed=1, stale=2, pending=2)
    html = draw("{% load review_bars %}{% review_bar t %}{% review_bar t large=True %}", t=tally)
    small, large = html.split("</svg>")[:2]
    assert small.startswith('<svg class="bar" viewBox="0 0 100 10"') and 'class="bar bar-lg"' in large
    assert f'aria-label="{tally.bar_label}"' in small
    assert [seg.split('"')[0] for seg in small.split('class="seg-')[1:]] == [name for name, _, _ in tally.segments]
    assert all(f'x="{x}" y="0" width="{width}"' in small for _, x, width in tally.segments)
