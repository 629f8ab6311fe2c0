"""PawControl's dashboard: a strategy served by the integration, built here.

``pawcontrol-strategy.js`` is served by Home Assistant's HTTP server and
loaded by every frontend (``add_extra_js_url``), so there is no resource to
add. It registers the dashboard strategy ``custom:pawcontrol`` and, from Home
Assistant 2026.5 on, lists it in the new-dashboard dialog. When a dashboard
with that strategy opens, it asks ``pawcontrol/dashboard`` for the
dashboard, which this module builds from the dogs configured now
(``builder.py``) in the viewer's language.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
import re
from typing import Any, Final

from homeassistant.components.frontend import add_extra_js_url

# 2026.10 defines StaticPathConfig in http.server and no longer exports it
# explicitly from the package (it is still there at runtime).
from homeassistant.components.http import (  # type: ignore[attr-defined,unused-ignore]
    StaticPathConfig,
)
from homeassistant.components.websocket_api import async_register_command
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.components.websocket_api.decorators import (
    async_response,
    websocket_command,
)
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, callback

from ..const import DOMAIN, LOGGER
from ..data import PawControlConfigEntry
from ..schema import vol
from .builder import DashboardBuilder, Texts, async_texts

STRATEGY_FILE: Final = Path(__file__).parent / "pawcontrol-strategy.js"
STRATEGY_URL: Final = "/pawcontrol_static/pawcontrol-strategy.js"
# A language tag as the frontend sends it ("de", "en-GB", "zh-Hant"); it
# names a translation file, so nothing else is let through.
LANGUAGE: Final = re.compile(r"^[a-zA-Z]{2,3}(?:[-_][a-zA-Z0-9]{2,8}){0,3}\Z")


async def async_setup_dashboard(hass: HomeAssistant) -> None:
    """Register the websocket command and, with a frontend, the strategy."""
    async_register_command(hass, websocket_dashboard)
    if "http" not in hass.config.components:
        return
    content = await hass.async_add_executor_job(STRATEGY_FILE.read_bytes)
    try:
        await hass.http.async_register_static_paths(
            [StaticPathConfig(STRATEGY_URL, str(STRATEGY_FILE), cache_headers=True)]
        )
    except RuntimeError as err:
        # Home Assistant's server takes routes after it started; a plain
        # aiohttp server (a test client started first) is frozen by then.
        LOGGER.debug("The dashboard strategy is not served: %s", err)
        return
    if "frontend" in hass.config.components:
        # A new file gets a new address, so no browser keeps an old one.
        version = hashlib.sha256(content).hexdigest()[:12]
        add_extra_js_url(hass, f"{STRATEGY_URL}?v={version}")


def _loaded_entry(hass: HomeAssistant) -> PawControlConfigEntry | None:
    """Return PawControl's loaded config entry, None when there is none."""
    for entry in hass.config_entries.async_entries(DOMAIN):
        if entry.state is ConfigEntryState.LOADED:
            loaded: PawControlConfigEntry = entry
            return loaded
    return None


@websocket_command(
    {
        vol.Required("type"): f"{DOMAIN}/dashboard",
        vol.Optional("language"): vol.All(str, vol.Match(LANGUAGE)),
    }
)
@async_response
async def websocket_dashboard(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
) -> None:
    """Answer the dashboard of the configured dogs in the viewer's language."""
    language = msg.get("language") or hass.config.language
    texts = await async_texts(hass, language)
    entry = _loaded_entry(hass)
    if entry is None:
        connection.send_result(msg["id"], _not_loaded(texts))
        return
    connection.send_result(msg["id"], DashboardBuilder(hass, entry, texts).build())


@callback
def _not_loaded(texts: Texts) -> dict[str, Any]:
    """Return a dashboard that says PawControl is not running."""
    return {
        "title": "PawControl",
        "views": [
            {
                "title": "PawControl",
                "cards": [{"type": "markdown", "content": texts.label("not_loaded")}],
            }
        ],
    }
