"""Escape alerts: a dog that leaves home while nobody walks it.

Every departure of a dog (its first fix outside the home zone and its safe
zones after one inside, see ``place.py``) fires ``pawcontrol_dog_left_home``.
It counts as an escape when no walk is in progress and, if the household's
people are named for the dog, all of them are home; without named people,
only when automatic walks are off (with them on, leaving home is a walk).
With the dog's escape alert on, an escape sends an emergency message (it goes
out during quiet hours) with "Walk started" and "I have the dog" on the
companion apps, repeated until one of them is tapped, a walk starts or the
dog is back; no automatic walk starts for it. The state is stored, so an
alert continues after a restart without starting again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Final

from homeassistant.components.zone import ENTITY_ID_HOME
from homeassistant.const import STATE_HOME
from homeassistant.core import (
    CALLBACK_TYPE,
    Event,
    EventStateChangedData,
    HassJob,
    HomeAssistant,
    callback,
)
from homeassistant.helpers.event import (
    async_track_point_in_utc_time,
    async_track_state_change_event,
)
from homeassistant.util import dt as dt_util

from ..care.follow import fix_from_state
from ..care.manager import CareError, CareManager
from ..care.walks import Fix
from ..const import DOMAIN, LOGGER
from ..data import DogConfig, PawControlConfigEntry
from ..notifications import NotificationManager
from ..resilience.storage import DebouncedSave, PawControlStore
from .actions import EscapeAction, parse_action
from .message import async_alert
from .outing import Outing, stored_place
from .place import Place, PlaceTracker

EVENT_DOG_LEFT_HOME: Final = "pawcontrol_dog_left_home"
EVENT_MOBILE_APP_ACTION: Final = "mobile_app_notification_action"
STORAGE_KEY: Final = f"{DOMAIN}.escape"
STORAGE_VERSION: Final = 1
SAVE_DELAY: Final = 1.0


@dataclass(slots=True)
class DogWatch:
    """Where one dog is and its time away."""

    tracker: PlaceTracker = field(default_factory=PlaceTracker)
    outing: Outing | None = None
    unsub_repeat: CALLBACK_TYPE | None = None


def tag(dog_id: str) -> str:
    """Return the notification tag of a dog's escape alert."""
    return f"{DOMAIN}_escape_{dog_id}"


