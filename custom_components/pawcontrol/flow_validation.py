"""Forms of the PawControl config and options flows: shared fields and their checks."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
import math
from typing import Any, Final, override
import unicodedata

from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.selector import (
    EntitySelector,
    EntitySelectorConfig,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
    TimeSelector,
    TimeSelectorConfig,
)
from homeassistant.util import slugify

from .care.config import MAX_FEEDING_TIMES
from .const import (
    CONF_COORDINATOR_RETRY_ATTEMPTS,
    CONF_DOG_ID,
    CONF_DOG_NAME,
    CONF_EXPONENTIAL_BASE,
    CONF_FAILURE_THRESHOLD,
    CONF_GPS_ACCURACY_LIMIT,
    CONF_GPS_MAX_AGE,
    CONF_GPS_RETRY_ATTEMPTS,
    CONF_GPS_SOURCE,
    CONF_HALF_OPEN_MAX_CALLS,
    CONF_INITIAL_DELAY,
    CONF_MAX_DELAY,
    CONF_MAX_STALE_MINUTES,
    CONF_NOTIFY_ENTITIES,
    CONF_NOTIFY_SERVICES,
    CONF_SUCCESS_THRESHOLD,
    CONF_TIMEOUT_SECONDS,
    CONF_WEATHER_RETRY_ATTEMPTS,
    DEFAULT_GPS_ACCURACY_LIMIT,
    DEFAULT_GPS_MAX_AGE,
    MIN_UPDATE_INTERVAL,
)
from .flow_api_input import MAX_TOKEN_LENGTH, MAX_URL_LENGTH
from .schema import vol

MAX_NAME_LENGTH: Final = 50


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
    # Refuse a value between two steps (the form and the docs name the step).
    exact_step: bool = False

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
        if self.exact_step:
            steps = (number - self.minimum) / self.step
            if abs(steps - round(steps)) > 1e-9:
                return None
        return number

    @property
    def error(self) -> str:
        """Return the error that names this field's range."""
        return "whole_number_range" if self.integer else "number_range"

    def placeholders(self) -> dict[str, str]:
        """Return the range for the error text; the unit follows the maximum."""
        maximum = f"{self.maximum:g}"
        return {
            "minimum": f"{self.minimum:g}",
            "maximum": f"{maximum} {self.unit}" if self.unit else maximum,
        }


def parse_numbers(
    user_input: Mapping[str, Any], fields: Mapping[str, NumberField]
) -> tuple[dict[str, int | float], dict[str, str], dict[str, str]]:
    """Return the parsed numbers, an error per invalid one and the range to show.

    A form has one set of placeholders: the first invalid field's range is
    shown; another invalid field with a different range gets the general text.
    """
    values: dict[str, int | float] = {}
    errors: dict[str, str] = {}
    shown: NumberField | None = None
    for key, field in fields.items():
        if (value := field.parse(user_input.get(key))) is not None:
            values[key] = value
            continue
        shown = shown or field
        same = field.placeholders() == shown.placeholders()
        errors[key] = field.error if same else "invalid_number"
    return values, errors, shown.placeholders() if shown else {}


def validate_dog_name(name: str, taken: Collection[str]) -> tuple[str, dict[str, str]]:
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


def taken_dog_names(
    dogs: Mapping[str, Mapping[str, Any]], editing: str = ""
) -> set[str]:
    """Return the ids and name slugs a dog's name must not match.

    A renamed dog keeps its id, so both its id and its current name are taken;
    the dog being edited may keep its own.
    """
    taken: set[str] = set()
    for dog_id, dog in dogs.items():
        if dog_id != editing:
            taken |= {dog_id, slugify(str(dog.get(CONF_DOG_NAME, "")))}
    return taken


def validate_notify_services(
    hass: HomeAssistant, services: list[str]
) -> dict[str, str]:
    """Return an error when a legacy notify service does not exist."""
    for service in services:
        domain, _, name = service.partition(".")
        if domain != "notify" or not hass.services.has_service(domain, name):
            return {CONF_NOTIFY_SERVICES: "unknown_notify_service"}
    return {}


