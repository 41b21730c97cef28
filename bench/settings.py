"""The app's own settings, plus the floor views mounted for the benchmark only (bench/urls.py).

Only what a loopback benchmark needs differs from production: plain http (no redirect to
https, which a load generator on 127.0.0.1 cannot follow) and static files served from the
source tree (production's manifest storage needs a collectstatic build; a `{% static %}` tag
costs the same dictionary lookup either way).
"""

from wholeproduct.settings import *  # noqa: F403 - the real settings, measured as they are
from wholeproduct.settings import STORAGES

ROOT_URLCONF = "bench.urls"
SECURE_SSL_REDIRECT = False
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
# Serve CSS and JS from the source tree without a collectstatic build, so pages served by the
# benchmark's gunicorn can be looked at as they are (wrk never asks for them).
WHITENOISE_USE_FINDERS = True
