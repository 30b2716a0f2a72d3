"""Settings for the TCE portal, read from the environment.

Development needs nothing set: DEBUG=true gives a SQLite file under var/ and a throwaway secret.
Production must set SECRET_KEY and ALLOWED_HOSTS; DATABASE_URL points at PostgreSQL.
"""

import datetime
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # optional; real deployments set real variables

DEBUG = env.bool("DEBUG", default=False)

# No default in production: the server refuses to start without it (tce_portal/wsgi.py), and
# anything that would sign with it fails (Django refuses an empty SECRET_KEY when it is used).
# Commands that never sign anything (makemigrations --check, migrate, collectstatic) need none.
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "insecure-development-only-key-never-used-in-production"  # noqa: S105
HAS_SECRET_KEY = bool(SECRET_KEY)  # Django raises on reading an empty SECRET_KEY: ask this

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# A refused form gives back the words it carried (accounts/keeping_text.py).
CSRF_FAILURE_VIEW = "accounts.keeping_text.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "template_partials",
    "django_filters",
    "simple_history",
    "django_prose_editor",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "accounts",
    "partnerships",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "tce_portal.middleware.SecurityHeadersMiddleware",
    "tce_portal.middleware.RequestLogMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before the session: a public page this process has sent, to a visitor with no cookie.
    "reports.microsite.caching.PublicPagesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.sessions.RenewSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.two_step.TwoStepMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tce_portal.urls"
WSGI_APPLICATION = "tce_portal.wsgi.application"

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
                "csp.context_processors.nonce",
            ],
            # {% url %} as Django's, each address reversed once a process (url_tag.py).
            "builtins": ["tce_portal.url_tag"],
        },
    },
]

if "DATABASE_URL" not in env:
    VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'tce.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Keep each process's database connection between requests (a cached page then costs no new
# PostgreSQL connection), checked before reuse so a connection the server dropped is replaced.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=600)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite for concurrent web use: readers never wait for a writer (WAL); a writer waits up to
    # 20 s for another instead of failing with "database is locked"; and every transaction takes
    # the write lock when it begins (IMMEDIATE), so two requests never both read and then both
    # try to upgrade to writing, which SQLite can only answer with an error.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# django-sesame reads the tokens of sign-off links; passwords sign in as usual.
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses sign-in while an address is locked out (see below).
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "sesame.backends.ModelBackend",
]
SIGNOFF_LINK_DAYS = env.int("SIGNOFF_LINK_DAYS", default=14)
# Sending a report for sign-off asks the local area to sign it off within this many working days.
SIGNOFF_DUE_WORKING_DAYS = env.int("SIGNOFF_DUE_WORKING_DAYS", default=10)
# The reminder before the due date goes this many working days before it.
SIGNOFF_REMINDER_WORKING_DAYS = env.int("SIGNOFF_REMINDER_WORKING_DAYS", default=2)
SESAME_MAX_AGE = datetime.timedelta(days=SIGNOFF_LINK_DAYS)
# Only the current token format: every link is made by this portal (the old v1 format would also
# build a signer, and read the secret, as soon as it is imported).
SESAME_TOKENS = ["sesame.tokens_v2"]
LOGIN_URL = "accounts:login"
# Guessing passwords: after AXES_FAILURE_LIMIT failed sign-ins for one e-mail address from one
# client, that address cannot sign in from that client for AXES_COOLOFF_TIME (django-axes keeps
# the attempts in the database, so every process sees them; they are listed in the admin). The
# client is REMOTE_ADDR: behind a reverse proxy, make the proxy pass the client's address there.
AXES_FAILURE_LIMIT = env.int("SIGN_IN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("SIGN_IN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# The sign-in form's field is "username" (Django's form), though the user model logs in by e-mail.
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.services.sign_in_address"
AXES_DISABLE_ACCESS_LOG = True  # keep failed attempts only: no log of every sign-in
AXES_VERBOSE = False  # no banner on every command; attempts and lockouts are still logged
LOGIN_REDIRECT_URL = "reports:dashboard"
LOGOUT_REDIRECT_URL = "reports:home"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# A forgotten-password link works for a day, and once: Django's token is spent when the password
# (or the last sign-in) changes.
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
# Files only a view that checks who asks may serve (drafts' PDFs): outside MEDIA_ROOT, no URL.
PRIVATE_ROOT = env.path("PRIVATE_ROOT", default=VAR_DIR / "private")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "tce_portal.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": PRIVATE_ROOT},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# E-mail: EMAIL_URL such as smtp+tls://user:password@smtp.example.org:587; console by default.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = EMAIL_CONFIG["EMAIL_BACKEND"]
EMAIL_HOST = EMAIL_CONFIG.get("EMAIL_HOST", "localhost")
EMAIL_PORT = EMAIL_CONFIG.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = EMAIL_CONFIG.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = EMAIL_CONFIG.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = EMAIL_CONFIG.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = EMAIL_CONFIG.get("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="TCE Support Programme <noreply@example.org>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The portal's address as people reach it, for the links in e-mails.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Where requests for a report in another format (the accessibility statement's form) go.
PROGRAMME_EMAIL = env.str("PROGRAMME_EMAIL", default="tce-programme@example.org")

