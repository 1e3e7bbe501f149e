"""CX Align settings: one module, configured from the environment.

Embedded mode (nothing set): SQLite under var/, Celery tasks run inline, plain HTTP on the
loopback, a SECRET_KEY generated once and kept under var/. Services mode (DATABASE_URL and
REDIS_URL set): PostgreSQL, Celery workers over Redis, HTTPS hardening, SECRET_KEY required.
DEBUG is off in both unless asked for (DEBUG=true, or `make dev`).
"""

import ipaddress
import warnings
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.cache.backends.base import CacheKeyWarning
from django.core.exceptions import ImproperlyConfigured

from cxalign.env import env_bool, env_int, env_list, env_str, secret_key_file

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("CXALIGN_VAR_DIR", str(BASE_DIR / "var")))

DATABASE_URL = env_str("DATABASE_URL")
REDIS_URL = env_str("REDIS_URL")
EMBEDDED = not DATABASE_URL

# The product never shows Django's debug pages unless someone asks for them.
DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if DEBUG:
        # Only ever used with DEBUG on: never a silent default in production.
        SECRET_KEY = "django-insecure-embedded-mode-only-never-in-production"
    elif EMBEDDED:
        # One installation on one machine: a random key made on first start, kept in var/.
        SECRET_KEY = secret_key_file(VAR_DIR / "secret_key")
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Production (DEBUG=false) needs a long random SECRET_KEY."
        )

# Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto we believe. Without either setting
# the TCP peer is the client (rate limits cannot be dodged by sending the header yourself).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_address(_proxy)
    except ValueError as exc:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_proxy!r} is not an IP address.") from exc
NUM_PROXIES = env_int("NUM_PROXIES", 0)
if NUM_PROXIES < 0:
    raise ImproperlyConfigured("NUM_PROXIES cannot be negative.")
BEHIND_PROXY = bool(TRUSTED_PROXIES or NUM_PROXIES)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
CSRF_FAILURE_VIEW = "cxalign.orgs.views.csrf_failure"

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
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "simple_history",
    "axes",
    "csp",
    # Our layers, lowest first: every import points down this list.
    "cxalign.orgs",
    "kpis",
    "strategy",
    "journeys",
    "feedback",
    "alignment",
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
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last: reads a signed-in page's cache entries in one round trip (cxalign/prefetch.py).
    "cxalign.prefetch.CachePrefetchMiddleware",
]

ROOT_URLCONF = "cxalign.urls"
WSGI_APPLICATION = "cxalign.wsgi.application"

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
                "cxalign.orgs.context_processors.org_context",
            ],
        },
    }
]

if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "cxalign.sqlite3",
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "cxalign.orgs.backends.PersonBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
PASSWORD_RESET_LIMIT_PER_HOUR = env_int("PASSWORD_RESET_LIMIT_PER_HOUR", 3)
INVITATION_TTL = timedelta(days=env_int("INVITATION_TTL_DAYS", 7))
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Login rate limit: five wrong passwords for one username from one address lock it for 15 min.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "cxalign.orgs.views.lockout_response"
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "cxalign.orgs.clientip.client_ip"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
# plotly.js is served by us (no CDN, closed networks work): static/vendor/plotly-*-cxalign.min.js,
# only the trace types we draw (scripts/plotly/), fetched by static/js/charts.js where needed.
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", default=not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "cxalign.staticstorage.CompressedManifestStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = VAR_DIR / "media"
FILE_UPLOAD_TEMP_DIR = None
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_MB", 512) * 1024 * 1024
# Every CSV/XLSX upload is read within these (cxalign/tabular/read.py): an XLSX is checked part
# by part before it is opened, and openpyxl holds a workbook's shared text in memory.
TABULAR_MAX_COLUMNS = env_int("TABULAR_MAX_COLUMNS", 500)
XLSX_MAX_UNPACKED_BYTES = env_int("XLSX_MAX_UNPACKED_MB", 1024) * 1024 * 1024
XLSX_MAX_SHARED_STRINGS_BYTES = env_int("XLSX_MAX_SHARED_STRINGS_MB", 100) * 1024 * 1024
XLSX_MAX_RATIO = env_int("XLSX_MAX_RATIO", 100)

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "CX Align <no-reply@cxalign.local>")

# Security: production defaults; each can be relaxed from the environment behind a proxy.
# Only a configured proxy may tell us the request was HTTPS; anyone can send the header.
# The embedded mode serves plain HTTP on the loopback (`make run`), so HTTPS is not forced there.
HTTPS_DEFAULT = not (DEBUG or EMBEDDED)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=HTTPS_DEFAULT)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=HTTPS_DEFAULT)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=HTTPS_DEFAULT)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS_DEFAULT else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS_DEFAULT
SECURE_HSTS_PRELOAD = HTTPS_DEFAULT
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# Content-Security-Policy (django-csp): scripts only from our own files, no inline script or
# handler anywhere (charts draw from data attributes, see static/js/charts.js). Styles allow
# inline because plotly.js, htmx and Swagger UI write style elements and attributes at run
# time; images allow data:/blob: for chart and journey-map exports.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "worker-src": [SELF, "blob:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

