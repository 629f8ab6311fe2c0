"""Care tasks in a dog's diary: what was done, and what is due or overdue.

A task done is a short slot at the moment it was completed ("Done: Rabies
booster (Vaccination)"). An open task with a due date is an all-day event on
that day, or a slot at its due moment; once it is overdue it runs from its
due day to today, so the diary shows it every day until it is done.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Final

from homeassistant.components.calendar import CalendarEvent
from homeassistant.util import dt as dt_util

from .diary_time import span, stamp
from .repeat import local_day
from .task_models import CareTask, TaskDoneRecord

TASK_EVENT_DURATION: Final = timedelta(minutes=15)


def done_event(
    texts: Mapping[str, str],
    kinds: Mapping[str, str],
    dog_id: str,
    done: TaskDoneRecord,
) -> CalendarEvent:
    """Return a task done as a short event."""
    start, end = span(done.time, done.time + TASK_EVENT_DURATION)
    return CalendarEvent(
        start=start,
        end=end,
        summary=texts["diary_task_done"].format(
            summary=done.summary, kind=kinds.get(done.kind, done.kind)
        ),
        uid=f"{dog_id}-task-done-{stamp(done.time)}-{done.task}",
    )


def _is_overdue(due: date, now: datetime) -> bool:
    """Return whether a due moment has passed, or a due day has ended."""
    if isinstance(due, datetime):
        return due < now
    return due < dt_util.as_local(now).date()


def open_event(
    texts: Mapping[str, str],
    kinds: Mapping[str, str],
    dog_id: str,
    task: CareTask,
    now: datetime,
) -> CalendarEvent | None:
    """Return an open task on its due date, or from its due day to today."""
    if not task.is_open or task.due is None:
        return None
    kind = kinds.get(task.kind, task.kind)
    uid = f"{dog_id}-task-{task.uid}"
    if _is_overdue(task.due, now):
        today = dt_util.as_local(now).date()
        return CalendarEvent(
            start=local_day(task.due),
            end=today + timedelta(days=1),
            summary=texts["diary_task_overdue"].format(summary=task.summary, kind=kind),
            uid=uid,
        )
    summary = texts["diary_task_due"].format(summary=task.summary, kind=kind)
    if isinstance(task.due, datetime):
        start, end = span(task.due, task.due + TASK_EVENT_DURATION)
        return CalendarEvent(start=start, end=end, summary=summary, uid=uid)
    return CalendarEvent(
        start=task.due, end=task.due + timedelta(days=1), summary=summary, uid=uid
    )
