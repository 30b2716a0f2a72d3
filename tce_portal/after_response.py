"""Work done once a response has been sent.

WSGI servers call a response's ``close()`` after its last byte (Django's test client does too).
A response made with ``then=`` runs that callable there: the visitor has their answer first, so
slow or revealing work (queueing a PDF render with the immediate task back end, sending an e-mail)
neither delays the page nor shows in how long it took.
"""

import logging

from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse

logger = logging.getLogger(__name__)


class AfterResponse:
    """Mix into a response class: ``then`` runs once the response has been sent."""

    def __init__(self, *args, then=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._then = then

    def close(self):
        then, self._then = self._then, None
        try:
            if then is not None:
                then()
        except Exception:
            logger.exception("Could not do the work due after a response")
        finally:
            super().close()


class RedirectThen(AfterResponse, HttpResponseRedirect):
    pass


class TemplateResponseThen(AfterResponse, TemplateResponse):
    pass