CACHES = {
    "default": (
        {"BACKEND": "cxalign.cache.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# With Redis every process reads one cache: sessions, the signed-in person
# (cxalign/orgs/people.py) and the dashboard's data stamp are kept there. The embedded default's
# cache is per process, so a change made in one process would not reach the others: those stay
# in the database.
SHARED_CACHE = bool(REDIS_URL)
if SHARED_CACHE:
    # Keys memcached would refuse are fine in Redis: a forged session cookie is one (Django's
    # documented way to silence the warning).
    warnings.simplefilter("ignore", CacheKeyWarning)
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if SHARED_CACHE
    else "django.contrib.sessions.backends.db"
)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so that a missing or wrong token answers 401 with WWW-Authenticate.
        "cxalign.orgs.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "cxalign.orgs.api.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "cxalign.orgs.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "cxalign.orgs.api.schema.TaggedAutoSchema",
    "EXCEPTION_HANDLER": "cxalign.orgs.api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"token": "20/min"},
    # DRF's own reading of X-Forwarded-For is not used: our throttles call client_ip().
    "NUM_PROXIES": NUM_PROXIES,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# API tokens (django-rest-knox): hashed at rest, expire, revoked on password change and on
# "sign out everywhere". Same header as before: `Authorization: Token <token>`.
API_TOKEN_TTL_DAYS = env_int("API_TOKEN_TTL_DAYS", 30)
if API_TOKEN_TTL_DAYS < 1:
    raise ImproperlyConfigured("API_TOKEN_TTL_DAYS must be at least 1.")
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=API_TOKEN_TTL_DAYS),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "CX Align API",
    "DESCRIPTION": (
        "Organization-scoped API of CX Align. Every resource lives under "
        "/api/v1/orgs/{org_slug}/. Authenticate with a session or with "
        "`Authorization: Token <token>` from POST /api/v1/auth/token/."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The docs open on the six groups, folded, with a box that filters them by tag.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "docExpansion": "none", "filter": True},
    "COMPONENT_SPLIT_REQUEST": True,
    # The docs group operations by these tags (cxalign.orgs.api.schema.TaggedAutoSchema).
    "TAGS": [
        {
            "name": "strategy",
            "description": "Vision, governing models, planning cycles, the "
            "goal cascade, check-ins, commitments, initiatives, decisions and capabilities.",
        },
        {
            "name": "journeys",
            "description": "Priority audiences and their journey maps: "
            "stages, touchpoints, pain points, live board changes, imports and exports.",
        },
        {
            "name": "feedback",
            "description": "Voice of the customer: sources, imports, "
            "responses, customers, themes and follow-ups.",
        },
        {
            "name": "KPIs",
            "description": "The KPI catalogue and its measurements over time "
            "(measured by the engine, entered or imported).",
        },
        {
            "name": "alignment",
            "description": "The alignment engine: recompute runs, NPS–CLV–"
            "churn links per segment, misalignment flags and the planning brief.",
        },
        {
            "name": "people",
            "description": "Organizations, members and roles, org units, "
            "invitations and API tokens.",
        },
    ],
    # Many models have a "kind"; name each enum after its model so the schema stays readable.
    "ENUM_NAME_OVERRIDES": {
        "OrgUnitKindEnum": "cxalign.orgs.models.OrgUnit.Kind",
        "GoverningModelKindEnum": "strategy.models.GoverningModel.Kind",
        "CycleKindEnum": "strategy.models.Cycle.Kind",
        "InitiativeKindEnum": "strategy.models.Initiative.Kind",
        "AudienceKindEnum": "journeys.models.Audience.Kind",
        "PainPointKindEnum": "journeys.models.PainPoint.Kind",
        "SourceKindEnum": "feedback.models.Source.Kind",
        "ImportBatchKindEnum": "feedback.models.ImportBatch.Kind",
        "GoalImportStatusEnum": "strategy.models.GoalImport.Status",
    },
}

# Celery: inline in embedded mode, workers over Redis in services mode.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 3600)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 3300)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A message a killed worker had taken goes back to the queue after this many seconds.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 4 * 3600)
}
CELERY_BEAT_SCHEDULE: dict = {
    # Every cycle between its inputs-due date and its start gets fresh figures each night.
    "alignment-recompute-due-cycles": {
        "task": "alignment.tasks.recompute_due_cycles",
        "schedule": crontab(hour=3, minute=15),
    },
    # Monday mornings: managers hear which check-ins they owe; leaders, the long-overdue ones.
    "alignment-checkin-escalation": {
        "task": "alignment.tasks_escalation.checkins_escalate",
        "schedule": crontab(day_of_week="mon", hour=7, minute=0),
    },
}
# A finished import queues a recompute this many seconds later (imports in a row share one).
ALIGNMENT_IMPORT_DEBOUNCE_S = env_int("ALIGNMENT_IMPORT_DEBOUNCE_S", 300)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
