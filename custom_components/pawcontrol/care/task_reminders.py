"""One reminder per due date of a care task, through PawControl's notifications.

A task with a due moment is reminded at that moment; one with a due day at
``DAY_REMINDER_TIME`` on that day (local time), not at midnight. The due
date whose reminder went out is stored on the task (``reminded``), so
neither a reload nor a restart sends it again; a new due date (an edit, the
next repeat) gets its own reminder. Quiet hours hold a reminder back like
any message, and one whose task is done, deleted or moved to another date
before it went out is withdrawn, as the walk and feeding reminders are.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Final

from homeassistant.core import CALLBACK_TYPE, HassJob, HomeAssistant, callback
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.util import dt as dt_util

from ..const import DOMAIN
from ..data import DogConfig, PawControlConfigEntry
from ..notifications import Message, NotificationManager
from ..texts import async_text
from .manager import CareManager
from .task_models import CareTask, Due
from .tasks import CareTasks

DAY_REMINDER_TIME: Final = time(9, 0)


def reminder_at(due: Due) -> datetime:
    """Return when the reminder of a due date or moment goes out, in UTC."""
    if isinstance(due, datetime):
        return dt_util.as_utc(due)
    zone = dt_util.get_default_time_zone()
    return dt_util.as_utc(datetime.combine(due, DAY_REMINDER_TIME, tzinfo=zone))


def _shown_due(due: Due) -> str:
    """Return a due date as the message shows it: a day, or a day and local time."""
    if isinstance(due, datetime):
        return dt_util.as_local(due).strftime("%Y-%m-%d %H:%M")
    return due.isoformat()


def task_tag(uid: str) -> str:
    """Return the notification tag of a task's reminder."""
    return f"{DOMAIN}_task_{uid}"


class TaskReminders:
    """Send the reminders of an entry's care tasks, once per due date."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: PawControlConfigEntry,
        dogs: dict[str, DogConfig],
        *,
        care: CareManager,
        tasks: CareTasks,
        notifications: NotificationManager,
    ) -> None:
        """Remember what to watch; async_start begins."""
        self._hass = hass
        self._entry = entry
        self._dogs = dogs
        self._care = care
        self._tasks = tasks
        self._notifications = notifications
        # Tasks whose reminder for their current due date went out, per dog.
        self._reminded: dict[str, set[str]] = {}
        self._next: dict[str, datetime | None] = {}
        self._unsub_listener: CALLBACK_TYPE = lambda: None
        self._unsub_timer: CALLBACK_TYPE | None = None
        self._timer_at: datetime | None = None
        self._job = HassJob(self._at_timer, cancel_on_shutdown=True)

    async def async_start(self) -> None:
        """Follow the care records; send what is due already."""
        self._unsub_listener = self._care.async_add_every_listener(self._evaluate)
        self._evaluate(None)

    async def async_shutdown(self) -> None:
        """Stop the listener and the timer."""
        self._unsub_listener()
        self._schedule(None)

    @callback
    def _evaluate(self, dog_id: str | None) -> None:
        """Send the dog's due reminders (None: every dog's); wake at the next one."""
        now = dt_util.utcnow()
        for dog in self._dogs.values() if dog_id is None else (self._dogs[dog_id],):
            self._next[dog.dog_id] = self._evaluate_dog(dog, now)
        self._schedule(min(filter(None, self._next.values()), default=None))

    @callback
    def _evaluate_dog(self, dog: DogConfig, now: datetime) -> datetime | None:
        """Send the dog's due reminders; return when its next one is due."""
        reminded: set[str] = set()
        due_now: list[tuple[CareTask, Due]] = []
        upcoming: list[datetime] = []
        for task in self._tasks.tasks(dog.dog_id):
            if not task.is_open or task.due is None:
                continue
            if task.reminded == task.due:
                reminded.add(task.uid)
            elif (at := reminder_at(task.due)) <= now:
                due_now.append((task, task.due))
                reminded.add(task.uid)
            else:
                upcoming.append(at)
        for uid in self._reminded.get(dog.dog_id, set()) - reminded:
            self._entry.async_create_task(
                self._hass,
                self._notifications.async_withdraw(task_tag(uid)),
                f"{DOMAIN} withdraw task reminder",
                eager_start=False,
            )
        self._reminded[dog.dog_id] = reminded
        for task, due in due_now:
            self._tasks.mark_reminded(dog.dog_id, task.uid, due)
            self._entry.async_create_task(
                self._hass,
                self._async_notify(dog, task, due),
                f"{DOMAIN} task reminder",
                eager_start=False,
            )
        return min(upcoming, default=None)

    @callback
    def _schedule(self, when: datetime | None) -> None:
        """Wake up at ``when`` (and only then); None cancels the timer."""
        if when == self._timer_at:
            return
        if self._unsub_timer is not None:
            self._unsub_timer()
            self._unsub_timer = None
        self._timer_at = when
        if when is not None:
            self._unsub_timer = async_track_point_in_utc_time(
                self._hass, self._job, when
            )

    @callback
    def _at_timer(self, _now: datetime) -> None:
        """Send the reminders that came due."""
        self._unsub_timer = None
        self._timer_at = None
        self._evaluate(None)

    async def _async_notify(self, dog: DogConfig, task: CareTask, due: Due) -> None:
        """Send a task's reminder in Home Assistant's language."""
        kind = await async_text(
            self._hass, f"selector.care_task_kind.options.{task.kind}", task.kind
        )
        title = await async_text(
            self._hass,
            "exceptions.task_due_title.message",
            "task_due_title",
            dog_name=dog.name,
        )
        body = await async_text(
            self._hass,
            "exceptions.task_due_message.message",
            "task_due_message",
            kind=kind,
            summary=task.summary,
            due=_shown_due(due),
        )
        await self._notifications.async_send(
            Message(title, body, tag=task_tag(task.uid))
        )
