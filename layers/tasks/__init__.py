"""Celery tasks of the product side, one module per area (Celery's autodiscover imports this package)."""

from .exports import *  # noqa: F403
from .readmodel import *  # noqa: F403
from .reports import *  # noqa: F403
from .reviews import *  # noqa: F403
