"""PawControl in a real Home Assistant process, used as its users use it.

The tests run in file order on one Home Assistant (tests/e2e/conftest.py):
values, actions and diagnostics first, then Buddy's collar breaks, Home
Assistant restarts while his circuit is open, and the collar heals.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
import json
import math
from typing import Any
from urllib.parse import urlencode

from custom_components.pawcontrol.api import ACTIVITIES

from .client import USER_PASSWORD, USER_USERNAME, HassApi, HassWebSocket
from .instance import Instance
from .logs import pawcontrol_problems
from .pawcontrol import (
    CIRCUITS,
    COLLAR_TOKEN,
    DOGS,
    FLOW,
    OPEN_CIRCUITS,
    STATISTICS,
    UPDATE_INTERVAL,
    circuit,
    entry_state,
    eventually,
    options_step,
    requests_of,
    set_collar,
)

UNKNOWN = ("unknown", "unavailable")


def number(state: dict[str, Any]) -> float:
    """Return a state as a number."""
    value = float(state["state"])
    assert math.isfinite(value), state
    return value


async def refresh(api: HassApi, dog_id: str) -> None:
    """Ask for a refresh now, as the entity's update action does."""
    await api.call(
        "homeassistant", "update_entity", {"entity_id": f"sensor.{dog_id}_battery"}
    )


async def test_dog_entities_have_values(owner: HassApi) -> None:
    """Every dog reports a location, battery and activity over REST and websocket."""
    states = await owner.states()
    for dog_id, name in DOGS.items():
        tracker = states[f"device_tracker.{dog_id}"]
        assert tracker["attributes"]["friendly_name"] == name
        assert isinstance(tracker["attributes"]["latitude"], float)
        assert isinstance(tracker["attributes"]["longitude"], float)
        assert tracker["attributes"]["stale"] is False
        assert 0 <= number(states[f"sensor.{dog_id}_battery"]) <= 100
        assert states[f"sensor.{dog_id}_activity"]["state"] in ACTIVITIES
        assert states[f"binary_sensor.{dog_id}_device_connection"]["state"] == "off"
        assert states[f"binary_sensor.{dog_id}_walk"]["state"] == "off"
        assert states[f"sensor.{dog_id}_walks_today"]["state"] == "0"
        assert states[f"sensor.{dog_id}_walk_advice"]["state"] not in UNKNOWN
    assert states[STATISTICS]["state"] == "healthy"
    assert states[OPEN_CIRCUITS]["state"] == "0"

    async with HassWebSocket(owner) as ws:
        ws_states = {
            state["entity_id"]: state for state in await ws.command("get_states")
        }
        registry = await ws.command("config/entity_registry/list")
    for dog_id in DOGS:
        assert ws_states[f"sensor.{dog_id}_battery"]["state"] not in UNKNOWN
        assert ws_states[f"device_tracker.{dog_id}"]["state"] not in UNKNOWN
    ours = {e["entity_id"] for e in registry if e["platform"] == "pawcontrol"}
    assert {f"sensor.{dog_id}_battery" for dog_id in DOGS} <= ours
    assert {STATISTICS, OPEN_CIRCUITS} <= ours


async def test_actions_as_the_frontend_lists_them(owner: HassApi) -> None:
    """Developer tools list every action with its fields, name and icon."""
    async with HassWebSocket(owner) as ws:
        services = (await ws.command("get_services"))["pawcontrol"]
        texts = await ws.command(
            "frontend/get_translations",
            language="en",
            category="services",
            integration=["pawcontrol"],
        )
        icons = await ws.command(
            "frontend/get_icons", category="services", integration=["pawcontrol"]
        )
    assert {"get_statistics", "reset_circuit_breaker", "start_walk", "end_walk"} <= (
        set(services)
    )
    for service, description in services.items():
        assert texts["resources"].get(f"component.pawcontrol.services.{service}.name")
        for field in description["fields"]:
            key = f"component.pawcontrol.services.{service}.fields.{field}.name"
            assert texts["resources"].get(key), key
        assert icons["resources"]["pawcontrol"][service]["service"].startswith("mdi:")


async def test_template_and_statistics(owner: HassApi) -> None:
    """Templates read the statistics attribute; get_statistics answers them."""
    total = await owner.render(
        "{{ state_attr('sensor.pawcontrol_statistics', 'resilience').summary.total }}"
    )
    assert total == "2"
    statistics = await owner.call_for_response("pawcontrol", "get_statistics")
    assert set(statistics["circuit_breakers"]) == set(CIRCUITS.values())
    assert statistics["summary"]["total"] == 2
    assert statistics["summary"]["open"] == 0
    assert statistics["circuit_breakers"]["dog_buddy"]["state"] == "closed"


