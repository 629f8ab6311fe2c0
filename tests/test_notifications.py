"""Notification channels behind their breakers, the fallback and quiet hours."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.pawcontrol.const import CONF_DOGS, DOMAIN
from custom_components.pawcontrol.notifications import Message, in_quiet_hours

from .conftest import dog_options
from .helpers import our_warnings, setup_entry
from .platforms import CollarSpeaker, async_setup_test_platforms


@pytest.fixture
async def speaker(hass: HomeAssistant) -> CollarSpeaker:
    """Set up the collar integration and return its notify entity."""
    return (await async_setup_test_platforms(hass)).speaker


@pytest.fixture
def sent(hass: HomeAssistant) -> list[dict[str, Any]]:
    """Register notify.pixel (works) and notify.broken (raises); return what pixel got."""
    received: list[dict[str, Any]] = []

    async def pixel(call: ServiceCall) -> None:
        received.append(dict(call.data))

    async def broken(call: ServiceCall) -> None:
        raise HomeAssistantError("push gateway down")

    hass.services.async_register("notify", "pixel", pixel)
    hass.services.async_register("notify", "broken", broken)
    return received


@pytest.fixture
def notify_entry(entry_options: dict[str, Any]) -> MockConfigEntry:
    """Return an entry with three notification channels."""
    return MockConfigEntry(
        domain=DOMAIN,
        options=entry_options
        | {
            CONF_DOGS: [dog_options()],
            "notify_services": ["notify.pixel", "notify.broken"],
            "notify_entities": ["notify.collar_speaker"],
            "quiet_hours_start": "22:00:00",
            "quiet_hours_end": "07:00:00",
        },
    )


async def _alert(hass: HomeAssistant, message: str, **extra: Any) -> dict[str, Any]:
    """Call emergency_alert and return its response."""
    response = await hass.services.async_call(
        DOMAIN,
        "emergency_alert",
        {"message": message, **extra},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    return dict(response)


async def _persistent(hass: HomeAssistant, ws: WebSocketGenerator) -> list[str]:
    """Return the messages of the persistent notifications."""
    client = await ws(hass)
    await client.send_json_auto_id({"type": "persistent_notification/get"})
    response = await client.receive_json()
    return [item["message"] for item in response["result"]]


async def test_failing_channel_is_skipped_after_three_failures(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    speaker: CollarSpeaker,
    sent: list[dict[str, Any]],
    notify_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A raising channel opens its breaker; the others and the fallback still deliver."""
    await setup_entry(hass, notify_entry)
    for number in range(1, 4):
        response = await _alert(hass, f"Alert {number}", dog="buddy")
        assert response == {
            "channels": {
                "notify.pixel": "delivered",
                "notify.broken": "failed",
                "notify.collar_speaker": "delivered",
            },
            "persistent_notification": True,
        }
    response = await _alert(hass, "Alert 4")
    assert response["channels"]["notify.broken"] == "skipped_open"
    assert [item["message"] for item in sent] == [
        "Alert 1",
        "Alert 2",
        "Alert 3",
        "Alert 4",
    ]
    assert sent[0]["title"] == "PawControl: Buddy (Critical)"
    assert speaker.messages[-1] == ("PawControl (Critical)", "Alert 4")
    assert await _persistent(hass, hass_ws_client) == [
        "Alert 1",
        "Alert 2",
        "Alert 3",
        "Alert 4",
    ]
    state = hass.states.get("binary_sensor.pawcontrol_notifications_broken")
    assert state.state == "on"
    warnings = our_warnings(caplog)
    assert warnings == [
        "Notification channel notify.broken is unavailable: "
        "HomeAssistantError: push gateway down",
        "Circuit breaker 'notification_broken' opened after 3 consecutive failures: "
        "HomeAssistantError: push gateway down",
    ]


