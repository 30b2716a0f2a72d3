"""Writes: each service is atomic, checks who may do it, and is what a view calls."""

from django.db import transaction

from . import workflow
from .completeness import problems


class ReportIncomplete(Exception):
    def __init__(self, problems):
        super().__init__("The report is not complete.")
        self.problems = problems


@transaction.atomic
def submit_for_signoff(*, report, actor, comment=""):
    """Send a complete draft to the local area for sign-off."""
    found = problems(report)
    if found:
        raise ReportIncomplete(found)
    return workflow.apply(report=report, name="submit", actor=actor, comment=comment)
