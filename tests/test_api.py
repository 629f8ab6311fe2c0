"""Tests for the device API client against a real local server."""

from __future__ import annotations

from datetime import UTC, datetime

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
import pytest

from custom_components.pawcontrol.api import (
    DeviceLocation,
    PawControlApiAuthError,
    PawControlApiClient,
    PawControlApiConnectionError,
    PawControlApiError,
    PawControlApiNotFoundError,
    PawControlApiResponseError,
    PawControlApiRetryAfterError,
    parse_dog_status,
    parse_retry_after,
)

from .device_api import TOKEN, DeviceApiServer, Mode, load_fixture


def _client(
    hass: HomeAssistant, url: str, *, timeout: float = 10.0
) -> PawControlApiClient:
    """Return a client on Home Assistant's session."""
    return PawControlApiClient(
        async_get_clientsession(hass), url, TOKEN, timeout=timeout
    )


async def test_status(
    hass: HomeAssistant, device_api: DeviceApiServer, freezer: FrozenDateTimeFactory
) -> None:
    """A healthy server returns the typed status."""
    freezer.move_to(datetime(2026, 11, 28, 10, 0, tzinfo=UTC))
    status = await _client(hass, device_api.url).async_get_dog_status("buddy")
    assert status.dog_id == "buddy"
    assert status.updated_at == datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
    assert status.location == DeviceLocation(
        latitude=52.52, longitude=13.405, accuracy=8.0
    )
    assert status.battery == 87
    assert status.activity == "walking"
    assert device_api.requests == ["/api/v1/dogs/buddy/status"]


@pytest.mark.parametrize(
    ("mode", "error", "transient"),
    [
        (Mode.UNAUTHORIZED, PawControlApiAuthError, False),
        (Mode.FORBIDDEN, PawControlApiAuthError, False),
        (Mode.NOT_FOUND, PawControlApiNotFoundError, False),
        (Mode.ERROR_500, PawControlApiResponseError, True),
        (Mode.MALFORMED_JSON, PawControlApiResponseError, True),
        (Mode.MISSING_FIELDS, PawControlApiResponseError, True),
    ],
)
async def test_status_errors(
    hass: HomeAssistant,
    device_api: DeviceApiServer,
    mode: Mode,
    error: type[PawControlApiError],
    transient: bool,
) -> None:
    """Each failure of the contract maps to its error and transient flag."""
    device_api.mode = mode
    with pytest.raises(error) as caught:
        await _client(hass, device_api.url).async_get_dog_status("buddy")
    assert caught.value.transient is transient
    assert TOKEN not in str(caught.value)


async def test_unknown_dog(hass: HomeAssistant, device_api: DeviceApiServer) -> None:
    """A dog the server does not know is a not-found error."""
    with pytest.raises(PawControlApiNotFoundError):
        await _client(hass, device_api.url).async_get_dog_status("rex")


@pytest.mark.parametrize("mode", [Mode.UNAVAILABLE_503, Mode.RATE_LIMITED_429])
async def test_retry_after_seconds(
    hass: HomeAssistant, device_api: DeviceApiServer, mode: Mode
) -> None:
    """429 and 503 carry the Retry-After hint in seconds."""
    device_api.mode = mode
    with pytest.raises(PawControlApiRetryAfterError) as caught:
        await _client(hass, device_api.url).async_get_dog_status("buddy")
    assert caught.value.retry_after == 2.0
    assert caught.value.transient


async def test_timeout(hass: HomeAssistant, device_api: DeviceApiServer) -> None:
    """A hanging server is a connection error once the timeout passes."""
    device_api.mode = Mode.HANG
    with pytest.raises(PawControlApiConnectionError, match="Timeout"):
        await _client(hass, device_api.url, timeout=0.05).async_get_dog_status("buddy")


async def test_connection_refused(hass: HomeAssistant, refused_url: str) -> None:
    """Nothing listening is a connection error that does not show the URL."""
    with pytest.raises(PawControlApiConnectionError) as caught:
        await _client(hass, refused_url).async_check_health()
    assert "127.0.0.1" not in str(caught.value)
    # What the repair turns into "connection refused" for the user.
    assert str(caught.value) == (
        "Cannot reach the device API: ClientConnectorError (connection refused)"
    )


def test_parse_retry_after() -> None:
    """Retry-After is read as delay-seconds or HTTP-date."""
    now = datetime(2026, 11, 28, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after(None) is None
    assert parse_retry_after("") is None
    assert parse_retry_after(" 7 ") == 7.0
    assert parse_retry_after("Sat, 28 Nov 2026 12:00:30 GMT", now) == 30.0
    assert parse_retry_after("Sat, 28 Nov 2026 11:00:00 GMT", now) == 0.0
    assert parse_retry_after("Sat, 28 Nov 2026 12:00:30 -0000", now) == 30.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after("Sat, 28 Nov 2026 12:00:30 GMT") is not None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"dog_id": "rex"}, "dog_id"),
        ({"updated_at": "yesterday"}, "updated_at"),
        ({"battery": 101}, "battery"),
        ({"battery": True}, "battery"),
        ({"activity": 5}, "activity"),
        ({"location": "home"}, "location"),
        ({"location": {"latitude": "52", "longitude": 13.4}}, "location.latitude"),
        (
            {"location": {"latitude": 52.0, "longitude": float("nan")}},
            "location.longitude",
        ),
        (
            {"location": {"latitude": 52.0, "longitude": 13.4, "accuracy": True}},
            "location.accuracy",
        ),
    ],
)
def test_parse_invalid_fields(change: dict[str, object], field: str) -> None:
    """A body that breaks the contract names the field and never crashes."""
    body = load_fixture("status_buddy.json") | change
    with pytest.raises(PawControlApiResponseError, match=f"Invalid field: {field}"):
        parse_dog_status(body, "buddy")


def test_parse_optional_fields() -> None:
    """Null location, battery and activity are allowed; naive times are UTC."""
    body = {"dog_id": "buddy", "updated_at": "2026-11-28T10:00:00", "location": None}
    status = parse_dog_status(body, "buddy")
    assert status.location is None
    assert status.battery is None
    assert status.activity is None
    assert status.updated_at.tzinfo is UTC
    located = parse_dog_status(
        body | {"location": {"latitude": 1, "longitude": 2, "accuracy": None}}, "buddy"
    )
    assert located.location == DeviceLocation(
        latitude=1.0, longitude=2.0, accuracy=None
    )
    with pytest.raises(PawControlApiResponseError, match="not an object"):
        parse_dog_status([], "buddy")
