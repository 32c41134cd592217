"""Settings read from the environment (and `.env` at the repo root) through django-environ."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parents[2]

env = environ.Env()
# Values already in the real environment win over the file: operators and tests override `.env`.
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DATA_DIR = Path(env.str("AUTOMATEOS_DATA_DIR", default=str(BASE_DIR / "var"))).resolve()
DEBUG = env.bool("AUTOMATEOS_DEBUG", default=False)
ALLOW_PRIVATE_NETWORKS = env.bool("AUTOMATEOS_ALLOW_PRIVATE_NETWORKS", default=False)
# The production switch (the Dockerfile and docker-compose.yml set it): development conveniences that
# are unsafe on a server become start-up errors instead of banner notes. Keyed on this switch, not on
# DEBUG, because the test settings also run with DEBUG off and private networks open.
ENVIRONMENT = env.str("AUTOMATEOS_ENV", default="development").strip().lower()
if ENVIRONMENT not in ("development", "production"):
    raise ImproperlyConfigured(f"AUTOMATEOS_ENV must be `development` or `production`, not {ENVIRONMENT!r}.")
if ENVIRONMENT == "production":
    if DEBUG:
        raise ImproperlyConfigured(
            "AUTOMATEOS_DEBUG=true is refused with AUTOMATEOS_ENV=production: debug pages show settings and "
            "source code to anyone who triggers an error. Set AUTOMATEOS_DEBUG=false (or unset it)."
        )
    if ALLOW_PRIVATE_NETWORKS:
        raise ImproperlyConfigured(
            "AUTOMATEOS_ALLOW_PRIVATE_NETWORKS=true is refused with AUTOMATEOS_ENV=production: it lets any "
            "workflow call this host, the private network and cloud metadata addresses. Set it to false and "
            "list the internal hosts workflows may reach in AUTOMATEOS_EGRESS_ALLOW instead."
        )
# The embedded default needs no key to start; production refuses to run on this placeholder.
INSECURE_DEV_SECRET = "insecure-dev-only-secret-key-change-me"  # noqa: S105 - refused outside DEBUG
SECRET_KEY = env.str("AUTOMATEOS_SECRET_KEY", default=INSECURE_DEV_SECRET)
if not DEBUG and SECRET_KEY in ("", INSECURE_DEV_SECRET):
    raise ImproperlyConfigured(
        "AUTOMATEOS_SECRET_KEY is not set. Set it to a long random string in the environment or in .env "
        "(`make run` writes one for local use), or set AUTOMATEOS_DEBUG=true for local development."
    )
# Credentials are unreadable without it; refuse to serve (web and workers alike) rather than fail
# at the first run that needs one. The credentials app's system check says the same for manage.py.
if not DEBUG and not env.str("AUTOMATEOS_ENCRYPTION_KEYS", default=""):
    raise ImproperlyConfigured(
        "AUTOMATEOS_ENCRYPTION_KEYS is not set. Set it to `k1:<base64 of 32 random bytes>` (e.g. "
        '`python -c "import os,base64;print(base64.b64encode(os.urandom(32)).decode())"`), in the '
        "environment or .env; keep it safe: losing it makes stored credentials unreadable."
    )
ALLOWED_HOSTS = env.list("AUTOMATEOS_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("AUTOMATEOS_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "corsheaders",
    "axes",
    "csp",
    "channels",
    "django_celery_beat",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "backend.core",
    "backend.accounts",
    "backend.workflows",
    "backend.credentials",
    "backend.runs",
    "backend.events",
    "backend.triggers",
    "backend.api",
    "backend.web",
]

MIDDLEWARE = [
    "backend.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # Static files straight from the app (uvicorn serves none): the builder's CSS and ES modules.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything that may answer: a preflight is answered here, without authentication.
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so it sees the login view's response and swaps in the lockout page (backend/web/lockout.py).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "backend.config.urls"
ASGI_APPLICATION = "backend.config.asgi.application"
WSGI_APPLICATION = "backend.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "frontend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while a worker writes; IMMEDIATE avoids lock-upgrade deadlocks
    # between the web and worker processes that share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    # A psycopg connection pool per process (web and workers): Celery closes Django's connections
    # around every task and the ASGI handler runs each request on a thread of its own, so without a
    # pool every node and every request would open a new PostgreSQL session. The pool checks a
    # connection when it is taken, so a PostgreSQL restart costs a reconnect, not a failed step; our
    # engine's check (backend/core/postgresql) does it without the round trip Django's
    # CONN_HEALTH_CHECKS pays on every checkout (two per node).
    DATABASES["default"]["ENGINE"] = "backend.core.postgresql"
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps the connections; Django must return them
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False  # the engine's pool check does it, cheaper
    DATABASES["default"]["OPTIONS"] = {
        # Lets the engine's hot statements be prepared (backend/core/prepared.py); Django's cursors
        # bind client-side, which psycopg never prepares, so nothing else changes. An external pooler
        # in transaction mode would need prepared-statement support (PgBouncer >= 1.21).
        "prepare_threshold": 5,
        # Only prepared statements are affected, and only the engine's are. Left to choose, PostgreSQL
        # compared the finish's generic plan with plans for the values at hand (an array's length is
        # unknown to a generic plan) and planned it afresh on every call, which cost more than running
        # it. The generic plans reach every row by its key (tests/runs/test_hot_path_queries.py).
        "options": "-c plan_cache_mode=force_generic_plan",
        "pool": {
            "min_size": env.int("AUTOMATEOS_DB_POOL_MIN", default=2),
            "max_size": env.int("AUTOMATEOS_DB_POOL_MAX", default=20),
            "timeout": env.float("AUTOMATEOS_DB_POOL_TIMEOUT_S", default=30.0),
        },
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Axes first: it refuses a locked-out login before any password is checked. It only takes part in
# username/password logins (/login/, /admin/login/); the API's bearer tokens and sessions never call
# authenticate(), so they keep their own throttle (backend/api/throttling.py).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "frontend" / "static"]
STATIC_ROOT = DATA_DIR / "staticfiles"
# Serve from the source folders too, so no collectstatic step is needed to run.
WHITENOISE_USE_FINDERS = True
# WhiteNoise also serves collectstatic's output and warns on every start when the folder is missing.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_AUTOREFRESH = DEBUG

# Bodies above this are refused with 413 before any parsing.
MAX_REQUEST_BYTES = env.int("AUTOMATEOS_MAX_REQUEST_BYTES", default=1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BYTES

REST_FRAMEWORK: dict[str, Any] = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "backend.api.authentication.BearerTokenAuthentication",
        "backend.api.authentication.CsrfSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["backend.api.parsers.StrictJSONParser"],
    "EXCEPTION_HANDLER": "backend.api.exceptions.exception_handler",
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

# OpenAPI schema (/v1/schema/) and Swagger UI (/v1/docs/), both public and served offline.
SPECTACULAR_SETTINGS: dict[str, Any] = {
    "TITLE": "AutomateOS API",
    "DESCRIPTION": "Workflows, runs, credentials and tokens. Every error is "
    '`{"error": {"code", "message", "details"}}`; lists take `page`, `page_size` and `ordering` (docs/api.md).',
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/v1",
    # /healthz is for load balancers (and answers 503 by design), not part of the API.
    "PREPROCESSING_HOOKS": ["backend.api.schema.only_v1"],
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "RunStatusEnum": "backend.runs.states.RunStatus.choices",
        "RunTriggerEnum": "backend.runs.states.RunTrigger.choices",
        "ClientTriggerEnum": "backend.api.shapes.CLIENT_TRIGGER_VALUES",
        "ScheduleKindEnum": "backend.api.shapes.SCHEDULE_KINDS",
        "CredentialKindEnum": "backend.credentials.models.CredentialKind.choices",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Browser clients on other origins -------------------------------------------------------
# Front ends served elsewhere (another port counts) may call /v1/ with these request headers and
# read X-Request-ID; preflights are answered by the CORS middleware, before any authentication.
CORS_ALLOWED_ORIGINS = [origin.rstrip("/") for origin in env.list("AUTOMATEOS_CORS_ALLOWED_ORIGINS", default=[])]
for _origin in CORS_ALLOWED_ORIGINS:
    _parts = urlsplit(_origin)
    if _parts.scheme not in ("http", "https") or not _parts.netloc or _parts.path or _parts.query:
        raise ImproperlyConfigured(
            f"AUTOMATEOS_CORS_ALLOWED_ORIGINS: {_origin!r} is not an origin; write scheme://host[:port] "
            "with nothing after it, e.g. http://localhost:3000"
        )
CORS_URLS_REGEX = r"^/v1/"
CORS_ALLOW_HEADERS = ("authorization", "content-type", "idempotency-key", "x-request-id")
CORS_EXPOSE_HEADERS = ("x-request-id",)
CORS_ALLOW_CREDENTIALS = False
# Development only: token-less API requests from an allowed origin act as this local user, for a
# front end that sends no credentials at all (the prototype's builder).
DEV_ORIGIN_USER = env.str("AUTOMATEOS_DEV_ORIGIN_USER", default="")
if DEV_ORIGIN_USER:
    if not DEBUG:
        raise ImproperlyConfigured(
            "AUTOMATEOS_DEV_ORIGIN_USER serves requests without a token and is for local development only: "
            "it needs AUTOMATEOS_DEBUG=true. Unset it, or use an API token."
        )
    if not CORS_ALLOWED_ORIGINS:
        raise ImproperlyConfigured(
            "AUTOMATEOS_DEV_ORIGIN_USER needs AUTOMATEOS_CORS_ALLOWED_ORIGINS: only requests from those origins "
            "are served without a token."
        )
    REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"].append("backend.api.authentication.DevOriginUserAuthentication")

# --- Hardening ------------------------------------------------------------------------------
# Behind TLS (AUTOMATEOS_HTTPS=true) cookies are secure, HTTP redirects to HTTPS and HSTS is on;
# `manage.py check --deploy` is clean with that and a real secret key.
HTTPS = env.bool("AUTOMATEOS_HTTPS", default=False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load-balancer probes speak plain HTTP
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_HSTS_SECONDS = env.int("AUTOMATEOS_HSTS_SECONDS", default=31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Per-token (or per-user for sessions) request budget; "off" disables it (the benchmark does).
API_RATE = env.str("AUTOMATEOS_API_RATE", default="20000/min")
if API_RATE != "off":
    REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = ["backend.api.throttling.TokenRateThrottle"]
    REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {"token": API_RATE}
# Passphrase attempts (unlock, change, remove) per user: scrypt makes each one slow, this makes
# guessing through the API slower still.
REST_FRAMEWORK.setdefault("DEFAULT_THROTTLE_RATES", {})["vault"] = env.str("AUTOMATEOS_VAULT_RATE", default="10/min")

# Login throttling (django-axes): N failures for one user name (from any address), or from one client
# address (for any user names), lock that name or address out for the cool-off. Failures are counted
# in the database (axes' tables), so every web process sees the same count.
AXES_FAILURE_LIMIT = env.int("AUTOMATEOS_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.float("AUTOMATEOS_LOGIN_COOLOFF_MINUTES", default=15.0))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# A success does not clear the count: one valid account must not reset its address's count while
# that address guesses at other accounts.
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "backend.web.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "backend.web.lockout.client_ip"
AXES_HTTP_RESPONSE_CODE = 429
# Behind N reverse proxies that each append to X-Forwarded-For, the client is the N-th address from
# the right; 0 (direct connections) uses the socket's address and ignores the header.
TRUSTED_PROXY_COUNT = env.int("AUTOMATEOS_TRUSTED_PROXY_COUNT", default=0)

# Scripts and styles only from our own files: every page is ES modules, initial state comes through
# json_script (a non-executed type), and the JS sets styles through the CSSOM, which style-src does not
# govern. data: images are the inline SVG favicon and the select arrow in app.css. connect-src 'self'
# covers the same-origin ws:/wss: run stream. The admin runs under the same policy.
CONTENT_SECURITY_POLICY: dict[str, Any] = {
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
# Browser features no page here uses, switched off for every page (and anything injected into one).
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

# --- Broker, channel layer -------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
BROKER_DIR = DATA_DIR / "broker"
BROKER_POLL_INTERVAL = env.float("AUTOMATEOS_BROKER_POLL_INTERVAL", default=0.02)
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    if REDIS_URL.split("://", 1)[0] in ("redis", "rediss"):
        # kombu's Redis transport, reusing one client per channel (backend/core/broker.py).
        CELERY_BROKER_TRANSPORT = "backend.core.broker:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        # Longer than any task may run (time limits below), so a slow task is never redelivered.
        "visibility_timeout": env.int("AUTOMATEOS_VISIBILITY_TIMEOUT_S", default=3600),
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "backend.events.layers.ResilientRedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CELERY_BROKER_URL = "filesystem://"
    # kombu's folder broker, writing each message whole before a worker can see it (backend/core/broker.py).
    CELERY_BROKER_TRANSPORT = "backend.core.broker:FilesystemTransport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        # Absolute, or inspect/revoke miss workers started from another directory.
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
        # Each chain hop waits up to one polling interval on this transport.
        "polling_interval": BROKER_POLL_INTERVAL,
    }
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

CELERY_TASK_ALWAYS_EAGER = False
# Results are never read: the database holds every outcome, so storing them would be a wasted write.
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
# Ack after the task ran: a worker killed mid-step hands its message back instead of losing it.
# Running a step twice is harmless because the step claim is fenced (status + attempt guard).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# One message per free slot: a busy worker never sits on messages another worker could run.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A broker restart must not kill workers: keep retrying the connection, also at start-up.
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# Time limits stay below the Redis visibility timeout (3600 s), so a long task is not handed to a
# second worker while the first still runs. (The threads pool does not enforce them; there the
# node's own deadlines bound a step: timeout_s per attempt, bounded retries, the run deadline.)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("AUTOMATEOS_TASK_SOFT_TIME_LIMIT_S", default=3000)
CELERY_TASK_TIME_LIMIT = env.int("AUTOMATEOS_TASK_TIME_LIMIT_S", default=3300)
# On SIGTERM (a deploy) a worker stops taking messages, lets running steps finish for this long,
# then exits; unfinished messages were not acked, so the broker gives them to another worker.
CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT = env.float("AUTOMATEOS_WORKER_SOFT_SHUTDOWN_S", default=30.0)
CELERY_WORKER_ENABLE_SOFT_SHUTDOWN_ON_IDLE = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Nodes are I/O-bound (HTTP): threads keep many requests in flight per process (the fan-out figures
# behind the default are in docs/performance.md); they share the DB pool, since a node hands its
# connection back while it waits on the network.
CELERY_WORKER_CONCURRENCY = env.int("AUTOMATEOS_WORKER_CONCURRENCY", default=64)
CELERY_WORKER_POOL = env.str("AUTOMATEOS_WORKER_POOL", default="threads")

# --- Engine ----------------------------------------------------------------------------------
AUTOMATEOS = {
    # Outbound safety floor: loopback/private/link-local/metadata targets need this switched on.
    "ALLOW_PRIVATE_NETWORKS": ALLOW_PRIVATE_NETWORKS,
    # Hosts or CIDR networks the HTTP node may reach even when they are private.
    "EGRESS_ALLOW": tuple(env.list("AUTOMATEOS_EGRESS_ALLOW", default=[])),
    # A step's stored output is cut above this size and marked `truncated`.
    "STEP_OUTPUT_MAX_BYTES": env.int("AUTOMATEOS_STEP_OUTPUT_MAX_BYTES", default=256 * 1024),
    "HTTP_MAX_RESPONSE_BYTES": env.int("AUTOMATEOS_HTTP_MAX_RESPONSE_BYTES", default=10 * 1024 * 1024),
    "HTTP_DEFAULT_TIMEOUT_S": env.float("AUTOMATEOS_HTTP_DEFAULT_TIMEOUT_S", default=30.0),
    # How often a websocket re-reads the event log when no poke arrives (the only path in the
    # embedded mode, where the in-memory channel layer cannot cross from worker to web process).
    "WS_POLL_INTERVAL_S": env.float("AUTOMATEOS_WS_POLL_INTERVAL_S", default=0.25 if not REDIS_URL else 2.0),
    # Liveness: a running step's heartbeat (and cancel check) period; the reaper re-queues a step
    # whose heartbeat is older than STEP_STALE_S, up to STEP_MAX_ATTEMPTS, else fails it.
    "HEARTBEAT_INTERVAL_S": env.float("AUTOMATEOS_HEARTBEAT_INTERVAL_S", default=1.0),
    "STEP_STALE_S": env.float("AUTOMATEOS_STEP_STALE_S", default=30.0),
    "STEP_MAX_ATTEMPTS": env.int("AUTOMATEOS_STEP_MAX_ATTEMPTS", default=3),
    # A ready step still queued after this long had its message lost (e.g. a Redis restart).
    "QUEUED_REPUBLISH_S": env.float("AUTOMATEOS_QUEUED_REPUBLISH_S", default=60.0),
    "MAX_RUN_DURATION_S": env.float("AUTOMATEOS_MAX_RUN_DURATION_S", default=24 * 3600.0),
    "REAPER_INTERVAL_S": env.float("AUTOMATEOS_REAPER_INTERVAL_S", default=5.0),
    # Every /v1 list: items per page when the client names none, and the most it may ask for
    # (AUTOMATEOS_RUN_PAGE_SIZE, its name when only the runs list had pages, is still read).
    "API_PAGE_SIZE": env.int("AUTOMATEOS_API_PAGE_SIZE", default=env.int("AUTOMATEOS_RUN_PAGE_SIZE", default=50)),
    "API_MAX_PAGE_SIZE": env.int("AUTOMATEOS_API_MAX_PAGE_SIZE", default=200),
    # A passphrase vault's unlock lasts this long after the last run that used it.
    "VAULT_UNLOCK_MINUTES": env.float("AUTOMATEOS_VAULT_UNLOCK_MINUTES", default=30.0),
    # Retention: the reaper deletes runs finished longer ago than this (0 keeps every run), with their
    # steps and events, RETENTION_BATCH runs per transaction, at most every RETENTION_INTERVAL_S.
    "RUN_RETENTION_DAYS": env.float("AUTOMATEOS_RUN_RETENTION_DAYS", default=30.0),
    "RETENTION_BATCH": env.int("AUTOMATEOS_RETENTION_BATCH", default=500),
    "RETENTION_INTERVAL_S": env.float("AUTOMATEOS_RETENTION_INTERVAL_S", default=3600.0),
}

# --- Triggers: webhooks and schedules ----------------------------------------------------------
# Requests per webhook (any sender), e.g. 60/min; "off" disables the limit.
AUTOMATEOS["WEBHOOK_RATE"] = env.str("AUTOMATEOS_WEBHOOK_RATE", default="60/min")
# A cron firing run later than this after its tick (beat was down, workers far behind) is a missed tick:
# `skip` starts nothing for it, `catch_up_last` runs the most recent missed tick once.
AUTOMATEOS["SCHEDULE_MISSED"] = env.str("AUTOMATEOS_SCHEDULE_MISSED", default="skip")
if AUTOMATEOS["SCHEDULE_MISSED"] not in ("skip", "catch_up_last"):
    raise ImproperlyConfigured("AUTOMATEOS_SCHEDULE_MISSED must be `skip` or `catch_up_last`.")
AUTOMATEOS["SCHEDULE_GRACE_S"] = env.float("AUTOMATEOS_SCHEDULE_GRACE_S", default=300.0)
# Celery beat reads the schedules the triggers app keeps in django_celery_beat's tables.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# Set to INFO to see every task a worker receives and finishes.
TASK_LOG_LEVEL = env.str("AUTOMATEOS_TASK_LOG_LEVEL", default="WARNING")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("AUTOMATEOS_LOG_LEVEL", default="INFO")},
    "loggers": {
        # Celery's "Task received" / "Task succeeded" lines, two per node, say less than the run's
        # own events and cost ~4 % of a worker's CPU (py-spy, `make bench`); failures still log.
        **{name: {"level": TASK_LOG_LEVEL} for name in ("celery.app.trace", "celery.worker.strategy")},
    },
}
