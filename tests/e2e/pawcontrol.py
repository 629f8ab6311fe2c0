"""PawControl in the e2e Home Assistant: set up through its flows, as a user does."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import time
from typing import Any, Final

from custom_components.pawcontrol.const import (
    CONF_FAILURE_THRESHOLD,
    CONF_SUCCESS_THRESHOLD,
    CONF_TIMEOUT_SECONDS,
)

from .client import HassApi, HassError

COLLAR_TOKEN: Final = "pawcontrol-e2e-collar-token"  # the simulator's
# Dogs of the collar simulator: the first comes with the entry, the second
# through the options flow; the dashboard test adds the third and removes two.
DOGS: Final = {"buddy": "Buddy", "max": "Max"}
THIRD_DOG: Final = ("bella", "Bella")
WEATHER: Final = "weather.demo_weather_south"
UPDATE_INTERVAL: Final = 15  # seconds, PawControl's minimum
# A broken collar opens its circuit after two failed refreshes and is probed
# again after 30 s; one good answer closes it.
RESILIENCE: Final = {
    CONF_FAILURE_THRESHOLD: 2,
    CONF_SUCCESS_THRESHOLD: 1,
    CONF_TIMEOUT_SECONDS: 30,
}
CIRCUITS: Final = {dog_id: f"dog_{dog_id}" for dog_id in DOGS}
STATISTICS: Final = "sensor.pawcontrol_statistics"
OPEN_CIRCUITS: Final = "sensor.pawcontrol_open_circuits"
FLOW: Final = "/api/config/config_entries/flow"
OPTIONS_FLOW: Final = "/api/config/config_entries/options/flow"


async def eventually[T](
    probe: Callable[[], Awaitable[T | None]], what: str, *, within: float = 60
) -> T:
    """Poll ``probe`` until it returns something other than None or False."""
    deadline = time.monotonic() + within
    last: T | None = None
    while time.monotonic() < deadline:
        last = await probe()
        if last is not None and last is not False:
            return last
        await asyncio.sleep(0.5)
    raise HassError(f"{what}: not within {within:.0f} s (last: {last!r})")


async def add_entry(api: HassApi, collar_url: str) -> str:
    """Add PawControl with Buddy through the config flow; return the entry id."""
    await eventually(
        lambda: _exists(api, WEATHER), f"{WEATHER} exists (demo integration)"
    )
    flow = await api.post(
        FLOW, {"handler": "pawcontrol", "show_advanced_options": False}
    )
    if flow.get("type") != "form":
        raise HassError(f"the config flow showed no form: {flow}")
    result = await api.post(
        f"{FLOW}/{flow['flow_id']}",
        {
            "name": DOGS["buddy"],
            "weather_entity": WEATHER,
            "api_url": collar_url,
            "api_token": COLLAR_TOKEN,
        },
    )
    if result.get("type") != "create_entry":
        raise HassError(f"the config flow created no entry: {result}")
    return str(result["result"]["entry_id"])


async def _exists(api: HassApi, entity_id: str) -> bool:
    """Return whether an entity has a state."""
    answer = await api.request("GET", f"/api/states/{entity_id}", expect=(200, 404))
    return isinstance(answer, dict)


def form_input(fields: list[dict[str, Any]], changes: dict[str, Any]) -> dict[str, Any]:
    """Return what a user submits: the form as shown, with ``changes`` typed in.

    Sections (``expandable``) take their changes from a dict under their name.
    """
    user_input: dict[str, Any] = {}
    for field in fields:
        name = field["name"]
        if field.get("type") == "expandable":
            user_input[name] = form_input(field["schema"], changes.get(name, {}))
            continue
        suggested = (field.get("description") or {}).get("suggested_value")
        if name in changes:
            user_input[name] = changes[name]
        elif suggested is not None:
            user_input[name] = suggested
        elif "default" in field:
            user_input[name] = field["default"]
    return user_input


async def options_step(
    api: HassApi, entry_id: str, step: str, changes: dict[str, Any]
) -> None:
    """Run one menu step of the options flow to its end, changing only ``changes``."""
    flow = await api.post(OPTIONS_FLOW, {"handler": entry_id})
    form = await api.post(f"{OPTIONS_FLOW}/{flow['flow_id']}", {"next_step_id": step})
    user_input = form_input(form["data_schema"], changes)
    result = await api.post(f"{OPTIONS_FLOW}/{form['flow_id']}", user_input)
    if result.get("type") == "form" and result["step_id"].endswith("_confirm"):
        # A step that asks before it changes anything (removing dogs): confirm.
        result = await api.post(f"{OPTIONS_FLOW}/{form['flow_id']}", {})
    if result.get("type") != "create_entry":
        raise HassError(f"options step {step} did not save: {result}")


async def entry_state(api: HassApi, entry_id: str) -> str:
    """Return the state of the config entry."""
    entries = await api.get("/api/config/config_entries/entry?domain=pawcontrol")
    return next(str(e["state"]) for e in entries if e["entry_id"] == entry_id)


async def configure(api: HassApi, entry_id: str) -> None:
    """Add Max through the options flow, refresh every 15 s, tune the breakers."""
    await options_step(
        api,
        entry_id,
        "add_dog",
        {"name": DOGS["max"]},
    )
    await options_step(
        api, entry_id, "update_interval", {"update_interval": UPDATE_INTERVAL}
    )
    await options_step(api, entry_id, "resilience", {"advanced": RESILIENCE})
    await eventually(
        lambda: _loaded_with_both_dogs(api, entry_id),
        "PawControl loaded with Buddy and Max",
    )


async def _loaded_with_both_dogs(api: HassApi, entry_id: str) -> bool:
    """Return whether the entry is loaded and both dogs report a battery."""
    if await entry_state(api, entry_id) != "loaded":
        return False
    for dog_id in DOGS:
        answer = await api.request(
            "GET", f"/api/states/sensor.{dog_id}_battery", expect=(200, 404)
        )
        if not isinstance(answer, dict) or answer["state"] in (
            "unknown",
            "unavailable",
        ):
            return False
    return True


async def circuit(api: HassApi, dog_id: str) -> dict[str, Any]:
    """Return a dog's circuit breaker as `pawcontrol.get_statistics` reports it."""
    statistics = await api.call_for_response(
        "pawcontrol", "get_statistics", {"circuit_name": CIRCUITS[dog_id]}
    )
    breaker: dict[str, Any] = statistics["circuit_breakers"][CIRCUITS[dog_id]]
    return breaker


async def collar_state(api: HassApi, collar_url: str) -> dict[str, Any]:
    """Return the collar simulator's modes and request counts."""
    async with api.session.get(f"{collar_url}/control/state") as response:
        state: dict[str, Any] = await response.json()
        return state


async def set_collar(
    api: HassApi, collar_url: str, dog_id: str, mode: str, **options: float
) -> None:
    """Switch a dog's simulated collar to a mode (`healthy`, `error500`, ...).

    ``options``: what the mode takes besides, e.g. ``battery=25`` for `drain`.
    """
    async with api.session.post(
        f"{collar_url}/control/dogs/{dog_id}/mode", json={"mode": mode, **options}
    ) as response:
        if response.status != 200:
            raise HassError(f"the simulator refused {mode} for {dog_id}")


async def requests_of(api: HassApi, collar_url: str) -> dict[str, int]:
    """Return how many status requests each simulated dog has answered."""
    state = await collar_state(api, collar_url)
    return {dog_id: int(dog["requests"]) for dog_id, dog in state["dogs"].items()}
