"""A walk's track as GPX 1.1 and GeoJSON (RFC 7946), from recorded tracker states.

Pure Python: the points come from the recorder's history of the dog's tracker
and go only into the export action's response, never into a store or a log.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final
from xml.sax.saxutils import escape

from .follow import fix_from_state

# A longer track is thinned evenly to this many points (first and last kept).
MAX_EXPORT_POINTS: Final = 10_000
GPX_NAMESPACE: Final = "http://www.topografix.com/GPX/1/1"
# Seven decimals are about a centimetre: more than any tracker measures.
DECIMALS: Final = 7


@dataclass(frozen=True, slots=True)
class TrackPoint:
    """One position of the dog at one time (UTC)."""

    latitude: float
    longitude: float
    time: datetime


def track_points(
    states: Iterable[tuple[Mapping[str, Any], datetime]], start: datetime
) -> list[TrackPoint]:
    """Return the positions of recorded states in time order.

    States without coordinates are skipped, and so is a state at the position
    of the point before (the dog stood still) or no newer than it. The state
    in effect when the walk started counts from the start.
    """
    points: list[TrackPoint] = []
    for attributes, when in states:
        fix = fix_from_state(dict(attributes), max(when, start))
        if fix is None:
            continue
        point = TrackPoint(
            round(fix.latitude, DECIMALS),
            round(fix.longitude, DECIMALS),
            fix.time.astimezone(UTC),
        )
        if points and (
            point.time <= points[-1].time
            or (point.latitude, point.longitude)
            == (points[-1].latitude, points[-1].longitude)
        ):
            continue
        points.append(point)
    return points


def thinned(
    points: list[TrackPoint], limit: int = MAX_EXPORT_POINTS
) -> list[TrackPoint]:
    """Return at most ``limit`` points, evenly spread, the first and the last kept."""
    if len(points) <= limit:
        return points
    last = len(points) - 1
    return [points[round(i * last / (limit - 1))] for i in range(limit)]


def _decimal(value: float) -> str:
    """Return a coordinate as an xsd:decimal (never in exponent form)."""
    return f"{value:.{DECIMALS}f}".rstrip("0").rstrip(".")


def _time(moment: datetime) -> str:
    """Return a UTC time as GPX writes it (xsd:dateTime with Z)."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def gpx(name: str, start: datetime, points: list[TrackPoint]) -> str:
    """Return a GPX 1.1 document with one track of one segment."""
    title = escape(name)
    rows = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<gpx version="1.1" creator="PawControl" xmlns="{GPX_NAMESPACE}">',
        f"  <metadata><name>{title}</name><time>{_time(start)}</time></metadata>",
        f"  <trk><name>{title}</name><type>walk</type><trkseg>",
    ]
    rows += [
        f'    <trkpt lat="{_decimal(p.latitude)}" lon="{_decimal(p.longitude)}">'
        f"<time>{_time(p.time)}</time></trkpt>"
        for p in points
    ]
    rows += ["  </trkseg></trk>", "</gpx>", ""]
    return "\n".join(rows)


def geojson(points: list[TrackPoint], properties: dict[str, Any]) -> dict[str, Any]:
    """Return a GeoJSON Feature: a LineString ([lon, lat]), a Point for one position.

    The times of the positions are in ``properties.coordinateProperties.times``,
    where GeoJSON tools that read GPX put them.
    """
    coordinates = [[p.longitude, p.latitude] for p in points]
    geometry: dict[str, Any] = (
        {"type": "Point", "coordinates": coordinates[0]}
        if len(coordinates) == 1
        else {"type": "LineString", "coordinates": coordinates}
    )
    return {
        "type": "Feature",
        "geometry": geometry,
        "properties": {
            **properties,
            "coordinateProperties": {"times": [_time(p.time) for p in points]},
        },
    }
