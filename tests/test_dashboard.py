"""PawControl's dashboard (strategy custom:pawcontrol): the dogs configured now."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.frontend import DATA_EXTRA_MODULE_URL
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.template import Template
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    WebSocketGenerator,
)

from custom_components.pawcontrol.const import (
    CONF_API_TOKEN,
    CONF_API_URL,
    CONF_DOGS,
    CONF_GPS_SOURCE,
    DOMAIN,
)
from custom_components.pawcontrol.dashboard import STRATEGY_URL

from .conftest import dog_options
from .device_api import TOKEN, DeviceApiServer, Mode
from .helpers import FAST, collar_reports, tick


async def _dashboard(
    hass_ws_client: WebSocketGenerator, hass: HomeAssistant, **message: Any
) -> dict[str, Any]:
    """Ask for the dashboard as the strategy does; return the answer."""
    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"type": f"{DOMAIN}/dashboard", **message})
    answer: dict[str, Any] = await client.receive_json()
    assert answer["success"], answer
    result: dict[str, Any] = answer["result"]
    return result


def _sections(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the sections of the dashboard's one view."""
    (view,) = dashboard["views"]
    sections: list[dict[str, Any]] = view["sections"]
    return sections


def _headings(dashboard: dict[str, Any]) -> list[str]:
    """Return the heading of every section."""
    return [section["cards"][0]["heading"] for section in _sections(dashboard)]


def _entity_ids(node: Any) -> Iterator[str]:
    """Yield every entity id a card names."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "entity" and isinstance(value, str):
                yield value
            elif key == "entities":
                for item in value:
                    yield from [item] if isinstance(item, str) else _entity_ids(item)
            else:
                yield from _entity_ids(value)
    elif isinstance(node, list):
        for item in node:
            yield from _entity_ids(item)


def _card(section: dict[str, Any], **match: Any) -> dict[str, Any]:
    """Return the section's first card with the given keys."""
    return next(
        card
        for card in section["cards"]
        if all(card.get(key) == value for key, value in match.items())
    )


@pytest.fixture
def entry_options(entry_options: dict[str, Any]) -> dict[str, Any]:
    """Three dogs: Buddy (whose collar reports), Luna and Rocky."""
    return entry_options | {
        CONF_DOGS: [
            *entry_options[CONF_DOGS],
            dog_options("luna", "Luna"),
            dog_options("rocky", "Rocky"),
        ]
    }


