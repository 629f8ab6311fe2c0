"""Client for the optional PawControl device API."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
import errno
import json
import math
from typing import Any, Final
import zlib

from aiohttp import (
    ClientConnectorError,
    ClientError,
    ClientResponse,
    ClientSession,
    ContentTypeError,
)
from yarl import URL

from .const import DEFAULT_API_TIMEOUT

MAX_BODY_BYTES: Final = 64 * 1024
"""A status is under 1 KiB; anything above 64 KiB (after decompression) is refused."""
CHUNK_BYTES: Final = 8 * 1024
MAX_FUTURE: Final = timedelta(minutes=5)
"""A status may be this far ahead of our clock (clock skew); later ones are refused."""
ACTIVITIES: Final = ("resting", "sleeping", "walking", "running", "playing", "eating")
ACTIVITY_UNKNOWN: Final = "unknown"
# gzip or zlib header, detected by zlib itself.
_GZIP_OR_ZLIB: Final = 32 + zlib.MAX_WBITS


def _connection_problem(err: ClientError) -> str:
    """Return the error's type, and whether the address refused the connection.

    Never the message: it names the host and port.
    """
    cause = err.os_error if isinstance(err, ClientConnectorError) else None
    if isinstance(cause, OSError) and cause.errno == errno.ECONNREFUSED:
        return f"{type(err).__name__} (connection refused)"
    return type(err).__name__


class PawControlApiError(Exception):
    """Base error of the device API; transient unless a subclass says otherwise."""

    transient = True
    retry_after: float | None = None


class PawControlApiConnectionError(PawControlApiError):
    """The API could not be reached or did not answer in time."""


class PawControlApiResponseError(PawControlApiError):
    """The API answered with an error status or an unusable body."""

    def __init__(self, message: str, status: int | None = None) -> None:
        """Store the message and the HTTP status, if one caused the error."""
        super().__init__(message)
        self.status = status


class PawControlApiRetryAfterError(PawControlApiResponseError):
    """The API asked to come back later (429 or 503 with Retry-After)."""

    def __init__(self, status: int, retry_after: float | None) -> None:
        """Store the status and the delay hint in seconds."""
        message = f"HTTP {status}"
        if retry_after is not None:
            message += f", retry after {retry_after:.0f} s"
        super().__init__(message, status)
        self.retry_after = retry_after


class PawControlApiAuthError(PawControlApiError):
    """The API refused the token (401 or 403)."""

    transient = False


class PawControlApiNotFoundError(PawControlApiError):
    """The API does not know the dog (404)."""

    transient = False


@dataclass(frozen=True, kw_only=True, slots=True)
class DeviceLocation:
    """A location reported by the device API."""

    latitude: float
    longitude: float
    accuracy: float | None


@dataclass(frozen=True, kw_only=True, slots=True)
class DogStatus:
    """The status of one dog as reported by the device API."""

    dog_id: str
    updated_at: datetime
    location: DeviceLocation | None
    battery: int | None
    activity: str | None


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Return the delay in seconds of a Retry-After header, or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _number(value: Any, field: str) -> float:
    """Return a finite float or raise a response error naming the field."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PawControlApiResponseError(f"Invalid field: {field}")
    result = float(value)
    if not math.isfinite(result):
        raise PawControlApiResponseError(f"Invalid field: {field}")
    return result


