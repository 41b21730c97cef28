"""The picture's chips and the table's rows, written by `wp_chips` and `wp_member_rows` (no database)."""

from __future__ import annotations

from types import SimpleNamespace

from django.template import Context, Template

from domain.rings.shapes import Member, RingInput, WholeProductData

HOSTILE = '<img src=x onerror="alert(1)"> & Co'


def data(*members: Member, more: int = 0) -> WholeProductData:
    rings = [RingInput("core", "Core product", 1, members, more=more)]
    rings += [RingInput(key, name, n) for key, name, n in (("expected", "Expected product", 2),
                                                           ("augmented", "Augmented product", 3),
                                                           ("potential", "Potential product", 4))]  # fmt: skip
    return WholeProductData(product=SimpleNamespace(name="Insights", slug="insights"), rings=tuple(rings))


def picture(d: WholeProductData, **options: object) -> str:
    template = Template("{% load whole_product %}{% whole_product_rings data link_to=link highlight=mine %}")
    return template.render(Context({"data": d, "link": options.get("link", ""), "mine": options.get("highlight")}))


def table(d: WholeProductData, **options: object) -> str:
    template = Template("{% load whole_product %}{% whole_product_table data highlight=mine limit=limit %}")
    return template.render(Context({"data": d, "mine": options.get("highlight"), "limit": options.get("limit")}))


LEAD = Member(1, "Product Management", "building", is_lead=True, contribution="Owns the spec.")
HOSTILE_PARTNER = Member(2, HOSTILE, "partner", is_external=True, contribution="<b>bold</b>")
PLAIN = Member(3, "Engineering", "building")


def test_a_chip_names_its_member_role_ring_and_links_to_its_row():
    html = picture(data(LEAD, PLAIN), link="/o/acme/p/insights/")
    assert 'href="/o/acme/p/insights/#wp-insights-core-1" class="wp-chip cat-building is-lead"' in html
    assert 'aria-label="★ Product Management, lead on the Core product"' in html
    assert "<title>Product Management — lead, Core product: Owns the spec.</title>" in html
    assert 'aria-label="Engineering, contributor on the Core product"' in html
    assert "<title>Engineering — contributor, Core product</title>" in html


def test_names_and_contributions_are_escaped_in_chips_and_rows():
    d = data(LEAD, HOSTILE_PARTNER)
    for html in (picture(d), table(d)):
        assert "<img" not in html and "<b>" not in html
        assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; Co" in html
    assert "(external partner): &lt;b&gt;bold&lt;/b&gt;</title>" in picture(d)
    assert "<td>&lt;b&gt;bold&lt;/b&gt;</td>" in table(d)


def test_my_function_stands_out_in_the_picture_and_the_table():
    d = data(LEAD, PLAIN)
    html = picture(d, highlight=3)
    assert (
        'class="wp-chip cat-building is-highlighted" aria-label="Engineering, contributor on the Core product ' in html
    )
    assert "(your function)" in html and html.count("is-highlighted") == 1
    rows = table(d, highlight=3)
    assert '<tr id="wp-insights-core-3" class="is-highlighted">' in rows
    assert '<tr id="wp-insights-core-1">' in rows


def test_a_row_says_lead_or_contributor_category_external_and_no_contribution():
    rows = table(data(LEAD, HOSTILE_PARTNER, PLAIN))
    assert '<span class="chip chip-sm cat-building" title="Building">Product Management</span></td>' in rows
    assert '<td class="nowrap"><span class="role-lead">★ Lead</span></td>' in rows
    assert (
        'cat-partner wp-chip-ext" title="Partner">' in rows and ' <span class="badge">External partner</span>' in rows
    )
    assert '<td class="nowrap">Contributor</td>\n<td>—</td>' in rows


def test_the_members_not_drawn_are_a_more_chip_and_a_more_row():
    members = [Member(100 + n, f"Team {n:02d}", "building") for n in range(12)]
    d = data(*members, more=40)
    html = picture(d)
    assert 'class="wp-chip wp-chip-more"' in html and "more on the Core product: see the table</title>" in html
    rows = table(d, limit=5)
    assert rows.count('<tr id="wp-insights-core-') == 5
    assert "And 47 more contributors" in rows


def test_an_empty_layer_says_nobody_owns_it():
    assert "No one owns the Expected product yet." in table(data(LEAD))
