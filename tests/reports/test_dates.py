"""``long_date`` writes what ``date:"j F Y"`` writes, quicker."""

import datetime

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from reports.dates import long_date

UTC = datetime.UTC


@pytest.mark.parametrize(
    "value",
    [
        datetime.date(2024, 3, 3),
        datetime.datetime(2024, 6, 30, 23, 30, tzinfo=UTC),  # 1 July in London (summer time)
        datetime.datetime(2024, 12, 31, 23, 30, tzinfo=UTC),  # still 31 December in London
        datetime.datetime(2021, 1, 9, 8, 0),  # naive: as it is
        timezone.now(),
    ],
)
def test_a_date_is_written_as_the_template_filter_writes_it(value):
    expected = Template('{{ value|date:"j F Y" }}').render(Context({"value": value}))
    assert long_date(value) == expected


def test_summer_time_moves_a_late_evening_to_the_next_day():
    assert long_date(datetime.datetime(2024, 6, 30, 23, 30, tzinfo=UTC)) == "1 July 2024"


def test_no_date_is_written_as_nothing():
    assert long_date(None) == ""
    assert long_date("") == ""


def test_the_month_is_named_in_the_active_language():
    with translation.override("fr"):
        expected = Template('{{ value|date:"j F Y" }}').render(
            Context({"value": datetime.date(2024, 3, 3)})
        )
        assert long_date(datetime.date(2024, 3, 3)) == expected