async def test_fallback_when_nothing_delivered(
    hass: HomeAssistant,
    entry_options: dict[str, Any],
    sent: list[dict[str, Any]],
    hass_ws_client: WebSocketGenerator,
) -> None:
    """When no channel delivers, a persistent notification carries the message."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        options=entry_options
        | {CONF_DOGS: [dog_options()], "notify_services": ["notify.broken"]},
    )
    await setup_entry(hass, entry)
    notifications = entry.runtime_data.notifications
    result = await notifications.async_send(Message("PawControl", "Time for a walk"))
    assert result == {"notify.broken": "failed"}
    assert await _persistent(hass, hass_ws_client) == ["Time for a walk"]


async def test_quiet_hours_hold_back_non_critical(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    speaker: CollarSpeaker,
    sent: list[dict[str, Any]],
    notify_entry: MockConfigEntry,
) -> None:
    """Non-critical messages wait until quiet hours end; critical ones go out at once."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    freezer.move_to(datetime(2026, 11, 28, 23, 30, tzinfo=ZoneInfo("Europe/Berlin")))
    await setup_entry(hass, notify_entry)
    notifications = notify_entry.runtime_data.notifications
    assert await notifications.async_send(Message("PawControl", "Dinner time")) is None
    assert notifications.held == 1
    assert sent == []
    await notifications.async_send(
        Message("PawControl", "Buddy escaped", critical=True)
    )
    assert [item["message"] for item in sent] == ["Buddy escaped"]
    freezer.move_to(datetime(2026, 11, 29, 7, 0, 1, tzinfo=ZoneInfo("Europe/Berlin")))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert [item["message"] for item in sent] == ["Buddy escaped", "Dinner time"]
    assert notifications.held == 0


