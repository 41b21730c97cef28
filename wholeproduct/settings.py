"""Settings read from the environment (DESIGN §7).

Two modes:
- embedded (nothing set): SQLite in WAL mode, Celery on kombu's filesystem
  transport, a file-based cache shared by web and worker, console email, plain http
  on 127.0.0.1, static files served by WhiteNoise from the source tree.
- production (DATABASE_URL set): PostgreSQL, Redis as broker and cache,
  SECRET_KEY required, hardened cookies.

A malformed value fails loudly with ImproperlyConfigured rather than being
silently replaced by a default.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

import environ
from django.core.exceptions import ImproperlyConfigured

from wholeproduct import task_limits

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DATABASE_URL: str = env.str("DATABASE_URL", default="")
REDIS_URL: str = env.str("REDIS_URL", default="")
EMBEDDED = not DATABASE_URL
STATE_DIR = Path(env.str("WHOLEPRODUCT_STATE_DIR", default=str(BASE_DIR / "var")))


def _bool(name: str, default: bool) -> bool:
    raw = env.str(name, default="")
    if raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def _int(name: str, default: int) -> int:
    raw = env.str(name, default="")
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None


# Off unless asked for (DEBUG=1), in embedded mode too (DESIGN §7): a visitor sees our
# error pages, never Django's debug page with the settings and the stack.
DEBUG = _bool("DEBUG", default=False)

if EMBEDDED:
    SECRET_KEY = env.str("SECRET_KEY", default="embedded-mode-insecure-key-do-not-use-in-production")
else:
    SECRET_KEY = env.str("SECRET_KEY", default="")
    if not SECRET_KEY:
        raise ImproperlyConfigured(
            "SECRET_KEY is required when DATABASE_URL is set (production mode). "
            "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",  # kept only so its migration can drop the old plain-text tokens
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_celery_beat",
    "django_celery_results",
    "roles",
    "layers",
    "scenarios",
    "demo",  # seed_demo and its data (demo/): not part of the product
    "csp",
    "axes",
    "simple_history",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Records who made each change to members, invites, people and functions (the activity log).
    "simple_history.middleware.HistoryRequestMiddleware",
    # Oversized bodies, JSON bombs and control characters never reach a view (wholeproduct/security.py).
    "wholeproduct.security.InputGuardMiddleware",
    # Broker or cache down: 503 with a plain sentence on the actions that need them (wholeproduct/outages.py).
    "wholeproduct.outages.ServiceOutageMiddleware",
    # A repeated API POST (Idempotency-Key) or double-clicked form (form token) creates one row.
    "wholeproduct.idempotency.IdempotencyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a refused sign-in into the lockout answer.
    "axes.middleware.AxesMiddleware",
]

# The product cells' index carries the assignments' ids on PostgreSQL (INCLUDE, layers 0018) so a
# page of the API's cells finds them from the index; SQLite builds it without them (W040), which is
# all the embedded mode's small organizations need.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

ROOT_URLCONF = "wholeproduct.urls"
WSGI_APPLICATION = "wholeproduct.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "roles.context_processors.tenancy",
            ],
        },
    },
]

# Django's form renderer, with the widgets every page draws written in Python (shared/forms.py).
FORM_RENDERER = "shared.forms.QuickRenderer"


def _database() -> dict:
    if EMBEDDED:
        STATE_DIR.mkdir(parents=True, exist_ok=True)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env.str("SQLITE_PATH", default=str(STATE_DIR / "wholeproduct.sqlite3")),
            # WAL + IMMEDIATE transactions + a busy timeout let the web process,
            # the worker and beat write to one file without "database is locked".
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    parsed = urlparse(DATABASE_URL)
    if parsed.scheme not in {"postgres", "postgresql", "pgsql", "postgis"} or not parsed.path.strip("/"):
        raise ImproperlyConfigured(
            f"DATABASE_URL must look like postgres://user:password@host:5432/dbname, not {DATABASE_URL!r}."
        )
    try:
        config = environ.Env.db_url_config(DATABASE_URL)
    except Exception as exc:  # django-environ raises several types on garbage
        raise ImproperlyConfigured(f"DATABASE_URL could not be parsed: {exc}") from exc
    config["CONN_MAX_AGE"] = _int("CONN_MAX_AGE", 60)
    config["CONN_HEALTH_CHECKS"] = True
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if REDIS_URL and urlparse(REDIS_URL).scheme not in {"redis", "rediss"}:
    raise ImproperlyConfigured(f"REDIS_URL must start with redis:// or rediss://, not {REDIS_URL!r}.")
if not EMBEDDED and not REDIS_URL:
    raise ImproperlyConfigured("REDIS_URL is required when DATABASE_URL is set (production mode).")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "wholeproduct.cache.RedisCache",  # Django's, one client per pool (cache.py)
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="wpm"),
        }
    }
    CACHES["sessions"] = CACHES["default"] | {"KEY_PREFIX": CACHES["default"]["KEY_PREFIX"] + "-session"}
else:
    # A file cache is shared between processes (web, worker), unlike locmem.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(STATE_DIR / "cache"),
        },
        "sessions": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(STATE_DIR / "sessions"),
            "OPTIONS": {"MAX_ENTRIES": 20_000},  # past it, a third is culled (they fall back to the database)
        },
    }

# Sessions read from the `sessions` cache, written through to the database (wholeproduct/sessions.py).
SESSION_ENGINE = "wholeproduct.sessions"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The throttle first: a locked-out account or address is refused before any password check.
AUTHENTICATION_BACKENDS = ["wholeproduct.security.LoginThrottleBackend", "roles.backends.EmailBackend"]
# A password reset link works once (it is signed with the password it replaces) for an hour.
PASSWORD_RESET_TIMEOUT = _int("PASSWORD_RESET_SECONDS", 60 * 60)
# Invitations an organization may send in an hour (created or resent), against mass invites.
INVITES_PER_HOUR = _int("INVITES_PER_HOUR", 200)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# WhiteNoise indexes STATIC_ROOT when its middleware starts and warns when it is absent
# (before the first collectstatic: development and tests); an empty directory is the
# honest state then. The image has it already from collectstatic at build time.
with contextlib.suppress(OSError):
    STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or EMBEDDED
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Embedded mode has no collectstatic step: WhiteNoise serves static/ straight from the source tree.
WHITENOISE_USE_FINDERS = EMBEDDED or DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(STATE_DIR / "media")))
MEDIA_URL = "/media/"

# Email: console in embedded mode, SMTP from EMAIL_URL in production.
EMAIL_URL = env.str("EMAIL_URL", default="")
if EMAIL_URL:
    try:
        globals().update(environ.Env.email_url_config(EMAIL_URL))
    except Exception as exc:
        raise ImproperlyConfigured(f"EMAIL_URL could not be parsed: {exc}") from exc
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Whole Product Map <noreply@wholeproduct.local>")

# Security. Production hardening is on whenever DEBUG is off.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = _int("SESSION_COOKIE_AGE", 60 * 60 * 12)
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    # Embedded mode serves plain http on 127.0.0.1: secure-only cookies would never come back.
    SESSION_COOKIE_SECURE = _bool("SECURE_COOKIES", not EMBEDDED)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_SSL_REDIRECT = _bool("SECURE_SSL_REDIRECT", not EMBEDDED)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = _int("SECURE_HSTS_SECONDS", 0 if EMBEDDED else 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz(/live|/ready)?$"]
# A refused CSRF check under /api/ answers the API's JSON shape (wholeproduct/error_pages.py).
CSRF_FAILURE_VIEW = "wholeproduct.error_pages.csrf_failure"
# No script reads the CSRF cookie (htmx and Swagger UI get the token from the page).
CSRF_COOKIE_HTTPONLY = True

# Content-Security-Policy (django-csp): scripts and styles only from our own files. Pages
# have no inline <script>, no on*= handlers and no style= attributes (tests/security checks
# every template), so not even styles need 'unsafe-inline'; htmx's inline indicator style is
# off in base.html. data: images are Swagger UI's icons. The e-mail and PDF templates keep
# inline styles: mail clients and WeasyPrint never see this header.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Sign-in throttling (django-axes, wholeproduct/security.py). An account (any address) or an
# address (any account) with LOGIN_FAILURE_LIMIT failures in a row is paused for
# LOGIN_LOCKOUT_MINUTES from the last of them: guessing one password and spraying many
# accounts are both slowed, and a pause that someone else caused ends by itself. A success
# resets the count.
AXES_FAILURE_LIMIT = _int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
# Guesses during a pause do not extend it (and the API's token endpoint, whose DRF request
# wraps the HttpRequest, is answered by the backend's flag on the request the middleware sees).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_CALLABLE = "wholeproduct.security.login_username"
AXES_CLIENT_IP_CALLABLE = "wholeproduct.security.client_ip"
AXES_LOCKOUT_CALLABLE = "wholeproduct.security.lockout_response"
AXES_VERBOSE = False
# How many proxies of ours append to X-Forwarded-For in front of the app (0: none, trust REMOTE_ADDR).
TRUSTED_PROXY_COUNT = _int("TRUSTED_PROXY_COUNT", 0)

# Celery (DESIGN §7). JSON only, late acks, bounded tasks (cookiecutter-django). The limits and
# the visibility timeout derived from them live in wholeproduct/task_limits.py.
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {"visibility_timeout": task_limits.VISIBILITY_TIMEOUT}
else:
    _queue_dir = STATE_DIR / "queue"
    for _sub in ("out", "processed", "control"):
        (_queue_dir / _sub).mkdir(parents=True, exist_ok=True)
    # A hostname, although unused, keeps kombu from warning on every connection.
    CELERY_BROKER_URL = "filesystem://localhost//"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir / "out"),
        "data_folder_out": str(_queue_dir / "out"),
        "processed_folder": str(_queue_dir / "processed"),
        "store_processed": False,
        # Fanout (worker remote control, mingle) keeps its exchange table here;
        # kombu's default is a "control" folder in the current directory.
        "control_folder": str(_queue_dir / "control"),
    }
CELERY_RESULT_BACKEND = "django-db"
CELERY_RESULT_EXTENDED = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = task_limits.DEFAULT.hard
CELERY_TASK_SOFT_TIME_LIMIT = task_limits.DEFAULT.soft
CELERY_TASK_TRACK_STARTED = True
CELERY_TASK_ALWAYS_EAGER = _bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# How often beat sweeps jobs left "running" by a lost worker (wholeproduct/jobs.py).
SWEEP_EVERY_SECONDS = _int("SWEEP_EVERY_SECONDS", 60)
# Embedded mode: how often beat gives the worker a task whose run is its heartbeat
# (scripts/run_embedded.sh restarts a worker whose heartbeat stops).
WORKER_HEARTBEAT_SECONDS = _int("WORKER_HEARTBEAT_SECONDS", 15)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Entries beat's database scheduler installs (and keeps) at start, besides those of migrations.
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "sweep stuck jobs": {"task": "wholeproduct.sweep_stuck_jobs", "schedule": float(SWEEP_EVERY_SECONDS)},
    # The state cache's change rows, folded to one per organization (roles/statecache.py).
    "fold state changes": {"task": "roles.fold_state_changes", "schedule": 3600.0},
    # The map's suggestion counts kept by the database, folded (layers/readmodel/suggestioncounts.py).
    "fold suggestion counts": {"task": "layers.fold_suggestion_counts", "schedule": 3600.0},
}
if EMBEDDED:
    CELERY_BEAT_SCHEDULE["worker heartbeat"] = {
        "task": "wholeproduct.heartbeat",
        "schedule": float(WORKER_HEARTBEAT_SECONDS),
        # One that waited four turns is worth nothing; a backlog of them after a restart is short.
        "options": {"expires": 4.0 * WORKER_HEARTBEAT_SECONDS},
    }

# Report exports (issue 15 item 9): the PDF and XLSX of a report with more rows than this
# (functions + gaps) are built by a worker, with progress and a download link; smaller ones
# answer inline. A built file is kept this many hours for its admin to download.
EXPORT_INLINE_MAX_ROWS = _int("EXPORT_INLINE_MAX_ROWS", 500)
EXPORT_KEEP_HOURS = _int("EXPORT_KEEP_HOURS", 24)

# A page or API read asked again at the same state of the organization's data is answered from
# the cache (roles/statecache.py; PostgreSQL only, nothing is cached under SQLite).
STATE_CACHE = _bool("STATE_CACHE", True)
# What is deployed (a commit, a tag): stored answers are kept apart per release. Unset, a digest of
# the code, templates and static files on disk stands for it.
RELEASE = env("RELEASE", default="")

REST_FRAMEWORK = {
    # Token first: an anonymous request then answers 401 with `WWW-Authenticate: Token`
    # (DRF takes the header from the first class; session auth has none and would say 403).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "roles.api.authentication.TokenAuthentication",  # knox: hashed, expiring (roles/services/tokens.py)
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON in; JSON out (plus the browsable API for a person with a session).
    # (Behind the input guard's depth and text rules, wholeproduct/security.py.)
    "DEFAULT_PARSER_CLASSES": ["wholeproduct.security.JSONParser"],
    # The browsable API's pages get the inline styles they need from the CSP, no more.
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "wholeproduct.security.BrowsableAPIRenderer",
    ],
    "DEFAULT_SCHEMA_CLASS": "wholeproduct.api_errors.ApiAutoSchema",
    "EXCEPTION_HANDLER": "wholeproduct.api_errors.exception_handler",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    # Throttles count in the default cache, which web processes share (file cache or Redis).
    "DEFAULT_THROTTLE_RATES": {"api-token": env.str("API_TOKEN_RATE", default="20/minute")},
}
# API tokens (django-rest-knox): stored as SHA-512 digests, sent as `Authorization: Token <key>`.
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=_int("API_TOKEN_DAYS", 30)),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}
API_TOKENS_PER_USER = _int("API_TOKENS_PER_USER", 20)
SPECTACULAR_SETTINGS = {
    "TITLE": "Whole Product Map API",
    "DESCRIPTION": "Map every function of an organization onto the four layers of the Whole Product.\n\n"
    "Authenticate with `Authorization: Token <key>` (POST /api/v1/auth/token/ with email and password) "
    "or a session. `<org>` is an organization's slug, `<product>` a product's slug; other objects go by id. "
    "Every refusal is `{error, detail, fields}`; a 409 also carries `current`, the object as it is now.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Read-only fields (id, version …) are not asked for in requests; required ones are.
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "CategoryEnum": "roles.models.Function.Category",
        "EmphasisEnum": "layers.models.Assignment.Emphasis",
        "LayerKeyEnum": "layers.models.Layer.Key",
        "ScenarioChangeKindEnum": "scenarios.models.ScenarioChange.Kind",
        "ScenarioStatusEnum": "scenarios.models.Scenario.Status",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # django-axes logs every sign-in at INFO (its AccessLog table keeps them); lockouts are warnings.
    "loggers": {"axes": {"level": "WARNING"}},
}

# Tests that need PostgreSQL, Redis or Chromium fail instead of skipping when set.
REQUIRE_SERVICES = _bool("REQUIRE_SERVICES", False)

# Org-chart import limits (issue 14): a file over any of them is refused, naming the limit and its figure.
IMPORT_MAX_COLUMNS = _int("IMPORT_MAX_COLUMNS", 200)
IMPORT_MAX_ROWS = _int("IMPORT_MAX_ROWS", 100_000)
IMPORT_MAX_CELLS = _int("IMPORT_MAX_CELLS", 1_000_000)
# An XLSX is a zip: refused before parsing when its members unpack past this size or ratio.
IMPORT_MAX_XLSX_UNPACKED = _int("IMPORT_MAX_XLSX_UNPACKED", 150 * 1024 * 1024)
IMPORT_MAX_XLSX_RATIO = _int("IMPORT_MAX_XLSX_RATIO", 100)
