"""The Celery application: configured from Django settings (CELERY_* names)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wholeproduct.settings")

app = Celery("wholeproduct")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="wholeproduct.ping", ignore_result=False)
def ping(token: str) -> str:
    """Echo a token back: the round trip /healthz uses to prove a worker is alive."""
    return token