class EscapeManager:
    """Notice the dogs' departures and alert when one is an escape."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: PawControlConfigEntry,
        care: CareManager,
        notifications: NotificationManager,
    ) -> None:
        """Remember what to watch; async_start reads the stored state."""
        self._hass = hass
        self._entry = entry
        self._dogs: dict[str, DogConfig] = entry.runtime_data.dogs
        self._care = care
        self._notifications = notifications
        self._store: PawControlStore[dict[str, Any]] = PawControlStore(
            hass, STORAGE_VERSION, STORAGE_KEY, private=True
        )
        self._saver = DebouncedSave(hass, self._store, self._stored, SAVE_DELAY)
        self._watch = {dog_id: DogWatch() for dog_id in self._dogs}
        self._unsubs: list[CALLBACK_TYPE] = []
        self._seeded = False

    async def async_start(self) -> None:
        """Read the stored state, follow walks and actions, resume alerts."""
        await self._async_load()
        self._unsubs.append(self._care.async_add_every_listener(self._on_care))
        self._unsubs.append(
            self._hass.bus.async_listen(EVENT_MOBILE_APP_ACTION, self._on_action)
        )
        # Options applied without a reload end with a coordinator update.
        coordinator = self._entry.runtime_data.coordinator
        self._unsubs.append(coordinator.async_add_listener(self._on_settings))
        self._on_care(None)
        for dog_id, watch in self._watch.items():
            if watch.outing is not None and watch.outing.alerting:
                self._schedule_repeat(self._dogs[dog_id], watch.outing)
        if self._hass.states.get(ENTITY_ID_HOME) is None:
            # The zones may start after PawControl: seed once the home zone exists.
            self._unsubs.append(
                async_track_state_change_event(
                    self._hass, ENTITY_ID_HOME, self._on_home_zone
                )
            )
        else:
            self._seed()

    @callback
    def _on_home_zone(self, _event: Event[EventStateChangedData]) -> None:
        """Seed the dogs' places when the home zone first appears."""
        if not self._seeded:
            self._seed()

    @callback
    def _seed(self) -> None:
        """Count each tracker's current fix: where the dogs are as PawControl starts."""
        self._seeded = True
        for dog in self._dogs.values():
            state = self._hass.states.get(dog.gps_source) if dog.gps_source else None
            if state is None:
                continue
            fix = fix_from_state(dict(state.attributes), state.last_updated)
            if fix is not None:
                self.handle_fix(dog, fix)

    async def async_shutdown(self) -> None:
        """Stop the timers and listeners; store the state."""
        while self._unsubs:
            self._unsubs.pop()()
        for watch in self._watch.values():
            self._cancel_repeat(watch)
        await self._saver.async_flush()

    def escaped(self, dog_id: str) -> bool:
        """Return whether the dog is away on an escape its alert is on for."""
        outing = self._watch[dog_id].outing
        return (
            outing is not None and outing.escape and self._dogs[dog_id].escape.enabled
        )

    # State ---------------------------------------------------------------------

    async def _async_load(self) -> None:
        """Read where each dog was and its time away."""
        raw = await self._store.async_load_or_reset()
        dogs = raw.get("dogs") if isinstance(raw, dict) else None
        if raw is not None and not isinstance(dogs, dict):
            self._store.report_reset("not an escape state")
        now = dt_util.utcnow()
        for dog_id, watch in self._watch.items():
            stored = dogs.get(dog_id) if isinstance(dogs, dict) else None
            stored = stored if isinstance(stored, dict) else {}
            watch.tracker.place = stored_place(stored.get("place"))
            watch.outing = Outing.from_stored(stored.get("outing"), now)
            if watch.outing is not None and not self._dogs[dog_id].escape.enabled:
                watch.outing.alerting = False  # turned off since

    def _stored(self) -> dict[str, Any]:
        """Return the stored form: a place word and the outing, no location."""
        return {
            "dogs": {
                dog_id: {
                    "place": watch.tracker.place,
                    "outing": None if watch.outing is None else watch.outing.stored(),
                }
                for dog_id, watch in self._watch.items()
            }
        }

    # Fixes -----------------------------------------------------------------------

    @callback
    def handle_fix(self, dog: DogConfig, fix: Fix) -> bool:
        """Count a fix; return whether it must not start an automatic walk."""
        watch = self._watch.get(dog.dog_id)
        if watch is None:
            return False
        was = watch.tracker.place
        place = watch.tracker.update(self._hass, dog, fix)
        if place is Place.INSIDE and watch.outing is not None:
            self._stop_alert(dog.dog_id, watch)
            watch.outing = None
        elif place is Place.OUTSIDE and was is Place.INSIDE and watch.outing is None:
            self._left(dog, watch, fix.time)
        if place is not None and place is not was:
            self._saver.schedule()
        return self.escaped(dog.dog_id)

    def _people_home(self, dog: DogConfig) -> bool | None:
        """Return whether all the dog's people are home (None: none named exist)."""
        states = [s for p in dog.escape.people if (s := self._hass.states.get(p))]
        if not states:
            return None
        return all(state.state == STATE_HOME for state in states)

    @callback
    def _left(self, dog: DogConfig, watch: DogWatch, when: datetime) -> None:
        """Start the dog's time away; alert when it is an escape."""
        walking = dog.dog_id in self._care.walks
        people_home = self._people_home(dog)
        alone = not dog.care.auto_walk if people_home is None else people_home
        escape = not walking and alone
        watch.outing = Outing(when, escape, escape and dog.escape.enabled)
        self._hass.bus.async_fire(
            EVENT_DOG_LEFT_HOME,
            {
                "dog": dog.dog_id,
                "dog_name": dog.name,
                "left_at": when.isoformat(),
                "escape": escape,
            },
        )
        if watch.outing.alerting:
            self._send(dog, watch.outing)

    # The alert ---------------------------------------------------------------

    @callback
    def _send(self, dog: DogConfig, outing: Outing) -> None:
        """Send the alert now and again after the dog's repeat interval."""
        outing.sent = dt_util.utcnow()
        self._saver.schedule()
        self._entry.async_create_task(
            self._hass,
            async_alert(
                self._hass,
                self._notifications,
                entry_id=self._entry.entry_id,
                dog=dog,
                left=outing.left,
                tag=tag(dog.dog_id),
            ),
            f"{DOMAIN} escape alert",
            eager_start=False,
        )
        self._schedule_repeat(dog, outing)

    @callback
    def _schedule_repeat(self, dog: DogConfig, outing: Outing) -> None:
        """Send the alert again one repeat interval after it was last sent."""
        watch = self._watch[dog.dog_id]
        self._cancel_repeat(watch)
        last = outing.sent or dt_util.utcnow()
        when = last + timedelta(minutes=dog.escape.repeat_minutes)
        job = HassJob(partial(self._repeat, dog.dog_id), cancel_on_shutdown=True)
        watch.unsub_repeat = async_track_point_in_utc_time(self._hass, job, when)

    @callback
    def _repeat(self, dog_id: str, _now: datetime) -> None:
        """Send the alert again while it is not answered."""
        watch = self._watch[dog_id]
        watch.unsub_repeat = None
        if watch.outing is not None and watch.outing.alerting:
            self._send(self._dogs[dog_id], watch.outing)

    @staticmethod
    def _cancel_repeat(watch: DogWatch) -> None:
        """Forget the dog's next repeat."""
        if watch.unsub_repeat is not None:
            watch.unsub_repeat()
            watch.unsub_repeat = None

    @callback
    def _stop_alert(self, dog_id: str, watch: DogWatch) -> None:
        """End the dog's alert: no more repeats, its notification goes."""
        self._cancel_repeat(watch)
        self._saver.schedule()
        if watch.outing is None or not watch.outing.alerting:
            return
        watch.outing.alerting = False
        self._entry.async_create_task(
            self._hass,
            self._notifications.async_withdraw(tag(dog_id)),
            f"{DOMAIN} withdraw escape alert",
            eager_start=False,
        )

    @callback
    def _on_care(self, dog_id: str | None) -> None:
        """Stop the alert of a dog whose walk started."""
        for changed in self._watch if dog_id is None else (dog_id,):
            watch = self._watch.get(changed)
            if watch is None or watch.outing is None or not watch.outing.alerting:
                continue
            if changed in self._care.walks:
                self._stop_alert(changed, watch)

    @callback
    def _on_settings(self) -> None:
        """Stop the alerts of dogs whose escape alert was turned off."""
        for dog_id, watch in self._watch.items():
            if watch.outing is None or not watch.outing.alerting:
                continue
            if not self._dogs[dog_id].escape.enabled:
                self._stop_alert(dog_id, watch)

    @callback
    def _on_action(self, event: Event[dict[str, Any]]) -> None:
        """Start the walk from the time the dog left, or acknowledge the alert."""
        parsed = parse_action(event.data.get("action"), self._entry.entry_id)
        if parsed is None:
            return
        action, dog_id = parsed
        watch = self._watch.get(dog_id)
        if watch is None or watch.outing is None:
            LOGGER.debug("Escape action for %r without an alert; ignored", dog_id)
            return
        if action is EscapeAction.WALK:
            try:
                self._care.start_walk(dog_id, start=watch.outing.left)
            except CareError:
                LOGGER.debug("%s is already on a walk", dog_id)
        self._stop_alert(dog_id, watch)
