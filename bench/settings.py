"""Settings for the benchmark only: the portal's own settings with a URLconf that adds the
baseline views (``bench/urls.py``). Select with ``DJANGO_SETTINGS_MODULE=bench.settings``."""

from tce_portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