async def test_one_section_per_configured_dog(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """Luna and Rocky get their sections; every card names an entity that exists."""
    dashboard = await _dashboard(hass_ws_client, hass)

    assert _headings(dashboard) == ["Buddy", "Luna", "Rocky", "Resilience"]
    named = set(_entity_ids(dashboard))
    missing = {entity_id for entity_id in named if hass.states.get(entity_id) is None}
    assert not missing
    assert {"sensor.luna_walks_today", "button.rocky_fed"} <= named
    # Each dog's map shows its own tracker (and home), nobody else's.
    buddy, luna = _sections(dashboard)[:2]
    assert _card(buddy, type="map")["entities"] == ["device_tracker.buddy", "zone.home"]
    assert _card(luna, type="map")["entities"] == ["device_tracker.luna", "zone.home"]
    # The line is today's path: 18:00 UTC is 10:00 in Home Assistant's zone.
    assert str(hass.config.time_zone) == "US/Pacific"
    assert _card(buddy, type="map")["hours_to_show"] == 10
    tasks = _card(luna, type="todo-list")
    assert tasks == {
        "type": "todo-list",
        "entity": "todo.luna_care_tasks",
        "title": "Care tasks",
    }
    walks = _card(buddy, type="entities", title="Walks")
    assert walks["entities"][0] == {
        "entity": "sensor.buddy_walks_today",
        "name": "Walks today",
    }
    # The collar card has the collar watch, after what each row is about.
    collar = _card(buddy, type="entities", title="Collar")["entities"]
    assert [row["name"] for row in collar] == [
        "Battery",
        "Battery low",
        "Charging",
        "Activity",
        "Data source",
        "Not reporting",
        "Device connection",
    ]


async def test_added_and_removed_dogs_follow_the_options(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """A dog removed in the options leaves the dashboard; one added appears."""
    dogs = init_integration.options[CONF_DOGS]
    hass.config_entries.async_update_entry(
        init_integration,
        options=init_integration.options
        | {CONF_DOGS: [dogs[0], dogs[2], dog_options("bella", "Bella")]},
    )
    await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()

    dashboard = await _dashboard(hass_ws_client, hass)

    assert _headings(dashboard) == ["Buddy", "Rocky", "Bella", "Resilience"]
    assert not [e for e in _entity_ids(dashboard) if e.startswith(("sensor.luna",))]
    assert all(hass.states.get(e) is not None for e in _entity_ids(dashboard))


async def test_renamed_entity_stays_and_keeps_the_users_name(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """The registry gives the entity id and the user's name; disabled ones leave."""
    registry = er.async_get(hass)
    registry.async_update_entity(
        "sensor.luna_walks_today", new_entity_id="sensor.luna_rounds", name="Rounds"
    )
    registry.async_update_entity(
        "sensor.luna_weight", disabled_by=er.RegistryEntryDisabler.USER
    )
    await hass.async_block_till_done()

    luna = _sections(await _dashboard(hass_ws_client, hass))[1]

    walks = _card(luna, type="entities", title="Walks")
    assert walks["entities"][0] == {"entity": "sensor.luna_rounds", "name": "Rounds"}
    assert "sensor.luna_weight" not in set(_entity_ids(luna))


async def test_labels_in_the_viewers_language(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """A German profile gets German titles and entity names."""
    dashboard = await _dashboard(hass_ws_client, hass, language="de")

    (view,) = dashboard["views"]
    assert view["title"] == "Hunde"
    buddy = _sections(dashboard)[0]
    walks = _card(buddy, type="entities", title="Spaziergänge")
    assert walks["entities"][0]["name"] == "Spaziergänge heute"
    assert _headings(dashboard)[-1] == "Ausfallsicherheit"


@pytest.mark.parametrize("language", ["../../../etc/passwd", "d", "de\n"])
async def test_a_language_that_is_no_language_is_refused(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    language: str,
) -> None:
    """The language names a translation file: only a language tag passes."""
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {"type": f"{DOMAIN}/dashboard", "language": language}
    )
    answer = await client.receive_json()
    assert not answer["success"]
    assert answer["error"]["code"] == "invalid_format"


async def test_stale_data_is_shown_with_its_time(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    entry_options: dict[str, Any],
    hass_ws_client: WebSocketGenerator,
) -> None:
    """During an outage Buddy's card says from when his data is."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        data=init_data(device_api),
        options=entry_options | FAST,
    )
    collar_reports(hass)
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    fetched = dt_util.utcnow()
    buddy = _sections(await _dashboard(hass_ws_client, hass))[0]
    notice = _card(buddy, type="markdown")
    (condition,) = notice["visibility"]
    assert condition == {
        "condition": "state",
        "entity": "binary_sensor.buddy_data_source",
        "state": "off",
    }
    assert hass.states.get("binary_sensor.buddy_data_source").state == "on"

    device_api.mode = Mode.ERROR_500
    for _ in range(4):
        await tick(hass, freezer)

    assert hass.states.get("binary_sensor.buddy_data_source").state == "off"
    shown = Template(notice["content"], hass).async_render(parse_result=False)
    when = dt_util.as_local(fetched).strftime("%b %-d, %H:%M")
    assert shown.strip() == f"**⚠️ Data from {when}**"


def init_data(device_api: DeviceApiServer) -> dict[str, str]:
    """Return the entry data of the local device API."""
    return {CONF_API_URL: device_api.url, CONF_API_TOKEN: TOKEN}


async def test_statistics_table_reads_each_circuit(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """The resilience section's table names each dog's device connection."""
    resilience = _sections(await _dashboard(hass_ws_client, hass))[-1]
    table = _card(resilience, type="markdown")["content"]

    shown = Template(table, hass).async_render(parse_result=False)

    assert "Open circuits: 0 of 3. Rejected calls: 0. Retries: 0." in shown
    assert "| Buddy Device connection | working | 0 | 0 | 0 |" in shown
    assert (
        "| Circuit | State | Failed calls | Outages | Reopened after a failed test |"
        in shown
    )


async def test_without_pawcontrol_the_dashboard_says_so(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator
) -> None:
    """The strategy on a Home Assistant where PawControl is not loaded."""
    assert await async_setup_component(hass, DOMAIN, {})

    dashboard = await _dashboard(hass_ws_client, hass)

    (view,) = dashboard["views"]
    assert view["cards"] == [
        {"type": "markdown", "content": "PawControl is not set up or not loaded."}
    ]


async def test_the_frontend_loads_the_strategy(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    """With the frontend, every browser loads the strategy; no resource to add."""
    assert await async_setup_component(hass, "frontend", {})
    assert await async_setup_component(hass, DOMAIN, {})

    (url,) = [u for u in hass.data[DATA_EXTRA_MODULE_URL].urls if DOMAIN in u]
    assert url.startswith(f"{STRATEGY_URL}?v=")
    client = await hass_client()
    response = await client.get(url)
    assert response.status == 200
    script = await response.text()
    assert "defineWhenReady" in script
    assert "ll-strategy-dashboard-" in script


async def test_buddy_alone_has_no_other_dog(
    hass: HomeAssistant,
    device_api: DeviceApiServer,
    hass_ws_client: WebSocketGenerator,
    entry_options: dict[str, Any],
) -> None:
    """One dog: one dog section and the resilience section, nothing else."""
    options = entry_options | {CONF_DOGS: entry_options[CONF_DOGS][:1]}
    assert options[CONF_DOGS][0][CONF_GPS_SOURCE]
    entry = MockConfigEntry(domain=DOMAIN, data=init_data(device_api), options=options)
    collar_reports(hass)
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    dashboard = await _dashboard(hass_ws_client, hass)

    assert _headings(dashboard) == ["Buddy", "Resilience"]
