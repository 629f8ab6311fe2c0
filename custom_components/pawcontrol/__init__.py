"""PawControl: a Home Assistant integration for dog owners."""

from __future__ import annotations

from dataclasses import replace
import time as monotonic_time
from typing import Any

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import (
    config_validation as cv,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.device_registry import DeviceEntry
from homeassistant.helpers.typing import ConfigType
from homeassistant.loader import async_get_integration

from .api import PawControlApiClient
from .care.export import async_setup_export_service
from .care.follow import WalkFollower
from .care.manager import CareManager
from .care.reminders import ReminderManager
from .care.services import async_setup_care_services
from .care.store import CareStore
from .care.task_reminders import TaskReminders
from .care.task_services import async_setup_task_services
from .care.tasks import CareTasks
from .circuit_events import CircuitEvents, circuit_issue_id
from .const import CONF_API_TOKEN, CONF_API_URL, DATA_DOG_CACHE, DATA_RESILIENCE, DOMAIN
from .coordinator import (
    DEVICE_API_EXCLUDED,
    PawControlCoordinator,
    api_timeout,
    dog_breaker_name,
    unknown_dog_issue_id,
)
from .dashboard import async_setup_dashboard
from .data import PawControlConfigEntry, PawControlRuntimeData, dogs_from_options
from .entity import async_sync_devices, circuit_unique_id, dog_identifier
from .escape.manager import EscapeManager
from .gps_manager import GpsManager
from .migration import async_migrate_entry as async_migrate_entry
from .notifications import CHANNEL_BREAKER_PREFIX, NotificationManager
from .resilience import ResilienceManager
from .resilience.manager import DOG_BREAKER_PREFIX
from .services import async_setup_services
from .settings import Settings
from .watch.manager import CollarWatch
from .weather_manager import WeatherManager

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.CALENDAR,
    Platform.DEVICE_TRACKER,
    Platform.SENSOR,
    Platform.TODO,
]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


def _monotonic() -> float:
    """Return monotonic time, looked up at call time so tests can move it."""
    return monotonic_time.monotonic()


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Create the one ResilienceManager of this Home Assistant and the services."""
    resilience = ResilienceManager(hass, clock=_monotonic)
    await resilience.async_load()
    hass.data[DATA_RESILIENCE] = resilience
    hass.data[DATA_DOG_CACHE] = {}
    CircuitEvents(hass, resilience)
    async_setup_services(hass)
    async_setup_care_services(hass)
    async_setup_task_services(hass)
    async_setup_export_service(hass)
    await async_setup_dashboard(hass)
    return True


async def _async_version(hass: HomeAssistant) -> str | None:
    """Return PawControl's version from its manifest."""
    integration = await async_get_integration(hass, DOMAIN)
    return str(integration.version) if integration.version else None


def _api(
    hass: HomeAssistant, entry: PawControlConfigEntry, settings: Settings
) -> PawControlApiClient | None:
    """Return the device API client, if the entry has one."""
    if not (url := entry.data.get(CONF_API_URL)):
        return None
    return PawControlApiClient(
        async_get_clientsession(hass),
        url,
        entry.data.get(CONF_API_TOKEN),
        timeout=api_timeout(
            settings.update_interval, settings.coordinator_retry.max_attempts
        ),
    )


def _weather(
    hass: HomeAssistant, resilience: ResilienceManager, settings: Settings
) -> WeatherManager | None:
    """Return the weather manager, if a weather entity is configured."""
    if settings.weather_entity is None:
        return None
    return WeatherManager(
        hass,
        resilience,
        settings.weather_entity,
        retry=settings.weather_retry,
        refresh_interval=settings.weather_interval,
    )


