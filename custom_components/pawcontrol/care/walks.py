"""A walk in progress: which fixes count, and how far the dog went.

Distance is the sum of great-circle (haversine) steps between accepted fixes.
A fix is dropped when it is less accurate than the dog's limit, not newer than
the last one, or would mean the dog moved faster than 50 km/h. The track is
kept in memory only (at most ``MAX_TRACK_POINTS``); what is stored is the walk's
start and distance, never a position.

A walk that goes on past the start of a local day splits its distance there:
what was walked before counts for the earlier day (``before_day_m``), the rest
for the day the walk is in now. Distances are rounded to whole metres once,
when the walk ends; the stored walk, its sensors, the event and the action's
answer all show that one number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
import math
from typing import Final

from .models import MAX_WALK_DISTANCE_M, ActiveWalkRecord, WalkRecord

EARTH_RADIUS_M: Final = 6_371_008.8
MAX_SPEED_M_S: Final = 50 / 3.6
MAX_TRACK_POINTS: Final = 2000


@dataclass(frozen=True, slots=True)
class Fix:
    """A position report of the dog."""

    latitude: float
    longitude: float
    accuracy: float | None
    time: datetime


def haversine_m(a: Fix, b: Fix) -> float:
    """Return the great-circle distance between two fixes in metres."""
    lat1, lat2 = math.radians(a.latitude), math.radians(b.latitude)
    dlat = lat2 - lat1
    dlon = math.radians(b.longitude - a.longitude)
    h = (
        math.sin(dlat / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


@dataclass(slots=True)
class ActiveWalk:
    """A walk in progress."""

    start: datetime
    automatic: bool = False
    distance_m: float = 0.0
    last_fix: Fix | None = None
    track: list[Fix] = field(default_factory=list)
    dropped: int = 0
    # Set once a fix lay outside the home zone: only then does coming home end it.
    left_home: bool = False
    # The start (UTC) of the local day the distance beyond before_day_m counts for.
    day_start: datetime | None = None
    before_day_m: float = 0.0

    def start_day(self, day_start: datetime) -> None:
        """Begin the day starting at ``day_start`` (UTC), unless it is already on.

        The distance walked so far counts for the days before.
        """
        if self.day_start is not None and day_start <= self.day_start:
            return
        if self.day_start is not None:
            self.before_day_m = self.distance_m
        self.day_start = day_start

    def add_fix(self, fix: Fix, accuracy_limit: float) -> bool:
        """Count a fix towards the walk; return False when it is dropped."""
        if self.last_fix is not None and fix.time == self.last_fix.time:
            return False  # the same fix again (tracker and refresh): not an error
        if not self._acceptable(fix, accuracy_limit):
            self.dropped += 1
            return False
        if self.last_fix is not None:
            step = haversine_m(self.last_fix, fix)
            self.distance_m = min(self.distance_m + step, MAX_WALK_DISTANCE_M)
        self.last_fix = fix
        if len(self.track) < MAX_TRACK_POINTS:
            self.track.append(fix)
        return True

    def _acceptable(self, fix: Fix, accuracy_limit: float) -> bool:
        """Return whether a fix is accurate, newer and physically possible."""
        if fix.accuracy is not None and fix.accuracy > accuracy_limit:
            return False
        if fix.time < self.start:
            return False
        last = self.last_fix
        if last is None:
            return True
        seconds = (fix.time - last.time).total_seconds()
        if seconds <= 0:
            return False
        return haversine_m(last, fix) / seconds <= MAX_SPEED_M_S

    def finish(self, end: datetime) -> WalkRecord:
        """Return the finished walk, its distances in whole metres."""
        distance = float(round(self.distance_m))
        before = min(float(round(self.before_day_m)), distance)
        return WalkRecord(
            self.start, max(end, self.start), distance, self.automatic, before
        )

    def stored(self) -> ActiveWalkRecord:
        """Return what survives a restart."""
        return ActiveWalkRecord(
            self.start,
            self.distance_m,
            self.automatic,
            self.left_home,
            self.day_start,
            self.before_day_m,
        )

    @classmethod
    def restore(cls, record: ActiveWalkRecord) -> ActiveWalk:
        """Continue a stored walk; its track starts again with the next fix."""
        return cls(
            record.start,
            record.automatic,
            record.distance_m,
            left_home=record.left_home,
            day_start=record.day_start,
            before_day_m=record.before_day_m,
        )
