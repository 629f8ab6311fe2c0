"""Whether a fix puts the dog at home (or in a safe zone), outside, or nowhere.

A fix says where the dog is only when it passes the walk filters: accurate
within the dog's limit, newer than the last one that counted, and no jump
faster than a dog runs. It lies outside only when its whole accuracy circle
is outside the home zone and the dog's safe zones; one that overlaps a zone's
edge says nothing. So a tracker's glitch (an inaccurate fix, a jump) is never
a departure.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from homeassistant.components.zone import ENTITY_ID_HOME, in_zone
from homeassistant.core import HomeAssistant, State

from ..care.walks import MAX_SPEED_M_S, Fix, haversine_m
from ..data import DogConfig


class Place(StrEnum):
    """Where a fix puts the dog."""

    INSIDE = "inside"
    OUTSIDE = "outside"


def plausible(fix: Fix, last: Fix | None, accuracy_limit: float) -> bool:
    """Return whether a fix is accurate, newer than ``last`` and no jump."""
    if fix.accuracy is not None and fix.accuracy > accuracy_limit:
        return False
    if last is None:
        return True
    seconds = (fix.time - last.time).total_seconds()
    if seconds <= 0:
        return False
    return haversine_m(last, fix) / seconds <= MAX_SPEED_M_S


def _zones(hass: HomeAssistant, dog: DogConfig) -> list[State]:
    """Return the home zone and the dog's safe zones that exist."""
    ids = (ENTITY_ID_HOME, *dog.escape.safe_zones)
    return [state for zone in ids if (state := hass.states.get(zone)) is not None]


@dataclass(slots=True)
class PlaceTracker:
    """The last fix of a dog that counted and where it put the dog."""

    place: Place | None = None
    # Kept in memory only: it is a location.
    last: Fix | None = None

    def update(self, hass: HomeAssistant, dog: DogConfig, fix: Fix) -> Place | None:
        """Count a fix; return where it puts the dog, or None when it says nothing."""
        if not plausible(fix, self.last, float(dog.gps_accuracy_limit)):
            return None
        zones = _zones(hass, dog)
        if not zones:
            return None  # without a home zone nothing is a departure
        self.last = fix
        lat, lon = fix.latitude, fix.longitude
        if any(in_zone(zone, lat, lon) for zone in zones):
            self.place = Place.INSIDE
        elif not any(in_zone(zone, lat, lon, fix.accuracy or 0) for zone in zones):
            self.place = Place.OUTSIDE
        else:
            return None
        return self.place
