"""Reading an uploaded file in the background, so that a long one shows its progress
(``views.review`` polls) instead of holding the request."""

import datetime
import logging

from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from ..models import PendingImport
from . import mapping, readers
from .document import ImportRefused

logger = logging.getLogger(__name__)


QUEUE_TIMEOUT = datetime.timedelta(minutes=5)


def queue_reading(pk: int) -> bool:
    """Queue the reading of a pending import once, however often its page is asked for: the
    request whose conditional UPDATE claims it queues it (again after ``QUEUE_TIMEOUT``, should
    the worker have lost it)."""
    now = timezone.now()
    claimed = (
        PendingImport.objects.filter(pk=pk, state=PendingImport.State.WAITING)
        .filter(Q(queued_at__isnull=True) | Q(queued_at__lt=now - QUEUE_TIMEOUT))
        .update(queued_at=now)
    )
    if claimed:
        read_pending_import.enqueue(pk)
    return bool(claimed)


@task()
def read_pending_import(pk: int) -> str:
    pending = PendingImport.objects.filter(pk=pk).first()
    if pending is None:
        return "gone"
    PendingImport.objects.filter(pk=pk).update(state=PendingImport.State.READING)
    try:
        document = readers.read(pending.read(), pending.original_name)
        mapping.require_structure(mapping.propose(document))
    except ImportRefused as refused:
        PendingImport.objects.filter(pk=pk).update(
            state=PendingImport.State.REFUSED, refusal=str(refused)
        )
        return "refused"
    except Exception:
        logger.exception("Could not read the import %s", pk)
        PendingImport.objects.filter(pk=pk).update(
            state=PendingImport.State.REFUSED,
            refusal="The portal could not read this file. Try saving it again as .docx or PDF.",
        )
        raise
    PendingImport.objects.filter(pk=pk).update(
        state=PendingImport.State.READ, reading=document.to_dict()
    )
    return "read"