def validate_location_source(
    user_input: Mapping[str, Any], *, has_device_api: bool
) -> dict[str, str]:
    """Return an error when a dog would have neither a GPS source nor a device API."""
    if has_device_api or user_input.get(CONF_GPS_SOURCE):
        return {}
    return {CONF_GPS_SOURCE: "location_source_required"}


def normalize_time(value: str) -> str:
    """Return a time of day as HH:MM:SS, the form the integration reads back."""
    return cv.time(value).isoformat()


class _HourMinuteConfig(TimeSelectorConfig, total=False):
    """Time selector config with the frontend's ``no_second`` flag."""

    no_second: bool


class HourMinuteSelector(TimeSelector):
    """A time selector that accepts the frontend's ``no_second`` flag.

    The frontend hides the seconds for ``no_second`` (ha-selector-time), but
    Home Assistant's TimeSelector schema refuses the key (2025.4 to 2026.10).
    Values still arrive as HH:MM:SS.
    """

    CONFIG_SCHEMA = vol.Schema({vol.Optional("no_second"): bool})


TIME_SELECTOR: Final = HourMinuteSelector(_HourMinuteConfig(no_second=True))
GPS_SOURCE_SELECTOR: Final = EntitySelector(
    EntitySelectorConfig(domain=["device_tracker", "person"])
)
WEATHER_SELECTOR: Final = EntitySelector(EntitySelectorConfig(domain="weather"))
NOTIFY_ENTITY_SELECTOR: Final = EntitySelector(
    EntitySelectorConfig(domain="notify", multiple=True)
)
URL_SELECTOR: Final = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))
TOKEN_SELECTOR: Final = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
NAME_SELECTOR: Final = TextSelector()

# Notify services that are not a delivery channel of their own.
_NOT_A_CHANNEL: Final = {"send_message", "persistent_notification"}

DOG_DETAIL_FIELDS: Final[dict[str, NumberField]] = {
    CONF_GPS_MAX_AGE: NumberField(minimum=30, maximum=86400, unit="s"),
    CONF_GPS_ACCURACY_LIMIT: NumberField(minimum=1, maximum=10000, unit="m"),
}

# Option key -> number field; the flow refuses non-finite and out-of-range values.
RESILIENCE_FIELDS: Final[dict[str, NumberField]] = {
    CONF_FAILURE_THRESHOLD: NumberField(minimum=1, maximum=100),
    CONF_SUCCESS_THRESHOLD: NumberField(minimum=1, maximum=100),
    CONF_TIMEOUT_SECONDS: NumberField(minimum=1, maximum=3600, unit="s"),
    CONF_HALF_OPEN_MAX_CALLS: NumberField(minimum=1, maximum=100),
    CONF_COORDINATOR_RETRY_ATTEMPTS: NumberField(minimum=1, maximum=10),
    CONF_GPS_RETRY_ATTEMPTS: NumberField(minimum=1, maximum=10),
    CONF_WEATHER_RETRY_ATTEMPTS: NumberField(minimum=1, maximum=10),
    CONF_INITIAL_DELAY: NumberField(
        minimum=0, maximum=60, step=0.1, unit="s", integer=False
    ),
    CONF_MAX_DELAY: NumberField(
        minimum=0, maximum=300, step=0.1, unit="s", integer=False
    ),
    CONF_EXPONENTIAL_BASE: NumberField(minimum=1, maximum=10, step=0.1, integer=False),
    CONF_MAX_STALE_MINUTES: NumberField(minimum=0, maximum=1440, unit="min"),
}
UPDATE_INTERVAL_FIELD: Final = NumberField(
    minimum=MIN_UPDATE_INTERVAL, maximum=3600, unit="s"
)
WEATHER_INTERVAL_FIELD: Final = NumberField(minimum=1, maximum=180, unit="min")
# Examples shown in form texts: hassfest forbids URLs and angle brackets in translations.
FORM_PLACEHOLDERS: Final[dict[str, str]] = {
    "notify_service_example": "notify.mobile_app_pixel_7",
    "notify_service_form": "notify.service_name",
    "api_url_example": "http://192.168.1.20:8080",
    "url_schemes": "http:// or https://",
    "name_max_length": str(MAX_NAME_LENGTH),
    "token_max_length": str(MAX_TOKEN_LENGTH),
    "url_max_length": str(MAX_URL_LENGTH),
    "max_feeding_times": str(MAX_FEEDING_TIMES),
}


