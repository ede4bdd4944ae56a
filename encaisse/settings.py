"""Encaisse settings: one file, every knob from the environment.

Embedded default: SQLite in ./var, console email, DEBUG on (but `encaisse
serve`, which `make run` starts, turns it off unless DEBUG=1). Production: set
ENCAISSE_ENV=production, SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL; invalid or
missing values fail loudly at start-up rather than at the first request.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ENCAISSE_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


def env_positive_int(name: str, default: int) -> int:
    value = env_int(name, default)
    if value < 1:
        raise ImproperlyConfigured(f"{name} must be at least 1, got {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


ENVIRONMENT = os.environ.get("ENCAISSE_ENV", "development")
if ENVIRONMENT not in {"development", "production", "test"}:
    raise ImproperlyConfigured("ENCAISSE_ENV must be development, production or test")
PRODUCTION = ENVIRONMENT == "production"

DEBUG = env_bool("DEBUG", not PRODUCTION)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set in production")
    # Only for the embedded development mode; never used when ENCAISSE_ENV=production.
    SECRET_KEY = "insecure-development-key-" + "x" * 40
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "encaisse.accounts",
    "encaisse.collab",
    "encaisse.ledger",
    "encaisse.dunning",
    "encaisse.resolution",
    "encaisse.webhooks",
    "encaisse.demo",
    "encaisse.web",
    "ninja",
    "encaisse.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "encaisse.web.middleware.LanguageMiddleware",
    # After the language is chosen: a replayed or refused POST speaks it too.
    "encaisse.api.idempotency.IdempotencyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: turns a locked-out sign-in into our lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "encaisse.urls"
WSGI_APPLICATION = "encaisse.wsgi.application"

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
                "django.template.context_processors.i18n",
                "encaisse.web.context.navigation",
            ],
        },
    }
]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if not DATABASE_URL:
    # Embedded mode: the database lives in ./var, created on first start.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASE_URL = f"sqlite:///{VAR_DIR / 'encaisse.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Connections are kept between requests here too: closing the last connection to a
    # WAL database copies the whole log into the file (15 ms after a bulk API call of
    # 1 000 invoices), and the next request's new connection re-reads the schema and
    # starts from a cold page cache. An idle connection holds no lock.
    # WAL lets the worker and the web server work side by side; IMMEDIATE avoids
    # "database is locked" upgrades from read to write inside a transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("SQLITE_TEST_NAME", "")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out client before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "fr")
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "encaisse" / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"
# In the embedded mode WhiteNoise serves straight from the app folders, so no
# collectstatic step is needed; production serves the collected, hashed files.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024

# Email: console in development, SMTP when EMAIL_HOST is set.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Encaisse <encaisse@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Security: strict in production, relaxed only for the local embedded mode.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A time, a level and a logger on each line: security warnings (lockouts,
    # throttles) must say when they happened.
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint's progress and its font subsetter log dozens of INFO lines per PDF.
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # django-axes logs every sign-in at INFO; its warnings (failures) stay, and
        # `encaisse.security` says each lockout and throttle in one line.
        "axes": {"level": "WARNING"},
    },
}

# Sign-in protection (django-axes): after ENCAISSE_LOGIN_FAILURE_LIMIT failures
# within the cool-off, a username, and separately a client address, may not sign
# in until the cool-off has passed since its last counted failure. Attempts made
# while locked out are refused without counting, so the time the lockout page
# gives stays true. Unlock sooner: the admin's "Access attempts", or
# `encaisse axes_reset_username NAME` / `axes_reset_ip ADDRESS` / `axes_reset`.
AXES_FAILURE_LIMIT = env_positive_int("ENCAISSE_LOGIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_positive_int("ENCAISSE_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "encaisse.web.views.auth.lockout_response"
# Our own reading of X-Forwarded-For (see accounts/client_ip.py) rather than
# django-ipware's, whose proxy count is about the header's length.
AXES_CLIENT_IP_CALLABLE = "encaisse.accounts.client_ip.client_ip"
# Reverse proxies in front of Encaisse that append to X-Forwarded-For (0: none,
# the header is ignored and the client is REMOTE_ADDR).
ENCAISSE_TRUSTED_PROXIES = env_int("ENCAISSE_TRUSTED_PROXIES", 0)
if ENCAISSE_TRUSTED_PROXIES < 0:
    raise ImproperlyConfigured("ENCAISSE_TRUSTED_PROXIES cannot be negative")
# Password-reset emails asked per address typed, and per client address, per hour.
ENCAISSE_PASSWORD_RESET_LIMIT = env_positive_int("ENCAISSE_PASSWORD_RESET_LIMIT", 5)
ENCAISSE_PASSWORD_RESET_IP_LIMIT = env_positive_int("ENCAISSE_PASSWORD_RESET_IP_LIMIT", 20)

# Product knobs.
ENCAISSE_PAGE_SIZE = env_int("ENCAISSE_PAGE_SIZE", 50)
ENCAISSE_IMPORT_CHUNK = env_int("ENCAISSE_IMPORT_CHUNK", 5000)
# Days an uploaded import file that is never applied stays under MEDIA_ROOT/imports/.
ENCAISSE_UPLOAD_RETENTION_DAYS = env_int("ENCAISSE_UPLOAD_RETENTION_DAYS", 7)
if ENCAISSE_UPLOAD_RETENTION_DAYS < 1:
    raise ImproperlyConfigured(
        "ENCAISSE_UPLOAD_RETENTION_DAYS must be a number of days of at least 1, "
        f"got {ENCAISSE_UPLOAD_RETENTION_DAYS}"
    )
# Largest attachment of a dispute, in megabytes (docs/disputes.md).
ENCAISSE_DISPUTE_ATTACHMENT_MAX_MB = env_positive_int("ENCAISSE_DISPUTE_ATTACHMENT_MAX_MB", 10)
# Outbox sweeps started after each dunning run (how many workers deliver at once).
ENCAISSE_DELIVERY_SWEEPS = env_int("ENCAISSE_DELIVERY_SWEEPS", 2)
# Seconds between two looks of `encaisse scheduler` at the run time and the outbox.
ENCAISSE_SCHEDULER_TICK = env_int("ENCAISSE_SCHEDULER_TICK", 30)
# Right-hand side of the Message-ID of reminders (use your mail domain).
ENCAISSE_MESSAGE_ID_DOMAIN = os.environ.get("ENCAISSE_MESSAGE_ID_DOMAIN", "encaisse.local")

# REST API (docs/api.md): requests per token per minute, and how long the
# response of a POST sent with an Idempotency-Key is kept for its retries.
ENCAISSE_API_RATE_LIMIT = env_positive_int("ENCAISSE_API_RATE_LIMIT", 600)
ENCAISSE_API_IDEMPOTENCY_HOURS = env_positive_int("ENCAISSE_API_IDEMPOTENCY_HOURS", 24)

# The address customers reach Encaisse at: the debtor portal's links in reminders
# and letters start with it (docs/portal.md). Default in production: https:// and
# the first of ALLOWED_HOSTS. Portal requests per link, and per client address,
# per ENCAISSE_PORTAL_RATE_WINDOW seconds.
_default_public_url = (
    f"https://{ALLOWED_HOSTS[0]}"
    if PRODUCTION and ALLOWED_HOSTS and ALLOWED_HOSTS[0] not in {"*", ""}
    else "http://localhost:8000"
)
ENCAISSE_PUBLIC_URL = os.environ.get("ENCAISSE_PUBLIC_URL", "") or _default_public_url
if not ENCAISSE_PUBLIC_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(
        f"ENCAISSE_PUBLIC_URL must start with http:// or https://, got {ENCAISSE_PUBLIC_URL!r}"
    )
ENCAISSE_PUBLIC_URL = ENCAISSE_PUBLIC_URL.rstrip("/")
ENCAISSE_PORTAL_RATE_LIMIT = env_positive_int("ENCAISSE_PORTAL_RATE_LIMIT", 60)
ENCAISSE_PORTAL_IP_RATE_LIMIT = env_positive_int("ENCAISSE_PORTAL_IP_RATE_LIMIT", 120)
ENCAISSE_PORTAL_RATE_WINDOW = env_positive_int("ENCAISSE_PORTAL_RATE_WINDOW", 300)

# Outbound webhooks (docs/webhooks.md). Plain http only in development or when
# allowed; private, loopback and link-local targets only when allowed (tests,
# on-premise receivers). Timeouts in seconds; response bodies read up to a bound.
ENCAISSE_WEBHOOKS_ALLOW_HTTP = env_bool("ENCAISSE_WEBHOOKS_ALLOW_HTTP", DEBUG)
ENCAISSE_WEBHOOKS_ALLOW_PRIVATE = env_bool("ENCAISSE_WEBHOOKS_ALLOW_PRIVATE", False)
ENCAISSE_WEBHOOKS_CONNECT_TIMEOUT = env_positive_int("ENCAISSE_WEBHOOKS_CONNECT_TIMEOUT", 5)
ENCAISSE_WEBHOOKS_READ_TIMEOUT = env_positive_int("ENCAISSE_WEBHOOKS_READ_TIMEOUT", 15)
ENCAISSE_WEBHOOKS_RESPONSE_BYTES = env_positive_int("ENCAISSE_WEBHOOKS_RESPONSE_BYTES", 4096)
# Attempts per delivery before it fails (with a task for finance), and days of
# continuous failure after which an endpoint is disabled.
ENCAISSE_WEBHOOKS_MAX_ATTEMPTS = env_positive_int("ENCAISSE_WEBHOOKS_MAX_ATTEMPTS", 8)
ENCAISSE_WEBHOOKS_DISABLE_AFTER_DAYS = env_positive_int("ENCAISSE_WEBHOOKS_DISABLE_AFTER_DAYS", 5)
# Delivery sweeps enqueued after a commit that wrote events (how many workers deliver at once).
ENCAISSE_WEBHOOKS_SWEEPS = env_positive_int("ENCAISSE_WEBHOOKS_SWEEPS", 2)
