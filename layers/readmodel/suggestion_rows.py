"""The playbook's suggestions of every product, kept pair by pair (issue 13 item 9).

A suggestion pair is a function of the organization and a layer its playbook entry (the stored
match, `Function.playbook_name`) has a rule for under the organization's motion. Its row keeps
what the planner judges it by — the rule's emphasis, the cell as it is, a dismissal — and its
status before leads are weighed (`BEFORE_LEADS`, the SQL of `mapping._status_before_leads`).
Who leads each layer once the plan is done, and so which pairs are `lead_taken`, is left to the
read (`layers.selectors.suggestions`): it reads a handful of rows.

The write services keep the rows in their own transaction, through the read model's hooks:

    a cell of a product created, changed or deleted   that product's rows of those functions
    a suggestion dismissed or taken back               that product's rows of that function
    a function renamed, recategorized or rematched     its rows in every product
    a function created                                 the rows of functions that have none
    a product created, an organization restored, its
    motion changed, a repair                           every row of the organization

A function, a product or an organization deleted takes its rows with it (cascades). Each refresh
deletes the rows in its scope and writes them again from the domain tables in one statement, under
the products' row locks (`maintain.lock_products`), so two writers never race on a row.
`rebuild_read_model --check` compares every row with a rebuild, and tests hold the statuses read
from them equal to the planner's (`mapping.suggest`).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.apps import apps as django_apps
from django.db import connection, transaction

from domain.playbook.suggestions import APPLIED, DIFFERS, DISMISSED, MANUAL, NEW, rules_by_layer
from roles.services import playbook_matches
from shared.sql import marks, values_table

from ..models import Assignment, Product
from .maintain import lock_products
from .tables import SuggestionRow

ORGANIZATION, FUNCTION, LAYER = ("roles", "Organization"), ("roles", "Function"), ("layers", "Layer")
TABLES = {
    "rows": ("layers", "SuggestionRow"),
    "product": ("layers", "Product"),
    "function": FUNCTION,
    "assignment": ("layers", "Assignment"),
    "dismissed": ("layers", "DismissedSuggestion"),
}
TEXT = "VARCHAR(200)"
RULE_COLUMNS = [("pb", TEXT), ("layer_id", "BIGINT"), ("ring", "INTEGER"), ("emphasis", TEXT)]

# `mapping._status_before_leads`, over a pair's facts (tests hold the two equal).
BEFORE_LEADS = f"""CASE
    WHEN a.emphasis = r.emphasis THEN '{APPLIED}'
    WHEN d.id IS NOT NULL THEN '{DISMISSED}'
    WHEN a.source = '{Assignment.Source.MANUAL}' THEN '{MANUAL}'
    WHEN a.emphasis IS NOT NULL THEN '{DIFFERS}'
    ELSE '{NEW}' END"""

COLUMNS = (
    "organization_id, product_id, function_id, layer_id, ring, playbook_name, rule_emphasis, "
    "row_emphasis, row_source, dismissed, before, name, category, sort_name"
)


def refresh(
    organization_id: int,
    *,
    product_ids: Collection[int] | None = None,
    function_ids: Collection[int] | None = None,
    missing_only: bool = False,
    locked: bool = False,
) -> None:
    """Write again the rows of these products (every product of the organization when None) and
    these functions (all when None). `missing_only`: add the rows of functions that have none in a
    product, and touch no other (a function was created). `locked`: the caller holds the products'
    locks already, and the products it names are the organization's (a hook that read them)."""
    if product_ids is not None and locked:
        ids = sorted(set(product_ids))
    else:
        products = Product.objects.filter(organization_id=organization_id)
        if product_ids is not None:
            products = products.filter(pk__in=list(product_ids))
        ids = sorted(products.values_list("pk", flat=True))
    if not ids or (function_ids is not None and not function_ids):
        return
    with transaction.atomic(savepoint=False):  # the caller's transaction, or one of its own
        if not locked:
            lock_products(organization_id, ids)
        _write(organization_id, ids, function_ids, missing_only=missing_only)


