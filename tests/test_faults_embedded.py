"""Celery faults in embedded mode (make run supervised): a killed or hung worker is restarted, and its
import and builds fail with a retry."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable

import pytest
from django.conf import settings

from tests.test_faults import WAIT
from tests.workers import as_from_a_terminal, embedded_env
from wholeproduct.jobs import RUNNING_REASON, WAITING_REASON

EMBEDDED_SCRIPT = settings.BASE_DIR / "scripts" / "run_embedded.sh"
IMPORT_ROWS = 4000
HANG_SECONDS = 30
BUILDS = 24  # products of a fan-out build: the kill lands while most still wait in the queue


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class EmbeddedRun:
    """scripts/run_embedded.sh in a session of its own, its state under `state`."""

    def __init__(self, tmp_path, **env: str) -> None:
        self.state = tmp_path / "state"
        self.port = _free_port()
        self.env = embedded_env(self.state) | {"PORT": str(self.port)} | env
        self.log_path = tmp_path / "run.log"
        with self.log_path.open("wb") as out:
            self.process = subprocess.Popen(
                ["bash", str(EMBEDDED_SCRIPT)],
                cwd=settings.BASE_DIR,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                preexec_fn=as_from_a_terminal,
            )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def pids(self, name: str) -> list[int]:
        """Every pid `name` was started with, in order (the script says so at each start)."""
        import re

        return [int(pid) for pid in re.findall(rf"==> started {name} \(pid (\d+)\)", self.log())]

    def get(self, path: str) -> tuple[int, dict]:
        import urllib.error
        import urllib.request

        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=30) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as error:
            return error.code, json.load(error)

    def django(self, code: str) -> dict:
        """Run `code` in a Django shell of this run's state; it prints one JSON line, returned."""
        return self.answer(self.django_started(code))

    def django_started(self, code: str) -> subprocess.Popen[str]:
        """The same shell, started: the caller watches the run while it works (`answer` waits)."""
        return subprocess.Popen(
            [sys.executable, "manage.py", "shell", "-v", "0", "-c", code],
            cwd=settings.BASE_DIR,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    @staticmethod
    def answer(shell: subprocess.Popen[str]) -> dict:
        stdout, stderr = shell.communicate(timeout=180)
        assert shell.returncode == 0, stderr
        return json.loads(stdout.strip().splitlines()[-1])

    def sql(self, query: str, *params: object) -> list[tuple]:
        import sqlite3

        with contextlib.closing(sqlite3.connect(self.state / "wholeproduct.sqlite3", timeout=20)) as db:
            return db.execute(query, params).fetchall()

    def stop(self) -> int:
        """Ctrl-C, then whatever is left of every group it started is killed."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        for pid in {*self.pids("web"), *self.pids("worker"), *self.pids("beat")}:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
        return self.process.returncode


def _live_members(pgid: int) -> list[int]:
    """The processes of group `pgid` still running (zombies, dead but not yet reaped by init, are not)."""
    from pathlib import Path

    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(stat.parent.name))
    return members


def _wait(predicate: Callable[[], object], *, what: str, run: EmbeddedRun, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert run.process.poll() is None, f"the script ended while waiting for {what}:\n{run.log()[-4000:]}"
        assert time.monotonic() < deadline, f"gave up waiting for {what}:\n{run.log()[-4000:]}"
        time.sleep(0.02)


def _kill_worker(run: EmbeddedRun, *, holding: str | None = None) -> str:
    """SIGKILL the worker with its pool (the group) and wait for the supervisor to start another;
    return when the first died, as the database writes a time.

    With `holding` (a count query), the kill lands only while the worker holds work: the group
    is frozen first, and thawed to try again if the query counts nothing while it is frozen (a
    fast task may finish between seeing it start and the kill)."""
    killed = run.pids("worker")[-1]
    if holding is not None:
        deadline = time.monotonic() + 60
        while True:
            _wait(lambda: run.sql(holding)[0][0] > 0, what="the worker to hold work", run=run)
            os.killpg(killed, signal.SIGSTOP)
            if run.sql(holding)[0][0] > 0:
                break
            os.killpg(killed, signal.SIGCONT)
            assert time.monotonic() < deadline, "the worker never held work while frozen"
    os.killpg(killed, signal.SIGKILL)
    killed_at = _utc_text()
    # The web server answers through it all: it does not depend on the worker.
    assert run.get("/healthz/live") == (200, {"status": "ok"})
    _wait(lambda: run.pids("worker")[-1] != killed, what="the worker to be started again", run=run)
    assert "worker stopped on its own (exit status 137): starting it again" in run.log()
    _wait(lambda: run.get("/healthz")[0] == 200, what="the new worker to answer /healthz", run=run)
    return killed_at


SWEEP_LATER = """
import json
from datetime import timedelta
from django.utils import timezone
from wholeproduct import jobs
later = timezone.now() + jobs.QUEUE_DEADLINE + timedelta(seconds=1)
print(json.dumps({label: len(pks) for label, pks in jobs.sweep(now=later).items()}))
"""

QUEUE_IMPORT = """
import json
from pathlib import Path
from roles.models import ImportJob, Organization
from roles.services import imports
org = Organization.objects.get(slug="northwind")
job = imports.start_import(organization=org, by=None, filename="big.csv", content=Path({path!r}).read_bytes())
assert job.state == ImportJob.State.READY, (job.state, job.preview.get("errors", [])[:3])
imports.queue_import(job=job)
print(json.dumps({{"id": job.pk}}))
"""

RETRY_IMPORT = """
import json
from roles.models import ImportJob
from roles.services import imports
job = ImportJob.objects.get(pk={pk})
imports.queue_import(job=job)
print(json.dumps({{"state": job.state}}))
"""

QUEUE_BUILDS = """
import json
from layers.models import Product
from layers.services import reports
from roles.models import Organization
org = Organization.objects.get(slug="northwind")
for n in range(Product.objects.filter(organization=org).count(), {count}):
    Product.objects.create(organization=org, name=f"Fault product {{n:02d}}", slug=f"fault-{{n:02d}}")
print(json.dumps({{"job": reports.request_build(organization=org, trigger="manual")[0]}}))
"""

RETRY_BUILDS = """
import json
from layers.selectors.coverage import job_progress
from layers.services import reports
from roles.models import Organization
org = Organization.objects.get(slug="northwind")
before = job_progress(organization_id=org.pk, job_id={job!r})
print(json.dumps({{
    "states": sorted(t.state for t in before.tasks),
    "reasons": sorted({{t.reason for t in before.failed}}),
    "retried": reports.retry_failed_builds(organization=org, job_id={job!r}),
}}))
"""


def jobs_reason(template: str, minutes: int) -> str:
    return template.format(minutes=minutes)


def _utc_text() -> str:
    """Now as Django stores a datetime in SQLite (UTC, text), to compare with a column."""
    from datetime import UTC, datetime

    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _wait_until_settled(run: EmbeddedRun, *, killed_at: str, total: int) -> None:
    """Until every build either succeeded or was left behind by the killed worker: the queue is
    empty and nothing moved since the kill is still unfinished, for two seconds in a row (a
    build the new worker has taken but not started yet looks left behind for a moment)."""
    queue = run.state / "queue" / "out"
    query = (
        "SELECT count(*) FROM django_celery_results_taskresult WHERE task_name = 'layers.build_report' "
        "AND (status = 'SUCCESS' OR (status IN ('PENDING', 'STARTED') AND date_done < ?))"
    )
    since: list[float] = []

    def settled() -> bool:
        if any(queue.iterdir()) or run.sql(query, killed_at)[0][0] < total:
            since.clear()
            return False
        since.append(time.monotonic())
        return since[-1] - since[0] >= 2

    _wait(settled, what="the new worker to run every build left in the queue", run=run, timeout=240)


def _import_file(path) -> None:
    lines = ["Full Name,Email,Job Title,Department"]
    lines += [f"Fault Person {n:04d},fault{n:04d}@northwind.test,Analyst,Fault Finding" for n in range(IMPORT_ROWS)]
    path.write_text("\n".join(lines) + "\n")


@pytest.mark.slow
def test_embedded_a_killed_or_hung_worker_is_restarted_and_its_import_and_builds_fail_with_a_retry(tmp_path):
    """One run of `make run` for everything (it takes a minute to start): a worker killed
    mid-import, one killed mid-build, then one that hangs; the web server answers throughout."""
    if not (settings.BASE_DIR / ".venv" / "bin" / "python").exists():
        pytest.skip("the script runs from the project's .venv, which this checkout does not have")
    run = EmbeddedRun(tmp_path, WORKER_HANG_SECONDS=str(HANG_SECONDS), WORKER_HEARTBEAT_SECONDS="3")
    try:
        _wait(lambda: "is running at" in run.log(), what="the banner", run=run, timeout=300)

        # Mid-import: the job is running on the worker when the worker is killed.
        _import_file(tmp_path / "big.csv")
        job = run.django(QUEUE_IMPORT.format(path=str(tmp_path / "big.csv")))["id"]
        state = lambda: run.sql("SELECT state FROM roles_importjob WHERE id = ?", job)[0][0]  # noqa: E731
        _wait(lambda: state() == "running", what="the import to start", run=run)
        _kill_worker(run)
        assert state() == "running"  # stranded: the filesystem broker lost the message with the worker
        people = "SELECT count(*) FROM roles_stakeholder WHERE email LIKE 'fault%'"
        assert run.sql(people) == [(0,)]  # its transaction never committed

        assert run.django(SWEEP_LATER) == {"roles.ImportJob:roles.commit_import": 1}
        assert run.sql("SELECT state, error FROM roles_importjob WHERE id = ?", job) == [
            ("failed", jobs_reason(RUNNING_REASON, 11))
        ]
        assert run.django(RETRY_IMPORT.format(pk=job)) == {"state": "queued"}
        _wait(lambda: state() == "done", what="the retried import to finish", run=run)
        assert run.sql(people) == [(IMPORT_ROWS,)]

        # Mid-build: one of many builds is running when the worker is killed. The test watches for
        # a started build while the shell that queues them is still running: a build of these small
        # products takes milliseconds, and the shell takes a second or two to exit after it has
        # queued them, long enough for the worker to have built them all.
        queueing = run.django_started(QUEUE_BUILDS.format(count=BUILDS))
        # A build started and not yet stored: a build whose snapshot committed just before the
        # freeze is still STARTED in the results table, but killing it loses nothing to retry.
        started = (
            "SELECT count(*) FROM django_celery_results_taskresult t "
            "WHERE t.task_name = 'layers.build_report' AND t.status = 'STARTED' "
            "AND NOT EXISTS (SELECT 1 FROM layers_coveragereport r WHERE r.run_key = t.task_id)"
        )
        killed_at = _kill_worker(run, holding=started)
        build = run.answer(queueing)["job"]
        _wait_until_settled(run, killed_at=killed_at, total=BUILDS)
        swept = run.django(SWEEP_LATER).get("django_celery_results.TaskResult:layers.build_report", 0)
        retry = run.django(RETRY_BUILDS.format(job=build))
        # The builds the killed worker held, failed by this sweep (or by beat's own, when the run
        # was slow enough for it to come first): at most one per pool process.
        lost = retry["states"].count("failed")
        assert 1 <= lost <= 2 and swept <= lost
        assert retry["states"] == ["done"] * (BUILDS - lost) + ["failed"] * lost
        assert set(retry["reasons"]) <= {jobs_reason(RUNNING_REASON, 6), jobs_reason(WAITING_REASON, 60)}
        assert len(retry["retried"]) == lost
        succeeded = "SELECT task_id FROM django_celery_results_taskresult WHERE status = 'SUCCESS'"
        retried = set(retry["retried"])
        _wait(lambda: retried <= {row[0] for row in run.sql(succeeded)}, what="the retried builds", run=run)

        # Hung: alive, but its pool runs nothing (frozen here), so its heartbeat stops.
        hung = run.pids("worker")[-1]
        os.killpg(hung, signal.SIGSTOP)
        _wait(lambda: run.get("/healthz")[0] == 503, what="/healthz to notice", run=run)
        status, body = run.get("/healthz")
        assert (status, body["failing"]) == (503, ["worker"])
        assert run.get("/healthz/live") == (200, {"status": "ok"})
        _wait(lambda: run.pids("worker")[-1] != hung, what="the hung worker to be replaced", run=run, timeout=120)
        assert f"worker: no heartbeat for more than {HANG_SECONDS}s (hung): starting it again" in run.log()
        # Its whole group was killed (the pool too); a process may take a moment to finish dying.
        _wait(lambda: _live_members(hung) == [], what="the hung worker's processes to end", run=run, timeout=10)
        _wait(lambda: run.get("/healthz")[0] == 200, what="the new worker to answer /healthz", run=run)
    finally:
        status = run.stop()
    assert status == 130, run.log()[-4000:]
