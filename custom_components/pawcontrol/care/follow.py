"""Feed walks with the dog's fixes, and start and end automatic walks.

Tracker entities are followed through their state changes, so every fix of a
walk counts, not only one per refresh; the device API's fixes arrive with each
coordinator refresh. With automatic walks on, a fix outside the home zone
starts a walk and the first fix back home ends it.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from homeassistant.components.zone import ENTITY_ID_HOME, in_zone
from homeassistant.const import ATTR_GPS_ACCURACY, ATTR_LATITUDE, ATTR_LONGITUDE
from homeassistant.core import (
    CALLBACK_TYPE,
    Event,
    EventStateChangedData,
    HomeAssistant,
    callback,
)
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.util import dt as dt_util

from ..coordinator import PawControlCoordinator
from ..data import DogConfig
from .manager import CareManager
from .models import CLOCK_SKEW
from .walks import Fix

if TYPE_CHECKING:
    from ..escape.manager import EscapeManager


def _coordinate(value: object) -> float | None:
    """Return a finite coordinate or None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if abs(value) <= 180 else None


def fix_from_state(attributes: dict[str, object], when: datetime) -> Fix | None:
    """Return the fix in a tracker entity's attributes, if it has one."""
    latitude = _coordinate(attributes.get(ATTR_LATITUDE))
    longitude = _coordinate(attributes.get(ATTR_LONGITUDE))
    if latitude is None or longitude is None or abs(latitude) > 90:
        return None
    accuracy = attributes.get(ATTR_GPS_ACCURACY)
    if isinstance(accuracy, bool) or not isinstance(accuracy, int | float):
        accuracy = None
    return Fix(latitude, longitude, None if accuracy is None else float(accuracy), when)


class WalkFollower:
    """Connect the dogs' location sources to their walks."""

    def __init__(
        self,
        hass: HomeAssistant,
        care: CareManager,
        coordinator: PawControlCoordinator,
        dogs: dict[str, DogConfig],
        escape: EscapeManager | None = None,
    ) -> None:
        """Remember what to follow; async_start subscribes."""
        self._escape = escape
        self._hass = hass
        self._care = care
        self._coordinator = coordinator
        self._dogs = dogs
        self._unsubs: list[CALLBACK_TYPE] = []

    @callback
    def async_start(self) -> None:
        """Follow every tracker entity and the coordinator's refreshes."""
        # Dog ids, not their settings: care options change while this runs.
        by_source: dict[str, list[str]] = {}
        for dog in self._dogs.values():
            if dog.gps_source:
                by_source.setdefault(dog.gps_source, []).append(dog.dog_id)
        if by_source:
            self._unsubs.append(
                async_track_state_change_event(
                    self._hass, list(by_source), self._on_tracker
                )
            )
        self._by_source = by_source
        self._unsubs.append(self._coordinator.async_add_listener(self._on_refresh))

    @callback
    def async_stop(self) -> None:
        """Stop following."""
        while self._unsubs:
            self._unsubs.pop()()

    @callback
    def _on_tracker(self, event: Event[EventStateChangedData]) -> None:
        """Count a tracker's new fix for the dogs that use it."""
        state = event.data["new_state"]
        if state is None:
            return
        fix = fix_from_state(dict(state.attributes), state.last_updated)
        if fix is None:
            return
        for dog_id in self._by_source.get(event.data["entity_id"], []):
            self.handle_fix(self._dogs[dog_id], fix)

    @callback
    def _on_refresh(self) -> None:
        """Count each dog's fresh fix of this refresh (device API or tracker)."""
        for dog_id, dog_data in self._coordinator.data.dogs.items():
            location = dog_data.location
            dog = self._dogs.get(dog_id)
            if dog is None or location is None or location.stale:
                continue
            fix = Fix(
                location.latitude,
                location.longitude,
                location.accuracy,
                location.updated_at,
            )
            self.handle_fix(dog, fix)

    @callback
    def handle_fix(self, dog: DogConfig, fix: Fix) -> None:
        """Start, feed or end the dog's walk with one fix."""
        if fix.time > dt_util.utcnow() + CLOCK_SKEW:
            # A source whose clock runs ahead: its fix would block every later one.
            return
        # An escape starts no automatic walk: the escape alert goes out instead.
        escaped = self._escape is not None and self._escape.handle_fix(dog, fix)
        limit = float(dog.gps_accuracy_limit)
        accurate = fix.accuracy is None or fix.accuracy <= limit
        home = self._hass.states.get(ENTITY_ID_HOME) if accurate else None
        at_home = home is not None and in_zone(home, fix.latitude, fix.longitude)
        walk = self._care.walks.get(dog.dog_id)
        if walk is None:
            if dog.care.auto_walk and home is not None and not at_home and not escaped:
                walk = self._care.start_walk(dog.dog_id, automatic=True, start=fix.time)
            else:
                return
        # A fix no newer than the last one (a cached one, the same fix from a
        # refresh) says nothing new about where the dog is.
        last = walk.last_fix
        news = fix.time >= walk.start and (last is None or fix.time > last.time)
        if news and home is not None and not at_home:
            walk.left_home = True
        self._care.add_fix(dog.dog_id, fix, limit)
        if news and dog.care.auto_walk and at_home and walk.left_home:
            self._care.end_walk(dog.dog_id)
