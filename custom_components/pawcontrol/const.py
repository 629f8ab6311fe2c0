"""Constants for PawControl."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Final

from homeassistant.util.hass_dict import HassKey

if TYPE_CHECKING:
    from .coordinator import DogData
    from .resilience import ResilienceManager

DOMAIN: Final = "pawcontrol"
LOGGER = logging.getLogger(__package__)
DATA_RESILIENCE: HassKey[ResilienceManager] = HassKey(DOMAIN)
# The dogs' last data outlives a reload, so an options change during an outage keeps it.
DATA_DOG_CACHE: HassKey[dict[str, DogData]] = HassKey(f"{DOMAIN}_dog_cache")

# Config entry data (the optional device API).
CONF_API_URL: Final = "api_url"
CONF_API_TOKEN: Final = "api_token"

# Dogs, kept in the entry options.
CONF_DOGS: Final = "dogs"
CONF_DOG_ID: Final = "dog_id"
CONF_DOG_NAME: Final = "name"
CONF_GPS_SOURCE: Final = "gps_source"
CONF_GPS_MAX_AGE: Final = "gps_max_age"
CONF_GPS_ACCURACY_LIMIT: Final = "gps_accuracy_limit"
# Dog care, per dog.
CONF_AUTO_WALK: Final = "auto_walk"
CONF_DEFAULT_PORTION: Final = "default_portion_g"
CONF_WALK_INTERVAL: Final = "walk_interval_hours"
CONF_FEEDING_TIMES: Final = "feeding_times"
CONF_HEAT_CAUTION: Final = "heat_caution_c"
CONF_HEAT_AVOID: Final = "heat_avoid_c"
CONF_COLD_AVOID: Final = "cold_avoid_c"
# Collar watch, per dog.
CONF_NOT_REPORTING_MINUTES: Final = "not_reporting_minutes"
CONF_BATTERY_LOW_PERCENT: Final = "battery_low_percent"

# Hub-wide options.
CONF_WEATHER_ENTITY: Final = "weather_entity"
CONF_WEATHER_INTERVAL: Final = "weather_interval"
CONF_NOTIFY_SERVICES: Final = "notify_services"
CONF_NOTIFY_ENTITIES: Final = "notify_entities"
CONF_QUIET_HOURS_START: Final = "quiet_hours_start"
CONF_QUIET_HOURS_END: Final = "quiet_hours_end"
CONF_UPDATE_INTERVAL: Final = "update_interval"

# Resilience options.
CONF_FAILURE_THRESHOLD: Final = "failure_threshold"
CONF_SUCCESS_THRESHOLD: Final = "success_threshold"
CONF_TIMEOUT_SECONDS: Final = "timeout_seconds"
CONF_HALF_OPEN_MAX_CALLS: Final = "half_open_max_calls"
CONF_COORDINATOR_RETRY_ATTEMPTS: Final = "coordinator_retry_attempts"
CONF_GPS_RETRY_ATTEMPTS: Final = "gps_retry_attempts"
CONF_WEATHER_RETRY_ATTEMPTS: Final = "weather_retry_attempts"
CONF_INITIAL_DELAY: Final = "initial_delay"
CONF_MAX_DELAY: Final = "max_delay"
CONF_EXPONENTIAL_BASE: Final = "exponential_base"
CONF_JITTER: Final = "jitter"
CONF_MAX_STALE_MINUTES: Final = "max_stale_minutes"

DEFAULT_UPDATE_INTERVAL: Final = 60
DEFAULT_WEATHER_INTERVAL: Final = 10  # minutes
MIN_UPDATE_INTERVAL: Final = 15
DEFAULT_GPS_MAX_AGE: Final = 600
DEFAULT_GPS_ACCURACY_LIMIT: Final = 100
DEFAULT_API_TIMEOUT: Final = 10.0
# Dog care defaults; every one is an option of the dog.
DEFAULT_CARE: Final[dict[str, int | float | bool]] = {
    CONF_AUTO_WALK: False,
    CONF_DEFAULT_PORTION: 200,
    CONF_WALK_INTERVAL: 8,  # hours; 0 turns the walk reminder off
    CONF_HEAT_CAUTION: 25,
    CONF_HEAT_AVOID: 30,
    CONF_COLD_AVOID: -10,
}

# Collar watch defaults; every one is an option of the dog.
DEFAULT_WATCH: Final[dict[str, int]] = {
    CONF_NOT_REPORTING_MINUTES: 30,
    CONF_BATTERY_LOW_PERCENT: 20,  # percent
}

# Seed values of the v1.0.1 package; each one is an option.
DEFAULT_RESILIENCE: Final[dict[str, int | float | bool]] = {
    CONF_FAILURE_THRESHOLD: 3,
    CONF_SUCCESS_THRESHOLD: 2,
    CONF_TIMEOUT_SECONDS: 30,
    CONF_HALF_OPEN_MAX_CALLS: 2,
    CONF_COORDINATOR_RETRY_ATTEMPTS: 2,
    CONF_GPS_RETRY_ATTEMPTS: 3,
    CONF_WEATHER_RETRY_ATTEMPTS: 2,
    CONF_INITIAL_DELAY: 1.0,
    CONF_MAX_DELAY: 5.0,
    CONF_EXPONENTIAL_BASE: 2.0,
    CONF_JITTER: True,
    # Not from v1.0.1: how long cached dog data may be shown (0 = no limit).
    CONF_MAX_STALE_MINUTES: 60,
}
