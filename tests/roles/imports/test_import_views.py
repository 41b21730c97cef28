"""The import pages and the people export: access (DESIGN §5), the upload → preview → commit flow,
bad uploads, background commits with progress, and the export → import round trip."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from roles.models import ImportJob, Stakeholder
from roles.permissions import org_context
from roles.services import imports
from tests.factories import FunctionFactory, StakeholderFactory
from tests.roles.imports.conftest import HEADER, functions, people, upload, urls_for

# Access -----------------------------------------------------------------------------------------

PAGES = ["import", "mapping", "preview", "job", "csv", "xlsx"]


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_visitors_are_sent_to_login(client, ready_job, page):
    url = urls_for("acme", ready_job.token)[page]
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("page", PAGES)
def test_members_of_other_organizations_get_404(outsider_client, ready_job, page):
    assert outsider_client.get(urls_for("acme", ready_job.token)[page]).status_code == 404


@pytest.mark.parametrize("page", ["mapping", "preview", "job"])
def test_a_job_of_another_organization_is_404_under_your_own(outsider_client, ready_job, page):
    assert outsider_client.get(urls_for("globex", ready_job.token)[page]).status_code == 404


@pytest.mark.parametrize("page", PAGES)
def test_stakeholders_are_forbidden(stakeholder_client, ready_job, page):
    assert stakeholder_client.get(urls_for("acme", ready_job.token)[page]).status_code == 403


def test_stakeholders_cannot_upload_or_commit(stakeholder_client, org, ready_job):
    before = people(org)
    assert (
        stakeholder_client.post(reverse("import", kwargs={"org": "acme"}), {"file": upload("good.csv")}).status_code
        == 403
    )
    commit = reverse("import-commit", kwargs={"org": "acme", "token": ready_job.token})
    assert stakeholder_client.post(commit).status_code == 403
    assert ImportJob.objects.count() == 1
    assert people(org) == before


def test_outsiders_cannot_commit(outsider_client, org, ready_job):
    before = people(org)
    assert (
        outsider_client.post(reverse("import-commit", kwargs={"org": "acme", "token": ready_job.token})).status_code
        == 404
    )
    assert people(org) == before


def test_commit_is_post_only(leader_client, ready_job):
    response = leader_client.get(reverse("import-commit", kwargs={"org": "acme", "token": ready_job.token}))
    assert response.status_code == 405


@pytest.mark.parametrize("client_name", ["leader_client", "admin_client_"])
def test_leaders_and_admins_see_the_import_page(request, client_name):
    response = request.getfixturevalue(client_name).get(reverse("import", kwargs={"org": "acme"}))
    assert response.status_code == 200
    assert b"Drop a CSV or XLSX file here" in response.content
    assert b"up to 10 MB, 100,000 rows and 200 columns" in response.content


def test_the_nav_shows_import_to_editors_only(org, leader, stakeholder_user):
    request = RequestFactory().get("/")
    request.resolver_match = None
    for user, shown in ((leader, True), (stakeholder_user, False)):
        html = render_to_string("_nav.html", {"org": org, "ctx": org_context(user, "acme"), "request": request})
        assert (reverse("import", kwargs={"org": "acme"}) in html) is shown


# The flow ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("client_name", ["leader_client", "admin_client_"])
def test_upload_preview_and_commit(request, org, client_name):
    client = request.getfixturevalue(client_name)
    response = client.post(reverse("import", kwargs={"org": "acme"}), {"file": upload("good.csv")})
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("import-preview", kwargs={"org": "acme", "token": job.token})
    assert (job.state, job.row_count, people(org), functions(org)) == ("ready", 8, 0, 0)

    preview = client.get(response.url)
    assert preview.status_code == 200
    text = preview.content.decode()
    assert "Import 8 changes" in text
    assert "Grace Hopper Jr." in text  # "Hopper, Jr., Grace" read in order
    assert 'class="state state-create">New' in text

    response = client.post(reverse("import-commit", kwargs={"org": "acme", "token": job.token}), follow=True)
    assert response.status_code == 200
    assert "8 people added, 0 updated, 0 unchanged" in response.content.decode()
    assert (people(org), functions(org)) == (8, 7)
    job.refresh_from_db()
    assert job.state == "done"
    assert bytes(job.content) == b""  # the uploaded file is not kept once imported


def test_the_preview_shows_updates_with_old_and_new_values(leader_client, org):
    StakeholderFactory(
        function=FunctionFactory(organization=org, name="Engineering"), email="ada@acme.test", title="Countess"
    )
    leader_client.post(reverse("import", kwargs={"org": "acme"}), {"file": upload("good.csv")})
    job = ImportJob.objects.get()
    response = leader_client.get(
        reverse("import-preview", kwargs={"org": "acme", "token": job.token}) + "?state=update"
    )
    text = response.content.decode()
    assert '<span class="change-field">Job title</span> <del>Countess</del>' in text
    assert "<ins>VP Engineering</ins>" in text
    assert "Grace Hopper" not in text  # filtered to updates only


def test_committing_twice_does_not_import_twice(leader_client, org, ready_job):
    commit = reverse("import-commit", kwargs={"org": "acme", "token": ready_job.token})
    leader_client.post(commit)
    response = leader_client.post(commit, follow=True)
    assert "This file has already been imported." in response.content.decode()
    assert people(org) == 8


def test_an_unknown_layout_goes_through_the_column_mapping(leader_client, org):
    response = leader_client.post(reverse("import", kwargs={"org": "acme"}), {"file": upload("unknown_layout.csv")})
    job = ImportJob.objects.get()
    assert job.state == "mapping"
    assert response.url == reverse("import-mapping", kwargs={"org": "acme", "token": job.token})

    page = leader_client.get(response.url)
    assert page.status_code == 200
    assert "Employee Nm" in page.content.decode()

    response = leader_client.post(response.url, {"full_name": "0", "email": "1", "function": "2"})
    assert response.status_code == 302
    assert response.url == reverse("import-preview", kwargs={"org": "acme", "token": job.token})
    leader_client.post(reverse("import-commit", kwargs={"org": "acme", "token": job.token}))
    assert set(Stakeholder.objects.values_list("email", "function__name")) == {
        ("ada@acme.test", "Engineering"),
        ("alan@acme.test", "Sales"),
    }


def test_a_mapping_without_the_required_columns_is_refused(leader_client, org):
    leader_client.post(reverse("import", kwargs={"org": "acme"}), {"file": upload("unknown_layout.csv")})
    job = ImportJob.objects.get()
    url = reverse("import-mapping", kwargs={"org": "acme", "token": job.token})

    response = leader_client.post(url, {"full_name": "0", "function": "0"})

    assert response.status_code == 400
    text = response.content.decode()
    assert "Column &quot;Employee Nm&quot; (A) is already used for Full name." in text
    assert "Choose a column for: Email." in text
    job.refresh_from_db()
    assert job.state == "mapping"
    assert people(org) == 0


BAD_FILES = [
    ("empty.csv", "The file is empty."),
    ("header_only.csv", "The file has a header row but no people under it."),
    ("binary.csv", "This is not a CSV or XLSX file"),
    ("undecodable.csv", "This file is not readable text"),
    ("truncated.xlsx", "This XLSX file is damaged or incomplete"),
    ("corrupt.xlsx", "This XLSX file is damaged or incomplete"),
    ("legacy.xls", "Old Excel files (.xls) are not supported"),
]


@pytest.mark.parametrize(("name", "message"), BAD_FILES)
def test_an_unreadable_file_is_refused_on_the_upload_form(leader_client, org, name, message):
    response = leader_client.post(reverse("import", kwargs={"org": "acme"}), {"file": upload(name)})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert (ImportJob.objects.count(), people(org), functions(org)) == (0, 0, 0)


def test_a_file_over_10_mb_is_refused_before_it_is_read(leader_client, org):
    big = upload("big.csv", HEADER.encode() + b"x" * (10 * 1024 * 1024))
    response = leader_client.post(reverse("import", kwargs={"org": "acme"}), {"file": big})
    assert response.status_code == 400
    assert "The file is 10.0 MB; the limit is 10 MB." in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_a_file_over_100000_rows_is_refused(leader_client, org):
    rows = "".join(f"P{i},p{i}@a.test,,T,,\r\n" for i in range(100_001))
    response = leader_client.post(
        reverse("import", kwargs={"org": "acme"}), {"file": upload("many.csv", (HEADER + rows).encode())}
    )
    assert response.status_code == 400
    assert "The file has 100,001 rows of people; the limit is 100,000." in response.content.decode()
    assert (ImportJob.objects.count(), people(org)) == (0, 0)


def test_an_upload_without_a_file_asks_for_one(leader_client):
    response = leader_client.post(reverse("import", kwargs={"org": "acme"}), {})
    assert response.status_code == 400
    assert "Choose a CSV or XLSX file to import." in response.content.decode()


def test_a_file_with_bad_rows_is_previewed_with_its_errors_and_cannot_be_committed(leader_client, org):
    leader_client.post(reverse("import", kwargs={"org": "acme"}), {"file": upload("duplicate_email.csv")})
    job = ImportJob.objects.get()
    assert job.state == "invalid"
    preview = leader_client.get(reverse("import-preview", kwargs={"org": "acme", "token": job.token}))
    text = preview.content.decode()
    assert "Rows 2 and 4, column &quot;Work Email&quot; (B): the email ada@acme.test appears twice" in text
    # One message names both rows; every count on the page counts rows (issue 14: "Fix the 1 error"
    # over a table of "2 with errors" no longer).
    assert "2 rows with errors: fix them in the file and upload it again" in text
    assert "<strong>2</strong> with errors" in text
    assert "2 rows with errors</h2>" in text

    response = leader_client.post(reverse("import-commit", kwargs={"org": "acme", "token": job.token}), follow=True)
    assert "The file has rows with errors: fix them and upload it again" in response.content.decode()
    assert (people(org), functions(org)) == (0, 0)


def test_the_good_rows_of_a_bad_file_import_when_chosen_and_the_rejected_rows_download(leader_client, org):
    leader_client.post(reverse("import", kwargs={"org": "acme"}), {"file": upload("duplicate_email.csv")})
    job = ImportJob.objects.get()
    good = job.preview["totals"]["rows"] - job.preview["totals"]["error"]

    response = leader_client.post(
        reverse("import-commit", kwargs={"org": "acme", "token": job.token}), {"skip_invalid": "1"}, follow=True
    )

    assert f"{good} people added" in response.content.decode()
    assert people(org) == good
    assert not Stakeholder.objects.filter(organization=org, email__iexact="ada@acme.test").exists()
    job.refresh_from_db()
    assert (job.state, job.result["rejected"]) == ("done", 2)
    rejected = leader_client.get(reverse("import-rejected", kwargs={"org": "acme", "token": job.token}))
    assert rejected["Content-Disposition"] == 'attachment; filename="duplicate_email-rejected-rows.csv"'
    lines = rejected.content.decode("utf-8-sig").splitlines()
    assert lines[0].endswith(",Reason")
    assert len(lines) == 3
    assert all("the email ada@acme.test appears twice" in line for line in lines[1:])


def test_another_organizations_member_cannot_download_rejected_rows(client, org, other_org, ready_job):
    from tests.factories import MembershipFactory, UserFactory

    outsider = UserFactory()
    MembershipFactory(user=outsider, organization=other_org, access="admin")
    client.force_login(outsider)
    url = reverse("import-rejected", kwargs={"org": "acme", "token": ready_job.token})
    assert client.get(url).status_code == 404
    url = reverse("import-rejected", kwargs={"org": other_org.slug, "token": ready_job.token})
    assert client.get(url).status_code == 404
    url = reverse("import-joins", kwargs={"org": other_org.slug, "token": ready_job.token})
    assert client.post(url, {"separate": "x"}).status_code == 404


def test_the_commit_rechecks_the_organization(leader_client, org, ready_job):
    StakeholderFactory(function=FunctionFactory(organization=org, name="Sales"), email="alan@acme.test")
    response = leader_client.post(
        reverse("import-commit", kwargs={"org": "acme", "token": ready_job.token}), follow=True
    )
    text = response.content.decode()
    assert "People or functions changed since the preview was made" in text
    assert "Import 8 changes" in text  # the new preview: 7 new people and 1 update
    assert people(org) == 1
    ready_job.refresh_from_db()
    assert ready_job.state == "ready"
    assert ready_job.preview["totals"]["update"] == 1


# Large files: a worker and a progress bar --------------------------------------------------------


def _big_file(rows: int) -> bytes:
    return (HEADER + "".join(f"Person {i},p{i}@acme.test,Role,Dept {i % 7},,\r\n" for i in range(rows))).encode()


def test_a_large_file_is_committed_by_a_task_and_the_page_follows_it(
    leader_client, org, eager_celery, django_capture_on_commit_callbacks
):
    leader_client.post(reverse("import", kwargs={"org": "acme"}), {"file": upload("big.csv", _big_file(2_001))})
    job = ImportJob.objects.get()
    preview = leader_client.get(reverse("import-preview", kwargs={"org": "acme", "token": job.token}))
    assert "imported in the background, with a progress bar" in preview.content.decode()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = leader_client.post(reverse("import-commit", kwargs={"org": "acme", "token": job.token}))
    assert len(callbacks) == 1  # queued once the claim is committed
    assert response.url == reverse("import-job", kwargs={"org": "acme", "token": job.token})
    job.refresh_from_db()
    assert (job.state, job.result["created"], people(org)) == ("done", 2_001, 2_001)

    page = leader_client.get(response.url, headers={"HX-Request": "true"})
    assert "2,001</strong> people added" in page.content.decode()
    assert "hx-trigger" not in page.content.decode()  # finished: polling stops


def test_the_progress_partial_polls_while_the_import_runs(leader_client, ready_job):
    ImportJob.objects.filter(pk=ready_job.pk).update(state="running")
    cache.set(f"import-progress:{ready_job.token}", {"label": "Writing people: 4,000 of 8,000", "percent": 60})
    try:
        response = leader_client.get(
            reverse("import-job", kwargs={"org": "acme", "token": ready_job.token}), headers={"HX-Request": "true"}
        )
    finally:
        cache.delete(f"import-progress:{ready_job.token}")
    text = response.content.decode()
    assert 'hx-trigger="every 1s"' in text
    assert '<progress class="import-progress" max="100" value="60"' in text
    assert "Writing people: 4,000 of 8,000" in text
    assert "<html" not in text  # a fragment, not the page


def test_a_queued_task_runs_once_even_if_delivered_twice(org, leader, eager_celery):
    from roles import tasks

    job = imports.start_import(organization=org, by=leader, filename="big.csv", content=_big_file(2_001))
    ImportJob.objects.filter(pk=job.pk).update(state="queued")
    tasks.commit_import.delay(job.pk)
    tasks.commit_import.delay(job.pk)
    job.refresh_from_db()
    assert (job.state, people(org)) == ("done", 2_001)


def test_a_failed_background_import_is_recorded_and_writes_nothing(org, leader, monkeypatch, eager_celery):
    from roles import tasks

    job = imports.start_import(organization=org, by=leader, filename="good.csv", content=_big_file(10))
    ImportJob.objects.filter(pk=job.pk).update(state="queued")
    monkeypatch.setattr(Stakeholder.objects, "bulk_create", lambda *a, **k: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        tasks.commit_import.delay(job.pk)
    job.refresh_from_db()
    assert job.state == "failed"
    assert job.error == "The import stopped unexpectedly; nothing was imported. Try again."
    assert (people(org), functions(org)) == (0, 0)


def test_an_unreachable_broker_leaves_the_import_ready_to_retry(
    leader_client, org, monkeypatch, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    from roles import tasks

    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(tasks.commit_import, "delay", refuse)
    leader_client.post(reverse("import", kwargs={"org": "acme"}), {"file": upload("big.csv", _big_file(2_001))})
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = leader_client.post(reverse("import-commit", kwargs={"org": "acme", "token": job.token}))
    page = leader_client.get(response.url)
    assert "The background worker could not be reached; nothing was imported. Try again." in page.content.decode()
    job.refresh_from_db()
    assert (job.state, people(org)) == ("ready", 0)


def test_uploads_never_imported_are_forgotten_after_a_week(org, leader):
    from datetime import timedelta

    from django.utils import timezone

    old = imports.start_import(organization=org, by=leader, filename="a.csv", content=_big_file(3))
    done = imports.start_import(organization=org, by=leader, filename="b.csv", content=_big_file(3))
    imports.commit_import(job=done)
    ImportJob.objects.update(updated_at=timezone.now() - timedelta(days=8))

    imports.start_import(organization=org, by=leader, filename="c.csv", content=_big_file(3))

    assert not ImportJob.objects.filter(pk=old.pk).exists()
    assert ImportJob.objects.filter(pk=done.pk).exists()  # the record of an import stays
    assert ImportJob.objects.count() == 2
