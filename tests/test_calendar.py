"""The diary calendar as the calendar panel and automations read it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from http import HTTPStatus
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    CLIENT_ID,
    MockConfigEntry,
    MockUser,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.pawcontrol.const import CONF_DOGS, DOMAIN

from .conftest import dog_options
from .helpers import FAST, collar_reports, setup_entry

DIARY = "calendar.buddy_diary"
START = (52.52, 13.405)
# 0.0023 degrees of latitude are about 256 m; nine steps make 2.3 km.
STEP = 0.0023

type Fetch = Callable[..., Awaitable[list[dict[str, Any]]]]


@pytest.fixture
def entry_options(entry_options: dict[str, Any]) -> dict[str, Any]:
    """Buddy follows device_tracker.buddy_collar; refresh every 15 s."""
    return entry_options | FAST


@pytest.fixture(autouse=True)
async def berlin(hass: HomeAssistant) -> None:
    """Show local times in Berlin (UTC+1 in winter)."""
    await hass.config.async_set_time_zone("Europe/Berlin")


async def _call(hass: HomeAssistant, service: str, **data: Any) -> None:
    """Call a PawControl care action."""
    await hass.services.async_call(
        DOMAIN, service, {"dog": "buddy", **data}, blocking=True
    )


def _collar(hass: HomeAssistant, latitude: float, longitude: float) -> None:
    """Let Buddy's collar report an accurate fix now."""
    hass.states.async_set(
        "device_tracker.buddy_collar",
        "not_home",
        {"latitude": latitude, "longitude": longitude, "gps_accuracy": 8},
    )


async def _walk(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, steps: int, minutes: int = 5
) -> None:
    """Walk Buddy north: start, one step every few minutes, end."""
    await _call(hass, "start_walk")
    _collar(hass, *START)
    for step in range(1, steps + 1):
        freezer.tick(timedelta(minutes=minutes))
        _collar(hass, START[0] + step * STEP, START[1])
        await hass.async_block_till_done()
    await _call(hass, "end_walk")


async def _move_to(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, moment: str
) -> None:
    """Let time pass until ``moment`` and run what was due."""
    freezer.move_to(moment)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


@pytest.fixture
async def fetch(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, hass_admin_user: MockUser
) -> Fetch:
    """Return a function that fetches events as the calendar panel does."""
    refresh_token = await hass.auth.async_create_refresh_token(
        hass_admin_user, CLIENT_ID
    )

    async def _fetch(start: str, end: str, diary: str = DIARY) -> list[dict[str, Any]]:
        # A token of the frozen time: the fixture's own expired when time moved.
        client = await hass_client(hass.auth.async_create_access_token(refresh_token))
        response = await client.get(
            f"/api/calendars/{diary}", params={"start": start, "end": end}
        )
        assert response.status == HTTPStatus.OK
        events: list[dict[str, Any]] = await response.json()
        return events

    return _fetch


