"""Settings for Chuangxian, read from the environment through chuangxian.env.

The defaults run a fresh checkout with no services: SQLite under var/, an embedded Celery broker
on the file system, e-mail printed to the console. Production sets DEBUG=0 and real values; see the
README's table of environment variables.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import django
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from chuangxian.env import (
    env_bool,
    env_database,
    env_email,
    env_int,
    env_list,
    env_redis_url,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", True)

_DEV_SECRET_KEY = "dev-only-insecure-key-set-SECRET_KEY-in-production"
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET_KEY)
if not DEBUG and SECRET_KEY == _DEV_SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG=0.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    "django_celery_beat",
    "treebeard",
    "axes",
    "chuangxian",
    "common",
    "accounts",
    "simple_history",
    "units",
    "campaigns",
    "activities",
    "notifications",
    "dashboards",
    "evaluations",
    "django_ratelimit",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
    "demo",
]

MIDDLEWARE = [
    # First: the request id (chuangxian.requestid) and the metrics' clock cover every response.
    "chuangxian.requestid.RequestIdMiddleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.middleware.SessionRenewalMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.RequestUserMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # Last, as django-axes asks: it turns a lockout raised by the backend into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "chuangxian.urls"
WSGI_APPLICATION = "chuangxian.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dashboards.navigation.navigation",
                "notifications.context_processors.unread",
            ],
        },
    },
    {
        # The rows pages repeat by the dozen, and the form widgets (common/jinja2.py).
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        # Then Django's own Jinja2 copies of its form templates (common.widgets).
        "DIRS": [
            BASE_DIR / "templates" / "jinja2",
            Path(django.__file__).parent / "forms" / "jinja2",
        ],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "common.jinja2.environment"},
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'chuangxian.sqlite3'}")}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the web server read while the Celery worker writes; a writer waits up to 20 s for
    # another (busy timeout), and IMMEDIATE takes the write lock when a transaction begins, so a
    # reader never fails upgrading to a writer ("database is locked" that no timeout would help).
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
    # Its folder (var/ by default) is made here, not by whichever command happens to run first:
    # `make run` in a fresh clone starts with migrate.
    _sqlite_name = str(DATABASES["default"]["NAME"])
    if _sqlite_name != ":memory:" and not _sqlite_name.startswith("file:"):
        Path(_sqlite_name).parent.mkdir(parents=True, exist_ok=True)
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Behind PgBouncer in transaction pooling every streamed read already runs in a transaction
    # (deploy/README.md, "PgBouncer"); this switches server-side cursors off altogether.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool(
        "DISABLE_SERVER_SIDE_CURSORS", False
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- Redis: Celery broker and cache ---------------------------------------------------------
REDIS_URL = env_redis_url("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "chuangxian"),
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    # A task taken by a worker that dies without acknowledging it goes back on the queue after
    # this many seconds (acks_late below); the notification claim makes a second run send nothing.
    # Each worker sweeps for such tasks every 10 s (kombu's default is every 100 s).
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=10),
        "unacked_restore_throttle": 1,
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # kombu's file-system transport: a real worker and beat with no broker server.
    BROKER_DIR = VAR_DIR / "broker"
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = env_str("TIME_ZONE", "Asia/Shanghai")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Workers log through LOGGING below, so their lines carry the request id that caused the task.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Sending a task rides out a broker restart (about 15 s of retries) instead of losing the notice
# a committed transition enqueues (notifications.receivers, on activities.signals).
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 20,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}

# --- Accounts, sessions, lockout ------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
# Idle sessions end: a request renews the session (at most once a minute, so that page views do
# not each write a row: accounts.middleware.SessionRenewalMiddleware), so SESSION_COOKIE_AGE is
# the idle limit.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 2 * 60 * 60, minimum=60)
SESSION_RENEW_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_USERNAME_FORM_FIELD = "username"
# The client address of the lockout and of the public pages' limits: common/client_address.py.
# With no proxy, only REMOTE_ADDR; behind PROXY_COUNT proxies that each append the address they
# were reached from to X-Forwarded-For (nginx's $proxy_add_x_forwarded_for), the PROXY_COUNT-th
# entry from the right: what a client writes to the left is never read.
PROXY_COUNT = env_int("PROXY_COUNT", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "common.client_address.client_address"

# --- Languages and time -------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_TZ = True

# --- Static and uploaded files -----------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploads (common/uploads.py): each file is skipped while it streams in once it passes its
# view's limit (EVIDENCE_MAX_BYTES, IMPORT_MAX_BYTES); a request whose files together are under
# 2.5 MB stays in memory, anything larger goes to a temporary file. The form fields of a request
# (files excluded) may hold 2.5 MB, far above the largest form (the review queue's ids), and a
# request may carry no more files than an activity may hold.
FILE_UPLOAD_HANDLERS = [
    "common.uploads.SizeLimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 5 * 1024 * 1024, minimum=1024)
# Evidence attached to an activity: each file at most this size, at most this many per activity.
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
EVIDENCE_MAX_FILES = env_int("EVIDENCE_MAX_FILES", 20, minimum=1)
DATA_UPLOAD_MAX_NUMBER_FILES = EVIDENCE_MAX_FILES
# Evidence integrity (activities.integrity): photos whose perceptual hashes differ in at most this
# many of 64 bits are flagged as the same photo; a capture date more than this many days outside
# the activity's days is flagged.
EVIDENCE_MATCH_DISTANCE = env_int("EVIDENCE_MATCH_DISTANCE", 6, minimum=0)
if EVIDENCE_MATCH_DISTANCE > 15:  # beyond that, unrelated photos match and the lookup slows
    raise ImproperlyConfigured(
        f"EVIDENCE_MATCH_DISTANCE={EVIDENCE_MATCH_DISTANCE} is not valid: expected 0 to 15."
    )
EVIDENCE_CAPTURE_TOLERANCE_DAYS = env_int("EVIDENCE_CAPTURE_TOLERANCE_DAYS", 3, minimum=0)

# Reminders (notifications.rules): days a returned activity may wait for its resubmission, and a
# co-organiser for its answer, before a reminder.
REMINDER_RETURN_DAYS = env_int("REMINDER_RETURN_DAYS", 3, minimum=1)
REMINDER_COORGANISER_DAYS = env_int("REMINDER_COORGANISER_DAYS", 3, minimum=1)

# --- E-mail ------------------------------------------------------------------------------
_email = env_email("EMAIL_URL", "consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD") or ""
# A send that hangs must end well within a notification claim (notifications.services).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30, minimum=1)
# A notification claimed by a worker that died (SIGKILL, power) is sent again after this long;
# it must outlast a send (EMAIL_TIMEOUT) so that a slow send is never doubled.
NOTIFICATION_CLAIM_SECONDS = env_int("NOTIFICATION_CLAIM_SECONDS", 600, minimum=2)
if NOTIFICATION_CLAIM_SECONDS <= EMAIL_TIMEOUT:
    raise ImproperlyConfigured(
        "Environment variable NOTIFICATION_CLAIM_SECONDS must be greater than EMAIL_TIMEOUT."
    )
EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS"))
EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL"))
EMAIL_FILE_PATH = _email.get("EMAIL_FILE_PATH") or str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "创先争优 <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Links in e-mails are absolute: the address people open the site at, without a trailing slash.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
if urlsplit(SITE_URL).scheme not in {"http", "https"} or not urlsplit(SITE_URL).netloc:
    raise ImproperlyConfigured(
        f"Environment variable SITE_URL={SITE_URL!r} is not valid: expected https://host[:port]."
    )

# --- Forms -------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security ----------------------------------------------------------------------------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if env_bool("BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# One line per request on `chuangxian.request` (LOG_REQUESTS=0 silences it), every line with the
# request id (chuangxian.requestid); LOG_FORMAT=json writes one JSON object per line.
LOG_FORMAT = env_str("LOG_FORMAT", "text")
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(
        f"Environment variable LOG_FORMAT={LOG_FORMAT!r} is not valid: expected text or json."
    )
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "chuangxian.logs.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "chuangxian.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    "loggers": {
        "chuangxian.request": {"level": "INFO" if env_bool("LOG_REQUESTS", True) else "WARNING"},
        "celery.app.trace": {"level": "INFO"},
        # Who rotated an appraisal link or hid a remark, and why: kept whatever LOG_LEVEL says.
        "evaluations": {"level": "INFO"},
    },
}

# /metrics (chuangxian.metrics): a superuser's session or `Authorization: Bearer METRICS_TOKEN`.
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
# A guessable token opens the figures to anyone: the example's placeholder, or anything short, is
# refused at start-up rather than accepted.
if METRICS_TOKEN and (len(METRICS_TOKEN) < 32 or METRICS_TOKEN.startswith("change-me")):
    raise ImproperlyConfigured(
        "METRICS_TOKEN must be at least 32 random characters (e.g. `openssl rand -hex 32`), "
        "or unset."
    )
METRICS_QUEUES = env_list("METRICS_QUEUES", "celery")

# Shown in the page title and navigation.
SITE_NAME = _("Create Advanced, Strive for Excellence")

# --- Draft scores (evaluations.draft_score_triggers) --------------------------------------------
# After a change that moves scores (a review decision, an item approved, the scheme saved), the
# campaign's kept draft scores are recomputed this many seconds later, once for every change of
# that window; and hourly for every running campaign (a beat row). The recompute waits as an
# ETA task a worker holds unacknowledged: keep the window below CELERY_VISIBILITY_TIMEOUT.
DRAFT_SCORES_DEBOUNCE_SECONDS = env_int("DRAFT_SCORES_DEBOUNCE_SECONDS", 60, minimum=1)

# --- Mass appraisal (evaluations) -------------------------------------------------------------
# Below this many ratings in a campaign a unit's satisfaction is not judged.
APPRAISAL_MIN_RATINGS = env_int("APPRAISAL_MIN_RATINGS", 30, minimum=1)
# The public appraisal pages, per client address (the lockout's, through ipware) across every
# unit: ratings sent, and pages opened. django-ratelimit counts in the default cache.
APPRAISAL_RATE = env_str("APPRAISAL_RATE", "20/10m")
PUBLIC_PAGE_RATE = env_str("PUBLIC_PAGE_RATE", "120/m")
# Objections the public sends about an honour's nominee during its notice period, per address.
HONOUR_OBJECTION_RATE = env_str("HONOUR_OBJECTION_RATE", "10/h")
# django-ratelimit warns on Django's RedisCache, with which it works (STACK.md); without Redis
# (make run) the limits count per process in the local-memory cache, which it calls unshared.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"] + (
    [] if REDIS_URL else ["django_ratelimit.E003"]
)

# --- The JSON API (api/, issue 15) -----------------------------------------------------------
# Requests per signed-in user, and per client address when anonymous (common.client_address).
API_USER_RATE = env_str("API_USER_RATE", "2000/hour")
API_ANON_RATE = env_str("API_ANON_RATE", "120/hour")
REST_FRAMEWORK = {
    # Token first: an unauthenticated request is answered 401 with `WWW-Authenticate: Token`.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttles.UserThrottle", "api.throttles.AnonThrottle"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pages",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "api.schema.Schema",
    "EXCEPTION_HANDLER": "api.errors.handle",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Decimals (quantities, target values) are JSON numbers, their bounds in the schema.
    "COERCE_DECIMAL_TO_STRING": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Chuangxian API",
    "DESCRIPTION": "创先争优: units, campaigns, activities and their review. Authenticate with "
    '`Authorization: Token <key>` (README, "API") or a signed-in session.',
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Two choice sets of fields named "status" (activities, follow-ups): each keeps its own name.
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": "activities.models.Status",
        "FollowUpStatusEnum": "evaluations.models.FollowUpStatus",
        "ApplicationStatusEnum": "evaluations.models.ApplicationStatus",
        "ObjectionOutcomeEnum": "evaluations.models.ObjectionOutcome",
        "AnswerOutcomeEnum": [("upheld", "upheld"), ("rejected", "rejected")],
        "AssessmentGradeEnum": "evaluations.models.AssessmentGrade",
        "GradeEnum": "evaluations.models.comments.Grade",
    },
}
