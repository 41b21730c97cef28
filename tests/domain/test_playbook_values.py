"""The playbook names layers, emphases, categories and motions by their stored values (plain
strings, so domain/ needs no Django): they must stay the models' values."""

from __future__ import annotations

from domain.playbook import model
from layers.models import Assignment, Layer
from roles.models import Function, Organization


def test_the_playbook_values_are_the_models_values():
    assert Layer.Key.values == [model.CORE, model.EXPECTED, model.AUGMENTED, model.POTENTIAL]
    assert Assignment.Emphasis.values == [model.LEAD, model.CONTRIBUTOR]
    assert (Function.Category.values) == [
        model.BUILDING,
        model.CUSTOMER_FACING,
        model.CROSS_FUNCTIONAL,
        model.LEADERSHIP,
        model.PARTNER,
    ]
    assert frozenset(Organization.GoToMarket.values) == model.ALL_MOTIONS
    assert {model.PRODUCT_LED, model.SALES_LED, model.HYBRID} == set(Organization.GoToMarket.values)
