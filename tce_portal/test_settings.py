"""Fast, strict overrides for the test suite; everything else is the real settings module."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-any-real-deployment")

from tce_portal.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = tempfile.mkdtemp(prefix="tce-test-media-")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, as in development, not SQLite's shared-cache memory database: overlapping requests
    # then meet the same locking (WAL, busy timeout) as they do under `make run`.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(Path(tempfile.mkdtemp(prefix="tce-test-db-")) / "tce.sqlite3")
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    # A statement that waits a minute for a row or table lock fails, naming what it waited on,
    # instead of holding the suite until CI's limit (a test's threads, or the live server's, can
    # otherwise wait on a lock that the test itself will never release).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c lock_timeout=60000"  # noqa: F405
# Sealing is on only in the tests that set a throwaway key (tests/reports/pdfs/test_seal.py), never
# because a developer's environment has one. (No passphrase is a setting, not a secret.)
PDF_SEAL_KEY = PDF_SEAL_CERT = ""
PDF_SEAL_KEY_PASSWORD = ""  # nosec B105
SECURE_SSL_REDIRECT = False
PRIVATE_ROOT = tempfile.mkdtemp(prefix="tce-test-private-")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "tce_portal.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": PRIVATE_ROOT},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "microsite": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "microsite",
    },
    "microsite-local": LOCAL_PAGES_CACHE,  # noqa: F405
}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# The live server used by browser tests speaks plain HTTP.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# Serve static files straight from the app and project folders: no collectstatic in tests.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
