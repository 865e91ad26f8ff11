"""Settings, read from the environment.

With no configuration at all the app runs in the embedded mode: DEBUG on, SQLite under var/
and Celery on kombu's filesystem transport under var/ (a real worker, no broker server).
Production sets DJANGO_DEBUG=0, DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DATABASE_URL and
CELERY_BROKER_URL (or REDIS_URL). docs/configuration.md lists every variable.
"""

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ANNOTATOR_VAR_DIR", BASE_DIR / "var"))

# The names of every environment variable this module reads; tests/test_deploy.py checks that
# docker-compose.yml sets nothing else.
ENV_VARS = (
    "DJANGO_DEBUG",
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "DJANGO_CSRF_TRUSTED_ORIGINS",
    "DJANGO_SECURE_SSL_REDIRECT",
    "DATABASE_URL",
    "ANNOTATOR_DB_PREPARE",
    "CELERY_BROKER_URL",
    "REDIS_URL",
    "CELERY_TASK_ALWAYS_EAGER",
    "ANNOTATOR_VAR_DIR",
    "ANNOTATOR_MEDIA_ROOT",
    "ANNOTATOR_STORAGE",
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_S3_ENDPOINT_URL",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "DJANGO_LOG_LEVEL",
    "ANNOTATOR_EXPORT_QUEUE",
    "ANNOTATOR_AGREEMENT_QUEUE",
    "ANNOTATOR_IMPORT_QUEUE",
    "ANNOTATOR_RECOMMENDER_QUEUE",
    "ANNOTATOR_RECOMMENDER_RETRAIN_SECONDS",
    "ANNOTATOR_TRUSTED_PROXIES",
    "ANNOTATOR_API_RATE_ANON",
    "ANNOTATOR_IMPORT_MAX_UPLOAD_MB",
    "ANNOTATOR_IMPORT_MAX_ZIP_MEMBERS",
    "ANNOTATOR_IMPORT_MAX_UNCOMPRESSED_MB",
    "ANNOTATOR_IMPORT_MAX_COMPRESSION_RATIO",
    "ANNOTATOR_API_RATE_USER",
    "DJANGO_EMAIL_HOST",
    "DJANGO_EMAIL_PORT",
    "DJANGO_EMAIL_HOST_USER",
    "DJANGO_EMAIL_HOST_PASSWORD",
    "DJANGO_EMAIL_USE_TLS",
    "DJANGO_DEFAULT_FROM_EMAIL",
    "ANNOTATOR_IMPORT_FAST_PATH",
    "ANNOTATOR_JOB_LEASE_SECONDS",
    "ANNOTATOR_JOB_RECOVERY_SECONDS",
    "ANNOTATOR_RECOVERY_QUEUE",
)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)

DEV_SECRET_KEY = "dev-only-insecure-secret-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or DEV_SECRET_KEY
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS") or (
    ["127.0.0.1", "localhost", "[::1]", "testserver"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

if not DEBUG:
    # Refuse to run a production process with secrets that are published in this repository.
    if SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 32:
        raise ImproperlyConfigured(
            "DJANGO_DEBUG is off but DJANGO_SECRET_KEY is unset, the dev default, or shorter than "
            "32 characters. Set DJANGO_SECRET_KEY to a long random value, e.g. the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "DJANGO_DEBUG is off but DJANGO_ALLOWED_HOSTS is empty. Set it to the comma-separated "
            "host names this app is served under, e.g. DJANGO_ALLOWED_HOSTS=annotate.example.org."
        )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and Redoc served from this site (offline, CSP)
    "axes",
    "annotator.core",
    "annotator.schemas",
    "annotator.corpus",
    "annotator.annotations",
    "annotator.imports",
    "annotator.exports",
    "annotator.agreement",
    "annotator.recommenders",
    "annotator.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Serves collected static files under gunicorn (no separate web server needed in compose).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "annotator.web.middleware.ContentSecurityPolicyMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "annotator.urls"
WSGI_APPLICATION = "annotator.wsgi.application"
ASGI_APPLICATION = "annotator.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "annotator.web.context_processors.console_link",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=60,
        conn_health_checks=True,
    )
}
# Statements run five times on a connection become prepared statements: PostgreSQL then plans
# them once instead of on every execution (planning the span API's access query took 0.2 ms,
# executing it 0.04 ms). With it PostgreSQL's CPU per span request went from 1.3 to 0.7 ms in
# bench/api.py. Prepared statements need server-side parameter binding, and a transaction-mode
# connection pooler (PgBouncer before 1.21) cannot carry them: ANNOTATOR_DB_PREPARE=0 turns
# them off (docs/deployment.md).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "ANNOTATOR_DB_PREPARE", True
):
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": True, "prepare_threshold": 5}
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, worker, tests) share the file: wait for locks instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [("frontend", BASE_DIR / "frontend" / "src")]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("ANNOTATOR_MEDIA_ROOT", VAR_DIR / "media"))

