"""Care task reminders: one per due date, at the right moment, held in quiet hours."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant, ServiceCall
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.pawcontrol.const import CONF_DOGS, DOMAIN

from .conftest import dog_options
from .helpers import restarted, setup_entry
from .test_care_tasks import add_task, items, todo

BERLIN = ZoneInfo("Europe/Berlin")


def listen(hass: HomeAssistant) -> list[tuple[str, str]]:
    """Register notify.pixel; return the titles and messages it gets."""
    received: list[tuple[str, str]] = []

    async def handle(call: ServiceCall) -> None:
        received.append((call.data["title"], call.data["message"]))

    hass.services.async_register("notify", "pixel", handle)
    return received


@pytest.fixture
def received(hass: HomeAssistant) -> list[tuple[str, str]]:
    """Return what notify.pixel got."""
    return listen(hass)


def _entry(
    entry_options: dict[str, Any], quiet: tuple[str, str] | None = None
) -> MockConfigEntry:
    """Return an entry with Buddy, no walk reminder, messages to notify.pixel."""
    options = entry_options | {
        CONF_DOGS: [dog_options(walk_interval_hours=0)],
        "notify_services": ["notify.pixel"],
    }
    if quiet:
        options |= {"quiet_hours_start": quiet[0], "quiet_hours_end": quiet[1]}
    return MockConfigEntry(domain=DOMAIN, options=options)


async def _at(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, when: datetime
) -> None:
    """Move the clock to ``when`` and let the timers due by then run."""
    freezer.move_to(when)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


def _berlin(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    """Return a moment in Berlin in 2026."""
    return datetime(2026, month, day, hour, minute, tzinfo=BERLIN)


@pytest.fixture
async def entry(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, entry_options: dict[str, Any]
) -> MockConfigEntry:
    """Set PawControl up in Berlin."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    entry = _entry(entry_options)
    await setup_entry(hass, entry)
    return entry


async def test_a_due_day_reminds_once_at_nine(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry: MockConfigEntry,
    received: list[tuple[str, str]],
) -> None:
    """A task due on a day is reminded at 09:00 that day, once, also after a reload."""
    await add_task(hass, summary="Wormer", kind="deworming", due_date="2026-11-04")
    await _at(hass, freezer, _berlin(4, 8, 59))
    assert received == []
    await _at(hass, freezer, _berlin(4, 9))
    assert received == [
        ("Care task for Buddy", "Deworming: Wormer, due on 2026-11-04."),
    ]
    await todo(hass, "update_item", item="Wormer", rename="Wormer tablet")
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    await _at(hass, freezer, _berlin(5, 9))
    assert len(received) == 1
    # Still open the next days: the list shows it overdue, no more messages.
    assert (await items(hass))[0]["status"] == "needs_action"


async def test_a_due_moment_reminds_at_that_moment(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry: MockConfigEntry,
    received: list[tuple[str, str]],
) -> None:
    """A task due at a time is reminded then, with the local time in the message."""
    await todo(hass, "add_item", item="Vet visit", due_datetime="2026-11-03 16:45:00")
    await _at(hass, freezer, _berlin(3, 16, 44))
    assert received == []
    await _at(hass, freezer, _berlin(3, 16, 45))
    assert received == [
        ("Care task for Buddy", "Other: Vet visit, due on 2026-11-03 16:45.")
    ]


async def test_each_due_date_of_a_repeating_task_reminds_once(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry: MockConfigEntry,
    received: list[tuple[str, str]],
) -> None:
    """Done and due again: the next due date gets its own reminder."""
    await add_task(
        hass,
        summary="Heart pill",
        kind="medication",
        due_date="2026-11-03",
        repeat_every=2,
        repeat_unit="days",
    )
    await _at(hass, freezer, _berlin(3, 9))
    await todo(hass, "update_item", item="Heart pill", status="completed")
    await _at(hass, freezer, _berlin(5, 9))
    await _at(hass, freezer, _berlin(5, 12))
    assert [message for _, message in received] == [
        "Medication: Heart pill, due on 2026-11-03.",
        "Medication: Heart pill, due on 2026-11-05.",
    ]


