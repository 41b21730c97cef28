"""The Celery application: configured from Django settings (CELERY_* names)."""

import os
import tempfile
import time
from pathlib import Path

from celery import Celery
from celery.signals import task_postrun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wholeproduct.settings")

app = Celery("wholeproduct")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="wholeproduct.ping", ignore_result=False)
def ping(token: str) -> str:
    """Echo a token back: the round trip /healthz uses to prove a worker is alive."""
    return token


@app.task(name="wholeproduct.heartbeat", ignore_result=True)
def heartbeat() -> None:
    """Beat sends it every few seconds in embedded mode; running it is the heartbeat (below)."""


@task_postrun.connect
def _beat_the_heart(**kwargs: object) -> None:
    """Every task a pool process finishes writes the time to WORKER_HEARTBEAT_FILE (when set).

    scripts/run_embedded.sh restarts a worker whose heartbeat stops: a worker whose main process
    is alive but whose pool runs nothing (its children killed, a deadlock) is hung, and only a
    task that ran proves otherwise.
    """
    path = os.environ.get("WORKER_HEARTBEAT_FILE")
    if not path:
        return
    target = Path(path)
    # Written aside and renamed, so a reader never sees half a number.
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".heartbeat-")
    with os.fdopen(fd, "w") as out:
        out.write(f"{time.time():.0f}\n")
    os.replace(temporary, target)
