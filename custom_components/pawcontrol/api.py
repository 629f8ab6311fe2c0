"""Client for the optional PawControl device API."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
import math
from typing import Any

from aiohttp import ClientError, ClientResponse, ClientSession, ContentTypeError
from yarl import URL

from .const import DEFAULT_API_TIMEOUT


class PawControlApiError(Exception):
    """Base error of the device API; transient unless a subclass says otherwise."""

    transient = True
    retry_after: float | None = None


class PawControlApiConnectionError(PawControlApiError):
    """The API could not be reached or did not answer in time."""


class PawControlApiResponseError(PawControlApiError):
    """The API answered with an error status or an unusable body."""


class PawControlApiRetryAfterError(PawControlApiResponseError):
    """The API asked to come back later (429 or 503 with Retry-After)."""

    def __init__(self, status: int, retry_after: float | None) -> None:
        """Store the status and the delay hint in seconds."""
        super().__init__(f"HTTP {status}, retry after {retry_after}s")
        self.status = status
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
    battery = body.get("battery")
    if battery is not None and (
        isinstance(battery, bool)
        or not isinstance(battery, int)
        or not 0 <= battery <= 100
    ):
        raise PawControlApiResponseError("Invalid field: battery")
    activity = body.get("activity")
    if activity is not None and not isinstance(activity, str):
        raise PawControlApiResponseError("Invalid field: activity")
    return DogStatus(
        dog_id=dog_id,
        updated_at=updated_at,
        location=_parse_location(body.get("location")),
        battery=battery,
        activity=activity,
    )


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
        self._timeout = timeout

    async def async_check_health(self) -> None:
        """Raise unless the API answers its health check."""
        await self._request("/api/v1/health")

    async def async_get_dog_status(self, dog_id: str) -> DogStatus:
        """Return the current status of one dog."""
        body = await self._request(f"/api/v1/dogs/{dog_id}/status")
        return parse_dog_status(body, dog_id)

    async def _request(self, path: str) -> Any:
        """GET a path and return its JSON body, mapping every failure to our errors."""
        headers = {"Authorization": f"Bearer {self._token}"} if self._token else {}
        try:
            async with asyncio.timeout(self._timeout):
                response = await self._session.get(
                    f"{self._base_url}{path}", headers=headers, allow_redirects=False
                )
                async with response:
                    self._raise_for_status(response)
                    return await response.json()
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
                f"Cannot reach the device API: {type(err).__name__}"
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
        raise PawControlApiResponseError(f"HTTP {status}")