def _write(organization_id: int, ids: list[int], function_ids: Collection[int] | None, *, missing_only: bool) -> None:
    chunks = [None] if function_ids is None else _chunks(sorted(set(function_ids)))
    for chunk in chunks:
        if not missing_only:
            rows = SuggestionRow.objects.filter(organization_id=organization_id, product_id__in=ids)
            (rows if chunk is None else rows.filter(function_id__in=chunk)).delete()  # one DELETE: no cascade
        _insert(organization_id, ids, chunk, missing_only=missing_only)


BATCH = 500  # functions per statement: SQLite's parameters are bounded


def _chunks(ids: list[int]) -> list[list[int] | None]:
    return [ids[start : start + BATCH] for start in range(0, len(ids), BATCH)]


def fill(apps: Any, organization_id: int) -> None:
    """Write every row of an organization with the models of `apps` (a migration's historical
    ones: the tables as that migration leaves them), without the products' locks: what the
    migration that makes the table runs. The same statement as `refresh`."""
    products = apps.get_model("layers", "Product").objects.filter(organization_id=organization_id)
    ids = sorted(products.values_list("pk", flat=True))
    if ids:
        apps.get_model("layers", "SuggestionRow").objects.filter(organization_id=organization_id).delete()
        _insert(organization_id, ids, None, missing_only=False, apps=apps)


def _insert(
    organization_id: int,
    product_ids: list[int],
    function_ids: Collection[int] | None,
    *,
    missing_only: bool,
    apps: Any = django_apps,
) -> None:
    organization, function, layer = (apps.get_model(*name) for name in (ORGANIZATION, FUNCTION, LAYER))
    go_to_market = organization.objects.values_list("go_to_market", flat=True).get(pk=organization_id)
    layers = {key: (pk, ring) for pk, key, ring in layer.objects.values_list("pk", "key", "ring")}
    rule_rows = [
        (name, layers[key][0], layers[key][1], rule.emphasis)
        for key, rules in rules_by_layer(go_to_market).items()
        if key in layers
        for name, rule in rules.items()
    ]
    if not rule_rows:
        return
    rules_sql, rule_params = values_table("rules", RULE_COLUMNS, rule_rows)
    # A function a path wrote without stamping its match (None) is matched here, as the planner does.
    unstamped = function.objects.filter(organization_id=organization_id, playbook_name__isnull=True)
    if function_ids is not None:
        unstamped = unstamped.filter(pk__in=list(function_ids))
    matched = playbook_matches.matches_of(unstamped.only("id", "name", "playbook_name"))
    matched_sql, matched_params = values_table("matched", [("function_id", "BIGINT"), ("pb", TEXT)], matched)
    match = "JOIN rules r ON r.pb = f.playbook_name"
    if matched:
        match = "LEFT JOIN matched m ON m.function_id = f.id JOIN rules r ON r.pb = COALESCE(f.playbook_name, m.pb)"
    products, params = marks(product_ids)
    where = [f"p.id IN ({products})"]
    if function_ids is not None:
        functions, function_params = marks(function_ids)
        where.append(f"f.id IN ({functions})")
        params += function_params
    table = {name: apps.get_model(*model)._meta.db_table for name, model in TABLES.items()}
    if missing_only:
        where.append(
            f"NOT EXISTS (SELECT 1 FROM {table['rows']} s WHERE s.product_id = p.id AND s.function_id = f.id)"  # noqa: S608
        )
    sql = f"""WITH {rules_sql}, {matched_sql}
INSERT INTO {table["rows"]} ({COLUMNS})
SELECT f.organization_id, p.id, f.id, r.layer_id, r.ring, r.pb, r.emphasis,
       a.emphasis, a.source, d.id IS NOT NULL, {BEFORE_LEADS}, f.name, f.category, LOWER(f.name)
FROM {table["product"]} p
JOIN {table["function"]} f ON f.organization_id = p.organization_id
{match}
LEFT JOIN {table["assignment"]} a ON a.product_id = p.id AND a.function_id = f.id AND a.layer_id = r.layer_id
LEFT JOIN {table["dismissed"]} d
    ON d.product_id = p.id AND d.function_id = f.id AND d.layer_id = r.layer_id
WHERE p.organization_id = %s AND {" AND ".join(where)}"""  # noqa: S608 (constants; values are parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*rule_params, *matched_params, organization_id, *params])