# Cache: Redis when REDIS_URL is set, otherwise this process's memory.
REDIS_URL = env.str("REDIS_URL", default="")
MICROSITE_CACHE_URL = env.str("MICROSITE_CACHE_URL", default="")
if MICROSITE_CACHE_URL and MICROSITE_CACHE_URL == REDIS_URL:
    raise ImproperlyConfigured(
        "MICROSITE_CACHE_URL must be a Redis database of its own (say redis://host:6379/1): "
        "the public pages' cache is emptied whole on every change."
    )
LOCAL_PAGES_CACHE = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "microsite-local",
    "TIMEOUT": 300,
    "OPTIONS": {"MAX_ENTRIES": 200},
}
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
    # The public pages (reports/microsite/caching.py). Every change that the pages show empties
    # it whole, so it is a cache of its own: by default a database table that every process
    # serving the site shares (`manage.py createcachetable`, run by `make migrate`); in
    # production a Redis database of its own, never REDIS_URL's (clearing it flushes that
    # database): MICROSITE_CACHE_URL=redis://host:6379/1.
    "microsite": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": MICROSITE_CACHE_URL}
        if MICROSITE_CACHE_URL
        else {
            # Django's DatabaseCache, each page written with one statement (page_cache.py).
            "BACKEND": "tce_portal.page_cache.PageCache",
            "LOCATION": "microsite_cache",
        }
    ),
    # Each process's own copies of the public pages it has sent, checked against the shared
    # cache's epoch before one is sent (reports/microsite/caching.py, PublicPagesMiddleware).
    # Pages are 20-110 kB: at most about 20 MB a process.
    "microsite-local": LOCAL_PAGES_CACHE,
}

# Background work (Django 6's tasks API through the django-tasks backport). Immediate by default so
# `make run` needs no worker; TASKS_BACKEND=database plus `manage.py db_worker` in production.
TASKS = {
    "default": {
        "BACKEND": {
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
            "database": "django_tasks_db.DatabaseBackend",
        }[env.str("TASKS_BACKEND", default="immediate")]
    }
}

# How many compendiums (many reports in one PDF) may be waiting or being built at once: visitors
# asking for more get "try again in a minute", so nobody can fill the worker with builds.
COMPENDIUMS_AT_ONCE = env.int("COMPENDIUMS_AT_ONCE", default=3)

# Sealed PDFs: each published edition's PDF is signed (PAdES) with this key and certificate (PEM
# files; `manage.py make_seal_certificate` makes a throwaway pair for development). Unset, PDFs
# are stored unsealed and the admin says so.
PDF_SEAL_KEY = env.str("PDF_SEAL_KEY", default="")
PDF_SEAL_CERT = env.str("PDF_SEAL_CERT", default="")
PDF_SEAL_KEY_PASSWORD = env.str("PDF_SEAL_KEY_PASSWORD", default="")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Security headers. Production (DEBUG off) gets HTTPS-only cookies, HSTS and redirects.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Two-step sign-in (accounts.two_step): anyone may turn it on; with this on, programme admins
# must.
REQUIRE_ADMIN_TWO_STEP = env.bool("REQUIRE_ADMIN_TWO_STEP", default=False)
OTP_TOTP_ISSUER = "TCE learning reports"

# A session ends after a working day without a request (accounts.sessions renews it as people
# use the portal).
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=8 * 60 * 60)
CSRF_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content Security Policy: no inline script or style anywhere; everything from our own origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Logs are JSON lines (python-json-logger) unless LOG_FORMAT=text (the default with DEBUG): one
# object per record with its time, level, logger and message, and the fields a record carries.
# Requests ("tce.requests") and workflow events ("tce.workflow") are logged with ids, never
# names, e-mail addresses, IP addresses, query strings or text people wrote.
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "{asctime}{levelname}{name}{message}",
            "style": "{",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # WeasyPrint logs every page it lays out (reports.pdfs.document reads that for progress
        # bars) and fontTools every font it unpacks: neither belongs in the logs.
        "weasyprint.progress": {"level": "INFO", "propagate": False},
        "fontTools": {"level": "WARNING"},
    },
}