# Export files go through Django's storage API: the file system by default, an S3-compatible
# bucket through django-storages when ANNOTATOR_STORAGE=s3 (docs/deployment.md).
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Gzip/Brotli copies made by collectstatic; no manifest, so templates render without one.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
if os.environ.get("ANNOTATOR_STORAGE") == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("AWS_STORAGE_BUCKET_NAME", ""),
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "access_key": os.environ.get("AWS_ACCESS_KEY_ID"),
            "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY"),
        },
    }

# Content-Security-Policy (django-csp; annotator.web.middleware lets the admin's and Redoc's
# inline styles through): scripts and styles from this site only, never inline script. The API
# docs (Swagger UI, Redoc) are under it too: they come from drf-spectacular-sidecar.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "https:", "http:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"

# --- Celery -------------------------------------------------------------------------------
# CELERY_BROKER_URL (or REDIS_URL) selects a real broker; without either, kombu's filesystem
# transport under var/celery lets `make run` start a real worker with no server to install.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL") or ""
CELERY_BROKER_DIR = VAR_DIR / "celery"
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        # kombu's default is ./control, relative to whatever directory the process started in.
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    # Requests that queue a job must not hang on a broker that is down: a refused or silent
    # broker fails the publish within about two seconds (core.jobs.publish answers 503).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 10}
    CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.25,
    "interval_max": 0.5,
}
# Task state lives on our own models (Export, AgreementReport), so no result backend.
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1

# Background jobs (annotator.core.jobs): optional queues of their own; the heartbeat lease (a
# running job whose heartbeat is older has lost its worker and is taken over or queued again);
# how often Celery beat looks for such jobs, and the queue that check goes to.
ANNOTATOR_JOB_LEASE_SECONDS = float(os.environ.get("ANNOTATOR_JOB_LEASE_SECONDS") or 30)
ANNOTATOR_JOB_RECOVERY_SECONDS = float(os.environ.get("ANNOTATOR_JOB_RECOVERY_SECONDS") or 15)
ANNOTATOR_RECOVERY_QUEUE = os.environ.get("ANNOTATOR_RECOVERY_QUEUE") or None
# How often beat looks for recommenders with enough new training data (annotator.recommenders).
ANNOTATOR_RECOMMENDER_RETRAIN_SECONDS = float(
    os.environ.get("ANNOTATOR_RECOMMENDER_RETRAIN_SECONDS") or 300
)
CELERY_BEAT_SCHEDULE = {
    "recover-jobs": {
        "task": "core.recover_jobs",
        "schedule": ANNOTATOR_JOB_RECOVERY_SECONDS,
        # Not worth running late: the next one comes soon.
        "options": {"queue": ANNOTATOR_RECOVERY_QUEUE, "expires": ANNOTATOR_JOB_RECOVERY_SECONDS},
    },
    "retrain-recommenders": {
        "task": "recommenders.retrain_due",
        "schedule": ANNOTATOR_RECOMMENDER_RETRAIN_SECONDS,
        "options": {
            "queue": ANNOTATOR_RECOVERY_QUEUE,
            "expires": ANNOTATOR_RECOMMENDER_RETRAIN_SECONDS,
        },
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
ANNOTATOR_EXPORT_QUEUE = os.environ.get("ANNOTATOR_EXPORT_QUEUE") or None
ANNOTATOR_AGREEMENT_QUEUE = os.environ.get("ANNOTATOR_AGREEMENT_QUEUE") or None
ANNOTATOR_IMPORT_QUEUE = os.environ.get("ANNOTATOR_IMPORT_QUEUE") or None
ANNOTATOR_RECOMMENDER_QUEUE = os.environ.get("ANNOTATOR_RECOMMENDER_QUEUE") or None
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# PostgreSQL imports skip the per-row foreign-key triggers where the role may, the import
# checking references itself: an opt-in, for its risks (docs/import.md).
ANNOTATOR_IMPORT_FAST_PATH = env_bool("ANNOTATOR_IMPORT_FAST_PATH", False)

# --- REST framework -----------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header makes an unauthenticated request a 401 (not 403).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "annotator.core.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PARSER_CLASSES": [
        "annotator.core.parsers.LimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "annotator.core.pagination.DefaultPagination",
    "EXCEPTION_HANDLER": "annotator.core.exceptions.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "annotator.core.throttling.AnonRateThrottle",
        "annotator.core.throttling.UserRateThrottle",
    ],
    # Generous for people and scripts (the browser's offline queue flushes in bursts), low enough
    # to stop a runaway loop or a scan.
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("ANNOTATOR_API_RATE_ANON") or "120/min",
        "user": os.environ.get("ANNOTATOR_API_RATE_USER") or "3000/min",
    },
}
# --- Input limits (docs/configuration.md "Input limits") ---------------------------------------
API_MAX_JSON_BYTES = 1024 * 1024  # span writes and sync batches; article bodies allow more
API_MAX_ARTICLE_BYTES = 20 * 1024 * 1024  # a JSON article, and an article's text in an import
# Django reads a body into memory up to this; the API's own limits above are checked first.
DATA_UPLOAD_MAX_MEMORY_SIZE = API_MAX_ARTICLE_BYTES + 1024 * 1024
API_MAX_JSON_DEPTH = 32  # nesting of any JSON body, and of article metadata in imports


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


