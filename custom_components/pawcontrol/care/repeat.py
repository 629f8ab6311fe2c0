"""When a repeating care task is due next.

The next due date counts from the due date, so a task done a little early
or late keeps its rhythm (a monthly pill stays on the 1st). A task overdue
by more than one period counts from the day it was done instead: a
vaccination due in March and given in September is next due a year after
September, not in March. Months keep the day of the month the task was set
to: the 31st falls on the last day of a shorter month and is the 31st again
after it. A due moment keeps its time of day in Home Assistant's time zone.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta

from homeassistant.util import dt as dt_util

from .task_models import CareTask, Due, Repeat


def add_months(day: date, months: int, month_day: int) -> date:
    """Return ``day`` moved by ``months``, on ``month_day`` or the month's last day."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(month_day, last))


def advance(day: date, repeat: Repeat, month_day: int) -> date:
    """Return the day one period after ``day``."""
    if repeat.unit == "days":
        return day + timedelta(days=repeat.every)
    if repeat.unit == "weeks":
        return day + timedelta(weeks=repeat.every)
    return add_months(day, repeat.every, month_day)


def local_day(due: Due) -> date:
    """Return the local day of a due date or moment."""
    if isinstance(due, datetime):
        return dt_util.as_local(due).date()
    return due


def next_due(task: CareTask, repeat: Repeat, done: datetime) -> tuple[Due, int]:
    """Return a repeating task's next due date and the month day it keeps."""
    done_day = dt_util.as_local(done).date()
    if task.due is None:
        start, month_day = done_day, done_day.day
    else:
        start = local_day(task.due)
        month_day = task.month_day or start.day
    following = advance(start, repeat, month_day)
    if following < done_day:
        # Overdue by more than one period: the rhythm starts again from today.
        month_day = done_day.day
        following = advance(done_day, repeat, month_day)
    if not isinstance(task.due, datetime):
        return following, month_day
    at = dt_util.as_local(task.due).time().replace(tzinfo=None)
    zone = dt_util.get_default_time_zone()
    return datetime.combine(following, at, tzinfo=zone), month_day
