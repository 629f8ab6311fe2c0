"""The collar watch of an entry's dogs: not reporting, a low battery, charging.

A dog's collar reports through the device API (the status's ``updated_at``,
when the collar measured it) and through its GPS source (a change of the
tracker entity's data, ``last_updated``). The newest report of either counts:
once it is older than the dog's limit the collar is not reporting. A timer at
the report's time plus the limit turns the sensor on without any refresh;
each new report moves it. While the device API cannot be reached, nobody
knows whether the collar reports: the sensor keeps its state, and its
``reason`` says so; the dog's device connection sensor shows the outage.

A tracker writes its last state again when it or Home Assistant starts, so a
state that appears, comes back from unavailable or is written while Home
Assistant starts is no report. The newest report and the states that were
announced are stored, so after a restart the sensors are right at once and
nothing is announced again that did not change.

The battery is low below the dog's limit; it is low again only after it was
back at the limit plus a margin, or charging, so a battery at the limit does
not notify on every refresh.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any, Final

from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import (
    CALLBACK_TYPE,
    CoreState,
    Event,
    EventStateChangedData,
    HassJob,
    HomeAssistant,
    State,
    callback,
)
from homeassistant.helpers.event import (
    async_track_point_in_utc_time,
    async_track_state_change_event,
)
from homeassistant.util import dt as dt_util

from ..const import DOMAIN
from ..coordinator import DogData, PawControlCoordinator
from ..data import DogConfig, PawControlConfigEntry
from ..gps_manager import SOURCE_DEVICE_API
from ..notifications import NotificationManager
from ..resilience.listeners import KeyedListeners
from ..resilience.storage import DebouncedSave, PawControlStore
from .announce import Announcer
from .state import DogWatch, Report, battery_low, newer, not_reporting

STORAGE_KEY: Final = f"{DOMAIN}.collar_watch"
STORAGE_VERSION: Final = 1
SAVE_DELAY: Final = 10.0
ATTR_BATTERY_CHARGING: Final = "battery_charging"
_NO_DATA: Final = (STATE_UNAVAILABLE, STATE_UNKNOWN)


def report(at: datetime, source: str) -> Report:
    """Return a report in UTC, never later than now (a clock that runs ahead)."""
    return Report(min(dt_util.as_utc(at), dt_util.utcnow()), source)


def tracker_report(old: State | None, new: State | None) -> Report | None:
    """Return the report a tracker's state change is, if it is one."""
    if old is None or new is None or old.state in _NO_DATA or new.state in _NO_DATA:
        return None
    return report(new.last_updated, new.entity_id)


