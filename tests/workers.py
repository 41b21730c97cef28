"""Real Celery worker processes for tests: started as subprocesses, stopped at teardown.

A worker in another process shares nothing with the test but the broker and the
database, so what it proves is what production does: a message crosses the broker,
the task runs in a separate interpreter, its result comes back through the
django-db result backend. The `celery_worker_process` fixture (tests/conftest.py)
wraps `start_celery_worker` for the test database; tests that need a worker against
a database of their own (the embedded round trip) call it directly.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from django.conf import settings

# Variables of the outer environment that would switch a child process's mode, or where it keeps
# its files (an embedded child keeps them all under its state folder).
MODE_VARIABLES = (
    "DATABASE_URL",
    "REDIS_URL",
    "SQLITE_PATH",
    "WHOLEPRODUCT_STATE_DIR",
    "MEDIA_ROOT",
    "CELERY_TASK_ALWAYS_EAGER",
)

READY_TIMEOUT = 60.0


@dataclass
class CeleryWorker:
    """A running `celery worker` subprocess and where its output goes."""

    process: subprocess.Popen
    log_path: Path
    queue: str
    env: dict[str, str] = field(repr=False)

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, *, sig: int = signal.SIGTERM, timeout: float = 20.0) -> int:
        """Signal the worker's main process (SIGTERM: warm shutdown) and reap it; return its exit code.

        Whatever is left of its process group afterwards (the pool children of a
        SIGKILLed worker) is killed, so no test leaves a process behind.
        """
        if self.alive():
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _signal_group(self.process, signal.SIGKILL)
                self.process.wait(timeout=10)
        # Pool children left behind by a SIGKILL of the parent die with the group.
        _signal_group(self.process, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while _group_exists(self.process) and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.process.returncode


def _group_exists(process: subprocess.Popen) -> bool:
    try:
        os.killpg(process.pid, 0)
    except ProcessLookupError:
        return False
    return True


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)


def child_env(**overrides: str | None) -> dict[str, str]:
    """The test's environment for a child process, with `overrides` set (None removes a variable)."""
    env = dict(os.environ)
    env["PYTHONUNBUFFERED"] = "1"
    env["DJANGO_SETTINGS_MODULE"] = "wholeproduct.settings"
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def as_from_a_terminal() -> None:
    """`preexec_fn` for a child the test stops with Ctrl-C (SIGINT to its group): a shell started
    in the background without job control, as CI and editors start the suite, ignores SIGINT and
    SIGQUIT, and every child inherits that, so the script would never hear Ctrl-C. A terminal
    gives its programs the default handlers: so does this."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGQUIT, signal.SIG_DFL)


def embedded_env(state_dir: Path) -> dict[str, str]:
    """An environment in embedded mode (SQLite file, filesystem broker) kept under `state_dir`."""
    overrides: dict[str, str | None] = dict.fromkeys(MODE_VARIABLES)
    overrides["WHOLEPRODUCT_STATE_DIR"] = str(state_dir)
    return child_env(**overrides)


def database_url_for(name: str) -> str:
    """DATABASE_URL of this run pointed at another database (the test database)."""
    parsed = urlparse(os.environ["DATABASE_URL"])
    return urlunparse(parsed._replace(path=f"/{name}"))


def start_celery_worker(
    env: dict[str, str],
    *,
    log_path: Path,
    queue: str = "celery",
    pool: str = "prefork",
    concurrency: int = 1,
    ready_timeout: float = READY_TIMEOUT,
) -> CeleryWorker:
    """Start `celery -A wholeproduct worker` consuming `queue` and wait until it says it is ready."""
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "wholeproduct",
        "worker",
        "--queues",
        queue,
        "--pool",
        pool,
        "--concurrency",
        str(concurrency),
        "--hostname",
        f"{queue}@%h",
        "--loglevel",
        "INFO",
        # No broadcast chatter between test workers: each owns its queue.
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: teardown reaches the pool children
        )
    worker = CeleryWorker(process=process, log_path=log_path, queue=queue, env=env)
    _wait_until_ready(worker, ready_timeout)
    return worker


def _wait_until_ready(worker: CeleryWorker, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if " ready." in worker.log():
            return
        if not worker.alive():
            raise RuntimeError(f"the Celery worker exited with {worker.process.returncode}:\n{worker.log()[-4000:]}")
        time.sleep(0.1)
    worker.stop()
    raise RuntimeError(f"the Celery worker was not ready within {timeout:.0f}s:\n{worker.log()[-4000:]}")
