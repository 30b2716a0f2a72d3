"""gunicorn's settings for the portal: ``gunicorn -c gunicorn.conf.py tce_portal.wsgi``.

The access log names the path without its query string: a sign-off link's token travels in the
query string (``?sesame=...``) and must never be written to a log. (The link's page redeems the
token and redirects at once to an address without it.)
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
accesslog = "-"
# %(U)s is the path alone; the default's %(r)s is the whole request line, query string included.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'


def post_worker_init(worker):
    """Once a worker has loaded the portal, its objects (Django, the URL conf, the models...) are
    moved out of the garbage collector's sight (``gc.freeze``): a full collection then walks only
    what requests have made since, instead of pausing a request for the whole of the portal
    (tens of milliseconds, now and then, on any page)."""
    import gc

    gc.freeze()