def _parse_location(raw: Any) -> DeviceLocation | None:
    """Parse the location object of a status body."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise PawControlApiResponseError("Invalid field: location")
    accuracy = raw.get("accuracy")
    return DeviceLocation(
        latitude=_number(raw.get("latitude"), "location.latitude"),
        longitude=_number(raw.get("longitude"), "location.longitude"),
        accuracy=None if accuracy is None else _number(accuracy, "location.accuracy"),
    )


def parse_dog_status(body: Any, dog_id: str) -> DogStatus:
    """Validate a status body against the contract and return it typed."""
    if not isinstance(body, dict):
        raise PawControlApiResponseError("Status body is not an object")
    if body.get("dog_id") != dog_id:
        raise PawControlApiResponseError("Invalid field: dog_id")
    try:
        updated_at = datetime.fromisoformat(body["updated_at"])
    except (KeyError, TypeError, ValueError) as err:
        raise PawControlApiResponseError("Invalid field: updated_at") from err
    if updated_at.tzinfo is None:
        updated_at = updated_at.replace(tzinfo=UTC)
    if updated_at - datetime.now(UTC) > MAX_FUTURE:
        # "9999-12-31" would count as fresh forever.
        raise PawControlApiResponseError("Invalid field: updated_at")
    battery = body.get("battery")
    if battery is not None and (
        isinstance(battery, bool)
        or not isinstance(battery, int)
        or not 0 <= battery <= 100
    ):
        raise PawControlApiResponseError("Invalid field: battery")
    return DogStatus(
        dog_id=dog_id,
        updated_at=updated_at,
        location=_parse_location(body.get("location")),
        battery=battery,
        activity=_parse_activity(body.get("activity")),
    )


def _parse_activity(raw: Any) -> str | None:
    """Return a documented activity, ``unknown`` for any other text, or None."""
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise PawControlApiResponseError("Invalid field: activity")
    # Only the first few characters matter: the documented values are short.
    activity = raw[:32].strip().lower()
    return activity if activity in ACTIVITIES else ACTIVITY_UNKNOWN


async def read_bounded_json(response: ClientResponse) -> Any:
    """Return the JSON body, reading and inflating at most `MAX_BODY_BYTES`.

    The body is read with Home Assistant's automatic decompression off, so a
    gzip bomb is inflated here, never beyond the limit: a hostile device can
    neither fill the memory nor hold the event loop.
    """
    inflate = _decompressor(response.headers.get("Content-Encoding"))
    size = 0
    parts: list[bytes] = []
    async for chunk in response.content.iter_chunked(CHUNK_BYTES):
        data = chunk
        if inflate is not None:
            try:
                data = inflate.decompress(chunk, MAX_BODY_BYTES - size + 1)
            except zlib.error as err:
                raise PawControlApiResponseError("Malformed compressed body") from err
            if inflate.unconsumed_tail:
                raise PawControlApiResponseError("Response body too large")
        size += len(data)
        if size > MAX_BODY_BYTES:
            raise PawControlApiResponseError("Response body too large")
        parts.append(data)
    try:
        return json.loads(b"".join(parts))
    except (RecursionError, UnicodeDecodeError, ValueError) as err:
        raise PawControlApiResponseError("Malformed JSON from the device API") from err


def _decompressor(encoding: str | None) -> Any:
    """Return a zlib decompressor for the Content-Encoding, or None for identity."""
    name = (encoding or "identity").strip().lower()
    if name in ("", "identity"):
        return None
    if name in ("gzip", "x-gzip", "deflate"):
        return zlib.decompressobj(_GZIP_OR_ZLIB)
    raise PawControlApiResponseError("Unsupported Content-Encoding")


class PawControlApiClient:
    """Talk to the device API over Home Assistant's shared HTTP session."""

    def __init__(
        self,
        session: ClientSession,
        base_url: str,
        token: str | None,
        *,
        timeout: float = DEFAULT_API_TIMEOUT,
    ) -> None:
        """Store the session, the base URL and the token."""
        self._session = session
        url = URL(base_url.rstrip("/"))
        # Bearer auth replaces credentials in the URL; aiohttp refuses to send both.
        self._base_url = str(url.with_user(None) if token else url)
        self._token = token
        # Read on every request, so an options change applies to the next one.
        self.timeout = timeout

    async def async_check_health(self) -> None:
        """Raise unless the API answers its health check with ``{"status": "ok"}``."""
        body = await self._request("/api/v1/health")
        if not isinstance(body, dict) or body.get("status") != "ok":
            raise PawControlApiResponseError("Health check did not answer status ok")

    async def async_get_dog_status(self, dog_id: str) -> DogStatus:
        """Return the current status of one dog."""
        body = await self._request(f"/api/v1/dogs/{dog_id}/status")
        return parse_dog_status(body, dog_id)

    async def _request(self, path: str) -> Any:
        """GET a path and return its JSON body, mapping every failure to our errors."""
        headers = {"Accept-Encoding": "gzip, deflate"}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        try:
            async with asyncio.timeout(self.timeout):
                response = await self._session.get(
                    f"{self._base_url}{path}",
                    headers=headers,
                    allow_redirects=False,
                    auto_decompress=False,
                )
                async with response:
                    self._raise_for_status(response)
                    return await read_bounded_json(response)
        except TimeoutError as err:
            raise PawControlApiConnectionError(
                "Timeout talking to the device API"
            ) from err
        except (ContentTypeError, ValueError) as err:
            raise PawControlApiResponseError(
                "Malformed JSON from the device API"
            ) from err
        except ClientError as err:
            raise PawControlApiConnectionError(
                f"Cannot reach the device API: {_connection_problem(err)}"
            ) from err

    @staticmethod
    def _raise_for_status(response: ClientResponse) -> None:
        """Raise the error that matches an unsuccessful status."""
        status = response.status
        if status == 200:
            return
        if status in (401, 403):
            raise PawControlApiAuthError(f"HTTP {status}")
        if status == 404:
            raise PawControlApiNotFoundError("HTTP 404")
        if status in (429, 503):
            raise PawControlApiRetryAfterError(
                status, parse_retry_after(response.headers.get("Retry-After"))
            )
        raise PawControlApiResponseError(f"HTTP {status}", status)
