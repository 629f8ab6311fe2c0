"""The export_walk action: a walk's track from the recorder, as GPX and GeoJSON.

PawControl stores no positions of a walk (start, end and distance only); the
recorder already keeps the history of the dog's tracker, so the track is read
from there, between the walk's start and its end (now, for a walk in
progress), and goes only into the action's response.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Final, cast

from homeassistant.components.recorder import history
from homeassistant.const import Platform
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    State,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv, entity_registry as er
from homeassistant.helpers.recorder import get_instance
from homeassistant.util import dt as dt_util

from ..const import DOMAIN
from ..data import DogConfig
from ..entity import dog_unique_id
from ..schema import vol
from ..services import excerpt, invalid_input, loaded_entry
from .manager import CareManager
from .services import ATTR_DOG, care_dog
from .track import (
    MAX_EXPORT_POINTS,
    TrackPoint,
    geojson,
    gpx,
    thinned,
    track_points,
)

SERVICE_EXPORT_WALK: Final = "export_walk"
ATTR_START: Final = "start"
MAX_START_LENGTH: Final = 64
RECORDER: Final = "recorder"
# A start this close to a walk's names it: people give the minute, the datetime
# selector and a copied sensor state whole seconds, the stored start has more.
START_TOLERANCE: Final = timedelta(minutes=1)
# The recorder reads up to, not including, the end: a state written at the
# walk's end (the fix that ended it at home) belongs to the walk.
END_MARGIN: Final = timedelta(milliseconds=1)

EXPORT_SCHEMA = vol.Schema(
    {vol.Required(ATTR_DOG): cv.string, vol.Optional(ATTR_START): cv.string}
)


@dataclass(frozen=True, slots=True)
class ChosenWalk:
    """The walk to export: its start, its end (None: in progress), its distance."""

    start: datetime
    end: datetime | None
    distance_m: float


def _shown(moment: datetime) -> str:
    """Return a time as a person reads it, in Home Assistant's zone."""
    return dt_util.as_local(moment).strftime("%Y-%m-%d %H:%M:%S")


def _walks(care: CareManager, dog_id: str) -> list[ChosenWalk]:
    """Return the dog's stored walks and the walk in progress, oldest first."""
    walks = [
        ChosenWalk(w.start, w.end, w.distance_m) for w in care.histories[dog_id].walks
    ]
    if (active := care.walks.get(dog_id)) is not None:
        walks.append(ChosenWalk(active.start, None, active.distance_m))
    return walks


def _parse_start(raw: str) -> datetime:
    """Return the start a call names; without a zone, Home Assistant's."""
    if len(raw) > MAX_START_LENGTH:
        raise invalid_input(
            "input_too_long", field=ATTR_START, max=str(MAX_START_LENGTH)
        )
    try:
        when = dt_util.parse_datetime(raw.strip())
    except ValueError:
        when = None
    if when is None:
        raise invalid_input("invalid_start", start=excerpt(raw))
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt_util.get_default_time_zone())
    return when


def _choose(walks: list[ChosenWalk], dog: DogConfig, raw: str | None) -> ChosenWalk:
    """Return the walk the call names: by its start, else the latest one."""
    if not walks:
        raise invalid_input("no_walks", dog_name=dog.name)
    if raw is None:
        return walks[-1]
    start = _parse_start(raw)
    nearest = min(walks, key=lambda walk: abs(walk.start - start))
    if abs(nearest.start - start) > START_TOLERANCE:
        raise invalid_input(
            "no_such_walk",
            dog_name=dog.name,
            start=_shown(start),
            nearest=_shown(nearest.start),
        )
    return nearest


def _tracker(hass: HomeAssistant, entry_id: str, dog: DogConfig) -> str:
    """Return the entity id of the dog's tracker, found by its unique id."""
    entity_id = er.async_get(hass).async_get_entity_id(
        Platform.DEVICE_TRACKER, DOMAIN, dog_unique_id(entry_id, dog.dog_id, "location")
    )
    if entity_id is None:
        raise invalid_input("no_location_entity", dog_name=dog.name)
    return entity_id