class CollarWatch:
    """Watch every dog's collar and tell when something needs the user."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: PawControlConfigEntry,
        coordinator: PawControlCoordinator,
        notifications: NotificationManager,
        *,
        has_api: bool,
    ) -> None:
        """Remember what to watch; async_start reads the stored state."""
        self._hass = hass
        self._dogs: dict[str, DogConfig] = coordinator.dogs
        self._coordinator = coordinator
        self._has_api = has_api
        self._announce = Announcer(hass, entry, notifications)
        self._store: PawControlStore[dict[str, Any]] = PawControlStore(
            hass, STORAGE_VERSION, STORAGE_KEY, private=True
        )
        self._saver = DebouncedSave(hass, self._store, self._stored, SAVE_DELAY)
        self._watch: dict[str, DogWatch] = {}
        self._listeners: KeyedListeners[str] = KeyedListeners()
        self._timers: dict[str, tuple[datetime, CALLBACK_TYPE]] = {}
        self._unsubs: list[CALLBACK_TYPE] = []

    def state(self, dog_id: str) -> DogWatch:
        """Return what the watch knows of a dog."""
        return self._watch[dog_id]

    @callback
    def async_add_listener(
        self, dog_id: str, listener: Callable[[], None]
    ) -> CALLBACK_TYPE:
        """Call ``listener`` when what the dog's watch entities show changed."""
        return self._listeners.add(dog_id, listener)

    @callback
    def async_add_every_listener(
        self, listener: Callable[[str | None], None]
    ) -> CALLBACK_TYPE:
        """Call ``listener`` with the dog whose watch changed."""
        return self._listeners.add_every(listener)

    async def async_start(self) -> None:
        """Read the stored state, then follow the refreshes and the trackers."""
        await self._async_load()
        sources: dict[str, list[str]] = {}
        for dog in self._dogs.values():
            if dog.gps_source:
                sources.setdefault(dog.gps_source, []).append(dog.dog_id)
        if sources:
            self._unsubs.append(
                async_track_state_change_event(
                    self._hass, list(sources), partial(self._on_tracker, sources)
                )
            )
        self._unsubs.append(self._coordinator.async_add_listener(self._on_refresh))
        for dog in self._dogs.values():
            self._start_dog(dog)

    async def async_shutdown(self) -> None:
        """Stop the timers and the listeners; store what the watch knows."""
        while self._unsubs:
            self._unsubs.pop()()
        for _, cancel in self._timers.values():
            cancel()
        self._timers.clear()
        await self._saver.async_flush()

    def diagnostics(self) -> dict[str, Any]:
        """Return each dog's watch: states and times, no position."""
        return {
            dog_id: {
                "not_reporting": watch.not_reporting,
                **watch.reporting_attributes(),
                "battery_low": watch.battery_low,
                "charging": watch.charging,
            }
            for dog_id, watch in self._watch.items()
        }

    # State ---------------------------------------------------------------------

    async def _async_load(self) -> None:
        """Read each dog's newest report and the states that were announced."""
        raw = await self._store.async_load_or_reset()
        dogs = raw.get("dogs") if isinstance(raw, dict) else None
        if raw is not None and not isinstance(dogs, dict):
            self._store.report_reset("not a collar watch state")
        now = dt_util.utcnow()
        for dog_id in self._dogs:
            stored = dogs.get(dog_id) if isinstance(dogs, dict) else None
            self._watch[dog_id] = DogWatch.from_stored(stored, now)

    def _stored(self) -> dict[str, Any]:
        """Return the stored form: the configured dogs only."""
        return {"dogs": {dog_id: w.stored() for dog_id, w in self._watch.items()}}

    @callback
    def _start_dog(self, dog: DogConfig) -> None:
        """Take the tracker's state as a report only when PawControl reloads."""
        state = self._hass.states.get(dog.gps_source) if dog.gps_source else None
        found = None
        # While Home Assistant starts, trackers write their last state again.
        if self._running and state is not None and state.state not in _NO_DATA:
            found = report(state.last_updated, state.entity_id)
        self._update(dog, found)

    @callback
    def _on_refresh(self) -> None:
        """Check every dog after a refresh; only a dog that changed is told."""
        for dog in self._dogs.values():
            self._update(dog, None)

    @callback
    def _on_tracker(
        self, sources: dict[str, list[str]], event: Event[EventStateChangedData]
    ) -> None:
        """Count a tracker's new data as a report of the dogs it follows."""
        if not self._running:
            return
        found = tracker_report(event.data["old_state"], event.data["new_state"])
        for dog_id in sources.get(event.data["entity_id"], ()):
            self._update(self._dogs[dog_id], found)

    @callback
    def _on_due(self, dog_id: str, _now: datetime) -> None:
        """Check the dog when its collar has been quiet for its limit."""
        self._timers.pop(dog_id, None)
        self._update(self._dogs[dog_id], None)

    @callback
    def _update(self, dog: DogConfig, found: Report | None) -> None:
        """Apply the dog's newest data; tell its entities and the user what changed."""
        watch = self._watch[dog.dog_id]
        shown, kept = watch.shown(), watch.kept()
        data = self._data(dog.dog_id)
        if data is not None and data.status is not None:
            found = newer(found, report(data.status.updated_at, SOURCE_DEVICE_API))
        watch.report = newer(watch.report, found)
        watch.unreachable = self._unreachable(data)
        self._check_reporting(dog, watch)
        self._check_battery(dog, watch, data)
        if watch.kept() != kept:
            self._saver.schedule()
        if watch.shown() != shown:
            self._listeners.notify(dog.dog_id)

    @property
    def _running(self) -> bool:
        """Return whether Home Assistant has started (trackers no longer restore)."""
        return self._hass.state is CoreState.running

    def _data(self, dog_id: str) -> DogData | None:
        """Return the dog's data of the last refresh."""
        data = self._coordinator.data
        return data.dogs.get(dog_id) if data is not None else None

    def _unreachable(self, data: DogData | None) -> bool:
        """Return whether the dog's last refresh could not reach the device API."""
        if not self._has_api:
            return False
        return (
            not self._coordinator.last_update_success
            or data is None
            or data.last_error is not None
        )

    @callback
    def _check_reporting(self, dog: DogConfig, watch: DogWatch) -> None:
        """Decide whether the collar is reporting; wake when it would stop."""
        now, limit = dt_util.utcnow(), dog.watch.not_reporting_after
        was = watch.not_reporting
        watch.not_reporting = not_reporting(
            watch.report, now, limit, unreachable=watch.unreachable, was=was
        )
        if watch.not_reporting is not was and (was is not None or watch.not_reporting):
            self._announce.reporting(dog, watch)
        due = None if watch.report is None else watch.report.at + limit
        self._arm(dog.dog_id, due if due is not None and due > now else None)

    @callback
    def _check_battery(
        self, dog: DogConfig, watch: DogWatch, data: DogData | None
    ) -> None:
        """Decide whether the battery is low and whether the collar is charging."""
        watch.battery = None if data is None else data.battery_level()
        watch.charging = self._charging(dog, data)
        was = watch.battery_low
        watch.battery_low = battery_low(
            watch.battery, watch.charging, dog.watch.battery_low_percent, was=was
        )
        if watch.battery_low is not was:
            self._announce.battery(dog, watch)

    def _charging(self, dog: DogConfig, data: DogData | None) -> bool | None:
        """Return whether the collar charges: the device API's word, else the tracker's."""
        status = None if data is None else data.status
        if status is not None and status.charging is not None:
            return status.charging
        state = self._hass.states.get(dog.gps_source) if dog.gps_source else None
        value = None if state is None else state.attributes.get(ATTR_BATTERY_CHARGING)
        return value if isinstance(value, bool) else None

    @callback
    def _arm(self, dog_id: str, when: datetime | None) -> None:
        """Check the dog at ``when`` (and only then); None cancels its timer."""
        current = self._timers.get(dog_id)
        if current is not None and current[0] == when:
            return
        if current is not None:
            current[1]()
            del self._timers[dog_id]
        if when is not None:
            job = HassJob(partial(self._on_due, dog_id), cancel_on_shutdown=True)
            cancel = async_track_point_in_utc_time(self._hass, job, when)
            self._timers[dog_id] = (when, cancel)
