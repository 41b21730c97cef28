"""Load test: gunicorn + PostgreSQL + Redis on 127.0.0.1, many signed-in users at once (issue 8).

    .venv/bin/python bench/load.py [--users 50] [--seconds 60] [--workers 3]
                                   [--database-url postgres://postgres@127.0.0.1:5432/wpm_load]

What it does, and undoes, by itself:

1. PostgreSQL: uses the server at --database-url (starts the local cluster with pg_ctlcluster
   if it is down, and stops it again at the end), creates the database if it is missing,
   migrates it and loads the demo (seed_demo: two organizations and their logins).
2. Redis: starts a private redis-server on a free port (nothing saved to disk), as the cache
   and broker of production mode; stopped at the end.
3. gunicorn: the Dockerfile's 3 workers, in production mode (DEBUG off) on a free port of
   127.0.0.1, through bench/settings.py: only the https redirect is off (the test speaks
   plain http) and static files use the plain storage, so no collectstatic build is needed
   (the mix requests pages and the API, not static files).
4. --users virtual users, spread over the demo logins of both organizations (admin, leader,
   stakeholder of Northwind; the leader of Contoso), each signs in with its own session,
   then loops for --seconds over a weighted mix: dashboard, a product's whole product page,
   the map editor (editors only), "my role", and API reads under /api/v1/ (session auth).
5. Prints requests, throughput, latency percentiles (overall and per kind of page) and
   every error; exits 1 if there was any error (any answer but the expected 200, or no
   answer within --timeout). Everything it started is stopped, whatever happens.

No third-party load tool: threads and http.client, one connection per user (reopened when
gunicorn's sync workers close it after an answer).

The module also holds what bench/run.py (issue 9's benchmark) imports: `gunicorn()` serves
the app (bench/settings.py) on a free port of 127.0.0.1 for the length of a `with` block,
and `wrk()` measures one URL's throughput with wrk (`wrk_path()`/`WRK_MISSING` when it is
not installed).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

if __package__ in (None, ""):  # run as a script (python bench/load.py): the repository is the import root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.users import Sample, report, run_user

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/wpm_load"


def log(message: str) -> None:
    print(f"[load {time.strftime('%H:%M:%S')}] {message}", flush=True)


def run_command(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess:
    return subprocess.run(command, **kwargs)  # noqa: S603 - fixed argument lists, never a shell


def spawn(command: list[str], **kwargs: Any) -> subprocess.Popen:
    return subprocess.Popen(command, **kwargs)  # noqa: S603 - fixed argument lists, never a shell


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, *, timeout: float, process: subprocess.Popen | None = None, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise SystemExit(f"{what} exited with {process.returncode} before it listened on {port}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.2)
    raise SystemExit(f"{what} did not listen on 127.0.0.1:{port} within {timeout:.0f} s")


# --- the services ---------------------------------------------------------------------------------


@dataclass
class Services:
    """What this run started, so that it stops exactly those (never anything else)."""

    processes: list[tuple[str, subprocess.Popen]] = field(default_factory=list)
    started_cluster: list[str] = field(default_factory=list)

    def stop(self) -> None:
        for name, process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            log(f"stopped {name} (exit {process.returncode})")
        if self.started_cluster:
            run_command([*self.started_cluster, "stop"], check=False)
            log(f"stopped the PostgreSQL cluster {' '.join(self.started_cluster[2:])} this run had started")


def ensure_postgres(url: str, services: Services) -> None:
    parsed = urlparse(url)
    port = parsed.port or 5432
    with contextlib.suppress(OSError), socket.create_connection((parsed.hostname or "127.0.0.1", port), timeout=2):
        return
    clusters = sorted(Path("/etc/postgresql").glob("*/main")) if Path("/etc/postgresql").is_dir() else []
    if not clusters or not shutil.which("pg_ctlcluster"):
        raise SystemExit(f"PostgreSQL is not reachable at {parsed.hostname}:{port}; start it or pass --database-url")
    version = clusters[-1].parent.name
    log(f"starting the local PostgreSQL {version} cluster")
    cluster = [shutil.which("pg_ctlcluster") or "pg_ctlcluster", "--skip-systemctl-redirect", version, "main"]
    run_command([*cluster, "start"], check=True)
    services.started_cluster = cluster
    wait_for_port(port, timeout=60, what="PostgreSQL")


def ensure_database(url: str) -> None:
    import psycopg2
    from psycopg2 import sql

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    maintenance = parsed._replace(path="/postgres").geturl()
    connection = psycopg2.connect(maintenance)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                log(f"created the database {name}")
    finally:
        connection.close()


def start_redis(services: Services, work: Path) -> str:
    server = shutil.which("redis-server")
    if server is None:
        url = os.environ.get("REDIS_URL", "")
        if not url:
            raise SystemExit("redis-server is not installed and REDIS_URL is not set")
        log(f"redis-server not found: using REDIS_URL={url}")
        return url
    port = free_port()
    command = [server, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"]
    process = spawn(
        [*command, "--dir", str(work)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True
    )
    services.processes.append(("redis-server", process))
    wait_for_port(port, timeout=20, process=process, what="redis-server")
    return f"redis://127.0.0.1:{port}/0"


def app_environment(database_url: str, redis_url: str, work: Path) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("SQLITE_PATH", "CELERY_TASK_ALWAYS_EAGER", "DEBUG"):
        env.pop(name, None)
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        WHOLEPRODUCT_STATE_DIR=str(work / "state"),
        LOG_LEVEL="WARNING",
    )
    return env


def prepare_database(env: dict[str, str]) -> None:
    started = time.monotonic()
    for command in (["migrate", "--noinput", "-v", "0"], ["seed_demo", "--quiet"]):
        run_command(
            [PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL, timeout=600
        )
    log(f"database migrated and demo loaded in {time.monotonic() - started:.1f} s")


@contextlib.contextmanager
def gunicorn(*, workers: int = 2, env: dict[str, str] | None = None, log_path: Path | None = None) -> Iterator[str]:
    """Serve the app (bench/settings.py: the real settings over plain http) with gunicorn on a
    free port of 127.0.0.1; yield its base URL, stop it when the block ends. With `log_path`,
    gunicorn's and the app's output go to that file instead of the terminal."""
    port = free_port()
    command = [PYTHON, "-m", "gunicorn", "bench.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
    command += ["--no-control-socket", "--error-logfile", "-"]
    child_env = dict(os.environ if env is None else env)
    child_env["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    child_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), child_env.get("PYTHONPATH", "")]))
    with contextlib.ExitStack() as stack:
        output = stack.enter_context(log_path.open("ab")) if log_path else None
        process = spawn(
            command,
            cwd=ROOT,
            env=child_env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=output,
            start_new_session=True,
        )
    try:
        wait_for_port(port, timeout=60, process=process, what="gunicorn")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


WRK_MISSING = "wrk is not installed (apt-get install -y wrk): throughput not measured"


def wrk_path() -> str | None:
    return shutil.which("wrk")


@dataclass
class WrkRun:
    """One wrk measurement of one URL."""

    name: str
    url: str
    seconds: int
    connections: int
    requests: int
    requests_per_s: float
    latency_p50_ms: float | None
    latency_p99_ms: float | None
    non_2xx: int
    socket_errors: int

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    found = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if found is None:
        raise ValueError(f"not a duration: {text!r}")
    number, unit = found.groups()
    return float(number) * _UNITS_MS[unit]


def wrk(name: str, url: str, *, headers: dict[str, str], seconds: int, connections: int) -> WrkRun:
    """Run wrk against `url` for `seconds` with `connections` (its latency distribution on)."""
    command = [wrk_path() or "wrk", "--latency", "-t", str(min(connections, 2)), "-c", str(connections)]
    command += ["-d", f"{seconds}s", "--timeout", "10s"]
    for header, value in headers.items():
        command += ["-H", f"{header}: {value}"]
    done = run_command([*command, url], capture_output=True, text=True, timeout=seconds + 60, check=True)
    out = done.stdout
    percentiles = dict(re.findall(r"^\s+(50|99)(?:\.0+)?%\s+([\d.]+(?:us|ms|s|m))\s*$", out, re.MULTILINE))
    total = re.search(r"(\d+) requests in", out)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return WrkRun(
        name=name,
        url=url,
        seconds=seconds,
        connections=connections,
        requests=int(total.group(1)) if total else 0,
        requests_per_s=float(rate.group(1)) if rate else 0.0,
        latency_p50_ms=_ms(percentiles["50"]) if "50" in percentiles else None,
        latency_p99_ms=_ms(percentiles["99"]) if "99" in percentiles else None,
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(int(n) for n in socket.groups()) if socket else 0,
    )


# --- the virtual users ----------------------------------------------------------------------------


def load(port: int, *, users: int, seconds: float, timeout: float) -> int:
    log(f"{users} users signing in")
    start = threading.Barrier(users + 1)
    deadline = [float("inf")]
    outs: list[list[Sample]] = [[] for _ in range(users)]
    threads = [
        threading.Thread(target=run_user, args=(i, port, timeout, start, deadline, outs[i]), daemon=True)
        for i in range(users)
    ]
    for thread in threads:
        thread.start()
    try:
        start.wait(timeout=180)
    except threading.BrokenBarrierError:
        failed = [s for out in outs for s in out if s.error]
        for s in failed[:10]:
            log(f"sign-in failed: {s.error}")
        return report(failed, 1.0) or 1
    began = time.monotonic()
    deadline[0] = began + seconds
    log(f"all signed in; mixing dashboard, product, map, my role and API reads for {seconds:.0f} s")
    for thread in threads:
        thread.join(timeout=max(1.0, deadline[0] - time.monotonic() + timeout + 5))
    stuck = sum(t.is_alive() for t in threads)
    elapsed = time.monotonic() - began
    samples = [s for out in outs for s in out]
    if stuck:
        samples.append(Sample("load", "-", 0, 0.0, f"{stuck} users still waiting for an answer at the end"))
    return report(samples, elapsed)


# --- main -----------------------------------------------------------------------------------------


@contextlib.contextmanager
def stopped_on_signals(services: Services) -> Iterator[None]:
    def interrupted(signum: int, frame: object) -> None:
        raise SystemExit(f"interrupted by signal {signum}")

    previous = {sig: signal.signal(sig, interrupted) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        services.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50, help="concurrent signed-in users (default 50)")
    parser.add_argument("--seconds", type=float, default=60, help="how long the mix runs (default 60)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (default 3, as the Dockerfile)")
    parser.add_argument("--timeout", type=float, default=30, help="seconds a request may take before it fails")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("LOAD_DATABASE_URL", DEFAULT_DATABASE_URL),
        help=f"PostgreSQL database to use, created if missing (default {DEFAULT_DATABASE_URL})",
    )
    args = parser.parse_args()
    if args.users < 1 or args.seconds <= 0:
        parser.error("--users and --seconds must be positive")
    services = Services()
    with tempfile.TemporaryDirectory(prefix="wpm-load-") as tmp, stopped_on_signals(services):
        work = Path(tmp)
        ensure_postgres(args.database_url, services)
        ensure_database(args.database_url)
        redis_url = start_redis(services, work)
        env = app_environment(args.database_url, redis_url, work)
        prepare_database(env)
        with gunicorn(workers=args.workers, env=env, log_path=work / "gunicorn.log") as base:
            port = urlparse(base).port or 80
            log(f"gunicorn ({args.workers} workers) on {base}, PostgreSQL {urlparse(args.database_url).path}")
            code = load(port, users=args.users, seconds=args.seconds, timeout=args.timeout)
        gunicorn_log = (work / "gunicorn.log").read_text(errors="replace")
        if "Traceback" in gunicorn_log or "[CRITICAL]" in gunicorn_log:
            print("\ngunicorn's log has errors:\n" + gunicorn_log[-3000:])
            code = 1
    return code


if __name__ == "__main__":
    sys.exit(main())
