"""The walk on a map: pawcontrol.export_walk answers a walk's track from the recorder."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from xml.etree import ElementTree as ET

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder import Recorder
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_block_recorder,
    async_wait_recording_done,
)

from custom_components.pawcontrol.care import export
from custom_components.pawcontrol.const import CONF_DOGS, DOMAIN

from .conftest import dog_options
from .helpers import FAST, setup_entry, tick, translated

START = (52.52, 13.405)
STEP = 0.001  # degrees of latitude, about 111 m
GPX = "{http://www.topografix.com/GPX/1/1}"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: Recorder, enable_custom_integrations: None
) -> None:
    """Start the recorder before Home Assistant, then allow custom integrations."""


@pytest.fixture
def entry_options(entry_options: dict[str, Any]) -> dict[str, Any]:
    """Buddy follows device_tracker.buddy_collar; refresh every 15 s."""
    return entry_options | FAST


def _collar(hass: HomeAssistant, latitude: float, longitude: float) -> None:
    """Let Buddy's collar report an accurate fix now."""
    hass.states.async_set(
        "device_tracker.buddy_collar",
        "not_home",
        {"latitude": latitude, "longitude": longitude, "gps_accuracy": 8},
    )


async def _call(hass: HomeAssistant, service: str, **data: Any) -> Any:
    """Call a PawControl action; answer the response of those that have one."""
    return await hass.services.async_call(
        DOMAIN,
        service,
        data,
        blocking=True,
        return_response=service in ("end_walk", "export_walk"),
    )


async def _export(hass: HomeAssistant, **data: Any) -> dict[str, Any]:
    """Export a walk of Buddy, once the recorder has written everything."""
    await async_wait_recording_done(hass)
    return dict(await _call(hass, "export_walk", **({"dog": "buddy"} | data)))


async def _walk(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, steps: int, first: int = 1
) -> list[tuple[float, float, datetime]]:
    """Move the collar north a step per refresh; answer what Buddy's tracker showed."""
    shown = []
    for step in range(first, first + steps):
        _collar(hass, START[0] + step * STEP, START[1])
        await tick(hass, freezer, 15)
        state = hass.states.get("device_tracker.buddy")
        assert state is not None
        # The export keeps seven decimals (about a centimetre).
        latitude = round(state.attributes["latitude"], 7)
        shown.append((latitude, state.attributes["longitude"], state.last_updated))
    return shown


async def _error(hass: HomeAssistant, **data: Any) -> str:
    """Return the English message of the error that export_walk raises."""
    with pytest.raises(ServiceValidationError) as raised:
        await _export(hass, **data)
    err = raised.value
    assert err.translation_domain == DOMAIN
    return await translated(
        hass, f"exceptions.{err.translation_key}.message", err.translation_placeholders
    )


def _iso(moment: datetime) -> str:
    """Return a UTC time as the GPX and GeoJSON times write it."""
    return dt_util.as_utc(moment).isoformat().replace("+00:00", "Z")


async def _started(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry: MockConfigEntry,
    at: tuple[float, float] = START,
) -> None:
    """Set PawControl up with the dog at ``at`` and start a walk."""
    _collar(hass, *at)
    await setup_entry(hass, entry)
    await tick(hass, freezer, 15)
    await _call(hass, "start_walk", dog="buddy")


async def test_finished_walk_exports_its_track(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
) -> None:
    """A finished walk comes back as GPX and GeoJSON with every position in order."""
    await _started(hass, freezer, mock_config_entry)
    start = dt_util.utcnow()
    shown = [(START[0], START[1], start), *await _walk(hass, freezer, 4)]
    # The dog stands still: no new position, so no new point.
    await tick(hass, freezer, 15)
    freezer.tick(timedelta(seconds=5))
    summary = await _call(hass, "end_walk", dog="buddy")
    response = await _export(hass)
    assert {key: response[key] for key in summary if key != "duration_s"} == {
        key: value for key, value in summary.items() if key != "duration_s"
    }
    assert response["points"] == response["recorded_points"] == 5
    assert response["thinned"] is False
    assert response["in_progress"] is False

    root = ET.fromstring(response["gpx"].encode())  # noqa: S314  # our own output
    assert root.tag == f"{GPX}gpx"
    assert root.get("version") == "1.1"
    trkpts = root.findall(f"{GPX}trk/{GPX}trkseg/{GPX}trkpt")
    assert [
        (float(p.get("lat", "")), float(p.get("lon", "")), p.findtext(f"{GPX}time"))
        for p in trkpts
    ] == [(lat, lon, _iso(when)) for lat, lon, when in shown]
    assert root.findtext(f"{GPX}trk/{GPX}name", "").startswith("Buddy ")

    feature = response["geojson"]
    assert feature["type"] == "Feature"
    assert feature["geometry"] == {
        "type": "LineString",
        "coordinates": [[lon, lat] for lat, lon, _ in shown],
    }
    properties = feature["properties"]
    assert properties["coordinateProperties"]["times"] == [
        _iso(when) for _, _, when in shown
    ]
    # PawControl counts from the first fix after the start: three steps.
    assert properties["distance_m"] == summary["distance_m"] > 300
    assert properties["start"] == summary["start"]