# Imports (the upload endpoint and import_articles): the file, and what a zip may expand to.
# Sizes are checked from the zip's directory before any member is read, and zipfile never
# yields more bytes than a member declares.
IMPORT_MAX_UPLOAD_BYTES = env_int("ANNOTATOR_IMPORT_MAX_UPLOAD_MB", 200) * 1024 * 1024
IMPORT_MAX_ZIP_MEMBERS = env_int("ANNOTATOR_IMPORT_MAX_ZIP_MEMBERS", 250_000)
IMPORT_MAX_UNCOMPRESSED_BYTES = env_int("ANNOTATOR_IMPORT_MAX_UNCOMPRESSED_MB", 2048) * 1024 * 1024
IMPORT_MAX_COMPRESSION_RATIO = env_int("ANNOTATOR_IMPORT_MAX_COMPRESSION_RATIO", 100)

# --- Login protection (django-axes, annotator.core.lockout) ------------------------------------
# Failed logins are recorded in the database, so every web process sees the same counts. An
# account is locked after LOGIN_FAILURE_LIMIT failures from one address, and after
# LOGIN_ACCOUNT_FAILURE_LIMIT from anywhere (guessing spread over many addresses), for
# LOGIN_LOCKOUT_MINUTES or until a manager or an admin unlocks it. No address is locked as such:
# behind a proxy every user may share one.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_FAILURE_LIMIT = 10
LOGIN_ACCOUNT_FAILURE_LIMIT = 30
LOGIN_LOCKOUT_MINUTES = 15
AXES_HANDLER = "annotator.core.lockout.AccountLockoutHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
# A success elsewhere must not reset the count of an address that is guessing.
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_LOCKOUT_CALLABLE = "annotator.core.lockout.lockout_response"
AXES_VERBOSE = False
# The client's address: the connection's, unless ANNOTATOR_TRUSTED_PROXIES says how many proxies
# in front of the app append to X-Forwarded-For (a header anyone can send otherwise).
TRUSTED_PROXIES = int(os.environ.get("ANNOTATOR_TRUSTED_PROXIES") or 0)
AXES_IPWARE_META_PRECEDENCE_ORDER: tuple[str, ...] = ("REMOTE_ADDR",)
if TRUSTED_PROXIES:
    AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXIES
    AXES_IPWARE_PROXY_ORDER = "right-most"
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")

# --- Cache: rate limits and anything else counted across requests ----------------------------
# Redis (REDIS_URL) when configured, so that every web process shares one count; in the
# embedded dev mode (one process) local memory is enough.
REDIS_URL = os.environ.get("REDIS_URL") or ""
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # An unreachable Redis costs a request a second at most (the rate limits then let
            # requests through, core.throttling), not a hung worker thread.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- Email: password reset is offered only when mail can be sent ------------------------------
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST") or ""
EMAIL_ENABLED = bool(EMAIL_HOST)
if EMAIL_ENABLED:
    EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT") or 587)
    EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER") or ""
    EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD") or ""
    EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", True)
    DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL") or "webmaster@localhost"
SPECTACULAR_SETTINGS = {
    "TITLE": "Propaganda annotator API",
    "DESCRIPTION": "Projects, articles, spans (offsets in Unicode code points), exports.",
    "VERSION": "1",
    # Swagger UI and Redoc from the installed drf-spectacular-sidecar, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a `status` field: name each choice set after its model.
    "ENUM_NAME_OVERRIDES": {
        "AssignmentStatusEnum": "annotator.corpus.models.AssignmentStatus",
        "JobStatusEnum": "annotator.core.jobs.JobStatus",
        "SpanOriginEnum": "annotator.annotations.models.SpanOrigin",
        "ClientOriginEnum": "annotator.annotations.serializers.CLIENT_ORIGINS",
        "RecommendationsShownEnum": "annotator.corpus.models.RecommendationsShown",
    },
}

# --- Security when not in dev mode --------------------------------------------------------
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_CONTENT_TYPE_NOSNIFF = True
    # Off only where a proxy in front already redirects http to https (or for a local trial of
    # docker-compose over plain http): DJANGO_SECURE_SSL_REDIRECT=0.
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    # HSTS preloading is a commitment the owner of the domain makes, not a default of this app.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}