async def test_an_overdue_task_reminds_at_once_and_a_done_one_never(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry: MockConfigEntry,
    received: list[tuple[str, str]],
) -> None:
    """A task added when it is already due is reminded now; one done early is not."""
    await add_task(
        hass, summary="Rabies booster", kind="vaccination", due_date="2026-10-01"
    )
    await hass.async_block_till_done()
    assert received == [
        ("Care task for Buddy", "Vaccination: Rabies booster, due on 2026-10-01.")
    ]
    await add_task(hass, summary="Nail trim", kind="grooming", due_date="2026-11-04")
    await add_task(hass, summary="Old note", due_date="2026-11-04")
    await todo(hass, "update_item", item="Nail trim", status="completed")
    await todo(hass, "remove_item", item="Old note")
    await _at(hass, freezer, _berlin(4, 10))
    assert len(received) == 1


async def test_a_reminder_is_not_sent_again_after_a_restart(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry: MockConfigEntry,
    received: list[tuple[str, str]],
) -> None:
    """The reminded due date is stored with the task; a restart sends nothing new."""
    await add_task(hass, summary="Wormer", kind="deworming", due_date="2026-11-03")
    await add_task(hass, summary="Bath", kind="grooming", due_date="2026-11-05")
    await _at(hass, freezer, _berlin(3, 9, 30))
    assert len(received) == 1
    messages: list[list[tuple[str, str]]] = []

    def prepare(second: HomeAssistant) -> None:
        messages.append(listen(second))

    async with restarted(hass, entry, prepare) as (second, _entry, _events):
        await second.config.async_update(time_zone="Europe/Berlin")
        await second.async_block_till_done()
        assert messages[0] == []
        # The other task still gets its own reminder after the restart.
        await _at(second, freezer, _berlin(5, 9))
        assert messages[0] == [
            ("Care task for Buddy", "Grooming: Bath, due on 2026-11-05.")
        ]


async def test_quiet_hours_hold_a_reminder_and_drop_it_when_done(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry_options: dict[str, Any],
    received: list[tuple[str, str]],
) -> None:
    """At night the reminder waits for the end of quiet hours, unless it was done."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    entry = _entry(entry_options, quiet=("22:00:00", "07:00:00"))
    await setup_entry(hass, entry)
    # German from here on: the reminders are German.
    hass.config.language = "de"
    await add_task(
        hass,
        summary="Ohrentropfen",
        kind="medication",
        due_datetime="2026-11-02 23:00:00",
    )
    await add_task(
        hass, summary="Tablette", kind="medication", due_datetime="2026-11-03 05:00:00"
    )
    notifications = entry.runtime_data.notifications
    await _at(hass, freezer, _berlin(2, 23))
    await _at(hass, freezer, _berlin(3, 5))
    assert notifications.held == 2
    assert received == []
    await todo(hass, "update_item", item="Tablette", status="completed")
    await hass.async_block_till_done()
    assert notifications.held == 1
    await _at(hass, freezer, _berlin(3, 7, 0))
    assert received == [
        (
            "Pflegeaufgabe für Buddy",
            "Medikament: Ohrentropfen, fällig am 2026-11-02 23:00.",
        )
    ]


async def test_without_targets_a_reminder_is_a_notification_that_goes_when_done(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry_options: dict[str, Any],
    hass_ws_client: WebSocketGenerator,
) -> None:
    """No target got it: a persistent notification, dismissed when the task is done."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    options = entry_options | {CONF_DOGS: [dog_options(walk_interval_hours=0)]}
    await setup_entry(hass, MockConfigEntry(domain=DOMAIN, options=options))
    uid = await add_task(
        hass, summary="Wormer", kind="deworming", due_date="2026-11-02"
    )
    await hass.async_block_till_done()
    client = await hass_ws_client(hass)

    async def shown() -> list[tuple[str, str, str]]:
        await client.send_json_auto_id({"type": "persistent_notification/get"})
        result = (await client.receive_json())["result"]
        return [(n["notification_id"], n["title"], n["message"]) for n in result]

    assert await shown() == [
        (
            f"pawcontrol_task_{uid}",
            "Care task for Buddy",
            "Deworming: Wormer, due on 2026-11-02.",
        )
    ]
    await todo(hass, "update_item", item=uid, status="completed")
    await hass.async_block_till_done()
    assert await shown() == []
