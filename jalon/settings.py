"""Jalon's one settings module, driven by environment variables with working defaults.

SQLite under ``var/`` unless ``DATABASE_URL`` says otherwise. A bad value stops the start-up
with a message naming the variable (see :mod:`jalon.lib.env`).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from jalon.lib.env import SettingError, env_bool, env_choices, env_database, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("JALON_DATA_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("JALON_DEBUG", False)
SECRET_KEY = env_str("JALON_SECRET_KEY", "dev-only-secret-key-change-me-in-production" * 2)
ALLOWED_HOSTS = env_list("JALON_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("JALON_CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("JALON_SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",  # the login lock (jalon.accounts.lockout)
    "csp",  # Content-Security-Policy (CONTENT_SECURITY_POLICY below)
    "jalon.web",
    "jalon.accounts",
    "jalon.contracts",
    "jalon.commitments",
    "jalon.tickets",
    "jalon.governance",
    "jalon.forfait",
    "jalon.deliverables",
    "jalon.documents",
    "jalon.calendars",
    "jalon.orders",
    "jalon.scorecards",
    "jalon.billing",
    "ninja",  # the /api/v1/docs page loads its scripts from our static files, not a CDN
    "jalon.api",
    "jalon.messaging",
    "jalon.reversibility",
    "jalon.demo",
]
if "pytest" in sys.modules:
    # A test-only record type with a clock: it proves the warning and breach scan generic.
    INSTALLED_APPS.append("jalon.commitments.tests.probe")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "jalon.lib.guards.RefuseNulMiddleware",  # NUL: a located 400, never PostgreSQL's 500
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "csp.middleware.CSPMiddleware",
    "jalon.lib.guards.PrivateAnswersMiddleware",  # Cache-Control: no-store, Permissions-Policy
    "jalon.api.idempotency.IdempotencyMiddleware",  # Idempotency-Key (API), _once (forms)
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "jalon.web.errors.BadAddressMiddleware",  # an unreadable period in an address: a located 400
]

# Content-Security-Policy (django-csp): scripts and styles from the platform only (DSFR's files
# are served from STATIC_URL), or an inline one carrying the request's nonce; DSFR's icons are
# data: URIs in its CSS. No frames, no plugins.
from csp.constants import NONCE  # noqa: E402 - the policy's nonce marker

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", NONCE],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
PERMISSIONS_POLICY = ("accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
                      "microphone=(), payment=(), usb=(), interest-cohort=()")

ROOT_URLCONF = "jalon.urls"
WSGI_APPLICATION = "jalon.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{DATA_DIR / 'jalon.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache (dashboard figures): in-process by default; JALON_CACHE_URL=redis://host:6379/0 shares
# one between the processes; dummy:// turns it off. The test suite clears it around every test
# (jalon/conftest.py).
_CACHE_URL = env_str("JALON_CACHE_URL", "")
CACHES: dict[str, dict[str, object]]
if _CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": _CACHE_URL, "KEY_PREFIX": "jalon"}}
    # Sessions read from the shared cache, written through to the database: one query less per
    # page. Not with the in-process cache: a logout in one worker would leave the session alive
    # in the others' copies.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
elif _CACHE_URL == "dummy://":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
elif not _CACHE_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                          "LOCATION": "jalon", "OPTIONS": {"MAX_ENTRIES": 1000}}}
else:
    raise SettingError(f"JALON_CACHE_URL: redis://, rediss://, unix:// or dummy:// expected, "
                       f"not {_CACHE_URL!r}.")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# French first, translatable.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "jalon" / "locale"]
USE_I18N = True
# Instants are stored in UTC; each contract's calendar zone is used only at the edges.
USE_TZ = True
TIME_ZONE = "Europe/Paris"

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
# Uploaded files live outside the web root and are only served through an access-checked view.
MEDIA_ROOT = Path(env_str("JALON_MEDIA_ROOT", str(DATA_DIR / "media")))
MEDIA_URL = None  # never served directly
# The calendar feed's events, nearest first (jalon/calendars/feed.py).
JALON_CALENDAR_MAX_EVENTS = env_int("JALON_CALENDAR_MAX_EVENTS", 2000)
JALON_ATTACHMENT_MAX_BYTES = env_int("JALON_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
JALON_ATTACHMENT_EXTENSIONS = env_list(
    "JALON_ATTACHMENT_EXTENSIONS",
    ["pdf", "png", "jpg", "jpeg", "gif", "txt", "log", "csv", "json", "xml", "zip", "gz",
     "odt", "ods", "docx", "xlsx", "pptx", "eml", "msg"],
)
# A clock is "at risk" at this share of its target unless the convention says otherwise.
JALON_CLOCK_WARN_RATIO = 0.8
# Instants the platform accepts (jalon.contracts.instants): never before the contract's start,
# nor before this day for a contract without dates; a past fact at most this far ahead of the
# server's clock (a client's clock a little fast), see D-105.
JALON_EARLIEST_DAY = env_str("JALON_EARLIEST_DAY", "2000-01-01")
JALON_CLOCK_SKEW_SECONDS = env_int("JALON_CLOCK_SKEW_SECONDS", 120)
# Deadlines of a period's scorecard, in business days of the convention's first calendar (D-61, D-62)
JALON_SCORECARD_PERIOD = env_str("JALON_SCORECARD_PERIOD", "quarter")  # or "month" (D-60)
JALON_SCORECARD_PROPOSE_DAYS = env_int("JALON_SCORECARD_PROPOSE_DAYS", 10)
JALON_SCORECARD_VALIDATE_DAYS = env_int("JALON_SCORECARD_VALIDATE_DAYS", 10)
# An export uploaded to be scored by a buyer or an auditor (jalon.scorecards.audit): the largest
# file accepted, in MiB, and the most it may expand to once decompressed (.gz, .xlsx), in MiB.
JALON_AUDIT_UPLOAD_MAX_MB = env_int("JALON_AUDIT_UPLOAD_MAX_MB", 100)
JALON_AUDIT_EXPANDED_MAX_MB = env_int("JALON_AUDIT_EXPANDED_MAX_MB", 1024)
# How long an audit's result stays downloadable (XLSX, PDF, JSON) after it was computed, in seconds.
JALON_AUDIT_RESULT_SECONDS = env_int("JALON_AUDIT_RESULT_SECONDS", 3600)
# The most time one person may log for one day, all tickets together (D-116): 10 hours, the daily
# maximum of the Code du travail (art. L3121-18).
JALON_TIME_DAY_MAX_MINUTES = env_int("JALON_TIME_DAY_MAX_MINUTES", 600)
# Who signs the intervention report, in this order (D-125): the holder who wrote it, the user
# service it is sent to (seed 000 §7.3.3), the buyer.
JALON_REPORT_SIGNATORIES = env_choices("JALON_REPORT_SIGNATORIES", ["holder", "requester", "buyer"],
                                       ("holder", "requester", "buyer"))
# Business days, on the convention's first calendar, for the definitive fix owed after a
# workaround; 0: followed up without a due date, as the seeds give none (D-120).
JALON_DEFINITIVE_FIX_DAYS = env_int("JALON_DEFINITIVE_FIX_DAYS", 0)
# The VAT rate of the Factur-X invoice drafts (jalon.billing), in percent: the French standard
# rate on IT services; the seeds name none (D-134).
JALON_BILLING_VAT_RATE = env_int("JALON_BILLING_VAT_RATE", 20)
# A committee's action is announced "due" to its owner this many calendar days before the end of
# its due date (D-135; seed 003 L1452 counts its lateness by the day).
JALON_ACTION_WARN_DAYS = env_int("JALON_ACTION_WARN_DAYS", 2)

# Login: lock a username on one IP address after repeated failures.
JALON_LOGIN_MAX_FAILURES = env_int("JALON_LOGIN_MAX_FAILURES", 5)
JALON_LOGIN_LOCK_MINUTES = env_int("JALON_LOGIN_LOCK_MINUTES", 15)
# Proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated): empty, the
# connection's own address is the client's. Set it to the reverse proxy's address in production.
JALON_TRUSTED_PROXIES = env_list("JALON_TRUSTED_PROXIES", [])
JALON_LOGIN_GLOBAL_FAILURES_PER_MINUTE = env_int("JALON_LOGIN_GLOBAL_FAILURES_PER_MINUTE", 300)
# django-axes, as jalon.accounts.lockout uses it: counts per account and client address, checked
# by the login form itself under the account's row lock (hence neither its authentication
# backend nor its middleware, whose checks are silenced).
AXES_FAILURE_LIMIT = JALON_LOGIN_MAX_FAILURES
AXES_COOLOFF_TIME = JALON_LOGIN_LOCK_MINUTES / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "jalon.accounts.lockout.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_VERBOSE = False
SILENCED_SYSTEM_CHECKS = ["axes.W002", "axes.W003"]
# OpenID Connect (ProConnect-compatible); the button shows only when all three are set.
JALON_OIDC_DISCOVERY_URL = env_str("JALON_OIDC_DISCOVERY_URL", "")
JALON_OIDC_CLIENT_ID = env_str("JALON_OIDC_CLIENT_ID", "")
JALON_OIDC_CLIENT_SECRET = env_str("JALON_OIDC_CLIENT_SECRET", "")
JALON_OIDC_SCOPES = env_str("JALON_OIDC_SCOPES", "openid email given_name usual_name")
JALON_OIDC_LABEL = env_str("JALON_OIDC_LABEL", "ProConnect")
# Who answers accessibility requests (/accessibilite/): e-mail, URL or text; empty: the buyer.
JALON_ACCESSIBILITY_CONTACT = env_str("JALON_ACCESSIBILITY_CONTACT", "")
# The legal notice of this installation (footer, /mentions-legales/): who publishes it, who hosts
# it, whom to write to about personal data (the controller's data protection officer).
JALON_LEGAL_PUBLISHER = env_str("JALON_LEGAL_PUBLISHER", "")
JALON_LEGAL_HOST = env_str("JALON_LEGAL_HOST", "")
JALON_PRIVACY_CONTACT = env_str("JALON_PRIVACY_CONTACT", "")

# Secure sessions: HttpOnly cookies, short life, secure flags when served over HTTPS.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("JALON_SESSION_AGE", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
_HTTPS = env_bool("JALON_HTTPS", False)
SESSION_COOKIE_SECURE = _HTTPS
CSRF_COOKIE_SECURE = _HTTPS
SECURE_SSL_REDIRECT = _HTTPS
SECURE_HSTS_SECONDS = 31536000 if _HTTPS else 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if _HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

EMAIL_BACKEND = env_str("JALON_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("JALON_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("JALON_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("JALON_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("JALON_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("JALON_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = env_str("JALON_FROM_EMAIL", "jalon@localhost")

# Background jobs (jalon.messaging.tasks): huey on a SQLite file under DATA_DIR, which needs no
# extra server; with a Redis URL, workers on several machines share one queue.
JALON_TASKS_REDIS_URL = env_str("JALON_TASKS_REDIS_URL", "")
# Immediate mode runs each task in the calling process (development, tests): no worker needed.
JALON_TASKS_IMMEDIATE = env_bool("JALON_TASKS_IMMEDIATE", False)
JALON_TASKS_SQLITE_PATH = DATA_DIR / "tasks.sqlite3"
# A notification that still fails after this many attempts is given up (and kept, with its error).
JALON_OUTBOX_MAX_ATTEMPTS = env_int("JALON_OUTBOX_MAX_ATTEMPTS", 8)
# Mail intake by IMAP; polling is off while JALON_IMAP_HOST is empty.
JALON_IMAP_ACCOUNTS = {
    "default": {
        "host": env_str("JALON_IMAP_HOST", ""),
        "port": env_int("JALON_IMAP_PORT", 993 if env_bool("JALON_IMAP_SSL", True) else 143),
        "user": env_str("JALON_IMAP_USER", ""),
        "password": env_str("JALON_IMAP_PASSWORD", ""),
        "folder": env_str("JALON_IMAP_FOLDER", "INBOX"),
        "ssl": env_bool("JALON_IMAP_SSL", True),
    },
}
JALON_IMAP_POLL_MINUTES = env_int("JALON_IMAP_POLL_MINUTES", 5)
if not 1 <= JALON_IMAP_POLL_MINUTES <= 60:
    raise SettingError(f"JALON_IMAP_POLL_MINUTES={JALON_IMAP_POLL_MINUTES}: expected 1 to 60")
# Larger messages are skipped before download (logged); attachments keep their own limit.
JALON_IMAP_MAX_BYTES = env_int("JALON_IMAP_MAX_BYTES", 25 * 1024 * 1024)
# A message that makes intake fail unexpectedly is tried again at the next polls, at most this
# many times in all, then quarantined (a ReceivedMail an administrator sees, with the error).
# How long an idempotency key (API) or a form's send-once token is remembered.
JALON_IDEMPOTENCY_HOURS = env_int("JALON_IDEMPOTENCY_HOURS", 24)
JALON_IMAP_MAX_ATTEMPTS = env_int("JALON_IMAP_MAX_ATTEMPTS", 3)
# MIME parts a message may hold (nested or not) before it is quarantined unparsed.
JALON_MAIL_MAX_PARTS = env_int("JALON_MAIL_MAX_PARTS", 200)

# Governance: scheduled meetings start at this local time (the seeds give no hour), and are
# planned this many days ahead by the daily job and `jalon schedule_meetings`.
JALON_MEETING_TIME = env_str("JALON_MEETING_TIME", "10:00")
if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", JALON_MEETING_TIME):
    raise SettingError(f"JALON_MEETING_TIME={JALON_MEETING_TIME!r}: expected HH:MM")
JALON_MEETING_HORIZON_DAYS = env_int("JALON_MEETING_HORIZON_DAYS", 92)
if not 1 <= JALON_MEETING_HORIZON_DAYS <= 400:
    raise SettingError(f"JALON_MEETING_HORIZON_DAYS={JALON_MEETING_HORIZON_DAYS}: expected 1 to 400")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"forbidden": {"()": "jalon.lib.logfilters.ForbiddenWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("JALON_LOG_LEVEL", "WARNING")},
    # a refused action (403) is logged on one line, without a traceback
    "loggers": {"django.request": {"filters": ["forbidden"]},
                "django.server": {"filters": ["forbidden"]}},
}