async def test_reset_is_for_admins_only(owner: HassApi) -> None:
    """The owner resets every circuit; a non-admin user's token is refused."""
    answer = await owner.call_for_response(
        "pawcontrol", "reset_circuit_breaker", {"circuit_name": "all"}
    )
    assert set(answer["reset"]) == set(CIRCUITS.values())

    async with HassWebSocket(owner) as ws:
        created = await ws.command(
            "config/auth/create", name="Family", group_ids=["system-users"]
        )
        await ws.command(
            "config/auth_provider/homeassistant/create",
            user_id=created["user"]["id"],
            username=USER_USERNAME,
            password=USER_PASSWORD,
        )
    family = owner.with_token(await owner.login(USER_USERNAME, USER_PASSWORD))
    await family.request(
        "POST",
        "/api/services/pawcontrol/reset_circuit_breaker",
        json={"circuit_name": "all"},
        expect=(401,),
    )
    # Over the websocket Home Assistant refuses it too, but logs the refusal
    # with a traceback ("Unexpected exception"), as for its own admin actions.
    # Reading the statistics is for everyone.
    statistics = await family.call_for_response("pawcontrol", "get_statistics")
    assert statistics["summary"]["total"] == 2


async def test_walk_and_feeding(owner: HassApi) -> None:
    """A walk with distance and a meal through the actions; Max is untouched."""
    await owner.call("pawcontrol", "start_walk", {"dog": "buddy"})
    assert (await owner.state("binary_sensor.buddy_walk"))["state"] == "on"

    async def walked() -> float | None:
        # Buddy walks from the start; each refresh brings his next fix.
        await refresh(owner, "buddy")
        distance = (await owner.state("binary_sensor.buddy_walk"))["attributes"].get(
            "distance_m"
        )
        return distance if distance else None

    await eventually(walked, "Buddy's walk has a distance", within=90)
    walk = await owner.call_for_response("pawcontrol", "end_walk", {"dog": "buddy"})
    assert walk["dog"] == "buddy"
    assert walk["duration_s"] > 0
    assert walk["distance_m"] > 0
    await owner.call(
        "pawcontrol",
        "log_feeding",
        {"dog": "buddy", "amount_g": 180, "meal": "breakfast"},
    )
    await owner.call("pawcontrol", "log_weight", {"dog": "buddy", "weight_kg": 24.5})

    states = await owner.states()
    assert states["binary_sensor.buddy_walk"]["state"] == "off"
    assert states["sensor.buddy_walks_today"]["state"] == "1"
    assert number(states["sensor.buddy_walk_distance_today"]) > 0
    assert states["sensor.buddy_last_walk"]["state"] not in UNKNOWN
    assert states["sensor.buddy_meals_today"]["state"] == "1"
    assert number(states["sensor.buddy_food_today"]) == 180
    assert states["sensor.buddy_last_fed"]["state"] not in UNKNOWN
    assert number(states["sensor.buddy_weight"]) == 24.5
    assert states["sensor.max_walks_today"]["state"] == "0"
    assert states["sensor.max_meals_today"]["state"] == "0"

    # The diary shows both, as the calendar panel asks for them.
    end = datetime.now(UTC) + timedelta(days=1)
    query = urlencode(
        {"start": (end - timedelta(days=2)).isoformat(), "end": end.isoformat()}
    )
    events = await owner.get(f"/api/calendars/calendar.buddy_diary?{query}")
    summaries = [event["summary"] for event in events]
    assert any(summary.startswith("Walk") for summary in summaries), summaries
    assert "Breakfast: 180 g" in summaries


def _values(tree: Any, path: str = "") -> list[tuple[str, Any]]:
    """Return every (path, value) of leaves in a JSON tree."""
    if isinstance(tree, dict):
        return [
            pair
            for key, value in tree.items()
            for pair in _values(value, f"{path}.{key}")
        ]
    if isinstance(tree, list):
        return [
            pair
            for i, value in enumerate(tree)
            for pair in _values(value, f"{path}[{i}]")
        ]
    return [(path, tree)]