async def async_setup_entry(hass: HomeAssistant, entry: PawControlConfigEntry) -> bool:
    """Build the managers and the coordinator, then the entities."""
    resilience = hass.data[DATA_RESILIENCE]
    settings = Settings.from_options(entry.options)
    dogs = {dog.dog_id: dog for dog in settings.dogs}
    api = _api(hass, entry, settings)
    gps = GpsManager(hass, resilience, retry=settings.gps_retry)
    await gps.async_load()
    weather = _weather(hass, resilience, settings)
    notifications = NotificationManager(
        hass,
        resilience,
        services=list(settings.notify_services),
        entities=list(settings.notify_entities),
        breaker_config=settings.breaker,
        quiet_hours=settings.quiet_hours,
    )
    care = CareManager(hass, CareStore(hass))
    await care.async_load(set(dogs))
    entry.async_on_unload(care.async_shutdown)
    tasks = CareTasks(care)
    coordinator = PawControlCoordinator(
        hass,
        entry,
        dogs=dogs,
        resilience=resilience,
        api=api,
        gps=gps,
        weather=weather,
        breaker_config=replace(
            settings.breaker, excluded_exceptions=DEVICE_API_EXCLUDED
        ),
        retry_config=settings.coordinator_retry,
        cache=hass.data[DATA_DOG_CACHE],
        update_interval=settings.update_interval,
        max_stale=settings.max_stale,
    )
    entry.runtime_data = PawControlRuntimeData(
        dogs=dogs,
        api=api,
        coordinator=coordinator,
        gps=gps,
        weather=weather,
        notifications=notifications,
        care=care,
        reminders=ReminderManager(hass, entry, dogs, care, notifications),
        watch=CollarWatch(hass, entry, coordinator, notifications, has_api=bool(api)),
        tasks=tasks,
        task_reminders=TaskReminders(
            hass, entry, dogs, care=care, tasks=tasks, notifications=notifications
        ),
        version=await _async_version(hass),
    )
    _forget_removed_sources(hass, entry, dogs if api else {}, notifications)
    gps.retain(set(dogs))
    async_sync_devices(hass, entry)
    await notifications.async_load()
    entry.async_on_unload(notifications.async_shutdown)
    entry.async_on_unload(gps.async_shutdown)
    await coordinator.async_config_entry_first_refresh()
    escape = EscapeManager(hass, entry, care, notifications)
    await escape.async_start()
    entry.async_on_unload(escape.async_shutdown)
    follower = WalkFollower(hass, care, coordinator, dogs, escape)
    follower.async_start()
    entry.async_on_unload(follower.async_stop)
    await entry.runtime_data.reminders.async_start()
    entry.async_on_unload(entry.runtime_data.reminders.async_shutdown)
    await entry.runtime_data.watch.async_start()
    entry.async_on_unload(entry.runtime_data.watch.async_shutdown)
    await entry.runtime_data.task_reminders.async_start()
    entry.async_on_unload(entry.runtime_data.task_reminders.async_shutdown)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


def _forget_removed_sources(
    hass: HomeAssistant,
    entry: PawControlConfigEntry,
    dogs: dict[str, Any],
    notifications: NotificationManager,
) -> None:
    """Drop the breakers, repairs and circuit entities of removed dogs and channels."""
    resilience = hass.data[DATA_RESILIENCE]
    wanted = {dog_breaker_name(dog_id) for dog_id in dogs}
    wanted |= {channel.breaker_name for channel in notifications.channels}
    for name in resilience.names() + resilience.stored_names():
        if (
            name.startswith((DOG_BREAKER_PREFIX, CHANNEL_BREAKER_PREFIX))
            and name not in wanted
        ):
            resilience.remove(name)
            ir.async_delete_issue(hass, DOMAIN, circuit_issue_id(name))
            ir.async_delete_issue(
                hass,
                DOMAIN,
                unknown_dog_issue_id(name.removeprefix(DOG_BREAKER_PREFIX)),
            )
    registry = er.async_get(hass)
    prefix = circuit_unique_id(entry.entry_id, "")
    for entity in er.async_entries_for_config_entry(registry, entry.entry_id):
        if (
            entity.unique_id.startswith(prefix)
            and entity.unique_id[len(prefix) :] not in wanted
        ):
            registry.async_remove(entity.entity_id)


async def async_unload_entry(hass: HomeAssistant, entry: PawControlConfigEntry) -> bool:
    """Unload a config entry."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: PawControlConfigEntry, device: DeviceEntry
) -> bool:
    """Allow deleting a device only when it is not a configured dog or the hub."""
    configured = {
        dog_identifier(entry, dog_id) for dog_id in dogs_from_options(entry.options)
    }
    configured.add((DOMAIN, entry.entry_id))
    return not device.identifiers & configured
