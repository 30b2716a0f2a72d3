"""When the local area is asked to sign off by: a number of working days (Monday to Friday; bank
holidays are not known to the portal) after the report is sent."""

import datetime

from django.conf import settings


def working_days_after(day: datetime.date, days: int) -> datetime.date:
    """The date ``days`` working days after ``day`` (Saturdays and Sundays do not count)."""
    while days > 0:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def working_days_before(day: datetime.date, days: int) -> datetime.date:
    while days > 0:
        day -= datetime.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def default_signoff_due(today: datetime.date) -> datetime.date:
    return working_days_after(today, settings.SIGNOFF_DUE_WORKING_DAYS)
