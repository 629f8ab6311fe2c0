"""Walk and feeding reminders: when they are due, and one notification each time.

A walk is due once the dog's walk interval (hours; 0 turns it off) has passed
since its last walk ended, and never during a walk. A dog without any walk
counts from when PawControl first saw it; that moment is stored, so a restart
does not start the count again.

Feeding is due from a feeding time (local time in Home Assistant's time zone)
until a meal is logged in that time's window. The window opens an hour before
the feeding time, or halfway from the previous feeding time when that is later,
so one meal never counts for two feeding times while a meal given a little
early still counts. The most recent feeding time stays the one that counts
until the next one: a dinner that was missed keeps the dog hungry overnight,
not only until midnight. Feeding times before PawControl first saw the dog are
never due.

Each due period is named by the moment it counts from (the end of the last
walk, the feeding time) and is notified once: the name is stored when the
reminder goes out, so neither a reload nor a restart sends it again, and only
a walk or the next feeding time starts a new period. Quiet hours hold a
reminder back like any message; one that is satisfied before they end is
withdrawn. Mobile app targets get "Walk started" and "Fed" actions; their
``mobile_app_notification_action`` events start the walk or log the default
portion.

An action answers the reminder last sent for that dog, once: the meal it logs
names the feeding time it answered, and another "Fed" for the same reminder
(a second phone, the same event again) is ignored; "Walk started" changes
nothing once a walk began after the reminder's period. When no target got a
reminder, its persistent notification has one id per dog and kind, so a new
one replaces the old, and it is dismissed once the dog was walked or fed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Any, Final

from homeassistant.core import CALLBACK_TYPE, Event, HassJob, HomeAssistant, callback
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.util import dt as dt_util

from ..const import DOMAIN, LOGGER
from ..data import DogConfig, PawControlConfigEntry
from ..notifications import (
    MAX_ACTION_ID,
    Message,
    NotificationAction,
    NotificationManager,
)
from ..resilience.listeners import KeyedListeners
from ..resilience.storage import DebouncedSave, PawControlStore
from ..texts import async_text
from .manager import CareError, CareManager
from .meals import meal_for
from .models import CLOCK_SKEW

EVENT_MOBILE_APP_ACTION: Final = "mobile_app_notification_action"
FEEDING_EARLY: Final = timedelta(hours=1)
STORAGE_KEY: Final = f"{DOMAIN}.reminders"
STORAGE_VERSION: Final = 1
SAVE_DELAY: Final = 1.0
ACTION_PREFIX: Final = "PAWCONTROL_"


class Reminder(StrEnum):
    """What a dog may need."""

    WALK = "walk"
    FEEDING = "feeding"


# The word in an action id, and the translation of the action's button.
ACTION_KINDS: Final = {Reminder.WALK: "WALK", Reminder.FEEDING: "FED"}
ACTION_TITLES: Final = {
    Reminder.WALK: "reminder_action_walk",
    Reminder.FEEDING: "reminder_action_fed",
}


@dataclass(frozen=True, slots=True)
class Status:
    """Where one reminder of one dog stands."""

    due: bool
    # The moment the due period counts from; it names the period.
    period: datetime | None = None
    # When the reminder may turn on next without any care change.
    next_change: datetime | None = None


def walk_status(
    care: CareManager, dog: DogConfig, since: datetime, now: datetime
) -> Status:
    """Return whether the dog needs a walk, and when it will."""
    interval = dog.care.walk_interval_hours
    if interval <= 0 or dog.dog_id in care.walks:
        return Status(False)
    last = care.last_walk(dog.dog_id)
    start = last.end if last is not None else since
    due = start + timedelta(hours=interval)
    return Status(True, start) if now >= due else Status(False, next_change=due)


def feeding_slots(times: tuple[time, ...], now: datetime) -> list[datetime]:
    """Return the feeding times of yesterday, today and tomorrow, in UTC."""
    local = dt_util.as_local(now)
    days = (local.date() + timedelta(days=offset) for offset in (-1, 0, 1))
    return sorted(
        dt_util.as_utc(datetime.combine(day, at, local.tzinfo))
        for day in days
        for at in times
    )


def feeding_status(
    care: CareManager, dog: DogConfig, since: datetime, now: datetime
) -> Status:
    """Return whether the dog needs feeding, and when the next feeding time is."""
    if not dog.care.feeding_times:
        return Status(False)
    slots = feeding_slots(dog.care.feeding_times, now)
    past = [slot for slot in slots if slot <= now]
    upcoming = next(slot for slot in slots if slot > now)
    current = past[-1]
    if current < since:
        return Status(False, next_change=upcoming)
    previous = past[-2] if len(past) > 1 else current - timedelta(days=1)
    opens = max(current - FEEDING_EARLY, previous + (current - previous) / 2)
    # A meal stored with a time far ahead (a clock that ran fast) does not count.
    last = care.last_feeding(dog.dog_id, before=now + CLOCK_SKEW)
    if last is not None and last.time >= opens:
        return Status(False, next_change=upcoming)
    return Status(True, current, upcoming)


STATUS_FNS: Final = {Reminder.WALK: walk_status, Reminder.FEEDING: feeding_status}


def action_id(reminder: Reminder, entry_id: str, dog_id: str) -> str | None:
    """Return the id of a reminder's action, or None when it would be too long."""
    action = f"{ACTION_PREFIX}{ACTION_KINDS[reminder]}_{entry_id}_{dog_id}"
    return action if len(action) <= MAX_ACTION_ID else None


