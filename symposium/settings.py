"""Settings for the symposium registration site.

Everything that differs between a laptop and production comes from environment
variables (see the table in README.md). With none set, DEBUG is off and the
site refuses to start without the values production needs; DEBUG=true gives a
local site on SQLite with emails printed to the console.
"""

import datetime
import os
from pathlib import Path
from urllib.parse import urlsplit

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from symposium.country_names import COUNTRY_NAMES
from symposium.env import (
    cache_settings,
    database_config,
    default_sqlite_url,
    read_bool,
    read_env_file,
    read_int,
    read_list,
    read_meta_key,
    read_rate,
    read_required,
    read_secret_key,
)

BASE_DIR = Path(__file__).resolve().parent.parent
# A developer's local settings: ``manage.py quickstart`` writes this git-ignored
# file, so that every later command in any terminal finds DEBUG and the
# secret key. Variables set in the environment win over the file; production
# sets everything in the environment and has no such file. An empty
# SYMPOSIUM_ENV_FILE reads none (the tests do so).
ENV_FILE = os.environ.get("SYMPOSIUM_ENV_FILE", str(BASE_DIR / ".env")).strip()
ENV = read_env_file(ENV_FILE, os.environ)

DEBUG = read_bool(ENV, "DEBUG", default=False)
PRODUCTION_REASON = "when DEBUG is off (production)"

SECRET_KEY = read_secret_key(ENV, debug=DEBUG)

ALLOWED_HOSTS = read_list(ENV, "ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    if not DEBUG:
        raise ImproperlyConfigured(
            f"ALLOWED_HOSTS must be set {PRODUCTION_REASON}, "
            "for example ALLOWED_HOSTS=symposium.example.org"
        )
    ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]"]
CSRF_TRUSTED_ORIGINS = read_list(ENV, "CSRF_TRUSTED_ORIGINS")

# Applications

INSTALLED_APPS = [
    "symposium.apps.SymposiumAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_countries",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "symposium.apps.SignInLockoutsConfig",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "registrations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "symposium.security.reject_null_characters",
    "symposium.security.refuse_unreadable_forms",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # django-csp's, with the policy built once (symposium.security).
    "symposium.security.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Tells whether the signed-in user has given the second factor.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a refused sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "symposium.urls"
WSGI_APPLICATION = "symposium.wsgi.application"

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
            ],
        },
    },
]

# Database: SQLite by default, PostgreSQL in production.

DATABASE_URL = ENV.get("DATABASE_URL", "").strip()
if not DATABASE_URL and not DEBUG:
    raise ImproperlyConfigured(
        f"DATABASE_URL must be set {PRODUCTION_REASON}, for example "
        "DATABASE_URL=postgres://symposium:secret@db.internal:5432/symposium"
    )
