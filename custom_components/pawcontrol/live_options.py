"""Apply an options save to the running entry, or reload it when it must."""

from __future__ import annotations

from dataclasses import replace

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, callback

from .coordinator import DEVICE_API_EXCLUDED, api_timeout
from .data import PawControlConfigEntry
from .settings import Settings


@callback
def async_options_saved(
    hass: HomeAssistant, entry: PawControlConfigEntry, before: Settings
) -> None:
    """Make the entry run with its new options: nothing, live, or a reload.

    A save that changes no setting does nothing; settings that are read
    while PawControl runs apply at once, so no entity becomes unavailable
    and the logbook stays quiet; dogs added, removed or renamed, another GPS
    source, update interval, weather entity or notification target reload.
    """
    after = Settings.from_options(entry.options)
    if after == before:
        return
    if entry.state is not ConfigEntryState.LOADED or before.needs_reload(after):
        hass.config_entries.async_schedule_reload(entry.entry_id)
        return
    async_apply_settings(entry, after)


@callback
def async_apply_settings(entry: PawControlConfigEntry, settings: Settings) -> None:
    """Hand the new settings to the running managers and let the entities follow."""
    runtime = entry.runtime_data
    # The same dict is read by the coordinator, the reminders and the walks.
    runtime.dogs.update({dog.dog_id: dog for dog in settings.dogs})
    retry = settings.coordinator_retry
    runtime.coordinator.apply_settings(
        replace(settings.breaker, excluded_exceptions=DEVICE_API_EXCLUDED),
        retry,
        settings.max_stale,
    )
    if runtime.api is not None:
        runtime.api.timeout = api_timeout(settings.update_interval, retry.max_attempts)
    runtime.gps.retry = settings.gps_retry
    if runtime.weather is not None:
        runtime.weather.apply_settings(
            settings.weather_retry, settings.weather_interval
        )
    runtime.notifications.apply_settings(settings.breaker, settings.quiet_hours)
    runtime.reminders.async_settings_changed()
    # Walk advice and the stale limit are judged again with the new settings.
    runtime.coordinator.async_update_listeners()