def parse_action(action: object, entry_id: str) -> tuple[Reminder, str] | None:
    """Return the reminder and dog id an action id names for this entry."""
    if not isinstance(action, str) or len(action) > MAX_ACTION_ID:
        return None
    for reminder, kind in ACTION_KINDS.items():
        prefix = f"{ACTION_PREFIX}{kind}_{entry_id}_"
        if action.startswith(prefix):
            return reminder, action[len(prefix) :]
    return None


def _stored_time(raw: object, now: datetime) -> datetime | None:
    """Return a stored aware time not after now, or None."""
    if not isinstance(raw, str) or len(raw) > 40:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        return None
    if value.tzinfo is None or value > now:
        return None
    return value


def _tag(reminder: Reminder, dog_id: str) -> str:
    """Return the notification tag of a dog's reminder."""
    return f"{DOMAIN}_{reminder}_{dog_id}"


class ReminderManager:
    """Keep the reminders of an entry's dogs current and send them once."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: PawControlConfigEntry,
        dogs: dict[str, DogConfig],
        care: CareManager,
        notifications: NotificationManager,
    ) -> None:
        """Remember what to watch; async_start reads the stored state."""
        self._hass = hass
        self._entry = entry
        self._dogs = dogs
        self._care = care
        self._notifications = notifications
        self._store: PawControlStore[dict[str, Any]] = PawControlStore(
            hass, STORAGE_VERSION, STORAGE_KEY, private=True
        )
        self._saver = DebouncedSave(hass, self._store, self._stored, SAVE_DELAY)
        self._since: dict[str, datetime] = {}
        self._sent: dict[str, dict[Reminder, datetime]] = {}
        self._status: dict[tuple[str, Reminder], Status] = {}
        self._listeners: KeyedListeners[str] = KeyedListeners()
        # When each dog's reminders may next change (None: not by time alone).
        self._next_change: dict[str, datetime | None] = {}
        self._unsubs: list[CALLBACK_TYPE] = []
        self._job = HassJob(self._at_next_change, cancel_on_shutdown=True)
        self._unsub_timer: CALLBACK_TYPE | None = None
        self._timer_at: datetime | None = None

    async def async_start(self) -> None:
        """Read what was sent, then follow the care records and the actions."""
        await self._async_load()
        self._unsubs.append(self._care.async_add_every_listener(self._evaluate))
        self._unsubs.append(
            self._hass.bus.async_listen(EVENT_MOBILE_APP_ACTION, self._on_action)
        )
        self._evaluate(None)

    async def async_shutdown(self) -> None:
        """Stop the timer and the listeners; store what was sent."""
        while self._unsubs:
            self._unsubs.pop()()
        self._schedule(None)
        await self._saver.async_flush()

    @callback
    def async_add_listener(
        self, dog_id: str, listener: Callable[[], None]
    ) -> CALLBACK_TYPE:
        """Call ``listener`` when a reminder turns on or off."""
        return self._listeners.add(dog_id, listener)

    def is_due(self, dog_id: str, reminder: Reminder) -> bool:
        """Return whether the dog's reminder is due."""
        status = self._status.get((dog_id, reminder))
        return status is not None and status.due

    # State ---------------------------------------------------------------------

    async def _async_load(self) -> None:
        """Read when each dog was first seen and which periods were notified."""
        raw = await self._store.async_load_or_reset()
        dogs = raw.get("dogs") if isinstance(raw, dict) else None
        if raw is not None and not isinstance(dogs, dict):
            self._store.report_reset("not a reminder state")
        now = dt_util.utcnow()
        for dog_id in self._dogs:
            stored = dogs.get(dog_id) if isinstance(dogs, dict) else None
            stored = stored if isinstance(stored, dict) else {}
            self._since[dog_id] = _stored_time(stored.get("since"), now) or now
            sent = stored.get("sent")
            self._sent[dog_id] = {
                reminder: moment
                for reminder in Reminder
                if isinstance(sent, dict)
                and (moment := _stored_time(sent.get(reminder), now)) is not None
            }
        self._schedule_save()

    def _stored(self) -> dict[str, Any]:
        """Return the stored form: the configured dogs only."""
        return {
            "dogs": {
                dog_id: {
                    "since": since.isoformat(),
                    "sent": {
                        str(reminder): moment.isoformat()
                        for reminder, moment in self._sent[dog_id].items()
                    },
                }
                for dog_id, since in self._since.items()
            }
        }

    @callback
    def _schedule_save(self) -> None:
        """Save soon; the data is built once, on the event loop, when it is written."""
        self._saver.schedule()

    @callback
    def async_settings_changed(self) -> None:
        """Recompute every reminder with the dogs' new walk intervals and feeding times."""
        self._evaluate(None)

    @callback
    def _evaluate(self, dog_id: str | None) -> None:
        """Recompute the dog's reminders (None: every dog's); wake at the next change."""
        now = dt_util.utcnow()
        dogs = self._dogs.values() if dog_id is None else (self._dogs[dog_id],)
        for dog in dogs:
            changed = False
            next_changes: list[datetime] = []
            for reminder, status_fn in STATUS_FNS.items():
                status = status_fn(self._care, dog, self._since[dog.dog_id], now)
                changed |= self._update(dog, reminder, status)
                if status.next_change is not None:
                    next_changes.append(status.next_change)
            self._next_change[dog.dog_id] = min(next_changes, default=None)
            if changed:
                self._listeners.notify(dog.dog_id)
        self._schedule(
            min(
                (when for when in self._next_change.values() if when is not None),
                default=None,
            )
        )

    @callback
    def _update(self, dog: DogConfig, reminder: Reminder, status: Status) -> bool:
        """Store a reminder's status and act on it; return whether it turned."""
        key = (dog.dog_id, reminder)
        was = self._status.get(key)
        self._status[key] = status
        sent = self._sent[dog.dog_id]
        if (
            status.due
            and status.period is not None
            and sent.get(reminder) != status.period
        ):
            sent[reminder] = status.period
            self._schedule_save()
            self._entry.async_create_task(
                self._hass,
                self._async_notify(dog, reminder, status.period),
                f"{DOMAIN} {reminder} reminder",
                eager_start=False,
            )
        elif not status.due and was is not None and was.due:
            self._entry.async_create_task(
                self._hass,
                self._notifications.async_withdraw(_tag(reminder, dog.dog_id)),
                f"{DOMAIN} withdraw {reminder} reminder",
                eager_start=False,
            )
        return was is None or was.due != status.due

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
    def _at_next_change(self, _now: datetime) -> None:
        """Recompute when a reminder may have come due."""
        self._unsub_timer = None
        self._timer_at = None
        self._evaluate(None)

    # Notifications and their actions --------------------------------------------

    async def _async_notify(
        self, dog: DogConfig, reminder: Reminder, period: datetime
    ) -> None:
        """Send a reminder in the user's language, actionable on mobile apps."""

        async def text(key: str, **placeholders: str) -> str:
            """Return a translated text with its placeholders filled."""
            return await async_text(
                self._hass,
                f"exceptions.{key}.message",
                key,
                dog_name=dog.name,
                **placeholders,
            )

        if reminder is Reminder.WALK:
            hours = f"{dog.care.walk_interval_hours:g}"
            body = await text("reminder_walk_message", hours=hours)
        else:
            at = dt_util.as_local(period).strftime("%H:%M")
            body = await text("reminder_feeding_message", time=at)
        actions: tuple[NotificationAction, ...] = ()
        if action := action_id(reminder, self._entry.entry_id, dog.dog_id):
            title = await text(ACTION_TITLES[reminder])
            actions = (NotificationAction(action, title),)
        await self._notifications.async_send(
            Message(
                await text(f"reminder_{reminder}_title"),
                body,
                actions=actions,
                tag=_tag(reminder, dog.dog_id),
            )
        )

    @callback
    def _on_action(self, event: Event[dict[str, Any]]) -> None:
        """Start the walk or log the default portion a notification action asks for."""
        action = event.data.get("action")
        parsed = parse_action(action, self._entry.entry_id)
        if parsed is None:
            if isinstance(action, str) and action.startswith(ACTION_PREFIX):
                LOGGER.debug("Ignored notification action %r", action[:MAX_ACTION_ID])
            return
        reminder, dog_id = parsed
        if (dog := self._dogs.get(dog_id)) is None:
            LOGGER.debug("Ignored notification action for unknown dog %r", dog_id)
            return
        period = self._sent[dog_id].get(reminder)
        if reminder is Reminder.FEEDING:
            self._answer_feeding(dog, period)
            return
        last = self._care.last_walk(dog_id)
        if period is not None and last is not None and last.end > period:
            LOGGER.debug("%s was walked since the reminder; ignored", dog_id)
            return
        try:
            self._care.start_walk(dog_id)
        except CareError:
            LOGGER.debug("%s is already on a walk; the action changes nothing", dog_id)

    @callback
    def _answer_feeding(self, dog: DogConfig, period: datetime | None) -> None:
        """Log the default portion for the feeding reminder, once per reminder."""
        portion, meal = dog.care.default_portion_g, meal_for(dog)
        if period is None:
            # No reminder on record (its state was reset): a plain meal.
            self._care.log_feeding(dog.dog_id, portion, meal)
            return
        self._care.answer_feeding(dog.dog_id, portion, meal, period)
