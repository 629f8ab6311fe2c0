"""Typed configuration and runtime data of PawControl."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.config_entries import ConfigEntry

from .api import PawControlApiClient
from .const import (
    CONF_DOG_ID,
    CONF_DOG_NAME,
    CONF_DOGS,
    CONF_GPS_ACCURACY_LIMIT,
    CONF_GPS_MAX_AGE,
    CONF_GPS_SOURCE,
    DEFAULT_GPS_ACCURACY_LIMIT,
    DEFAULT_GPS_MAX_AGE,
)


@dataclass(frozen=True, kw_only=True, slots=True)
class DogConfig:
    """One configured dog."""

    dog_id: str
    name: str
    gps_source: str | None = None
    gps_max_age: int = DEFAULT_GPS_MAX_AGE
    gps_accuracy_limit: int = DEFAULT_GPS_ACCURACY_LIMIT

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
        )


def dogs_from_options(options: Mapping[str, Any]) -> dict[str, DogConfig]:
    """Return the configured dogs keyed by dog id, in configured order."""
    dogs = (DogConfig.from_dict(raw) for raw in options.get(CONF_DOGS, []))
    return {dog.dog_id: dog for dog in dogs}


@dataclass(kw_only=True)
class PawControlRuntimeData:
    """Objects that live as long as the config entry is loaded."""

    dogs: dict[str, DogConfig]
    api: PawControlApiClient | None


type PawControlConfigEntry = ConfigEntry[PawControlRuntimeData]
