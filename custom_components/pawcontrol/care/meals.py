"""Which meal a feeding is when nobody said."""

from __future__ import annotations

from datetime import datetime, time

from homeassistant.util import dt as dt_util

from ..data import DogConfig

MINUTES_PER_DAY = 24 * 60
# Local times where one meal ends and the next begins, without feeding times.
_MEAL_BOUNDS = (
    (time(4, 0), "snack"),
    (time(10, 30), "breakfast"),
    (time(15, 0), "lunch"),
    (time(21, 0), "dinner"),
)


def meal_for(dog: DogConfig, now: datetime | None = None) -> str:
    """Return the meal of a feeding now: by the dog's feeding times, else the clock.

    With feeding times, the one nearest to now (on a 24-hour clock, so 00:30
    is nearer to 22:00 than to 07:00) names the meal: the first is
    breakfast, the last dinner, the second lunch, any other a snack (a single
    time is breakfast before noon, else dinner). Without, snack before 04:00,
    breakfast until 10:30, lunch until 15:00, dinner until 21:00, then snack.
    """
    local = dt_util.as_local(now or dt_util.utcnow())
    times = dog.care.feeding_times
    if len(times) == 1:
        return "breakfast" if local.time() < time(12, 0) else "dinner"
    if times:
        minutes = local.hour * 60 + local.minute

        def distance(index: int) -> int:
            """Return the minutes between now and a feeding time, across midnight."""
            apart = abs(times[index].hour * 60 + times[index].minute - minutes)
            return min(apart, MINUTES_PER_DAY - apart)

        nearest = min(range(len(times)), key=distance)
        if nearest == 0:
            return "breakfast"
        if nearest == len(times) - 1:
            return "dinner"
        return "lunch" if nearest == 1 else "snack"
    for bound, meal in _MEAL_BOUNDS:
        if local.time() < bound:
            return meal
    return "snack"