async def _async_history(
    hass: HomeAssistant, entity_id: str, start: datetime, end: datetime
) -> list[State]:
    """Return every recorded state of the tracker from ``start`` to ``end``.

    Attribute changes count (a moving dog stays ``not_home``), so not only
    the significant ones; the state in effect at the start comes first.
    """
    states = await get_instance(hass).async_add_executor_job(
        partial(
            history.get_significant_states,
            hass,
            start,
            end + END_MARGIN,
            [entity_id],
            include_start_time_state=True,
            significant_changes_only=False,
        )
    )
    # Without minimal_response every row is a State.
    return cast(list[State], states.get(entity_id, []))


def _with_live(
    hass: HomeAssistant, entity_id: str, states: list[State], end: datetime
) -> list[State]:
    """Add the tracker's state now when the recorder has not written it yet.

    The recorder writes in batches (every 5 s by default): a walk exported
    just after it ended, or while it goes on, would lack its last position.
    Nothing recorded at all means the tracker is not recorded (excluded, or its
    history purged): then there is no track, not a track of one point.
    """
    live = hass.states.get(entity_id)
    if (
        not states
        or live is None
        or live.last_updated > end + END_MARGIN
        or live.last_updated <= states[-1].last_updated
    ):
        return states
    return [*states, live]


async def _async_export_walk(call: ServiceCall) -> ServiceResponse:
    """Answer the track of a walk as GPX and GeoJSON."""
    care, dog_id = care_dog(call)
    hass = call.hass
    entry = loaded_entry(hass)
    dog = entry.runtime_data.dogs[dog_id]
    if RECORDER not in hass.config.components:
        raise invalid_input("recorder_not_loaded")
    walk = _choose(_walks(care, dog_id), dog, call.data.get(ATTR_START))
    entity_id = _tracker(hass, entry.entry_id, dog)
    end = walk.end or dt_util.utcnow()
    states = _with_live(
        hass, entity_id, await _async_history(hass, entity_id, walk.start, end), end
    )
    recorded = track_points(
        ((state.attributes, state.last_updated) for state in states), walk.start
    )
    if not recorded:
        raise no_history(dog, entity_id, walk.start, end)
    return _response(dog, walk, end, recorded)


def _response(
    dog: DogConfig, walk: ChosenWalk, end: datetime, recorded: list[TrackPoint]
) -> ServiceResponse:
    """Return the summary, the GPX text and the GeoJSON feature of a track."""
    points = thinned(recorded, MAX_EXPORT_POINTS)
    summary: dict[str, Any] = {
        "dog": dog.dog_id,
        "start": walk.start.isoformat(),
        "end": end.isoformat(),
        "in_progress": walk.end is None,
        "distance_m": round(walk.distance_m),
        "points": len(points),
        "recorded_points": len(recorded),
        "thinned": len(points) < len(recorded),
    }
    name = f"{dog.name} {_shown(walk.start)}"
    properties = {"name": name} | {
        key: summary[key] for key in ("dog", "start", "end", "distance_m")
    }
    return summary | {
        "gpx": gpx(name, walk.start, points),
        "geojson": geojson(points, properties),
    }


def no_history(
    dog: DogConfig, entity_id: str, start: datetime, end: datetime
) -> ServiceValidationError:
    """Return the error of a walk the recorder has no positions of."""
    return invalid_input(
        "no_walk_history",
        dog_name=dog.name,
        entity_id=entity_id,
        start=_shown(start),
        end=_shown(end),
    )


@callback
def async_setup_export_service(hass: HomeAssistant) -> None:
    """Register the export_walk action (it only answers)."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_EXPORT_WALK,
        _async_export_walk,
        EXPORT_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
