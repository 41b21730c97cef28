"""The whole product page (issue 3 item 6): the rings picture and its table, and who may see it."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext

from layers.models import Assignment, Layer
from layers.readmodel.oracle import check_organization, rebuild_everything
from layers.selectors.rings import product_rings
from layers.views import whole_product
from roles.models import Function
from tests.factories import AssignmentFactory, FunctionFactory, ProductFactory, StakeholderFactory, layer

URL = "/o/acme/p/insights/"


@pytest.fixture
def insights(org):
    head = StakeholderFactory(function=FunctionFactory(organization=org, name="Product Management"), full_name="Pat PM")
    return ProductFactory(organization=org, name="Insights Cloud", slug="insights", head=head, description="Analytics.")


@pytest.fixture
def mapped(insights, cs_function):
    """A small map: Product Management leads the core, Customer Success leads augmented, a partner contributes."""
    pm = Function.objects.get(organization=insights.organization, name="Product Management")
    partner = FunctionFactory(
        organization=insights.organization, name="Channel Partners", category="partner", is_external=True
    )
    AssignmentFactory(product=insights, function=pm, layer=layer("core"), emphasis="lead", contribution="Owns the why.")
    AssignmentFactory(
        product=insights, function=cs_function, layer=layer("augmented"), emphasis="lead", contribution="Onboards."
    )
    AssignmentFactory(product=insights, function=partner, layer=layer("potential"), contribution="Resells it.")
    return insights


# --- access -----------------------------------------------------------------------------------


def test_it_sends_anonymous_visitors_to_login(client, insights):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_it_answers_404_to_outsiders(outsider_client, insights):
    assert outsider_client.get(URL).status_code == 404


def test_it_answers_404_for_a_product_of_another_organization(leader_client, other_org):
    ProductFactory(organization=other_org, slug="globex-crm")
    assert leader_client.get("/o/acme/p/globex-crm/").status_code == 404


def test_a_stakeholder_sees_their_own_product_read_only(stakeholder_client, mapped):
    response = stakeholder_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "View the map" in html
    assert "Edit product" not in html and "Edit the map" not in html


def test_a_stakeholder_does_not_see_a_product_their_function_is_not_on(stakeholder_client, insights):
    assert stakeholder_client.get(URL).status_code == 404


def test_it_refuses_to_be_posted_to(leader_client, mapped):
    assert leader_client.post(URL).status_code == 405


def test_a_leader_sees_the_product_and_links_to_edit_it_and_its_map(leader_client, mapped):
    response = leader_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Insights Cloud</h1>" in html
    assert "Pat PM" in html and "Analytics." in html
    assert 'href="/o/acme/p/insights/edit/"' in html
    assert 'href="/o/acme/p/insights/map/"' in html


# --- the picture --------------------------------------------------------------------------------


def svg_of(response) -> str:
    return re.search(r"<svg class=\"wp-rings\".*?</svg>", response.content.decode(), re.S).group(0)


def test_it_draws_four_concentric_rings_core_inside(leader_client, mapped):
    svg = svg_of(leader_client.get(URL))
    rings = re.findall(r'<ellipse class="wp-ring wp-ring-(\w+)" cx="360.0" cy="360.0" rx="([\d.]+)"', svg)
    assert [key for key, _ in rings] == ["potential", "augmented", "expected", "core"]  # drawn outside in
    radii = [float(r) for _, r in rings]
    assert radii == sorted(radii, reverse=True)


def test_each_function_is_a_chip_on_its_ring_linking_to_its_contribution(leader_client, mapped, cs_function):
    svg = svg_of(leader_client.get(URL))
    core = re.search(r'<g class="wp-layer layer-core">(.*?)</g>', svg, re.S).group(1)
    augmented = re.search(r'<g class="wp-layer layer-augmented">(.*?)</g>', svg, re.S).group(1)
    assert "★ Product Management" in core and "Customer Success" not in core
    assert f'href="#wp-insights-augmented-{cs_function.pk}"' in augmented
    assert 'class="wp-chip cat-customer_facing is-lead"' in augmented
    assert "Onboards." in augmented  # the chip's title carries the contribution


def test_the_lead_is_marked_and_an_external_partner_is_dashed(leader_client, mapped):
    svg = svg_of(leader_client.get(URL))
    assert svg.count(" is-lead") == 2
    assert re.search(r'class="wp-chip cat-partner is-external[^"]*"', svg)


def test_an_empty_layer_is_visibly_empty(leader_client, mapped):
    response = leader_client.get(URL)
    svg = svg_of(response)
    expected = re.search(r'<g class="wp-layer layer-expected">(.*?)</g>', svg, re.S).group(1)
    words = " ".join(re.findall(r"<tspan[^>]*>([^<]*)</tspan>", expected))
    assert words == "No one owns the Expected product yet"
    assert "No one owns the Expected product yet." in response.content.decode()  # and in the table


def test_a_layer_with_contributors_but_no_lead_says_so(leader_client, mapped):
    Assignment.objects.filter(product=mapped, layer__key="core").update(emphasis="contributor")
    rebuild_everything()  # a bulk write tells the read model (the rings read its cells)
    response = leader_client.get(URL)
    assert "CORE · NO LEAD" in svg_of(response)


def test_the_table_lists_each_layer_with_its_lead_contributors_and_contributions(leader_client, mapped, cs_function):
    html = leader_client.get(URL).content.decode()
    table = re.search(r'<table class="table wp-table">.*?</table>', html, re.S).group(0)
    assert table.count('scope="rowgroup"') == 4
    row = re.search(rf'<tr id="wp-insights-augmented-{cs_function.pk}">(.*?)</tr>', table, re.S).group(1)
    assert "Customer Success" in row and "★ Lead" in row and "Onboards." in row
    assert "Led by <strong>Product Management</strong>" in table
    assert "External partner" in table


def test_an_unmapped_product_invites_leaders_to_the_map_editor(leader_client, insights):
    html = leader_client.get(URL).content.decode()
    assert "Nothing mapped yet" in html and "Open the map editor" in html
    assert html.count("No one owns the") >= 8  # four rings in the picture, four in the table


def test_forty_functions_on_one_ring_show_more_and_the_table_lists_them_all(leader_client, insights):
    functions = Function.objects.bulk_create(
        Function(organization=insights.organization, name=f"Regional Team {i:02}", category="customer_facing")
        for i in range(40)
    )
    potential = Layer.objects.get(key="potential")
    Assignment.objects.bulk_create(
        Assignment(organization=insights.organization, product=insights, function=f, layer=potential) for f in functions
    )
    rebuild_everything()  # bulk rows, behind the services that keep the read model
    html = leader_client.get(URL).content.decode()
    svg = svg_of_html(html)
    more = re.search(r"\+(\d+) more", svg)
    assert more, "a crowded ring shows +N more"
    shown = len(re.findall(r'<a href="#wp-insights-potential-\d+"', svg))
    assert shown + int(more.group(1)) == 40
    assert len(re.findall(r'<tr id="wp-insights-potential-\d+"', html)) == 40


def svg_of_html(html: str) -> str:
    return re.search(r"<svg class=\"wp-rings\".*?</svg>", html, re.S).group(0)


# --- queries ------------------------------------------------------------------------------------


def populate(product, count: int, prefix: str) -> None:
    """`count` functions spread over the four layers and the five categories."""
    functions = Function.objects.bulk_create(
        Function(organization=product.organization, name=f"{prefix} {i:04}", category=Function.Category.values[i % 5])
        for i in range(count)
    )
    layers = list(Layer.objects.order_by("ring"))
    Assignment.objects.bulk_create(
        Assignment(organization=product.organization, product=product, function=f, layer=layers[i % 4])
        for i, f in enumerate(functions)
    )
    rebuild_everything()


def test_the_page_reads_as_many_queries_for_ten_functions_as_for_a_thousand(
    leader_client, insights, django_assert_num_queries
):
    populate(insights, 10, "Team")
    with CaptureQueriesContext(connection) as small:
        assert leader_client.get(URL).status_code == 200
    populate(insights, 990, "Squad")
    with django_assert_num_queries(len(small)):
        response = leader_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    # A layer lists its first rows (issue 9: a thousand-row table took seconds) and points to the map.
    assert len(re.findall(r'<tr id="wp-insights-', html)) == 4 * whole_product.TABLE_LIMIT
    assert html.count('more contributors: <a href="/o/acme/p/insights/map/">') == 4


# --- the tag, reused by other pages ------------------------------------------------------------


def test_the_rings_tag_can_link_elsewhere_and_highlight_one_function(mapped, cs_function):
    data = product_rings(mapped)
    html = Template(
        "{% load whole_product %}{% whole_product_rings data link_to='/o/acme/p/insights/' highlight=fid %}"
    ).render(Context({"data": data, "fid": cs_function.pk}))
    assert f'href="/o/acme/p/insights/#wp-insights-augmented-{cs_function.pk}"' in html
    assert html.count("is-highlighted") == 1


def test_product_rings_reads_two_queries(mapped, django_assert_num_queries):
    with django_assert_num_queries(2):
        data = product_rings(mapped)
    assert [ring.key for ring in data.rings] == ["core", "expected", "augmented", "potential"]
    assert data.owned_layers == 2 and data.mapped_functions == 3


def test_a_stakeholder_sees_their_own_function_highlighted(stakeholder_client, mapped, cs_function):
    html = stakeholder_client.get(URL).content.decode()
    svg = svg_of_html(html)
    assert len(re.findall(r'class="wp-chip [^"]*is-highlighted"', svg)) == 1
    assert f'<tr id="wp-insights-augmented-{cs_function.pk}" class="is-highlighted">' in html
    assert "Your function" in html


def test_the_products_entry_of_the_navigation_stays_current(leader_client, mapped):
    html = leader_client.get(URL).content.decode()
    assert re.search(r'<a href="/o/acme/products/" aria-current="page">Products</a>', html)


# --- feedback loops into the core (issue 7 item 3) ----------------------------------------------


def _feedback_section(response) -> str:
    html = response.content.decode()
    start = html.index('id="wp-feedback-title"')
    return html[start : html.index("</section>", start)]


def test_it_shows_what_flows_back_from_an_augmented_function_into_the_core(leader_client, mapped, cs_function):
    from roles.models import Function, Partnership
    from roles.services.partnerships import partnership_create

    pm = Function.objects.get(organization=mapped.organization, name="Product Management")
    partnership_create(
        organization=mapped.organization,
        function_a=cs_function,
        function_b=pm,
        trust=2,
        feedback_carried="On-boarding challenges new customers hit.",
        by=None,
    )
    section = _feedback_section(leader_client.get(URL))
    assert "On-boarding challenges new customers hit." in section
    assert section.index("Customer Success") < section.index("Product Management"), "oriented augmented → core"
    assert "2/5" in section and "Gap:" not in section
    assert Partnership.objects.count() == 1


def test_a_core_without_an_incoming_feedback_loop_is_listed_as_a_gap(leader_client, mapped):
    section = _feedback_section(leader_client.get(URL))
    assert "Gap:" in section and "no partnership carries feedback" in section


def test_an_unmapped_product_shows_no_feedback_gap(leader_client, insights):
    section = _feedback_section(leader_client.get(URL))
    assert "Gap:" not in section


def test_it_shows_the_live_coverage_table_of_each_layer(leader_client, mapped, cs_function):
    from tests.factories import ReviewFactory

    casey = cs_function.stakeholders.first() or StakeholderFactory(function=cs_function)
    assignment = Assignment.objects.get(product=mapped, function=cs_function)
    ReviewFactory(assignment=assignment, stakeholder=casey)
    response = leader_client.get(URL)
    augmented = next(row for row in response.context["layers"] if row.key == "augmented")
    assert (augmented.lead, augmented.stakeholders_reached, augmented.reviewed_pct) == ("Customer Success", 1, 100)
    html = response.content.decode()
    assert 'id="wp-coverage-title"' in html and "layer-coverage-table" in html
    assert 'href="/o/acme/reports/?product=insights"' in html


# --- a large layer: the picture loads what it can show (issue 13 item 9) -------------------------


def test_a_large_layer_loads_what_the_picture_shows_and_draws_the_same_picture(insights, django_assert_num_queries):
    from domain.rings.layout import _ordered, layout
    from domain.rings.shapes import Member, RingInput
    from layers.selectors import rings as rings_selector

    org = insights.organization
    names = [f"Team {chr(65 + i % 26)}{i:03d} {'ä' if i % 7 == 0 else ''}Ops" for i in range(90)]
    functions = [
        FunctionFactory(organization=org, name=name, category=("ops", "sales")[i % 2]) for i, name in enumerate(names)
    ]
    cells = [
        AssignmentFactory(
            product=insights, function=function, layer=layer("expected"), emphasis="lead" if i == 50 else "contributor"
        )
        for i, function in enumerate(functions)
    ]
    with django_assert_num_queries(2):
        data = product_rings(insights)
    expected = next(ring for ring in data.rings if ring.key == "expected")
    assert len(expected.members) == rings_selector.PER_RING < 90 and expected.total == 90
    assert expected.members[0].name == names[50] and expected.lead is not None  # the lead is always loaded
    everyone = tuple(
        _ordered(
            Member(f.pk, f.name, f.category, f.is_external, i == 50, cell.contribution)
            for i, (f, cell) in enumerate(zip(functions, cells, strict=True))
        )
    )
    full = [RingInput(r.key, r.name, r.ring, everyone if r.key == "expected" else r.members) for r in data.rings]
    assert layout(data.rings).chips == layout(full).chips


def test_a_stakeholders_own_function_is_loaded_however_far_down_its_layer(insights):
    from layers.selectors.rings import ring_members

    org = insights.organization
    functions = [FunctionFactory(organization=org, name=f"Function {i:03d}", category="ops") for i in range(80)]
    for function in functions:
        AssignmentFactory(product=insights, function=function, layer=layer("augmented"))
    last = functions[-1]
    loaded, more = ring_members([insights.pk], per_ring=10, always=last.pk)[insights.pk]
    augmented = Layer.objects.get(key="augmented")
    assert [m.name for m in loaded[augmented.pk]][:10] == [f"Function {i:03d}" for i in range(10)]
    assert loaded[augmented.pk][-1].function_id == last.pk
    assert more[augmented.pk] == 80 - 11


def test_a_large_layer_is_counted_whole_on_the_page_though_only_its_first_members_are_loaded(leader_client, insights):
    from layers.selectors.rings import PER_RING

    org = insights.organization
    functions = [FunctionFactory(organization=org, name=f"Team {i:03d}", category="ops") for i in range(PER_RING + 30)]
    AssignmentFactory(product=insights, function=functions[0], layer=layer("expected"), emphasis="lead")
    for function in functions[1:]:
        AssignmentFactory(product=insights, function=function, layer=layer("expected"))
    rebuild_everything()

    response = leader_client.get(URL)
    html = response.text
    contributors = PER_RING + 29
    assert f"+ {contributors} contributors" in html  # the glance, beside the picture
    assert f"{contributors} contributors." in svg_of_html(html)  # the picture's description
    assert f"· {contributors} contributors" in html  # the table's layer heading
    assert response.context["coverage"].mapped_functions == PER_RING + 30  # the read model's figure
    assert f'<dd class="stat">{PER_RING + 30}</dd>' in html


# --- a ring's order follows renames (the cells keep it: layers.selectors.rings) -----------------


def _expected_names(product) -> list[str]:
    ring = next(ring for ring in product_rings(product).rings if ring.key == "expected")
    return [member.name for member in ring.members]


@pytest.fixture
def expected_ring(insights):
    org = insights.organization
    made = {name: FunctionFactory(organization=org, name=name, category="building") for name in ("Alpha", "Beta")}
    for function in made.values():
        AssignmentFactory(product=insights, function=function, layer=layer("expected"))
    return made


def test_a_renamed_or_recategorized_function_moves_on_its_ring(insights, expected_ring):
    from roles.services.functions import function_update

    assert _expected_names(insights) == ["Alpha", "Beta"]
    alpha = expected_ring["Alpha"]

    def update(**changes):
        fields = {"name": alpha.name, "category": alpha.category, "is_external": False, "description": ""}
        return function_update(function=alpha, parent=None, **(fields | changes))

    alpha = update(name="zulu")
    assert _expected_names(insights) == ["Beta", "zulu"]  # case-folded: after Beta
    alpha = update(category="customer_facing")
    assert _expected_names(insights) == ["Beta", "zulu"]
    beta = expected_ring["Beta"]
    function_update(function=beta, name="Beta", category="leadership", is_external=False, description="", parent=None)
    assert _expected_names(insights) == ["zulu", "Beta"]  # customer_facing before leadership
    assert check_organization(insights.organization, repair=False).differences == []


def test_the_admin_renaming_a_function_moves_it_on_its_ring(client, insights, expected_ring):
    from django.contrib.auth import get_user_model

    admin_user = get_user_model().objects.create_superuser("root@example.test", "root@example.test", "pw-Root-1234")
    client.force_login(admin_user)
    alpha = expected_ring["Alpha"]
    response = client.post(
        f"/admin/roles/function/{alpha.pk}/change/",
        {
            "organization": alpha.organization_id,
            "name": "Zulu",
            "category": "building",
            "description": "",
            "parent": "",
            "aliases-TOTAL_FORMS": "0",
            "aliases-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _expected_names(insights) == ["Beta", "Zulu"]
    assert check_organization(insights.organization, repair=False).differences == []


def test_the_kept_feedback_loops_are_those_of_the_domain_tables_in_their_order(insights):
    """The product page reads its loops from the kept rows (`feedback_into_core`): the same loops,
    oriented the same way, in the same order, and counted, as `feedback_loops` finds them from the
    domain tables, and still after the writes that change them (a cell cleared, a rename, a
    partnership's feedback blanked and its ends changed, a partnership and a function deleted)."""
    from layers.selectors import feedback
    from layers.services.assignments import assignment_clear
    from roles.models import Partnership
    from roles.services.functions import function_delete, function_update
    from roles.services.partnerships import partnership_create, partnership_delete, partnership_update

    org = insights.organization
    made = {
        name: FunctionFactory(organization=org, name=name, category="building")
        for name in ("alpha", "Beta", "Both Ends", "also both", "Core Only", "Aug Only", "Neither", "zeta")
    }
    where = {
        "alpha": ["core"],
        "Beta": ["augmented"],
        "Both Ends": ["core", "augmented"],
        "also both": ["augmented", "core"],
        "Core Only": ["core"],
        "Aug Only": ["augmented"],
        "zeta": ["augmented"],
    }
    for name, keys in where.items():
        for key in keys:
            AssignmentFactory(product=insights, function=made[name], layer=layer(key))
    links = [
        ("alpha", "Beta", "What prospects ask for."),
        ("Both Ends", "Core Only", "Both ways."),
        ("Aug Only", "Both Ends", "Churn reasons."),
        ("Both Ends", "zeta", "  "),  # carries nothing: not a loop
        ("Neither", "alpha", "Off the map."),  # Neither is on no layer
        ("zeta", "Core Only", "Competitor moves."),
        ("Beta", "Both Ends", "Pricing pushback."),
        ("Both Ends", "also both", "Both in both layers: oriented from b."),
    ]
    for a, b, carried in links:
        partnership_create(
            organization=org, function_a=made[a], function_b=made[b], trust=3, feedback_carried=carried, by=None
        )

    def shape(loops):
        return [(x.from_function.pk, x.to_function.pk, x.feedback, x.partnership_id) for x in loops]

    def same(count):
        expected = feedback.feedback_loops(product=insights)
        assert len(expected) == count
        for limit in (2, 6, 40):
            loops, total, unfed = feedback.feedback_into_core(product=insights, limit=limit)
            assert shape(loops) == shape(expected[:limit]) and total == count and unfed is (count == 0)
            assert [(x.from_function.name, x.to_function.category, x.trust) for x in loops] == [
                (x.from_function.name, x.to_function.category, x.trust) for x in expected[:limit]
            ]
        assert check_organization(org, repair=False).differences == []

    same(6)
    assignment_clear(product=insights, function=made["Beta"], layer=layer("augmented"), by=None)
    same(4)
    renamed = function_update(
        function=made["zeta"],
        name="Aardvark",
        category="building",
        is_external=False,
        description="",
        parent=None,
    )
    assert renamed.name == "Aardvark"
    same(4)
    churn = Partnership.objects.get(feedback_carried="Churn reasons.")
    partnership_update(partnership=churn, expected_version=churn.version, feedback_carried=" ")
    same(3)
    ends = {made["Both Ends"].pk, made["zeta"].pk}
    silent = Partnership.objects.get(function_a_id__in=ends, function_b_id__in=ends)
    assert silent.feedback_carried == ""
    partnership_update(partnership=silent, expected_version=silent.version, feedback_carried="Now it speaks.")
    same(4)
    off = Partnership.objects.get(feedback_carried="Off the map.")
    partnership_update(
        partnership=off, expected_version=off.version, function_a=made["Aug Only"], function_b=made["alpha"]
    )
    same(5)
    partnership_delete(partnership=Partnership.objects.get(feedback_carried="Competitor moves."))
    same(4)
    function_delete(function=Function.objects.get(pk=made["Core Only"].pk), move_people_to=None)
    same(3)
