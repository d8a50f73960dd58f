"""Working days: weekends off, plus the dates in `SERVICE_HALL_HOLIDAYS` (public holidays, ISO dates).

A time limit of n working days ends at midnight after the n-th working day following the day of the
event (a question asked on a Friday with a 2-day limit is due by the end of Tuesday).
Make-up working weekends (调休) are listed in `SERVICE_HALL_WORKDAYS`.
"""

import datetime

from django.conf import settings
from django.utils import timezone


def _dates(name):
    return {datetime.date.fromisoformat(str(day)) for day in getattr(settings, name, ())}


def is_working_day(day: datetime.date) -> bool:
    if day in _dates("SERVICE_HALL_WORKDAYS"):
        return True
    return day.weekday() < 5 and day not in _dates("SERVICE_HALL_HOLIDAYS")


def add_working_days(day: datetime.date, count: int) -> datetime.date:
    """The `count`-th working day after `day`."""
    while count > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def deadline(moment: datetime.datetime, count: int) -> datetime.datetime:
    """The end (local midnight) of the `count`-th working day after the day of `moment`."""
    last = add_working_days(timezone.localtime(moment).date(), count)
    end = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min)
    return timezone.make_aware(end)


def working_days_between(start: datetime.datetime, end: datetime.datetime) -> int:
    """Working days from the day after `start` up to and including the day of `end` (0 the same day)."""
    day, last, count = timezone.localtime(start).date(), timezone.localtime(end).date(), 0
    while day < last:
        day += datetime.timedelta(days=1)
        count += is_working_day(day)
    return count
