"""Validate what people type into the PawControl config and options flows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
import math
import re
from typing import Any, Final, override
import unicodedata

from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
)
from homeassistant.util import slugify
import voluptuous as vol
from yarl import URL

from .api import PawControlApiError
from .const import CONF_API_TOKEN, CONF_API_URL, CONF_DOG_NAME, CONF_NOTIFY_SERVICES

MAX_NAME_LENGTH: Final = 50
MAX_URL_LENGTH: Final = 2000
MAX_TOKEN_LENGTH: Final = 1024
_HTTP_STATUS = re.compile(r"HTTP (\d{3})\b")


class FormNumberSelector(NumberSelector):
    """A number selector that leaves finiteness and range to the flow.

    The stock selector lets NaN through and raises a bare schema error for other
    values; the flow checks every number itself and shows a translated error.
    """

    @override
    def __call__(self, data: Any) -> float:
        """Return the value as a float; infinite when it is too large for one."""
        if isinstance(data, bool):
            # float(True) is 1.0: a JSON true must not become a number; NaN
            # makes the flow show its translated "invalid number" error.
            return math.nan
        try:
            return float(data)
        except OverflowError:
            return math.inf
        except (TypeError, ValueError) as err:
            raise vol.Invalid("expected a number") from err


@dataclass(frozen=True, kw_only=True, slots=True)
class NumberField:
    """A number field of a form: its range, step and unit."""

    minimum: float
    maximum: float
    step: float = 1
    unit: str | None = None
    integer: bool = True

    def selector(self) -> FormNumberSelector:
        """Return a box-style selector with this field's range."""
        config = NumberSelectorConfig(
            min=self.minimum,
            max=self.maximum,
            step=self.step,
            mode=NumberSelectorMode.BOX,
        )
        if self.unit:
            config["unit_of_measurement"] = self.unit
        return FormNumberSelector(config)

    def parse(self, value: Any) -> int | float | None:
        """Return the value to store, or None unless it is a finite number in range."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        number = float(value)
        if not math.isfinite(number) or not self.minimum <= number <= self.maximum:
            return None
        if self.integer:
            return int(number) if number.is_integer() else None
        return number


def parse_numbers(
    user_input: Mapping[str, Any], fields: Mapping[str, NumberField]
) -> tuple[dict[str, int | float], dict[str, str]]:
    """Return the parsed numbers of a form and an error for each invalid one."""
    values: dict[str, int | float] = {}
    errors: dict[str, str] = {}
    for key, field in fields.items():
        if (value := field.parse(user_input.get(key))) is None:
            errors[key] = "invalid_number"
        else:
            values[key] = value
    return values, errors


def _has_control_or_space(text: str) -> bool:
    """Return whether the text has whitespace or a control character."""
    return any(
        char.isspace() or unicodedata.category(char).startswith("C") for char in text
    )


def validate_dog_name(
    name: str, taken: Mapping[str, Any]
) -> tuple[str, dict[str, str]]:
    """Return the dog id for a name and the form errors, if any."""
    name = name.strip()
    if len(name) > MAX_NAME_LENGTH:
        return "", {CONF_DOG_NAME: "name_too_long"}
    dog_id = slugify(name)
    if (
        not dog_id
        or dog_id == "unknown"
        or any(unicodedata.category(char) == "Cc" for char in name)
    ):
        return dog_id, {CONF_DOG_NAME: "invalid_name"}
    if dog_id in taken:
        return dog_id, {CONF_DOG_NAME: "dog_already_exists"}
    return dog_id, {}


def validate_notify_services(
    hass: HomeAssistant, services: list[str]
) -> dict[str, str]:
    """Return an error when a legacy notify service does not exist."""
    for service in services:
        domain, _, name = service.partition(".")
        if domain != "notify" or not hass.services.has_service(domain, name):
            return {CONF_NOTIFY_SERVICES: "unknown_notify_service"}
    return {}


def validate_url(url: str) -> dict[str, str]:
    """Return an error unless the URL is a usable http(s) base URL."""
    invalid = {CONF_API_URL: "invalid_url"}
    if len(url) > MAX_URL_LENGTH or _has_control_or_space(url):
        return invalid
    try:
        cv.url(url)
        parsed = URL(url)
        port = parsed.port
    except (vol.Invalid, ValueError):
        # ValueError covers what yarl refuses: ports out of range, broken IPv6 hosts.
        return invalid
    if not parsed.host or not port or parsed.query_string or parsed.fragment:
        return invalid
    return {}


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
    except ValueError:
        return False
    return (one.scheme, one.host, one.port) == (two.scheme, two.host, two.port)


def response_status(err: PawControlApiError) -> int | None:
    """Return the HTTP status a device API error came from, or None."""
    status = getattr(err, "status", None)
    if isinstance(status, int):
        return status
    # The client names the status only in the message of plain response errors.
    match = _HTTP_STATUS.match(str(err))
    return int(match[1]) if match else None
