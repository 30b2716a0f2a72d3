"""Work done once a response has been sent.

WSGI servers call a response's ``close()`` after its last byte (Django's test client does too).
A response made with ``then=`` runs that callable there, and ``after_sent`` gives the same to a
response already made (a view's page, kept in the public pages' cache once sent): the visitor has
their answer first, so slow or revealing work (queueing a PDF render with the immediate task back
end, sending an e-mail, writing a page to the cache) neither delays the page nor shows in how long
it took.
"""

import functools
import logging

from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse

logger = logging.getLogger(__name__)


def _logged(work):
    try:
        work()
    except Exception:
        logger.exception("Could not do the work due after a response")


def after_sent(response, work) -> None:
    """Run ``work`` once ``response`` has been sent (with Django's own closers, which its
    ``close()`` calls before ``request_finished``)."""
    response._resource_closers.append(functools.partial(_logged, work))


class AfterResponse:
    """Mix into a response class: ``then`` runs once the response has been sent."""

    def __init__(self, *args, then=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._then = then

    def close(self):
        then, self._then = self._then, None
        try:
            if then is not None:
                _logged(then)
        finally:
            super().close()


class RedirectThen(AfterResponse, HttpResponseRedirect):
    pass


class TemplateResponseThen(AfterResponse, TemplateResponse):
    pass