async def test_held_messages_survive_reload(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    sent: list[dict[str, Any]],
    entry_options: dict[str, Any],
) -> None:
    """A message held by quiet hours outlives a reload and goes out when they end."""
    await hass.config.async_set_time_zone("UTC")
    now = dt_util.utcnow()
    entry = MockConfigEntry(
        domain=DOMAIN,
        options=entry_options
        | {
            CONF_DOGS: [dog_options()],
            "notify_services": ["notify.pixel"],
            # Quiet from an hour ago until an hour from now.
            "quiet_hours_start": (now - timedelta(hours=1)).strftime("%H:%M:%S"),
            "quiet_hours_end": (now + timedelta(hours=1)).strftime("%H:%M:%S"),
        },
    )
    await setup_entry(hass, entry)
    await entry.runtime_data.notifications.async_send(Message("PawControl", "Nap over"))
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.runtime_data.notifications.held == 1
    assert sent == []
    freezer.tick(timedelta(hours=1, seconds=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert [item["message"] for item in sent] == ["Nap over"]


async def test_held_messages_after_restart_outside_quiet_hours(
    hass: HomeAssistant,
    sent: list[dict[str, Any]],
    entry_options: dict[str, Any],
    hass_storage: dict[str, Any],
) -> None:
    """Messages held before a restart go out at once when quiet hours are over."""
    hass_storage["pawcontrol.held_notifications"] = {
        "version": 1,
        "minor_version": 1,
        "key": "pawcontrol.held_notifications",
        "data": [{"title": "PawControl", "message": "Dinner time"}, {"broken": True}],
    }
    entry = MockConfigEntry(
        domain=DOMAIN,
        options=entry_options
        | {CONF_DOGS: [dog_options()], "notify_services": ["notify.pixel"]},
    )
    await setup_entry(hass, entry)
    await hass.async_block_till_done()
    assert [item["message"] for item in sent] == ["Dinner time"]
    assert hass_storage["pawcontrol.held_notifications"]["data"] == []


@pytest.mark.parametrize(
    ("now", "start", "end", "quiet"),
    [
        ("23:00", "22:00", "07:00", True),
        ("06:59", "22:00", "07:00", True),
        ("07:00", "22:00", "07:00", False),
        ("12:00", "22:00", "07:00", False),
        ("13:00", "12:00", "14:00", True),
        ("14:00", "12:00", "14:00", False),
    ],
)
def test_in_quiet_hours(now: str, start: str, end: str, quiet: bool) -> None:
    """Quiet hours may span midnight; the end is not quiet."""

    def parse(value: str) -> Any:
        return datetime.strptime(value, "%H:%M").time()

    assert in_quiet_hours(parse(now), parse(start), parse(end)) is quiet


async def test_missing_notify_entity_fails(
    hass: HomeAssistant, entry_options: dict[str, Any]
) -> None:
    """A notify entity that does not exist is a failed channel, not a silent success."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        options=entry_options
        | {CONF_DOGS: [dog_options()], "notify_entities": ["notify.gone"]},
    )
    await setup_entry(hass, entry)
    response = await _alert(hass, "Anyone there?", severity="warning")
    assert response == {
        "channels": {"notify.gone": "failed"},
        "persistent_notification": True,
    }


async def test_service_and_entity_never_share_a_circuit(
    hass: HomeAssistant, speaker: CollarSpeaker, entry_options: dict[str, Any]
) -> None:
    """notify.notify_collar_speaker (service) and notify.collar_speaker (entity) differ."""
    calls: list[str] = []

    async def legacy(call: ServiceCall) -> None:
        calls.append(call.data["message"])

    hass.services.async_register("notify", "notify_collar_speaker", legacy)
    entry = MockConfigEntry(
        domain=DOMAIN,
        options=entry_options
        | {
            CONF_DOGS: [dog_options()],
            "notify_services": ["notify.notify_collar_speaker"],
            "notify_entities": ["notify.collar_speaker"],
        },
    )
    await setup_entry(hass, entry)
    response = await hass.services.async_call(
        DOMAIN,
        "get_statistics",
        {},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    assert sorted(response["circuit_breakers"]) == [
        "notification_notify_collar_speaker",
        "notification_service_notify_collar_speaker",
    ]
    results = await entry.runtime_data.notifications.async_send(
        Message("PawControl", "Buddy is home")
    )
    assert results == {
        "notify.notify_collar_speaker": "delivered",
        "notify.collar_speaker": "delivered",
    }
    assert calls == ["Buddy is home"]
    assert speaker.messages == [("PawControl", "Buddy is home")]


async def test_held_queue_is_capped(
    hass: HomeAssistant,
    sent: list[dict[str, Any]],
    entry_options: dict[str, Any],
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """2,000 stored held messages become the newest 50, with one warning."""
    hass_storage["pawcontrol.held_notifications"] = {
        "version": 1,
        "minor_version": 1,
        "key": "pawcontrol.held_notifications",
        "data": [
            {"title": "PawControl", "message": f"message {index}"}
            for index in range(2000)
        ],
    }
    entry = MockConfigEntry(
        domain=DOMAIN,
        options=entry_options
        | {CONF_DOGS: [dog_options()], "notify_services": ["notify.pixel"]},
    )
    await setup_entry(hass, entry)
    await hass.async_block_till_done()
    assert [item["message"] for item in sent] == [
        f"message {index}" for index in range(1950, 2000)
    ]
    assert our_warnings(caplog) == [
        "Dropped the 1950 oldest messages held for quiet hours; 50 are kept"
    ]


@pytest.mark.parametrize(
    "stored",
    [
        {"version": 1, "key": "pawcontrol.held_notifications", "data": {"a": 1}},
        {"version": 9, "key": "pawcontrol.held_notifications", "data": []},
    ],
    ids=["not-a-list", "newer-version"],
)
async def test_unreadable_held_store_starts_fresh_with_a_repair(
    hass: HomeAssistant,
    entry_options: dict[str, Any],
    hass_storage: dict[str, Any],
    stored: dict[str, Any],
) -> None:
    """An unreadable store never fails setup; a repair issue says it started afresh."""
    hass_storage["pawcontrol.held_notifications"] = stored
    entry = MockConfigEntry(
        domain=DOMAIN, options=entry_options | {CONF_DOGS: [dog_options()]}
    )
    await setup_entry(hass, entry)
    assert entry.state is ConfigEntryState.LOADED
    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, "store_reset_pawcontrol.held_notifications"
    )
    assert issue is not None
    assert issue.translation_key == "store_reset"
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["store"] == "pawcontrol.held_notifications"
