import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tce_portal.settings")

# A server without its secret refuses to start, rather than answer every request with an error.
if not settings.HAS_SECRET_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY (it is required unless DEBUG=true).")

application = get_wsgi_application()
