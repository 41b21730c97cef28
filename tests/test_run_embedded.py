"""`make run` (scripts/run_embedded.sh): serves a healthy app, and Ctrl-C stops everything it started."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from .workers import as_from_a_terminal, embedded_env

SCRIPT = settings.BASE_DIR / "scripts" / "run_embedded.sh"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _group_exists(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _wait_for(predicate, *, timeout: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"gave up waiting for {what}:\n{log.read_text()[-4000:]}"
        time.sleep(0.25)


@pytest.mark.slow
def test_it_serves_web_worker_and_beat_and_ctrl_c_stops_all_three(tmp_path):
    if not (settings.BASE_DIR / ".venv" / "bin" / "python").exists():
        pytest.skip("the script runs from the project's .venv, which this checkout does not have")
    port = _free_port()
    env = embedded_env(tmp_path / "state")
    env["PORT"] = str(port)
    log = tmp_path / "run.log"
    with log.open("wb") as out:
        script = subprocess.Popen(
            ["bash", str(SCRIPT)],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # a group of its own, as a terminal gives it
            preexec_fn=as_from_a_terminal,
        )
    try:
        started = lambda: "is running at" in log.read_text() or script.poll() is not None  # noqa: E731
        _wait_for(started, timeout=240, what="the banner", log=log)
        assert script.poll() is None, log.read_text()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=30) as response:
            health = json.load(response)
        assert health["status"] == "ok"
        text = log.read_text()
        assert "[worker]" in text and "[beat]" in text and "[web]" in text
        assert "stakeholder@northwind.test" in text

        os.killpg(script.pid, signal.SIGINT)  # Ctrl-C
        assert script.wait(timeout=60) == 130
        _wait_for(lambda: not _group_exists(script.pid), timeout=10, what="every process to stop", log=log)
        assert "Stopped." in log.read_text()
    finally:
        if _group_exists(script.pid):
            os.killpg(script.pid, signal.SIGKILL)
        script.wait(timeout=10)
