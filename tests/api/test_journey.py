"""An integration's journey, over HTTP with tokens only: what an HR sync script and a BI tool do."""

from __future__ import annotations

import io

import openpyxl
import pytest
from rest_framework.test import APIClient

from tests.conftest import PASSWORD

from .conftest import url

pytestmark = pytest.mark.django_db


def signed_in(email: str) -> APIClient:
    client = APIClient()
    response = client.post(url("auth/token/"), {"email": email, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.json()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


def ok(response, status=200):
    assert response.status_code == status, (response.status_code, response.content[:500])
    return response.json() if response.content and "json" in response["Content-Type"] else response


def test_map_review_and_report_a_whole_product_over_http(
    org, admin_user, leader, stakeholder_user, eager, django_capture_on_commit_callbacks
):
    hr = signed_in("leader@acme.test")

    # 1. The org chart: functions, then people (an HR sync).
    functions = {}
    for name, category in [
        ("Product Management", "building"),
        ("Engineering", "building"),
        ("Sales", "customer_facing"),
        ("Finance", "cross_functional"),
    ]:
        functions[name] = ok(
            hr.post(url("orgs/acme/functions/"), {"name": name, "category": category}, format="json"), 201
        )
    listed = ok(hr.get(url("orgs/acme/functions/?page_size=200")))
    functions["Customer Success"] = next(f for f in listed["results"] if f["name"] == "Customer Success")
    people = [
        ("Priya Raman", "priya@acme.test", "Product Management"),
        ("Rahul Mehta", "rahul@acme.test", "Engineering"),
        ("Michael Brooks", "michael@acme.test", "Sales"),
        ("Nia Williams", "nia@acme.test", "Customer Success"),
    ]
    for full_name, email, function in people:
        body = {"full_name": full_name, "email": email, "function": functions[function]["id"]}
        ok(hr.post(url("orgs/acme/stakeholders/"), body, format="json"), 201)
    assert ok(hr.get(url(f"orgs/acme/stakeholders/?function={functions['Customer Success']['id']}")))["count"] == 2

    # 2. A product, mapped by the playbook.
    product = ok(hr.post(url("orgs/acme/products/"), {"name": "Acme Insights"}, format="json"), 201)
    base = f"orgs/acme/products/{product['slug']}/"
    suggestions = ok(hr.get(url(base + "suggestions/")))
    assert all(s["reason"] for s in suggestions["results"])
    applied = ok(hr.post(url(base + "suggestions/"), {"all": True}, format="json"))
    assert applied["created"] == suggestions["count"] == len(suggestions["results"]) and not applied["conflicts"]
    leads = ok(hr.get(url(base + "assignments/?emphasis=lead&page_size=200")))["results"]
    assert {(a["layer"], a["function_name"]) for a in leads} >= {
        ("core", "Product Management"),
        ("augmented", "Customer Success"),
    }

    # 3. The stakeholder reviews their own part, and disputes it.
    casey = signed_in("cs@acme.test")
    mine = ok(casey.get(url(base + f"assignments/?function={functions['Customer Success']['id']}")))["results"]
    assert [a["layer"] for a in mine] == ["augmented"]
    review = ok(
        casey.post(
            url("orgs/acme/reviews/"),
            {"assignment": mine[0]["id"], "verdict": "disagree", "comment": "We also shape what is expected."},
            format="json",
        ),
        201,
    )
    not_mine = ok(hr.get(url(base + f"assignments/?function={functions['Engineering']['id']}")))["results"][0]
    assert (
        casey.post(
            url("orgs/acme/reviews/"), {"assignment": not_mine["id"], "verdict": "agree"}, format="json"
        ).status_code
        == 403
    )

    # 4. A leader resolves the dispute.
    open_reviews = ok(hr.get(url("orgs/acme/reviews/?open=true")))["results"]
    assert [r["id"] for r in open_reviews] == [review["id"]]
    kept = ok(
        hr.post(
            url(f"orgs/acme/reviews/{review['id']}/resolve/"),
            {"action": "keep", "note": "Sales sets it."},
            format="json",
        )
    )
    assert kept["resolution"] == "kept"

    # 5. A BI tool builds a report and polls its status.
    with django_capture_on_commit_callbacks(execute=True):
        queued = ok(hr.post(url("orgs/acme/reports/"), {"product": product["slug"]}, format="json"), 202)
    status = ok(hr.get(queued["status_url"]))
    assert status["done"] and status["tasks"][0]["state"] == "done"
    report_id = status["tasks"][0]["report"]
    report = ok(hr.get(url(f"orgs/acme/reports/{report_id}/")))
    assert report["trigger"] == "api" and report["layer_coverage"] > 0

    # 6. An admin exports it as XLSX, and the workbook reads back.
    admin = signed_in("admin@acme.test")
    assert hr.get(url(f"orgs/acme/reports/{report_id}/export/?format=xlsx")).status_code == 403
    exported = ok(admin.get(url(f"orgs/acme/reports/{report_id}/export/?format=xlsx")))
    workbook = openpyxl.load_workbook(io.BytesIO(exported.content), read_only=True)
    assert {"Summary", "Layers", "Gaps"} <= set(workbook.sheetnames)
    summary = [row for row in workbook["Summary"].iter_rows(values_only=True) if any(row)]
    assert any(str(report["score"]) == str(value) for row in summary for value in row), summary
    layers = [row for row in workbook["Layers"].iter_rows(values_only=True) if any(row)]
    assert any("Augmented" in str(cell) for row in layers for cell in row)
