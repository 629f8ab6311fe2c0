"""PawControl: a Home Assistant integration for dog owners."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.device_registry import DeviceEntry
from homeassistant.helpers.typing import ConfigType

from .api import PawControlApiClient
from .const import CONF_API_TOKEN, CONF_API_URL, DOMAIN
from .data import PawControlConfigEntry, PawControlRuntimeData, dogs_from_options
from .entity import async_sync_devices, dog_identifier

PLATFORMS: list[Platform] = []
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Set up what PawControl shares across config entries."""
    return True


async def async_setup_entry(hass: HomeAssistant, entry: PawControlConfigEntry) -> bool:
    """Set up PawControl from a config entry."""
    api = None
    if url := entry.data.get(CONF_API_URL):
        api = PawControlApiClient(
            async_get_clientsession(hass), url, entry.data.get(CONF_API_TOKEN)
        )
    entry.runtime_data = PawControlRuntimeData(
        dogs=dogs_from_options(entry.options), api=api
    )
    async_sync_devices(hass, entry)
    entry.async_on_unload(entry.add_update_listener(_async_reload_on_update))
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: PawControlConfigEntry) -> bool:
    """Unload a config entry."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def _async_reload_on_update(
    hass: HomeAssistant, entry: PawControlConfigEntry
) -> None:
    """Reload the entry when its options change."""
    await hass.config_entries.async_reload(entry.entry_id)


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: PawControlConfigEntry, device: DeviceEntry
) -> bool:
    """Allow deleting a device only when it is not a configured dog or the hub."""
    configured = {dog_identifier(entry, dog_id) for dog_id in entry.runtime_data.dogs}
    configured.add((DOMAIN, entry.entry_id))
    return not device.identifiers & configured
