"""The day boundary: day figures reset at the real start of each local day.

Each scenario pins the clock before Home Assistant starts, so it passes at
whatever hour the suite runs. The next day start is found here by scanning the
zone's local dates (not by the code under test): on daylight saving days it is
the first moment of the new date, 01:00 where midnight does not exist.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import itertools
from typing import Any
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.pawcontrol.const import DOMAIN

from .helpers import setup_entry

COLLAR = "device_tracker.buddy_collar"
DISTANCE = "sensor.buddy_walk_distance_today"
START = (52.52, 13.405)
STEP = 0.001  # degrees of latitude, about 111 m


def _next_day_start(moment: datetime, zone: str) -> datetime:
    """Return the first moment (UTC, whole minutes) of the next local date."""
    tz = ZoneInfo(zone)
    today = moment.astimezone(tz).date()
    low = moment.replace(second=0, microsecond=0)
    high = low + timedelta(hours=30)
    while high - low > timedelta(minutes=1):
        middle = low + (high - low) / 2
        middle = middle.replace(second=0, microsecond=0)
        if middle.astimezone(tz).date() == today:
            low = middle
        else:
            high = middle
    return high


# (zone, start in UTC): ordinary days at several hours, and both changes of
# daylight saving time in a European zone, an American zone and one where the
# change happens at midnight (America/Santiago: no 00:00 on 2027-09-05, a
# repeated 23:00 hour on 2027-04-03).
SCENARIOS = [
    ("Europe/Berlin", "2026-12-07T00:30:00+00:00"),
    ("Europe/Berlin", "2026-12-07T07:59:00+00:00"),
    ("Europe/Berlin", "2026-12-07T12:00:00+00:00"),
    ("Europe/Berlin", "2026-12-07T21:30:00+00:00"),
    ("Europe/Berlin", "2027-03-28T00:30:00+00:00"),
    ("Europe/Berlin", "2027-03-27T22:30:00+00:00"),
    ("Europe/Berlin", "2027-10-31T00:59:00+00:00"),
    ("America/New_York", "2027-03-14T06:30:00+00:00"),
    ("America/New_York", "2027-11-07T05:30:00+00:00"),
    ("America/Santiago", "2027-09-05T02:30:00+00:00"),
    ("America/Santiago", "2027-04-04T01:30:00+00:00"),
]


def _collar(hass: HomeAssistant, step: int) -> None:
    """Let Buddy's collar report a fix ``step`` steps north of the start."""
    hass.states.async_set(
        COLLAR,
        "not_home",
        {"latitude": START[0] + step * STEP, "longitude": START[1], "gps_accuracy": 8},
    )


async def _at(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, when: datetime
) -> None:
    """Move the clock to ``when`` and run the timers due by then."""
    freezer.move_to(when)
    async_fire_time_changed(hass, when)
    await hass.async_block_till_done()


def _state(hass: HomeAssistant, entity_id: str) -> str:
    """Return an entity's state."""
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state.state


async def _call(hass: HomeAssistant, service: str, **data: Any) -> Any:
    """Call a care action for Buddy."""
    return await hass.services.async_call(
        DOMAIN,
        service,
        {"dog": "buddy", **data},
        blocking=True,
        return_response=service == "end_walk",
    )


@pytest.fixture
def distances(hass: HomeAssistant) -> list[float]:
    """Record every state the distance-today sensor takes."""
    seen: list[float] = []

    @callback
    def record(event: Event[EventStateChangedData]) -> None:
        new = event.data["new_state"]
        if new is not None and new.state not in ("unknown", "unavailable"):
            seen.append(float(new.state))

    async_track_state_change_event(hass, [DISTANCE], record)
    return seen