DATABASES = {"default": database_config(DATABASE_URL or default_sqlite_url(BASE_DIR))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when REDIS_URL is set (shared by every worker and server), else
# memory local to the process. The site keeps serving when Redis goes away
# (symposium.cache): without a cache, sessions from the database, rate limits
# and lockouts counted in each process meanwhile.

REDIS_URL = ENV.get("REDIS_URL", "").strip()
_cache = cache_settings(REDIS_URL)
CACHES = _cache["CACHES"]
SESSION_ENGINE = _cache["SESSION_ENGINE"]
RATELIMIT_USE_CACHE = _cache["RATELIMIT_USE_CACHE"]
AXES_CACHE = _cache["AXES_CACHE"]

# Background work: emails go through django-tasks. In production they leave
# from the mail worker (django-tasks-db's db_worker, see deploy/): a request
# never waits on the SMTP server. In development the immediate backend sends
# them in the process, after the transaction commits; they are recorded in the
# outbox all the same.

IMMEDIATE_TASKS = "django_tasks.backends.immediate.ImmediateBackend"
DATABASE_TASKS = "django_tasks_db.DatabaseBackend"
TASKS_BACKEND = ENV.get("TASKS_BACKEND", "").strip() or (
    IMMEDIATE_TASKS if DEBUG else DATABASE_TASKS
)
if TASKS_BACKEND == IMMEDIATE_TASKS and not DEBUG:
    raise ImproperlyConfigured(
        f"TASKS_BACKEND must not be the immediate backend {PRODUCTION_REASON}: "
        "requests would wait on the SMTP server. Leave it unset to use "
        f"{DATABASE_TASKS} and run the mail worker (manage.py db_worker "
        "--queue-name mail)."
    )
TASKS = {"default": {"BACKEND": TASKS_BACKEND, "QUEUES": ["default", "mail"]}}

# Passwords

AUTHENTICATION_BACKENDS = [
    # First: a locked-out attempt is refused here, before any password is hashed.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages and time: the symposium runs in Tokyo, in English and Japanese.

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ja", _("Japanese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Tokyo"
USE_TZ = True
# Dates with the weekday in both languages (2027年1月20日（水）9:30).
FORMAT_MODULE_PATH = ["symposium.formats"]

# Static files, served by the application itself through WhiteNoise.

STATIC_URL = "static/"
# Where collectstatic gathers the files that WhiteNoise serves.
STATIC_ROOT = Path(ENV.get("STATIC_ROOT", "").strip() or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files people upload (badge photos, the delegations' notes verbales) are kept
# apart from everything public: under PRIVATE_MEDIA_ROOT, served only by views
# that check permission, never by WhiteNoise or any public address (no base URL).
PRIVATE_MEDIA_ROOT = Path(
    ENV.get("PRIVATE_MEDIA_ROOT", "").strip() or BASE_DIR / "private-media"
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": PRIVATE_MEDIA_ROOT,
            "base_url": None,
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    },
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# In development, serve files straight from the source folders.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
# Uploads: one file per request at most, and only to the views that declare
# it (symposium/uploads.py: the badge photo, the note verbale); a file sent to
# any other page is refused (400). A file over its view's limit is dropped as
# it arrives; files are spooled to a temporary file, never held in memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 1
FILE_UPLOAD_MAX_MEMORY_SIZE = 0
FILE_UPLOAD_HANDLERS = [
    "symposium.uploads.UploadGuard",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
NOTE_VERBALE_MAX_MB = read_int(ENV, "NOTE_VERBALE_MAX_MB", default=10)
if not 1 <= NOTE_VERBALE_MAX_MB <= 50:
    raise ImproperlyConfigured("NOTE_VERBALE_MAX_MB must be between 1 and 50.")

# Email

EMAIL_BACKEND = ENV.get("EMAIL_BACKEND", "").strip() or (
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = ENV.get("EMAIL_HOST", "localhost").strip()
if EMAIL_BACKEND.endswith("smtp.EmailBackend") and not DEBUG:
    EMAIL_HOST = read_required(ENV, "EMAIL_HOST", why=PRODUCTION_REASON)
EMAIL_PORT = read_int(ENV, "EMAIL_PORT", default=587)
EMAIL_HOST_USER = ENV.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = ENV.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = read_bool(ENV, "EMAIL_USE_TLS", default=True)
# Seconds an SMTP call may wait for the server before it counts as failed.
EMAIL_TIMEOUT = read_int(ENV, "EMAIL_TIMEOUT", default=10)
if EMAIL_TIMEOUT < 1:
    raise ImproperlyConfigured("EMAIL_TIMEOUT must be at least 1 second.")
# A failed email is tried again after EMAIL_RETRY_FIRST_SECONDS, then after
# twice as long each time up to EMAIL_RETRY_MAX_SECONDS between attempts, for
# EMAIL_RETRY_HOURS after it was queued; then it is marked failed for staff.
EMAIL_RETRY_FIRST_SECONDS = read_int(ENV, "EMAIL_RETRY_FIRST_SECONDS", default=60)
EMAIL_RETRY_MAX_SECONDS = read_int(ENV, "EMAIL_RETRY_MAX_SECONDS", default=3600)
EMAIL_RETRY_HOURS = read_int(ENV, "EMAIL_RETRY_HOURS", default=24)
# Messages staff send to many delegates leave at most this many a minute, so
# that the mail server does not take a burst for spam or refuse it.
MESSAGE_EMAILS_PER_MINUTE = read_int(ENV, "MESSAGE_EMAILS_PER_MINUTE", default=60)
if MESSAGE_EMAILS_PER_MINUTE < 1:
    raise ImproperlyConfigured("MESSAGE_EMAILS_PER_MINUTE must be at least 1.")
if not 1 <= EMAIL_RETRY_FIRST_SECONDS <= EMAIL_RETRY_MAX_SECONDS:
    raise ImproperlyConfigured(
        "EMAIL_RETRY_FIRST_SECONDS must be at least 1 and at most "
        "EMAIL_RETRY_MAX_SECONDS."
    )
if EMAIL_RETRY_HOURS < 24:
    raise ImproperlyConfigured(
        "EMAIL_RETRY_HOURS must be at least 24: a mail server may be away for a day."
    )
if DEBUG:
    DEFAULT_FROM_EMAIL = ENV.get("DEFAULT_FROM_EMAIL", "").strip() or (
        "Symposium secretariat <symposium@localhost>"
    )
else:
    DEFAULT_FROM_EMAIL = read_required(ENV, "DEFAULT_FROM_EMAIL", why=PRODUCTION_REASON)
SERVER_EMAIL = ENV.get("SERVER_EMAIL", "").strip() or DEFAULT_FROM_EMAIL

# The site's public address, used for the links in emails.
SITE_URL = ENV.get("SITE_URL", "").strip()
if not SITE_URL:
    if not DEBUG:
        raise ImproperlyConfigured(
            f"SITE_URL must be set {PRODUCTION_REASON}, "
            "for example SITE_URL=https://symposium.example.org"
        )
    SITE_URL = "http://127.0.0.1:8000"

# Security. Production defaults are strict; each can be relaxed through the
# environment where a proxy already does the work.

SECURE_SSL_REDIRECT = read_bool(ENV, "SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = read_int(
    ENV, "SECURE_HSTS_SECONDS", default=0 if DEBUG else 365 * 24 * 3600
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = read_bool(
    ENV, "SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG
)
SECURE_HSTS_PRELOAD = read_bool(ENV, "SECURE_HSTS_PRELOAD", default=not DEBUG)
if read_bool(ENV, "TRUST_X_FORWARDED_PROTO", default=False):
    # Only behind a proxy that sets this header itself and strips it from clients.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_HTTPONLY = True
# The language switch's cookie, like the others: HTTPS only, not readable by
# scripts, not sent along with requests other sites start.
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
# A staff member's sign-in lasts a working day, counted from the sign-in
# (symposium.second_factor sets the end); a delegate's session holds no more
# than the page after the form, and ends as soon.
STAFF_SESSION_HOURS = read_int(ENV, "STAFF_SESSION_HOURS", default=10)
if not 1 <= STAFF_SESSION_HOURS <= 24:
    raise ImproperlyConfigured("STAFF_SESSION_HOURS must be between 1 and 24.")
SESSION_COOKIE_AGE = STAFF_SESSION_HOURS * 3600
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# No page uses the browser's sensors, camera, microphone, location, payments
# or the like: the Permissions-Policy header (django-permissions-policy) denies
# them to the site and to anything it might be made to embed.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
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

# Content-Security-Policy (django-csp). The pages and the Django admin load
# their scripts and styles from files only, so no 'unsafe-inline' is needed for
# either; keep templates free of inline <script>, on* and style= attributes
# (tests/test_security.py reads the rendered pages for them). Bootstrap draws
# its form controls with data: SVG images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Admin sign-in (django-axes): after AXES_FAILURE_LIMIT failures for one user
# name, from wherever they come, that name is refused until
# AXES_COOLOFF_MINUTES have passed without an attempt; a successful sign-in
# clears the count. An address that fails SIGN_IN_ADDRESS_FAILURE_LIMIT times,
# over any names, is refused for the same time (symposium.security, through
# django-ratelimit's counters): higher, so that colleagues behind one office
# address do not lock each other out with typing mistakes. With Redis the
# counts live in the shared cache, which every server sees and which expires
# them on its own; without Redis axes keeps its count in the database, the one
# store all the workers share.
AXES_HANDLER = (
    "axes.handlers.cache.AxesCacheHandler"
    if REDIS_URL
    else "axes.handlers.database.AxesDatabaseHandler"
)
AXES_FAILURE_LIMIT = read_int(ENV, "AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_MINUTES = read_int(ENV, "AXES_COOLOFF_MINUTES", default=15)
SIGN_IN_ADDRESS_FAILURE_LIMIT = read_int(
    ENV, "SIGN_IN_ADDRESS_FAILURE_LIMIT", default=20
)
if min(AXES_FAILURE_LIMIT, AXES_COOLOFF_MINUTES, SIGN_IN_ADDRESS_FAILURE_LIMIT) < 1:
    raise ImproperlyConfigured(
        "AXES_FAILURE_LIMIT, AXES_COOLOFF_MINUTES and SIGN_IN_ADDRESS_FAILURE_LIMIT "
        "must be at least 1."
    )
AXES_COOLOFF_TIME = datetime.timedelta(minutes=AXES_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
# An attempt during the lockout starts the cool-off again, so that the lockout
# page can say exactly when it ends.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = True
AXES_CLIENT_IP_CALLABLE = "symposium.security.client_ip"
AXES_LOCKOUT_CALLABLE = "symposium.security.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
SILENCED_SYSTEM_CHECKS = [
    # axes warns when its lockout does not count per address; here the
    # address has a count and a limit of its own (SIGN_IN_ADDRESS_FAILURE_LIMIT).
    "axes.W006",
]

# The second factor (django-otp, symposium/second_factor.py): required of every
# staff account in production, set up at the first sign-in. Off by default in
# development, where tests and a local trial sign in with a password alone.
STAFF_TWO_FACTOR_REQUIRED = read_bool(
    ENV, "STAFF_TWO_FACTOR_REQUIRED", default=not DEBUG
)
# The name under which authenticator apps list the account: this site's.
OTP_TOTP_ISSUER = f"Symposium registration ({urlsplit(SITE_URL).hostname})"

# Countries: the Ministry's names on Japanese pages, "Nauru" in English
# (symposium/country_names.py); registrations/countries.py gives the order.
COUNTRIES_OVERRIDE = COUNTRY_NAMES

# Forms

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Logging: everything to standard error, where the process manager collects it.
# Every line goes through one formatter that masks private links
# (symposium/redaction.py): Django's "Not Found" warnings name the address asked
# for. Django's own loggers are routed here too, rather than to its default
# handlers, which would print the same lines unmasked.

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {
            "()": "symposium.redaction.MaskingFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s: %(message)s",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {
            "handlers": ["console"],
            "level": "INFO",
            "propagate": False,
        },
        "registrations": {"level": ENV.get("LOG_LEVEL", "INFO").upper()},
        "symposium": {"level": ENV.get("LOG_LEVEL", "INFO").upper()},
        "django_tasks": {"level": "WARNING"},
    },
}

# The symposium's own settings

# Submissions of the registration form allowed per client address, as
# count/period (django-ratelimit's notation: 10/h, 5/15m).
REGISTRATION_RATE_LIMIT = read_rate(ENV, "REGISTRATION_RATE_LIMIT", default="10/h")
# Emails the form may cause to one address (registration or link sent again).
REGISTRATION_ADDRESS_RATE_LIMIT = read_rate(
    ENV, "REGISTRATION_ADDRESS_RATE_LIMIT", default="3/h"
)

# Registrations are kept this many days after their event: then private links
# stop working and delete_expired_registrations removes them (run it daily).
REGISTRATION_RETENTION_DAYS = read_int(ENV, "REGISTRATION_RETENTION_DAYS", default=183)

# Passport data of visa requests is deleted this many days after the event,
# long before the rest of the registration, by the same daily job
# (delete_expired_registrations). Letters keep their reference and validity.
VISA_DATA_RETENTION_DAYS = read_int(ENV, "VISA_DATA_RETENTION_DAYS", default=30)
if VISA_DATA_RETENTION_DAYS < 0:
    raise ImproperlyConfigured("VISA_DATA_RETENTION_DAYS must be 0 or more.")
# Visa letters are issued for approved delegates only; with this on, the
# Protocol office may also issue one for a pending registration (a reviewer's
# decision, e.g. a speaker whose visa takes long). Never for a cancelled,
# rejected or waitlisted one.
VISA_LETTERS_FOR_PENDING = read_bool(ENV, "VISA_LETTERS_FOR_PENDING", default=False)

# Seconds the event page and the blank registration form are kept in the cache
# at most (0: not at all). Changes made through the site drop the copies at
# once; this bounds how long anything else (e.g. SQL by hand) can go unseen.
PUBLIC_PAGE_CACHE_SECONDS = read_int(ENV, "PUBLIC_PAGE_CACHE_SECONDS", default=30)
if PUBLIC_PAGE_CACHE_SECONDS < 0:
    raise ImproperlyConfigured("PUBLIC_PAGE_CACHE_SECONDS must be 0 or more.")
# Seconds each server process serves a page it read from that cache again
# without reading it anew (0: it reads it for every request). A change made
# through another process shows on this one's pages within this time.
PUBLIC_PAGE_LOCAL_SECONDS = read_int(ENV, "PUBLIC_PAGE_LOCAL_SECONDS", default=1)
if PUBLIC_PAGE_LOCAL_SECONDS < 0:
    raise ImproperlyConfigured("PUBLIC_PAGE_LOCAL_SECONDS must be 0 or more.")

# A review of many registrations at once stops after this many seconds and
# says which it changed and which it did not reach, well before the web
# server's own timeout (deploy/gunicorn.conf.py) could cut it off unreported.
REVIEW_TIME_LIMIT_SECONDS = read_int(ENV, "REVIEW_TIME_LIMIT_SECONDS", default=20)
if REVIEW_TIME_LIMIT_SECONDS < 1:
    raise ImproperlyConfigured("REVIEW_TIME_LIMIT_SECONDS must be at least 1.")

# Behind a proxy, the header that carries the client's address for the rate
# limits and the sign-in lockout, e.g. HTTP_X_REAL_IP or X-Forwarded-For (empty:
# REMOTE_ADDR, the direct peer). symposium.security.client_ip reads it, falling
# back to the peer when it is missing or malformed.
CLIENT_IP_HEADER = read_meta_key(ENV, "RATELIMIT_IP_META_KEY")
RATELIMIT_IP_META_KEY = "symposium.security.client_ip"
