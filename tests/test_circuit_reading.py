"""A circuit reads like a person would: the error while it lasts, outages by name."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.pawcontrol.const import DOMAIN

from .device_api import DeviceApiServer, Mode
from .helpers import FAST, collar_reports, get_statistics, setup_entry, tick

CIRCUIT = "binary_sensor.buddy_device_connection"
STATISTICS = "sensor.pawcontrol_statistics"
ERROR = "PawControlApiResponseError: HTTP 500"


async def _fast_entry(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> MockConfigEntry:
    """Set up Buddy with a refresh every 15 s."""
    collar_reports(hass)
    entry = MockConfigEntry(
        domain=DOMAIN,
        data=mock_config_entry.data,
        options=mock_config_entry.options | FAST,
    )
    await setup_entry(hass, entry)
    return entry


def _shown_breaker(hass: HomeAssistant) -> dict[str, object]:
    """Return Buddy's circuit as the statistics sensor shows it."""
    shown: dict[str, object] = hass.states.get(STATISTICS).attributes["resilience"][
        "circuit_breakers"
    ]["dog_buddy"]
    return shown


async def test_one_outage_reads_as_one(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    mock_config_entry: MockConfigEntry,
) -> None:
    """An outage with failed probes: one outage, reopenings apart, then no error."""
    await _fast_entry(hass, mock_config_entry)
    device_api.mode = Mode.ERROR_500
    # 3 failures open the circuit; probes after 30 s and 60 s fail.
    for _ in range(3):
        await tick(hass, freezer)
    attributes = hass.states.get(CIRCUIT).attributes
    assert (attributes["state"], attributes["last_error"]) == ("open", ERROR)
    for wait in (31, 61):
        await tick(hass, freezer, wait * 1.1)
    failed_at = dt_util.utcnow().isoformat()
    attributes = hass.states.get(CIRCUIT).attributes
    assert attributes["state"] == "open"
    assert (attributes["outages"], attributes["reopened_after_probe"]) == (1, 2)
    assert attributes["failed_calls"] == 5
    device_api.mode = Mode.HEALTHY
    for _ in range(2):
        await tick(hass, freezer, 121 * 1.1)
    attributes = hass.states.get(CIRCUIT).attributes
    assert hass.states.get(CIRCUIT).state == "off"
    assert attributes["last_error"] is None
    assert attributes["last_error_at"] == failed_at
    assert attributes["open_until"] is None
    assert (attributes["outages"], attributes["reopened_after_probe"]) == (1, 2)
    assert _shown_breaker(hass)["last_error"] is None
    # The statistics keep the last error as history, and every old key.
    stats = (await get_statistics(hass))["circuit_breakers"]["dog_buddy"]
    assert stats["last_error"] == ERROR
    assert stats["last_failure_time"] == failed_at
    assert (stats["opened_count"], stats["total_failures"]) == (3, 5)
    assert (stats["outages"], stats["reopened_after_probe"]) == (1, 2)
    assert stats["failed_calls"] == 5


async def test_a_closed_circuit_that_fails_shows_its_error(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    mock_config_entry: MockConfigEntry,
) -> None:
    """Failing in a row but not yet open: the error is current, so it shows."""
    await _fast_entry(hass, mock_config_entry)
    device_api.mode = Mode.ERROR_500
    await tick(hass, freezer)
    attributes = hass.states.get(CIRCUIT).attributes
    assert (attributes["state"], attributes["failure_count"]) == ("closed", 1)
    assert attributes["last_error"] == ERROR
    assert _shown_breaker(hass)["last_error"] == ERROR
    device_api.mode = Mode.HEALTHY
    await tick(hass, freezer)
    attributes = hass.states.get(CIRCUIT).attributes
    assert (attributes["failure_count"], attributes["last_error"]) == (0, None)
    assert attributes["last_error_at"] is not None
    assert attributes["outages"] == 0
