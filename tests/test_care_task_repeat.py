"""Repeating care tasks: the next due date by days, weeks and months."""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.pawcontrol.const import CONF_DOGS, DOMAIN

from .conftest import dog_options
from .helpers import setup_entry
from .test_care_tasks import TODO, add_task, brief, items, todo


@pytest.fixture
async def loaded(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, entry_options: dict[str, Any]
) -> MockConfigEntry:
    """Set up Buddy (no GPS source, no device API) in Berlin's time zone."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    entry = MockConfigEntry(
        domain=DOMAIN, options=entry_options | {CONF_DOGS: [dog_options()]}
    )
    await setup_entry(hass, entry)
    return entry


@pytest.mark.parametrize(
    ("repeat", "due", "next_due"),
    [
        ({"repeat_every": 3, "repeat_unit": "days"}, "2026-11-05", "2026-11-08"),
        ({"repeat_every": 2, "repeat_unit": "weeks"}, "2026-11-05", "2026-11-19"),
        ({"repeat_every": 1, "repeat_unit": "months"}, "2026-11-05", "2026-12-05"),
        ({"repeat_every": 12, "repeat_unit": "months"}, "2026-11-05", "2027-11-05"),
        # A few days late keeps the rhythm: from the due date, not from today.
        ({"repeat_every": 1, "repeat_unit": "weeks"}, "2026-10-30", "2026-11-06"),
        # One whole period late: the next one is due today.
        ({"repeat_every": 1, "repeat_unit": "weeks"}, "2026-10-26", "2026-11-02"),
        # More than a period late: the next one counts from today.
        ({"repeat_every": 1, "repeat_unit": "weeks"}, "2026-10-25", "2026-11-09"),
        ({"repeat_every": 1, "repeat_unit": "months"}, "2026-08-31", "2026-12-02"),
    ],
)
async def test_a_repeating_task_comes_back_with_its_next_due_date(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    loaded: MockConfigEntry,
    repeat: dict[str, Any],
    due: str,
    next_due: str,
) -> None:
    """Ticking off a repeating task moves its due date on and leaves it open."""
    await add_task(hass, summary="Wormer", kind="deworming", due_date=due, **repeat)
    await todo(hass, "update_item", item="Wormer", status="completed")
    assert brief(await items(hass)) == [("Wormer", "needs_action", next_due)]
    assert hass.states.get(TODO).state == "1"


async def test_monthly_on_the_31st_keeps_the_31st(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, loaded: MockConfigEntry
) -> None:
    """Jan 31 + 1 month is Feb 28, and the month after that Mar 31 again."""
    await add_task(
        hass,
        summary="Flea drops",
        kind="medication",
        due_date="2027-01-31",
        repeat_every=1,
        repeat_unit="months",
    )
    dues = []
    for _ in range(4):
        await todo(hass, "update_item", item="Flea drops", status="completed")
        dues.append((await items(hass))[0]["due"])
    assert dues == ["2027-02-28", "2027-03-31", "2027-04-30", "2027-05-31"]


async def test_a_due_moment_keeps_its_local_time_across_daylight_saving(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, loaded: MockConfigEntry
) -> None:
    """A pill at 08:00 in March is due at 08:00 in April, summer time or not."""
    await add_task(
        hass,
        summary="Heart pill",
        kind="medication",
        due_datetime="2027-03-20 08:00:00",
        repeat_every=2,
        repeat_unit="weeks",
    )
    await todo(hass, "update_item", item="Heart pill", status="completed")
    assert brief(await items(hass)) == [
        ("Heart pill", "needs_action", "2027-04-03T08:00:00+02:00")
    ]


async def test_a_repeating_task_without_a_due_date_counts_from_the_day_done(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, loaded: MockConfigEntry
) -> None:
    """No due date: the next one is due a period after it was done."""
    await add_task(
        hass, summary="Bath", kind="grooming", repeat_every=6, repeat_unit="weeks"
    )
    assert brief(await items(hass)) == [("Bath", "needs_action", None)]
    await todo(hass, "update_item", item="Bath", status="completed")
    assert brief(await items(hass)) == [("Bath", "needs_action", "2026-12-14")]