async def test_diagnostics(owner: HassApi, instance: Instance) -> None:
    """Diagnostics hold the statistics, never the token or a coordinate."""
    diagnostics = await owner.get(f"/api/diagnostics/config_entry/{instance.entry_id}")
    text = json.dumps(diagnostics)
    assert COLLAR_TOKEN not in text
    data = diagnostics["data"]
    assert set(data["resilience"]["circuit_breakers"]) == set(CIRCUITS.values())
    assert set(data["dogs"]) == set(DOGS)

    config = await owner.get("/api/config")
    places = [(config["latitude"], config["longitude"])]
    for dog_id in DOGS:
        attributes = (await owner.state(f"device_tracker.{dog_id}"))["attributes"]
        places.append((attributes["latitude"], attributes["longitude"]))
    for path, value in _values(data):
        if path.rsplit(".", 1)[-1] in ("latitude", "longitude", "gps_accuracy"):
            assert value == "**REDACTED**", path
        if isinstance(value, float):
            # Within a few kilometres of home is a coordinate, whatever its key.
            assert all(
                abs(value - lat) > 0.05 and abs(value - lon) > 0.05
                for lat, lon in places
            ), (path, value)


async def test_broken_collar_opens_its_circuit(
    owner: HassApi, instance: Instance
) -> None:
    """Buddy's circuit opens, no request reaches his collar, his values stay stale."""
    battery = number(await owner.state("sensor.buddy_battery"))
    await set_collar(owner, instance.collar.url, "buddy", "error500")
    await refresh(owner, "buddy")

    async def opened() -> dict[str, Any] | None:
        breaker = await circuit(owner, "buddy")
        return breaker if breaker["state"] == "open" else None

    breaker = await eventually(opened, "dog_buddy opens", within=90)
    assert breaker["total_failures"] >= 2
    before = await requests_of(owner, instance.collar.url)

    async def max_refreshed() -> dict[str, int] | None:
        now = await requests_of(owner, instance.collar.url)
        return now if now["max"] > before["max"] else None

    # One regular refresh while the circuit is open: Max is asked, Buddy is not.
    after = await eventually(max_refreshed, "Max refreshes", within=40)
    assert after["buddy"] == before["buddy"]
    still = await circuit(owner, "buddy")
    assert still["state"] == "open"
    assert still["rejected_calls"] > breaker["rejected_calls"]

    states = await owner.states()
    stale_battery = states["sensor.buddy_battery"]
    assert number(stale_battery) == battery
    assert stale_battery["attributes"]["stale"] is True
    tracker = states["device_tracker.buddy"]
    assert tracker["attributes"]["stale"] is True
    assert isinstance(tracker["attributes"]["latitude"], float)
    assert states["binary_sensor.buddy_device_connection"]["state"] == "on"
    assert states[OPEN_CIRCUITS]["state"] == "1"
    assert states[STATISTICS]["state"] != "healthy"
    # Max is unaffected.
    assert states["binary_sensor.max_device_connection"]["state"] == "off"
    assert states["device_tracker.max"]["attributes"]["stale"] is False
    assert "stale" not in states["sensor.max_battery"]["attributes"] or (
        states["sensor.max_battery"]["attributes"]["stale"] is False
    )
    assert (await circuit(owner, "max"))["state"] == "closed"


async def test_restart_keeps_circuit_care_and_locations(
    owner: HassApi, instance: Instance
) -> None:
    """After a restart the open circuit, walks, meals and last location are back."""
    states = await owner.states()
    breaker = await circuit(owner, "buddy")
    location = states["device_tracker.buddy"]["attributes"]
    await asyncio.to_thread(instance.hass.restart, instance.owner_token)

    async def restored() -> dict[str, dict[str, Any]] | None:
        now = await owner.states()
        battery = now.get("sensor.max_battery", {}).get("state", "unknown")
        return None if battery in UNKNOWN else now

    after = await eventually(restored, "PawControl is back with Max's battery")
    restored_breaker = await circuit(owner, "buddy")
    assert restored_breaker["state"] == "open"
    assert restored_breaker["opened_count"] >= breaker["opened_count"]
    assert restored_breaker["total_failures"] >= breaker["total_failures"]
    for key in ("walks_today", "meals_today", "food_today", "weight"):
        assert (
            after[f"sensor.buddy_{key}"]["state"]
            == states[f"sensor.buddy_{key}"]["state"]
        )
    assert (
        after["sensor.buddy_last_walk"]["state"]
        == states["sensor.buddy_last_walk"]["state"]
    )
    tracker = after["device_tracker.buddy"]["attributes"]
    assert tracker["stale"] is True
    assert tracker["latitude"] == location["latitude"]
    assert tracker["longitude"] == location["longitude"]
    assert after["binary_sensor.buddy_device_connection"]["state"] == "on"
    assert after["device_tracker.max"]["attributes"]["stale"] is False


