"""Checks of the device API URL and token typed into a form, before anything is sent."""

from __future__ import annotations

import re
from typing import Final
import unicodedata
from urllib.parse import urlsplit

from homeassistant.helpers import config_validation as cv
from yarl import URL

from .api import PawControlApiError
from .const import CONF_API_TOKEN, CONF_API_URL
from .schema import vol

MAX_URL_LENGTH: Final = 2000
MAX_TOKEN_LENGTH: Final = 1024
_SCHEMES: Final = {"http", "https"}
_HTTP_STATUS = re.compile(r"HTTP (\d{3})\b")


def _has_control_or_space(text: str) -> bool:
    """Return whether the text has whitespace or a control character."""
    return any(
        char.isspace() or unicodedata.category(char).startswith("C") for char in text
    )


def _address_error(url: str) -> str | None:
    """Return the error of an http(s) URL's host or port, or None."""
    try:
        split = urlsplit(url)
    except ValueError:
        return "url_invalid_host"  # an IPv6 address with a bracket missing
    if not split.hostname:
        return "url_invalid_host"
    try:
        port = split.port
    except ValueError:
        return "url_invalid_port"  # not a number, or above 65535
    if port == 0:
        return "url_invalid_port"
    try:
        cv.url(url)
        # yarl decodes the host only when it is read: "xn--" fails there.
        host = URL(url).host
    except (vol.Invalid, ValueError):
        return "url_invalid_host"
    return None if host else "url_invalid_host"


def url_error(url: str) -> str | None:
    """Return the error key saying what is wrong with a device API URL, or None."""
    if len(url) > MAX_URL_LENGTH:
        return "url_too_long"
    if _has_control_or_space(url):
        return "url_has_spaces"
    scheme, separator, _ = url.partition("://")
    if not separator or scheme.lower() not in _SCHEMES:
        return "invalid_url"
    # An empty "?" or "#" too: the client appends the API's paths to the URL.
    if "?" in url or "#" in url:
        return "url_query_or_fragment"
    return _address_error(url)


def validate_url(url: str) -> dict[str, str]:
    """Return an error unless the URL is a usable http(s) base URL."""
    error = url_error(url)
    return {CONF_API_URL: error} if error else {}


def validate_token(token: str, *, required: bool) -> dict[str, str]:
    """Return an error unless the token can be sent as it is in a header."""
    if not token and not required:
        return {}
    if not 0 < len(token) <= MAX_TOKEN_LENGTH or not all(
        "!" <= char <= "~" for char in token
    ):
        return {CONF_API_TOKEN: "invalid_token"}
    return {}


def validate_api_input(url: str, token: str) -> dict[str, str]:
    """Return the errors of a typed URL and token, before anything is sent."""
    if not url:
        return {CONF_API_URL: "url_required"} if token else {}
    return validate_url(url) | validate_token(token, required=False)


def same_origin(first: str | None, second: str) -> bool:
    """Return whether two URLs have the same scheme, host and port."""
    if not first:
        return False
    try:
        one, two = URL(first), URL(second)
        # yarl decodes a host only when it is read, and may fail then.
        origins = (one.scheme, one.host, one.port), (two.scheme, two.host, two.port)
    except ValueError:
        return False
    return origins[0] == origins[1]


def response_status(err: PawControlApiError) -> int | None:
    """Return the HTTP status a device API error came from, or None."""
    status = getattr(err, "status", None)
    if isinstance(status, int):
        return status
    # The client names the status only in the message of plain response errors.
    match = _HTTP_STATUS.match(str(err))
    return int(match[1]) if match else None
