"""The recorder keeps one row per change a person sees, not one per refresh."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder import Recorder
from homeassistant.components.recorder.history import get_significant_states
from homeassistant.const import EVENT_STATE_REPORTED, STATE_UNAVAILABLE
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.pawcontrol.const import (
    CONF_QUIET_HOURS_END,
    CONF_QUIET_HOURS_START,
    CONF_UPDATE_INTERVAL,
    DEFAULT_RESILIENCE,
    DOMAIN,
)

from .device_api import DeviceApiServer, Mode
from .helpers import FAST, collar_reports, get_statistics, setup_entry, tick

CIRCUIT = "binary_sensor.buddy_device_connection"
STATISTICS = "sensor.pawcontrol_statistics"
# The entities of the issue: 38 rows each in 10 minutes of an outage before.
MEASURED = (
    "device_tracker.buddy",
    "sensor.buddy_battery",
    "sensor.buddy_activity",
    "binary_sensor.buddy_data_source",
)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: Recorder, enable_custom_integrations: None
) -> None:
    """Start the recorder before Home Assistant, then allow custom integrations."""


async def _rows(
    recorder: Recorder, hass: HomeAssistant, start: datetime, entity_ids: list[str]
) -> dict[str, int]:
    """Return how many rows the recorder wrote per entity since ``start``."""
    await async_wait_recording_done(hass)
    history = await recorder.async_add_executor_job(
        partial(
            get_significant_states,
            hass,
            start,
            None,
            entity_ids,
            significant_changes_only=False,
        )
    )
    return {entity_id: len(history.get(entity_id, [])) for entity_id in entity_ids}


def _entities(hass: HomeAssistant, entry: MockConfigEntry) -> list[str]:
    """Return every enabled entity of the entry."""
    return [
        entity.entity_id
        for entity in er.async_entries_for_config_entry(
            er.async_get(hass), entry.entry_id
        )
        if not entity.disabled
    ]


async def _set_up(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> MockConfigEntry:
    """Set up Buddy with a refresh every 15 s and his collar reporting."""
    collar_reports(hass)
    entry = MockConfigEntry(
        domain=DOMAIN,
        data=mock_config_entry.data,
        options=mock_config_entry.options | FAST,
    )
    await setup_entry(hass, entry)
    return entry


async def test_an_outage_of_ten_minutes_writes_a_handful_of_rows(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    mock_config_entry: MockConfigEntry,
) -> None:
    """Device API answering 500 and the collar gone for 10 minutes: fresh, then stale.

    Before, each of the four measured entities wrote 41 rows, the circuit 45
    and the statistics 50 (a growing age or a shrinking open time each refresh).
    """
    start = dt_util.utcnow() - timedelta(seconds=1)
    entry = await _set_up(hass, mock_config_entry)
    transitions = async_capture_events(hass, "pawcontrol_circuit_state_changed")
    device_api.mode = Mode.ERROR_500
    hass.states.async_set("device_tracker.buddy_collar", "unavailable")
    for _ in range(40):
        await tick(hass, freezer)
    entity_ids = _entities(hass, entry)
    rows = await _rows(recorder_mock, hass, start, entity_ids)
    assert {entity_id: rows[entity_id] for entity_id in MEASURED} == dict.fromkeys(
        MEASURED, 2
    )
    buddy = [e for e in entity_ids if e.split(".")[1].startswith("buddy")]
    assert len(buddy) > len(MEASURED)
    assert all(rows[e] <= 3 for e in buddy if e != CIRCUIT), rows
    # The circuit describes the outage: a row per transition, and one for each
    # failure before it opened (the threshold is 3), nothing per refresh.
    assert len(transitions) >= 5
    assert rows[CIRCUIT] == 1 + 2 + len(transitions)
    assert rows[STATISTICS] == 1 + 2 + len(transitions)


async def test_a_healthy_day_writes_the_statistics_once(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
) -> None:
    """Ten minutes of refreshes with nothing new: one row per entity, hub included.

    Before, the statistics sensor wrote one row per refresh: its attribute
    carried the count of calls.
    """
    start = dt_util.utcnow() - timedelta(seconds=1)
    entry = await _set_up(hass, mock_config_entry)
    for _ in range(40):
        await tick(hass, freezer)
    entity_ids = _entities(hass, entry)
    rows = await _rows(recorder_mock, hass, start, entity_ids)
    assert rows == dict.fromkeys(entity_ids, 1)
    # The calls were made and are counted where they cost no state.
    assert hass.states.get(STATISTICS).state == "healthy"
    statistics = await get_statistics(hass)
    assert statistics["circuit_breakers"]["dog_buddy"]["total_calls"] == 41


async def _save(
    hass: HomeAssistant, entry: MockConfigEntry, step: str, user_input: dict[str, Any]
) -> None:
    """Save one options form and let everything settle."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": step}
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], user_input
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY, result.get("errors")
    await hass.async_block_till_done()


