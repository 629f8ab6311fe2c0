"""Diagnostics: settings without secrets or locations, statistics, data ages."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from homeassistant.components.diagnostics import REDACTED, async_redact_data
from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import DeviceEntry
from homeassistant.util import dt as dt_util

from .const import CONF_API_TOKEN, CONF_API_URL, DATA_RESILIENCE, DOMAIN
from .coordinator import DogData, dog_breaker_name
from .data import PawControlConfigEntry, PawControlRuntimeData

TO_REDACT = {CONF_API_TOKEN, "latitude", "longitude", "accuracy", "gps_accuracy"}


def _redact_url(url: str) -> str:
    """Keep scheme, host and port; drop credentials, path and query."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit(
        (parts.scheme, host, "/**REDACTED**" if parts.path.strip("/") else "", "", "")
    )


def _entry_data(entry: PawControlConfigEntry) -> dict[str, Any]:
    """Return the entry data with the token and URL credentials removed."""
    data = async_redact_data(dict(entry.data), TO_REDACT)
    if url := data.get(CONF_API_URL):
        data[CONF_API_URL] = _redact_url(url)
    return data


def _dog_data(entry: PawControlConfigEntry, dog_id: str) -> DogData | None:
    """Return a dog's data; there is none before the first successful refresh."""
    data = entry.runtime_data.coordinator.data
    return data.dogs.get(dog_id) if data is not None else None


def _dog(data: DogData | None) -> dict[str, Any]:
    """Return what a dog's diagnostics may show: ages and sources, no coordinates."""
    if data is None:
        return {}
    now = dt_util.utcnow()
    location = data.location
    return {
        "stale": data.stale,
        "data_age_seconds": data.data_age_seconds(now),
        "stale_since": data.stale_since.isoformat() if data.stale_since else None,
        "last_success": data.last_success.isoformat() if data.last_success else None,
        "last_error": data.last_error,
        "has_status": data.status is not None,
        "battery": data.status.battery if data.status else None,
        "activity": data.status.activity if data.status else None,
        "location": None
        if location is None
        else {
            "source": location.source,
            "stale": location.stale,
            "age_seconds": round(location.age(now), 1),
            "latitude": REDACTED,
            "longitude": REDACTED,
        },
    }


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: PawControlConfigEntry
) -> dict[str, Any]:
    """Return the diagnostics of the whole integration."""
    entry_part = {
        "data": _entry_data(entry),
        "options": async_redact_data(dict(entry.options), TO_REDACT),
    }
    runtime: PawControlRuntimeData | None = getattr(entry, "runtime_data", None)
    if runtime is None:
        # Not loaded: settings and the shared statistics are all there is.
        return {
            "entry": entry_part,
            "resilience": hass.data[DATA_RESILIENCE].statistics(),
        }
    coordinator = runtime.coordinator
    weather = runtime.weather.snapshot if runtime.weather else None
    now = dt_util.utcnow()
    return {
        "entry": entry_part,
        "coordinator": {
            "last_update_success": coordinator.last_update_success,
            "update_interval_seconds": coordinator.update_interval.total_seconds()
            if coordinator.update_interval
            else None,
        },
        "dogs": {dog_id: _dog(_dog_data(entry, dog_id)) for dog_id in runtime.dogs},
        "weather": None
        if weather is None
        else {
            "entity_id": weather.entity_id,
            "stale": weather.stale,
            "age_seconds": round(weather.age(now), 1),
            "forecast_type": weather.forecast_type,
            "forecast_entries": len(weather.forecast),
        },
        "notifications": {
            "channels": [channel.target for channel in runtime.notifications.channels],
            "held_for_quiet_hours": runtime.notifications.held,
        },
        # Counts only: no time, place or amount of any walk or meal.
        "care": runtime.care.diagnostics(),
        "resilience": hass.data[DATA_RESILIENCE].statistics(),
    }


async def async_get_device_diagnostics(
    hass: HomeAssistant, entry: PawControlConfigEntry, device: DeviceEntry
) -> dict[str, Any]:
    """Return the diagnostics of one dog's device, or of the hub."""
    runtime = entry.runtime_data
    for dog_id in runtime.dogs:
        if (DOMAIN, f"{entry.entry_id}_{dog_id}") in device.identifiers:
            statistics = hass.data[DATA_RESILIENCE].statistics()
            breaker = statistics["circuit_breakers"].get(dog_breaker_name(dog_id))
            return {
                "dog_id": dog_id,
                "dog": _dog(_dog_data(entry, dog_id)),
                "circuit_breaker": breaker,
            }
    return await async_get_config_entry_diagnostics(hass, entry)