async def test_healed_collar_closes_its_circuit(
    owner: HassApi, instance: Instance
) -> None:
    """Healed, Buddy's circuit closes and his values are fresh again; Max never noticed."""
    await set_collar(owner, instance.collar.url, "buddy", "healthy")

    async def closed() -> bool:
        await refresh(owner, "buddy")
        return (await circuit(owner, "buddy"))["state"] == "closed"

    await eventually(closed, "dog_buddy closes", within=90)

    async def fresh() -> dict[str, dict[str, Any]] | None:
        states = await owner.states()
        tracker = states["device_tracker.buddy"]["attributes"]
        return states if tracker["stale"] is False else None

    states = await eventually(fresh, "Buddy's location is fresh")
    assert states["binary_sensor.buddy_device_connection"]["state"] == "off"
    assert states[OPEN_CIRCUITS]["state"] == "0"
    assert states[STATISTICS]["state"] == "healthy"
    assert (await circuit(owner, "max"))["opened_count"] == 0


async def _back_with_both_dogs(api: HassApi, entry_id: str, what: str) -> None:
    """Wait until the entry is loaded again and both dogs report a battery."""

    async def back() -> bool:
        if await entry_state(api, entry_id) != "loaded":
            return False
        states = await api.states()
        return all(
            states.get(f"sensor.{dog_id}_battery", {}).get("state", "unknown")
            not in UNKNOWN
            for dog_id in DOGS
        )

    await eventually(back, what, within=90)


async def test_reconfigure_reauth_options_and_reload(
    owner: HassApi, instance: Instance
) -> None:
    """Reconfigure, reauth, an options save and a reload each bring PawControl back.

    On Home Assistant 2026.11 an update listener beside reauth and reconfigure
    warned; from 2026.12 it is an error. The log check after this test and at
    the end of the package fails on any such warning naming PawControl.
    """
    entry_id = instance.entry_id
    # Reconfigure: the same URL; an empty token keeps the stored one.
    flow = await owner.post(FLOW, {"handler": "pawcontrol", "entry_id": entry_id})
    assert flow["step_id"] == "reconfigure", flow
    result = await owner.post(
        f"{FLOW}/{flow['flow_id']}", {"api_url": instance.collar.url}
    )
    assert result["type"] == "abort", result
    assert result["reason"] == "reconfigure_successful"
    await _back_with_both_dogs(owner, entry_id, "back after reconfigure")

    # Reauth: the collar refuses the token, Home Assistant asks for a new one.
    await set_collar(owner, instance.collar.url, "buddy", "unauthorized401")

    async def reauth_flow() -> dict[str, Any] | None:
        await refresh(owner, "max")
        async with HassWebSocket(owner) as ws:
            flows = await ws.command("config_entries/flow/progress")
        return next(
            (
                f
                for f in flows
                if f["handler"] == "pawcontrol"
                and f["context"].get("source") == "reauth"
            ),
            None,
        )

    reauth = await eventually(reauth_flow, "a reauth flow for PawControl")
    await set_collar(owner, instance.collar.url, "buddy", "healthy")
    result = await owner.post(
        f"{FLOW}/{reauth['flow_id']}", {"api_token": COLLAR_TOKEN}
    )
    assert result["type"] == "abort", result
    assert result["reason"] == "reauth_successful"
    await _back_with_both_dogs(owner, entry_id, "back after reauth")

    # A changed options save reloads the entry with the new interval.
    await options_step(owner, entry_id, "update_interval", {"update_interval": 20})
    await _back_with_both_dogs(owner, entry_id, "back after an options save")
    await options_step(
        owner, entry_id, "update_interval", {"update_interval": UPDATE_INTERVAL}
    )
    await _back_with_both_dogs(owner, entry_id, "back after the second save")

    # A reload from the integration's page.
    answer = await owner.post(f"/api/config/config_entries/entry/{entry_id}/reload")
    assert answer == {"require_restart": False}
    await _back_with_both_dogs(owner, entry_id, "back after a reload")


def test_log_so_far_is_clean(instance: Instance) -> None:
    """No error, traceback, frame warning or missing text from PawControl yet.

    The package fixture reads the logs again after the last test and the shutdown.
    """
    problems = pawcontrol_problems(instance.hass.log_files)
    assert not problems, "\n".join(problems)
