"""Typed configuration and runtime data of PawControl."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
import math
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntry

from .care.config import CareConfig
from .const import (
    CONF_COORDINATOR_RETRY_ATTEMPTS,
    CONF_DOG_ID,
    CONF_DOG_NAME,
    CONF_DOGS,
    CONF_EXPONENTIAL_BASE,
    CONF_FAILURE_THRESHOLD,
    CONF_GPS_ACCURACY_LIMIT,
    CONF_GPS_MAX_AGE,
    CONF_GPS_SOURCE,
    CONF_HALF_OPEN_MAX_CALLS,
    CONF_INITIAL_DELAY,
    CONF_JITTER,
    CONF_MAX_DELAY,
    CONF_SUCCESS_THRESHOLD,
    CONF_TIMEOUT_SECONDS,
    DEFAULT_GPS_ACCURACY_LIMIT,
    DEFAULT_GPS_MAX_AGE,
    DEFAULT_RESILIENCE,
    LOGGER,
)
from .escape.config import EscapeConfig
from .resilience import CircuitBreakerConfig, RetryConfig
from .watch.config import WatchConfig

if TYPE_CHECKING:
    from .api import PawControlApiClient
    from .care.manager import CareManager
    from .care.reminders import ReminderManager
    from .care.task_reminders import TaskReminders
    from .care.tasks import CareTasks
    from .coordinator import PawControlCoordinator
    from .gps_manager import GpsManager
    from .notifications import NotificationManager
    from .watch.manager import CollarWatch
    from .weather_manager import WeatherManager


@dataclass(frozen=True, kw_only=True, slots=True)
class DogConfig:
    """One configured dog."""

    dog_id: str
    name: str
    gps_source: str | None = None
    gps_max_age: int = DEFAULT_GPS_MAX_AGE
    gps_accuracy_limit: int = DEFAULT_GPS_ACCURACY_LIMIT
    care: CareConfig = field(default_factory=CareConfig)
    watch: WatchConfig = field(default_factory=WatchConfig)
    escape: EscapeConfig = field(default_factory=EscapeConfig)

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> DogConfig:
        """Build a dog from its stored options."""
        return cls(
            dog_id=raw[CONF_DOG_ID],
            name=raw[CONF_DOG_NAME],
            gps_source=raw.get(CONF_GPS_SOURCE),
            gps_max_age=int(raw.get(CONF_GPS_MAX_AGE, DEFAULT_GPS_MAX_AGE)),
            gps_accuracy_limit=int(
                raw.get(CONF_GPS_ACCURACY_LIMIT, DEFAULT_GPS_ACCURACY_LIMIT)
            ),
            care=CareConfig.from_dict(raw),
            watch=WatchConfig.from_dict(raw),
            escape=EscapeConfig.from_dict(raw),
        )


def dogs_from_options(options: Mapping[str, Any]) -> dict[str, DogConfig]:
    """Return the configured dogs keyed by dog id, in configured order."""
    dogs = (DogConfig.from_dict(raw) for raw in options.get(CONF_DOGS, []))
    return {dog.dog_id: dog for dog in dogs}


def _option(options: Mapping[str, Any], key: str) -> Any:
    """Return an option, or its v1.0.1 default when it is missing or unusable.

    Older versions could save ``null`` or NaN through the options form; such a
    value must not keep the entry from loading.
    """
    default = DEFAULT_RESILIENCE[key]
    value = options.get(key, default)
    if isinstance(default, bool):
        return value if isinstance(value, bool) else default
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
    ):
        return default
    return value


def number_option(
    options: Mapping[str, Any], key: str, default: int, minimum: int = 0
) -> int:
    """Return a whole-number option at least ``minimum``, or ``default`` if unusable."""
    value = options.get(key, default)
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value < minimum
    ):
        return default
    return int(value)


def breaker_config_from_options(
    options: Mapping[str, Any], excluded: tuple[type[BaseException], ...] = ()
) -> CircuitBreakerConfig:
    """Return the circuit breaker settings of the options (defaults if impossible)."""
    try:
        return CircuitBreakerConfig(
            failure_threshold=int(_option(options, CONF_FAILURE_THRESHOLD)),
            success_threshold=int(_option(options, CONF_SUCCESS_THRESHOLD)),
            timeout_seconds=float(_option(options, CONF_TIMEOUT_SECONDS)),
            half_open_max_calls=int(_option(options, CONF_HALF_OPEN_MAX_CALLS)),
            excluded_exceptions=excluded,
        )
    except ValueError as err:
        LOGGER.warning(
            "Stored circuit breaker options are invalid (%s); using defaults", err
        )
        return CircuitBreakerConfig(excluded_exceptions=excluded)


def retry_config_from_options(
    options: Mapping[str, Any], attempts_key: str = CONF_COORDINATOR_RETRY_ATTEMPTS
) -> RetryConfig:
    """Return the retry settings of the options for one component (defaults if impossible)."""
    try:
        return RetryConfig(
            max_attempts=int(_option(options, attempts_key)),
            initial_delay=float(_option(options, CONF_INITIAL_DELAY)),
            max_delay=float(_option(options, CONF_MAX_DELAY)),
            exponential_base=float(_option(options, CONF_EXPONENTIAL_BASE)),
            jitter=bool(_option(options, CONF_JITTER)),
        )
    except ValueError as err:
        LOGGER.warning("Stored retry options are invalid (%s); using defaults", err)
        return RetryConfig(max_attempts=int(DEFAULT_RESILIENCE[attempts_key]))


@dataclass(kw_only=True)
class PawControlRuntimeData:
    """Objects that live as long as the config entry is loaded."""

    dogs: dict[str, DogConfig]
    api: PawControlApiClient | None
    coordinator: PawControlCoordinator
    gps: GpsManager
    weather: WeatherManager | None
    notifications: NotificationManager
    care: CareManager
    reminders: ReminderManager
    watch: CollarWatch
    tasks: CareTasks
    task_reminders: TaskReminders
    # The integration's version from manifest.json: the hub's software version.
    version: str | None = None


type PawControlConfigEntry = ConfigEntry[PawControlRuntimeData]