def text(user_input: Mapping[str, Any], key: str) -> str:
    """Return a text field without the spaces around it; empty when not given."""
    return str(user_input.get(key) or "").strip(" ")


def dog_names(dogs: Iterable[Mapping[str, Any]]) -> str:
    """Return the names of dogs for a form text, separated by commas."""
    return ", ".join(str(dog[CONF_DOG_NAME]) for dog in dogs)


def by_dog_count(
    dogs: Sequence[Mapping[str, Any]], one: str, several: str
) -> tuple[str, dict[str, str]]:
    """Return the text key for one dog or for several, and the names to fill in.

    Flow texts have no plural forms, so one dog and several dogs get a text each.
    """
    if len(dogs) == 1:
        return one, {"dog_name": str(dogs[0][CONF_DOG_NAME])}
    return several, {"dog_names": dog_names(dogs)}


def _notify_service_selector(hass: HomeAssistant) -> SelectSelector:
    """Offer the legacy notify services that exist now; others can be typed in."""
    services = sorted(
        f"notify.{name}"
        for name in hass.services.async_services_for_domain("notify")
        if name not in _NOT_A_CHANNEL
    )
    return SelectSelector(
        SelectSelectorConfig(
            options=services,
            multiple=True,
            custom_value=True,
            mode=SelectSelectorMode.DROPDOWN,
        )
    )


def notification_fields(hass: HomeAssistant) -> dict[vol.Marker, Any]:
    """Return the notification target fields."""
    return {
        vol.Optional(CONF_NOTIFY_SERVICES): _notify_service_selector(hass),
        vol.Optional(CONF_NOTIFY_ENTITIES): NOTIFY_ENTITY_SELECTOR,
    }


def dog_fields() -> dict[vol.Marker, Any]:
    """Return the fields that describe one dog."""
    return {
        vol.Required(CONF_DOG_NAME): NAME_SELECTOR,
        vol.Optional(CONF_GPS_SOURCE): GPS_SOURCE_SELECTOR,
    }


def dog_detail_fields() -> dict[vol.Marker, Any]:
    """Return the per-dog GPS limits, shown when adding or editing a dog."""
    defaults = {
        CONF_GPS_MAX_AGE: DEFAULT_GPS_MAX_AGE,
        CONF_GPS_ACCURACY_LIMIT: DEFAULT_GPS_ACCURACY_LIMIT,
    }
    return {
        vol.Required(key, default=defaults[key]): field.selector()
        for key, field in DOG_DETAIL_FIELDS.items()
    }


def dog_options(
    dog_id: str, user_input: Mapping[str, Any], details: Mapping[str, int | float]
) -> dict[str, Any]:
    """Return the stored form of a dog."""
    dog: dict[str, Any] = {
        CONF_DOG_ID: dog_id,
        CONF_DOG_NAME: user_input[CONF_DOG_NAME].strip(),
        CONF_GPS_MAX_AGE: details.get(CONF_GPS_MAX_AGE, DEFAULT_GPS_MAX_AGE),
        CONF_GPS_ACCURACY_LIMIT: details.get(
            CONF_GPS_ACCURACY_LIMIT, DEFAULT_GPS_ACCURACY_LIMIT
        ),
    }
    if gps_source := user_input.get(CONF_GPS_SOURCE):
        dog[CONF_GPS_SOURCE] = gps_source
    return dog
