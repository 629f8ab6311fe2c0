"""Care records, options and fixes read from stored or outside data."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from homeassistant.core import HomeAssistant
import pytest

from custom_components.pawcontrol.care.config import CareConfig
from custom_components.pawcontrol.care.follow import fix_from_state
from custom_components.pawcontrol.care.meals import meal_for
from custom_components.pawcontrol.care.models import (
    ActiveWalkRecord,
    FeedingRecord,
    InvalidRecordError,
    WalkRecord,
)
from custom_components.pawcontrol.care.walks import MAX_TRACK_POINTS, ActiveWalk, Fix
from custom_components.pawcontrol.data import DogConfig

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({}, CareConfig()),
        (
            {"default_portion_g": "x", "walk_interval_hours": 100, "auto_walk": "yes"},
            CareConfig(),
        ),
        (
            {"default_portion_g": True, "heat_caution_c": float("nan")},
            CareConfig(),
        ),
        (
            {"default_portion_g": 150, "walk_interval_hours": 0, "auto_walk": True},
            CareConfig(default_portion_g=150, walk_interval_hours=0, auto_walk=True),
        ),
        (
            {"feeding_times": ["18:00:00", "bad", 5, "07:30", "07:30:45"]},
            CareConfig(feeding_times=(time(7, 30), time(18, 0))),
        ),
        ({"feeding_times": "07:30"}, CareConfig()),
    ],
)
def test_care_options_fall_back_to_defaults(
    raw: dict[str, Any], expected: CareConfig
) -> None:
    """A missing, mistyped or out-of-range option is its default, never an error."""
    assert CareConfig.from_dict(raw) == expected


def _dog(*times: time) -> DogConfig:
    """Return Buddy with these feeding times."""
    return DogConfig(dog_id="buddy", name="Buddy", care=CareConfig(feeding_times=times))


@pytest.mark.parametrize(
    ("times", "clock", "meal"),
    [
        ((), time(1, 55), "snack"),
        ((), time(8, 0), "breakfast"),
        ((), time(12, 0), "lunch"),
        ((), time(18, 0), "dinner"),
        ((), time(22, 0), "snack"),
        ((time(8, 0),), time(9, 0), "breakfast"),
        ((time(8, 0),), time(19, 0), "dinner"),
        ((time(7, 0), time(12, 0), time(18, 0)), time(7, 10), "breakfast"),
        ((time(7, 0), time(12, 0), time(18, 0)), time(12, 20), "lunch"),
        ((time(7, 0), time(12, 0), time(18, 0)), time(17, 50), "dinner"),
        ((time(7, 0), time(12, 0), time(15, 0), time(19, 0)), time(15, 5), "snack"),
        # Across midnight: 00:30 is 2.5 h after 22:00 and 6.5 h before 07:00.
        ((time(7, 0), time(22, 0)), time(0, 30), "dinner"),
        ((time(7, 0), time(22, 0)), time(5, 0), "breakfast"),
    ],
)
async def test_meal_of_a_feeding(
    hass: HomeAssistant, times: tuple[time, ...], clock: time, meal: str
) -> None:
    """The feeding times, else the local clock, name the meal."""
    await hass.config.async_set_time_zone("UTC")
    now = datetime.combine(NOW.date(), clock, tzinfo=UTC)
    assert meal_for(_dog(*times), now) == meal


@pytest.mark.parametrize(
    "raw",
    [
        "walk",
        {"start": NOW.isoformat(), "end": (NOW - timedelta(1)).isoformat()},
        {"start": "2026-11-30T12:00:00", "end": NOW.isoformat(), "distance_m": 1},
        {"start": "x" * 41, "end": NOW.isoformat(), "distance_m": 1},
        {"start": NOW.isoformat(), "end": NOW.isoformat(), "distance_m": 1e9},
        {
            "start": NOW.isoformat(),
            "end": NOW.isoformat(),
            "distance_m": 1,
            "automatic": "no",
        },
    ],
)
def test_impossible_walks_are_not_read(raw: Any) -> None:
    """A stored walk must have zoned times, a sane length and distance."""
    with pytest.raises(InvalidRecordError):
        WalkRecord.from_dict(raw)


@pytest.mark.parametrize(
    "raw",
    [
        [],
        {"start": NOW.isoformat(), "distance_m": 10, "automatic": 1},
    ],
)
def test_impossible_walks_in_progress_are_not_read(raw: Any) -> None:
    """A stored walk in progress is validated like a walk."""
    with pytest.raises(InvalidRecordError):
        ActiveWalkRecord.from_dict(raw)


def test_fractional_grams_are_not_read() -> None:
    """Amounts are whole grams."""
    with pytest.raises(InvalidRecordError):
        FeedingRecord.from_dict(
            {"time": NOW.isoformat(), "amount_g": 12.5, "meal": "snack"}
        )


@pytest.mark.parametrize(
    "attributes",
    [
        {"longitude": 13.4},
        {"latitude": 95.0, "longitude": 13.4},
        {"latitude": True, "longitude": 13.4},
        {"latitude": 52.5, "longitude": 200.0},
    ],
)
def test_tracker_states_without_a_fix(attributes: dict[str, Any]) -> None:
    """Attributes of another integration are checked like user input."""
    assert fix_from_state(attributes, NOW) is None


def test_tracker_accuracy_that_is_not_a_number_is_unknown() -> None:
    """A broken gps_accuracy does not drop the fix; it is simply unknown."""
    fix = fix_from_state(
        {"latitude": 52.5, "longitude": 13.4, "gps_accuracy": "good"}, NOW
    )
    assert fix == Fix(52.5, 13.4, None, NOW)


def test_walk_keeps_a_bounded_track_and_ignores_repeats() -> None:
    """Old or repeated fixes are ignored; the track stops growing at its limit."""
    walk = ActiveWalk(NOW)
    assert not walk.add_fix(Fix(52.5, 13.4, 5, NOW - timedelta(seconds=1)), 100)
    assert walk.dropped == 1
    for second in range(MAX_TRACK_POINTS + 10):
        fix = Fix(52.5 + second * 1e-5, 13.4, 5, NOW + timedelta(seconds=second))
        assert walk.add_fix(fix, 100)
    assert not walk.add_fix(fix, 100)  # the same fix from the next refresh
    assert walk.dropped == 1
    assert len(walk.track) == MAX_TRACK_POINTS
    assert walk.distance_m == pytest.approx((MAX_TRACK_POINTS + 9) * 1.112, rel=1e-3)