async def _unavailable_rows(
    recorder: Recorder, hass: HomeAssistant, start: datetime, entity_ids: list[str]
) -> list[str]:
    """Return the entities with an unavailable row since ``start``."""
    await async_wait_recording_done(hass)
    history = await recorder.async_add_executor_job(
        partial(
            get_significant_states,
            hass,
            start,
            None,
            entity_ids,
            significant_changes_only=False,
        )
    )
    return sorted(
        entity_id
        for entity_id, states in history.items()
        if any(state.state == STATE_UNAVAILABLE for state in states)
    )


async def test_options_saves_that_need_no_reload_write_no_rows(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
) -> None:
    """An unchanged save and a live change leave the history alone; a reload does not.

    Before, every save reloaded PawControl: each entity became unavailable
    and came back, about 20 logbook rows per dog.
    """
    start = dt_util.utcnow() - timedelta(seconds=1)
    entry = await _set_up(hass, mock_config_entry)
    runtime = entry.runtime_data
    await _save(hass, entry, "update_interval", {CONF_UPDATE_INTERVAL: 15})
    await _save(
        hass,
        entry,
        "notifications",
        {CONF_QUIET_HOURS_START: "22:00:00", CONF_QUIET_HOURS_END: "06:30:00"},
    )
    advanced = dict(DEFAULT_RESILIENCE) | {"initial_delay": 0.0, "max_delay": 0.0}
    await _save(hass, entry, "resilience", {"advanced": advanced | {"max_delay": 4.0}})
    assert entry.options[CONF_QUIET_HOURS_END] == "06:30:00"
    assert entry.options["max_delay"] == 4.0
    assert entry.runtime_data is runtime
    entity_ids = _entities(hass, entry)
    assert await _rows(recorder_mock, hass, start, entity_ids) == dict.fromkeys(
        entity_ids, 1
    )
    # A new update interval reloads: that is what the recorder would show.
    await _save(hass, entry, "update_interval", {CONF_UPDATE_INTERVAL: 30})
    assert entry.runtime_data is not runtime
    unavailable = await _unavailable_rows(recorder_mock, hass, start, entity_ids)
    assert set(MEASURED) <= set(unavailable)


async def test_an_outage_reports_no_unchanged_state(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    mock_config_entry: MockConfigEntry,
) -> None:
    """Refreshes of an outage write nothing that equals what is shown already."""
    entry = await _set_up(hass, mock_config_entry)
    device_api.mode = Mode.ERROR_500
    hass.states.async_set("device_tracker.buddy_collar", "unavailable")
    for _ in range(4):
        await tick(hass, freezer)
    reported: list[str] = []

    @callback
    def record(event: Event[Any]) -> None:
        reported.append(event.data["entity_id"])

    @callback
    def every_entity(_event_data: Any) -> bool:
        return True

    unsub = hass.bus.async_listen(
        EVENT_STATE_REPORTED, record, event_filter=every_entity
    )
    for _ in range(4):
        await tick(hass, freezer)
    unsub()
    ours = set(_entities(hass, entry))
    assert [entity_id for entity_id in reported if entity_id in ours] == []