def _brief(events: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """Return summary, local start and local end of API events."""
    return [
        (e["summary"], e["start"]["dateTime"], e["end"]["dateTime"]) for e in events
    ]


async def _get_events(
    hass: HomeAssistant, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """Return the diary's events as the calendar.get_events action answers them."""
    response = await hass.services.async_call(
        "calendar",
        "get_events",
        {"entity_id": DIARY, "start_date_time": start, "end_date_time": end},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    events: list[dict[str, Any]] = response[DIARY]["events"]  # type: ignore[index]
    return events


async def test_walks_and_meals_in_the_calendar_panel(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    fetch: Fetch,
    init_integration: MockConfigEntry,
) -> None:
    """The panel gets each walk with distance and duration and each meal, by range."""
    freezer.move_to("2027-02-28T17:00:00+00:00")
    await _walk(
        hass, freezer, 4, minutes=5
    )  # Sunday evening: four steps of 256 m in 20 min
    freezer.move_to("2027-03-01T06:30:00+00:00")
    await _call(hass, "log_feeding", amount_g=200, meal="breakfast")
    freezer.move_to("2027-03-01T07:00:00+00:00")
    await _walk(hass, freezer, 9, minutes=5)  # Monday morning: 2.3 km in 45 min

    monday = await fetch("2027-03-01T00:00:00+01:00", "2027-03-02T00:00:00+01:00")
    assert _brief(monday) == [
        ("Breakfast: 200 g", "2027-03-01T07:30:00+01:00", "2027-03-01T07:45:00+01:00"),
        ("Walk: 2.3 km, 45 min", "2027-03-01T08:00:00+01:00", "2027-03-01T08:45:00+01:00"),
    ]  # fmt: skip
    assert [e["uid"] for e in monday] == [
        "buddy-meal-20270301T063000000000Z",
        "buddy-walk-20270301T070000000000Z",
    ]
    assert all(e["location"] is None and e["description"] is None for e in monday)
    assert "13.4" not in str(monday)  # no position, not even in the uid

    both_days = await fetch("2027-02-28T00:00:00+01:00", "2027-03-02T00:00:00+01:00")
    assert [e["summary"] for e in both_days] == [
        "Walk: 1.0 km, 20 min",
        "Breakfast: 200 g",
        "Walk: 2.3 km, 45 min",
    ]
    # Events that only touch the range stay out; a meal's slot still overlaps.
    assert await fetch("2027-03-01T08:45:00+01:00", "2027-03-01T12:00:00+01:00") == []
    assert _brief(
        await fetch("2027-03-01T07:40:00+01:00", "2027-03-01T08:00:00+01:00")
    ) == [("Breakfast: 200 g", "2027-03-01T07:30:00+01:00", "2027-03-01T07:45:00+01:00")]  # fmt: skip
    assert await fetch("2027-02-27T00:00:00+01:00", "2027-02-28T18:00:00+01:00") == []


async def test_on_during_a_walk_and_a_meal(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
) -> None:
    """The state is on while a walk or a meal's slot lasts; attributes show it."""
    freezer.move_to("2027-03-01T07:00:10+00:00")
    state = hass.states.get(DIARY)
    assert state is not None
    assert state.state == "off"
    assert "message" not in state.attributes
    assert state.attributes["friendly_name"] == "Buddy Diary"

    await _call(hass, "start_walk")
    state = hass.states.get(DIARY)
    assert state is not None
    assert state.state == "on"
    assert state.attributes["message"] == "Walk in progress: 0.0 km, 0 min"
    assert state.attributes["start_time"] == "2027-03-01 08:00:10"
    assert state.attributes["end_time"] == "2027-03-01 08:01:00"

    # The event ends each minute; the calendar then writes itself again.
    await _move_to(hass, freezer, "2027-03-01T07:01:05+00:00")
    state = hass.states.get(DIARY)
    assert state is not None
    assert state.state == "on"
    assert state.attributes["message"] == "Walk in progress: 0.0 km, 1 min"
    assert state.attributes["end_time"] == "2027-03-01 08:02:00"
    await _move_to(hass, freezer, "2027-03-01T08:05:40+00:00")
    state = hass.states.get(DIARY)
    assert state is not None
    assert state.attributes["message"] == "Walk in progress: 0.0 km, 1 h 6 min"

    await _call(hass, "end_walk")
    state = hass.states.get(DIARY)
    assert state is not None
    assert state.state == "off"
    assert state.attributes["message"] == "Walk: 0.0 km, 1 h 6 min"
    assert state.attributes["end_time"] == "2027-03-01 09:05:40"

    await _call(hass, "log_feeding", amount_g=50, meal="snack")
    state = hass.states.get(DIARY)
    assert state is not None
    assert state.state == "on"
    assert state.attributes["message"] == "Snack: 50 g"
    await _move_to(hass, freezer, "2027-03-01T08:20:40+00:00")
    state = hass.states.get(DIARY)
    assert state is not None
    assert state.state == "off"
    assert state.attributes["message"] == "Snack: 50 g"


async def test_walk_in_progress_keeps_its_uid_and_meals_at_once_stay_apart(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    fetch: Fetch,
    init_integration: MockConfigEntry,
) -> None:
    """The walk in progress is an event whose uid it keeps; meals at once stay apart."""
    freezer.move_to("2027-03-01T17:00:00+00:00")
    await asyncio.gather(
        *(_call(hass, "log_feeding", amount_g=100, meal="dinner") for _ in range(3))
    )
    freezer.tick(timedelta(minutes=1))
    await _call(hass, "start_walk")
    _collar(hass, *START)
    freezer.tick(timedelta(minutes=5))
    _collar(hass, START[0] + STEP, START[1])
    await hass.async_block_till_done()
    evening = ("2027-03-01T17:00:00+01:00", "2027-03-01T20:00:00+01:00")

    during = await fetch(*evening)
    expected = [
        ("Dinner: 100 g", "2027-03-01T18:00:00+01:00", "2027-03-01T18:15:00+01:00"),
        ("Dinner: 100 g", "2027-03-01T18:00:00+01:00", "2027-03-01T18:15:00+01:00"),
        ("Dinner: 100 g", "2027-03-01T18:00:00+01:00", "2027-03-01T18:15:00+01:00"),
        ("Walk in progress: 0.3 km, 5 min", "2027-03-01T18:01:00+01:00", "2027-03-01T18:07:00+01:00"),
    ]  # fmt: skip
    assert _brief(during) == expected
    assert await fetch("2027-03-01T08:00:00+01:00", "2027-03-01T12:00:00+01:00") == []
    # The calendar.get_events action (for automations) lists the same events.
    action = await _get_events(
        hass, dt_util.now() - timedelta(hours=1), dt_util.now() + timedelta(hours=1)
    )
    assert [(e["summary"], e["start"], e["end"]) for e in action] == expected
    meal_uids = {e["uid"] for e in during[:3]}
    assert meal_uids == {
        "buddy-meal-20270301T170000000000Z",
        "buddy-meal-20270301T170000000000Z-1",
        "buddy-meal-20270301T170000000000Z-2",
    }

    await _call(hass, "end_walk")
    after = await fetch(*evening)
    assert _brief(after)[3] == (
        "Walk: 0.3 km, 5 min",
        "2027-03-01T18:01:00+01:00",
        "2027-03-01T18:06:00+01:00",
    )
    assert after[3]["uid"] == during[3]["uid"] == "buddy-walk-20270301T170100000000Z"
    assert {e["uid"] for e in after[:3]} == meal_uids


async def test_automatic_walk_says_so(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry_options: dict[str, Any],
) -> None:
    """A walk that started by leaving home says so in its description."""
    freezer.move_to("2027-03-01T07:00:00+00:00")
    home = (hass.config.latitude, hass.config.longitude)
    _collar(hass, *home)
    auto = dog_options(gps_source="device_tracker.buddy_collar", auto_walk=True)
    await setup_entry(
        hass,
        MockConfigEntry(domain=DOMAIN, options=entry_options | {CONF_DOGS: [auto]}),
    )
    for latitude in (home[0] + 3 * STEP, home[0]):
        freezer.tick(timedelta(minutes=10))
        _collar(hass, latitude, home[1])
        await hass.async_block_till_done()

    events = await _get_events(hass, dt_util.now() - timedelta(hours=1), dt_util.now())
    assert [(e["summary"], e["description"]) for e in events] == [
        ("Walk: 0.8 km, 10 min", "Started automatically on leaving the home zone.")
    ]


async def test_german_wording(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    fetch: Fetch,
    mock_config_entry: MockConfigEntry,
) -> None:
    """With Home Assistant in German, the diary speaks German, decimal comma included."""
    hass.config.language = "de"
    collar_reports(hass)
    await setup_entry(hass, mock_config_entry)
    diary = "calendar.buddy_tagebuch"
    freezer.move_to("2027-03-01T06:30:00+00:00")
    await _call(hass, "log_feeding", amount_g=200, meal="breakfast")
    freezer.move_to("2027-03-01T07:00:00+00:00")
    await _walk(hass, freezer, 9, minutes=5)
    freezer.move_to("2027-03-01T16:00:00+00:00")
    await _walk(hass, freezer, 1, minutes=65)

    state = hass.states.get(diary)
    assert state is not None
    assert state.attributes["friendly_name"] == "Buddy Tagebuch"
    assert state.attributes["message"] == "Spaziergang: 0,3 km, 1 Std. 5 Min."
    events = await fetch(
        "2027-03-01T00:00:00+01:00", "2027-03-02T00:00:00+01:00", diary
    )
    assert [e["summary"] for e in events] == [
        "Frühstück: 200 g",
        "Spaziergang: 2,3 km, 45 Min.",
        "Spaziergang: 0,3 km, 1 Std. 5 Min.",
    ]
