"""The people export on the export framework (issue 17 item 3): the import's columns in a sheet
with a frozen, filtered header and widths that fit, names that start like formulas escaped by
the one rule — and read back by the importer exactly as they were."""

from __future__ import annotations

import io

import openpyxl
from django.urls import reverse

from roles.exports import PeopleExporter
from roles.services import imports
from tests.factories import FunctionFactory, StakeholderFactory


def test_the_people_sheet_has_a_frozen_filtered_header_and_fitting_columns(leader_client, org):
    ops = FunctionFactory(organization=org, name="%Ops", category="customer_facing")
    StakeholderFactory(function=ops, full_name="|calc", email="pipe@acme.test", title="\tTabbed")
    StakeholderFactory(function=ops, full_name="Alexandrina Featherstonehaugh", email="alex@acme.test", title="")

    response = leader_client.get(reverse("people-export", kwargs={"org": "acme", "fmt": "xlsx"}))

    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["People"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:G3"  # the seventh column: the manager (issue 14)
    assert sheet.column_dimensions["A"].width == len("Alexandrina Featherstonehaugh") + 1
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert rows[0][:4] == ["Alexandrina Featherstonehaugh", "alex@acme.test", None, "'%Ops"]
    assert rows[1][:4] == ["'|calc", "pipe@acme.test", "'\tTabbed", "'%Ops"]
    assert rows[1][4] == "Customer-facing"  # the category's label, never its code


def test_what_the_one_rule_escapes_the_importer_reads_back_as_typed(org):
    ops = FunctionFactory(organization=org, name="%Ops", category="customer_facing")
    StakeholderFactory(function=ops, full_name="|calc", email="pipe@acme.test", title="-5")
    export = PeopleExporter(org).render("csv")

    assert export.content.decode("utf-8-sig").splitlines()[1] == "'|calc,pipe@acme.test,'-5,'%Ops,Customer-facing,,"
    table = imports.read_table(content=export.content, filename=export.filename)
    plan = imports.build_plan(organization=org, table=table, mapping=imports.recognize(table.headers))
    assert plan.totals["unchanged"] == 1 and plan.errors == []