@pytest.mark.parametrize(
    ("zone", "start"),
    [
        pytest.param(zone, start, marks=pytest.mark.freeze_time(start))
        for zone, start in SCENARIOS
    ],
)
async def test_day_figures_reset_once_at_the_real_start_of_the_day(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry_options: dict[str, Any],
    distances: list[float],
    zone: str,
    start: str,
) -> None:
    """Meals, food, walks and distance go to 0 once, when the next local day starts.

    A walk in progress keeps going: what it covered before the day start
    belongs to yesterday, so distance today restarts at 0 and never goes down
    otherwise, also when the walk ends.
    """
    await hass.config.async_set_time_zone(zone)
    began = datetime.fromisoformat(start)
    day_start = _next_day_start(began, zone)
    _collar(hass, 0)
    await setup_entry(hass, MockConfigEntry(domain=DOMAIN, options=entry_options))
    await _call(hass, "log_feeding", amount_g=150, meal="dinner")
    await _call(hass, "start_walk")
    for minute in range(1, 4):
        await _at(hass, freezer, began + timedelta(minutes=minute))
        _collar(hass, minute)
        await hass.async_block_till_done()
    # Through the rest of the day (and any repeated hour): nothing resets.
    await _at(hass, freezer, day_start - timedelta(seconds=1))
    assert _state(hass, "sensor.buddy_meals_today") == "1"
    assert _state(hass, "sensor.buddy_food_today") == "150"
    before = float(_state(hass, DISTANCE))
    assert before == pytest.approx(222, abs=1)  # fixes 1 to 3

    await _at(hass, freezer, day_start)
    assert _state(hass, "sensor.buddy_meals_today") == "0"
    assert _state(hass, "sensor.buddy_food_today") == "0"
    assert _state(hass, "sensor.buddy_walks_today") == "0"
    assert _state(hass, DISTANCE) == "0"
    assert _state(hass, "binary_sensor.buddy_walk") == "on"

    for minute in range(1, 3):
        await _at(hass, freezer, day_start + timedelta(minutes=minute))
        _collar(hass, 3 + minute)
        await hass.async_block_till_done()
    assert float(_state(hass, DISTANCE)) == pytest.approx(222, abs=1)
    summary = await _call(hass, "end_walk")
    await hass.async_block_till_done()
    assert summary["distance_m"] == pytest.approx(444, abs=1)
    assert _state(hass, "sensor.buddy_walks_today") == "1"
    assert float(_state(hass, DISTANCE)) == summary["distance_m"] - before
    assert (
        float(_state(hass, "sensor.buddy_last_walk_distance"))
        == (summary["distance_m"])
    )
    # total_increasing: the only fall is the one to 0 at the day start.
    state = hass.states.get(DISTANCE)
    assert state is not None
    assert state.attributes["state_class"] == "total_increasing"
    falls = [(a, b) for a, b in itertools.pairwise(distances) if b < a]
    assert falls == [(before, 0.0)]

    # The new day lasts until the day after: one reset per day, not two.
    await _call(hass, "log_feeding", amount_g=80, meal="breakfast")
    next_start = _next_day_start(day_start + timedelta(minutes=5), zone)
    for hours in range(1, 30):
        moment = day_start + timedelta(hours=hours)
        if moment >= next_start:
            break
        await _at(hass, freezer, moment)
        assert _state(hass, "sensor.buddy_meals_today") == "1", moment
    await _at(hass, freezer, next_start)
    assert _state(hass, "sensor.buddy_meals_today") == "0"


@pytest.mark.freeze_time("2026-12-07T19:00:00+00:00")
async def test_a_new_time_zone_moves_the_day_start(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry_options: dict[str, Any],
) -> None:
    """After the user changes the time zone, the day ends at the new zone's midnight."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    _collar(hass, 0)
    await setup_entry(hass, MockConfigEntry(domain=DOMAIN, options=entry_options))
    await _call(hass, "log_feeding", amount_g=150, meal="dinner")
    # 14:00 in New York, the same afternoon there.
    await hass.config.async_update(time_zone="America/New_York")
    await hass.async_block_till_done()
    assert _state(hass, "sensor.buddy_meals_today") == "1"
    # Midnight in Berlin (23:00 UTC) is 18:00 in New York: still the same day.
    await _at(hass, freezer, datetime(2026, 12, 7, 23, 0, 30, tzinfo=UTC))
    assert _state(hass, "sensor.buddy_meals_today") == "1"
    await _at(hass, freezer, datetime(2026, 12, 8, 4, 59, 59, tzinfo=UTC))
    assert _state(hass, "sensor.buddy_meals_today") == "1"
    await _at(hass, freezer, datetime(2026, 12, 8, 5, 0, 0, tzinfo=UTC))
    assert _state(hass, "sensor.buddy_meals_today") == "0"
    assert dt_util.now().tzinfo == ZoneInfo("America/New_York")