async def test_walk_in_progress_runs_until_now(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
) -> None:
    """Without a start, the walk in progress is exported up to now, across a reload."""
    await _started(hass, freezer, mock_config_entry)
    start = dt_util.utcnow()
    shown = await _walk(hass, freezer, 2)
    # A reload: the tracker is unavailable (no position), then back where it was.
    assert await hass.config_entries.async_reload(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    freezer.tick(timedelta(seconds=1))
    shown += await _walk(hass, freezer, 1, first=3)
    response = await _export(hass)
    assert response["in_progress"] is True
    assert response["start"] == start.isoformat()
    assert response["end"] == dt_util.utcnow().isoformat()
    assert response["points"] == response["recorded_points"] == 4
    assert response["geojson"]["geometry"]["coordinates"] == [
        [START[1], START[0]],
        *([lon, lat] for lat, lon, _ in shown),
    ]


async def test_start_names_an_earlier_walk(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
) -> None:
    """A start to the minute, in local time, names that walk; a wrong one names the nearest."""
    await _started(hass, freezer, mock_config_entry)
    first = dt_util.utcnow()
    await _walk(hass, freezer, 2)
    await _call(hass, "end_walk", dog="buddy")
    await tick(hass, freezer, 3600)
    await _call(hass, "start_walk", dog="buddy")
    await _walk(hass, freezer, 3, first=5)
    await _call(hass, "end_walk", dog="buddy")

    local = dt_util.as_local(first)
    response = await _export(hass, start=local.strftime("%Y-%m-%d %H:%M"))
    assert response["start"] == first.isoformat()
    assert response["points"] == 3
    # The same walk by its start as end_walk answers it, with its zone.
    assert await _export(hass, start=first.isoformat()) == response
    latest = await _export(hass)
    assert latest["start"] != first.isoformat()
    assert latest["points"] == 4  # where the dog was at the start, then three steps

    wrong = local - timedelta(hours=5)
    assert await _error(hass, start=wrong.strftime("%Y-%m-%d %H:%M:%S")) == (
        f"Buddy has no walk that started at {wrong:%Y-%m-%d %H:%M:%S}. "
        f"The nearest one started at {local:%Y-%m-%d %H:%M:%S}."
    )


async def test_long_track_is_thinned_evenly(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Beyond the limit the track keeps its first and last point and says so."""
    monkeypatch.setattr(export, "MAX_EXPORT_POINTS", 3)
    await _started(hass, freezer, mock_config_entry)
    shown = await _walk(hass, freezer, 4)
    response = await _export(hass)
    assert (response["points"], response["recorded_points"]) == (3, 5)
    assert response["thinned"] is True
    coordinates = response["geojson"]["geometry"]["coordinates"]
    assert coordinates == [
        [START[1], START[0]],
        [shown[1][1], shown[1][0]],
        [shown[3][1], shown[3][0]],
    ]
    root = ET.fromstring(response["gpx"].encode())  # noqa: S314  # our own output
    assert len(root.findall(f"{GPX}trk/{GPX}trkseg/{GPX}trkpt")) == 3


async def test_one_position_is_a_point(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
) -> None:
    """A walk without movement is one position: a GeoJSON Point, one trkpt."""
    await _started(hass, freezer, mock_config_entry)
    response = await _export(hass)
    assert response["geojson"]["geometry"] == {
        "type": "Point",
        "coordinates": [START[1], START[0]],
    }
    assert response["gpx"].count("<trkpt ") == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"start": "not a time"}, '"not a time" is not a time.'),
        ({"start": "2026-13-45 25:00"}, '"2026-13-45 25:00" is not a time.'),
        ({"start": "9" * 65}, "The field start may have at most 64 characters."),
        ({"dog": "rex"}, 'There is no dog with the ID "rex".'),
        ({"dog": "r" * 65}, "The field dog may have at most 64 characters."),
    ],
)
async def test_hostile_input_is_refused(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    data: dict[str, str],
    message: str,
) -> None:
    """A start that is no time, an unknown or over-long dog: a translated error."""
    await _started(hass, freezer, mock_config_entry)
    assert (await _error(hass, **data)).startswith(message)


async def test_dog_without_walks(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """A dog that never walked has nothing to export."""
    await setup_entry(hass, mock_config_entry)
    assert await _error(hass) == "Buddy has no walk yet."


@pytest.mark.parametrize(
    "recorder_config", [{"exclude": {"entities": ["device_tracker.buddy"]}}]
)
async def test_tracker_not_recorded(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
) -> None:
    """A tracker the recorder leaves out has no history to export."""
    await _started(hass, freezer, mock_config_entry)
    start = dt_util.as_local(dt_util.utcnow())
    await _walk(hass, freezer, 2)
    end = dt_util.as_local(dt_util.utcnow())
    assert await _error(hass) == (
        "The recorder has no positions of Buddy (device_tracker.buddy) from "
        f"{start:%Y-%m-%d %H:%M:%S} to {end:%Y-%m-%d %H:%M:%S}. The entity may be "
        "excluded from the recorder, or its history may be purged already."
    )


async def test_renamed_tracker_is_found_and_removed_one_is_named(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
) -> None:
    """The tracker is found by its unique id; without it the error says so."""
    await _started(hass, freezer, mock_config_entry)
    registry = er.async_get(hass)
    registry.async_update_entity(
        "device_tracker.buddy", new_entity_id="device_tracker.buddy_on_the_map"
    )
    await hass.async_block_till_done()
    _collar(hass, START[0] + STEP, START[1])
    await tick(hass, freezer, 15)
    response = await _export(hass)
    assert response["geojson"]["geometry"]["coordinates"][-1] == [
        START[1],
        START[0] + STEP,
    ]
    registry.async_remove("device_tracker.buddy_on_the_map")
    await hass.async_block_till_done()
    assert await _error(hass) == "Buddy has no location entity."


async def test_position_the_recorder_has_not_written_yet(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
) -> None:
    """Exported right after the walk, the last position is there before the recorder writes it."""
    await _started(hass, freezer, mock_config_entry)
    await async_wait_recording_done(hass)
    # The recorder is busy (half a second of real time): it writes nothing new.
    await async_block_recorder(hass, 0.5)
    shown = await _walk(hass, freezer, 1)
    await _call(hass, "end_walk", dog="buddy")
    response = await _call(hass, "export_walk", dog="buddy")
    assert response["geojson"]["geometry"]["coordinates"] == [
        [START[1], START[0]],
        [shown[0][1], shown[0][0]],
    ]


async def test_gpx_escapes_the_name_and_writes_plain_decimals(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
) -> None:
    """A dog named with markup and a walk at the null meridian still make valid GPX."""
    dogs = [
        dog_options(name='Rex <"&"> </gpx>', gps_source="device_tracker.buddy_collar")
    ]
    entry = MockConfigEntry(
        domain=DOMAIN,
        data=mock_config_entry.data,
        options={**mock_config_entry.options, CONF_DOGS: dogs},
    )
    await _started(hass, freezer, entry, at=(0.00001, -0.00002))
    _collar(hass, 0.00002, -0.00002)
    await tick(hass, freezer, 15)
    response = await _export(hass)
    assert '<trkpt lat="0.00001" lon="-0.00002">' in response["gpx"]
    root = ET.fromstring(response["gpx"].encode())  # noqa: S314  # our own output
    name = root.findtext(f"{GPX}trk/{GPX}name", "")
    assert name.startswith('Rex <"&"> </gpx> ')
    assert [
        (p.get("lat"), p.get("lon"))
        for p in root.findall(f"{GPX}trk/{GPX}trkseg/{GPX}trkpt")
    ] == [("0.00001", "-0.00002"), ("0.00002", "-0.00002")]
    assert response["geojson"]["properties"]["name"] == name
