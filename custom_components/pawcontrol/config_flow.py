"""Config flow for PawControl: the hub with its first dog, options, reauth, reconfigure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from homeassistant.config_entries import (
    ConfigEntryState,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlow,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    BooleanSelector,
    EntitySelector,
    EntitySelectorConfig,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
    TimeSelector,
)
import voluptuous as vol

from .api import (
    PawControlApiAuthError,
    PawControlApiClient,
    PawControlApiConnectionError,
    PawControlApiNotFoundError,
    PawControlApiResponseError,
    PawControlApiRetryAfterError,
)
from .const import (
    CONF_API_TOKEN,
    CONF_API_URL,
    CONF_COORDINATOR_RETRY_ATTEMPTS,
    CONF_DOG_ID,
    CONF_DOG_NAME,
    CONF_DOGS,
    CONF_EXPONENTIAL_BASE,
    CONF_FAILURE_THRESHOLD,
    CONF_GPS_ACCURACY_LIMIT,
    CONF_GPS_MAX_AGE,
    CONF_GPS_RETRY_ATTEMPTS,
    CONF_GPS_SOURCE,
    CONF_HALF_OPEN_MAX_CALLS,
    CONF_INITIAL_DELAY,
    CONF_JITTER,
    CONF_MAX_DELAY,
    CONF_MAX_STALE_MINUTES,
    CONF_NOTIFY_ENTITIES,
    CONF_NOTIFY_SERVICES,
    CONF_QUIET_HOURS_END,
    CONF_QUIET_HOURS_START,
    CONF_SUCCESS_THRESHOLD,
    CONF_TIMEOUT_SECONDS,
    CONF_UPDATE_INTERVAL,
    CONF_WEATHER_ENTITY,
    CONF_WEATHER_INTERVAL,
    CONF_WEATHER_RETRY_ATTEMPTS,
    DEFAULT_GPS_ACCURACY_LIMIT,
    DEFAULT_GPS_MAX_AGE,
    DEFAULT_RESILIENCE,
    DEFAULT_UPDATE_INTERVAL,
    DEFAULT_WEATHER_INTERVAL,
    DOMAIN,
    LOGGER,
    MIN_UPDATE_INTERVAL,
)
from .data import PawControlConfigEntry
from .flow_validation import (
    MAX_NAME_LENGTH,
    MAX_TOKEN_LENGTH,
    NumberField,
    parse_numbers,
    response_status,
    same_origin,
    validate_api_input,
    validate_dog_name,
    validate_notify_services,
    validate_token,
)

GPS_SOURCE_SELECTOR = EntitySelector(
    EntitySelectorConfig(domain=["device_tracker", "person"])
)
WEATHER_SELECTOR = EntitySelector(EntitySelectorConfig(domain="weather"))
NOTIFY_ENTITY_SELECTOR = EntitySelector(
    EntitySelectorConfig(domain="notify", multiple=True)
)
URL_SELECTOR = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))
TOKEN_SELECTOR = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
NAME_SELECTOR = TextSelector()

# Notify services that are not a delivery channel of their own.
_NOT_A_CHANNEL = {"send_message", "persistent_notification"}

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
DOG_DETAIL_FIELDS: Final[dict[str, NumberField]] = {
    CONF_GPS_MAX_AGE: NumberField(minimum=30, maximum=86400, unit="s"),
    CONF_GPS_ACCURACY_LIMIT: NumberField(minimum=1, maximum=10000, unit="m"),
}
UPDATE_INTERVAL_FIELD: Final = NumberField(
    minimum=MIN_UPDATE_INTERVAL, maximum=3600, unit="s"
)
WEATHER_INTERVAL_FIELD: Final = NumberField(minimum=1, maximum=180, unit="min")
# An entry in these states has no update listener, yet can be set up again.
_RELOAD_ON_SAVE: Final = {
    ConfigEntryState.NOT_LOADED,
    ConfigEntryState.SETUP_ERROR,
    ConfigEntryState.SETUP_RETRY,
    ConfigEntryState.SETUP_IN_PROGRESS,
}


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


def _notification_fields(hass: HomeAssistant) -> dict[vol.Marker, Any]:
    """Return the notification target fields."""
    return {
        vol.Optional(CONF_NOTIFY_SERVICES): _notify_service_selector(hass),
        vol.Optional(CONF_NOTIFY_ENTITIES): NOTIFY_ENTITY_SELECTOR,
    }


def _dog_fields() -> dict[vol.Marker, Any]:
    """Return the fields that describe one dog."""
    return {
        vol.Required(CONF_DOG_NAME): NAME_SELECTOR,
        vol.Optional(CONF_GPS_SOURCE): GPS_SOURCE_SELECTOR,
    }


def _dog_detail_fields() -> dict[vol.Marker, Any]:
    """Return the per-dog GPS limits, shown when adding or editing a dog."""
    defaults = {
        CONF_GPS_MAX_AGE: DEFAULT_GPS_MAX_AGE,
        CONF_GPS_ACCURACY_LIMIT: DEFAULT_GPS_ACCURACY_LIMIT,
    }
    return {
        vol.Required(key, default=defaults[key]): field.selector()
        for key, field in DOG_DETAIL_FIELDS.items()
    }


# Examples shown in form texts: hassfest forbids URLs and angle brackets in translations.
FORM_PLACEHOLDERS: dict[str, str] = {
    "notify_service_example": "notify.mobile_app_pixel_7",
    "notify_service_form": "notify.service_name",
    "api_url_example": "http://192.168.1.20:8080",
    "url_schemes": "http:// or https://",
    "name_max_length": str(MAX_NAME_LENGTH),
    "token_max_length": str(MAX_TOKEN_LENGTH),
}


def _text(user_input: Mapping[str, Any], key: str) -> str:
    """Return a text field without the spaces around it; empty when not given."""
    return str(user_input.get(key) or "").strip(" ")


def _first_dog_id(entry: PawControlConfigEntry) -> str | None:
    """Return the id of the entry's first dog, whose status proves a token."""
    dogs = entry.options.get(CONF_DOGS) or [{}]
    dog_id = dogs[0].get(CONF_DOG_ID)
    return str(dog_id) if dog_id else None


async def _async_probe_dog(client: PawControlApiClient, dog_id: str) -> None:
    """Raise unless the API accepts the token on the dog's status endpoint."""
    try:
        await client.async_get_dog_status(dog_id)
    except PawControlApiNotFoundError:
        pass  # The API does not know the dog, but it accepted the token.
    except PawControlApiResponseError as err:
        # An unusable body after a 200 was still answered with the token accepted.
        if response_status(err) is not None:
            raise


async def async_validate_api(
    hass: HomeAssistant, url: str, token: str | None, dog_id: str | None
) -> dict[str, str]:
    """Check the health endpoint, then the token on a dog's status; return errors."""
    try:
        client = PawControlApiClient(async_get_clientsession(hass), url, token)
        await client.async_check_health()
        if dog_id:
            await _async_probe_dog(client, dog_id)
    except PawControlApiAuthError:
        return {"base": "invalid_auth"}
    except (PawControlApiConnectionError, PawControlApiRetryAfterError) as err:
        LOGGER.debug("Device API check failed: %s", err)
        return {"base": "cannot_connect"}
    except (PawControlApiNotFoundError, PawControlApiResponseError) as err:
        LOGGER.debug("Device API check failed: %s", err)
        status = response_status(err)
        server_error = status is not None and status >= 500
        return {"base": "cannot_connect" if server_error else "invalid_response"}
    except Exception:
        LOGGER.exception("Unexpected error while testing the device API")
        return {"base": "unknown"}
    return {}


def _api_data(url: str | None, token: str | None) -> dict[str, str]:
    """Return the entry data for a device API, leaving out what is empty."""
    data: dict[str, str] = {}
    if url:
        data[CONF_API_URL] = url.rstrip("/")
        if token:
            data[CONF_API_TOKEN] = token
    return data


class PawControlConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up PawControl with its first dog."""

    VERSION = 1
    # 2: dog entity unique ids carry a "dog_" prefix (see migration.py).
    MINOR_VERSION = 2

    @staticmethod
    @callback
    def async_get_options_flow(
        config_entry: PawControlConfigEntry,
    ) -> PawControlOptionsFlow:
        """Return the options flow."""
        return PawControlOptionsFlow()

    def _user_schema(self) -> vol.Schema:
        """Return the schema of the first step."""
        return vol.Schema(
            {
                **_dog_fields(),
                vol.Optional(CONF_WEATHER_ENTITY): WEATHER_SELECTOR,
                **_notification_fields(self.hass),
                vol.Optional(CONF_API_URL): URL_SELECTOR,
                vol.Optional(CONF_API_TOKEN): TOKEN_SELECTOR,
            }
        )

    async def _async_validate_user(
        self, user_input: dict[str, Any]
    ) -> tuple[str, dict[str, str]]:
        """Validate the first step and return the dog id and errors."""
        dog_id, errors = validate_dog_name(user_input[CONF_DOG_NAME], {})
        errors |= validate_notify_services(
            self.hass, user_input.get(CONF_NOTIFY_SERVICES, [])
        )
        url, token = _text(user_input, CONF_API_URL), _text(user_input, CONF_API_TOKEN)
        errors |= validate_api_input(url, token)
        if url and not errors:
            errors = await async_validate_api(self.hass, url, token or None, dog_id)
        return dog_id, errors

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the first dog, its sources, notification targets and the device API."""
        errors: dict[str, str] = {}
        if user_input is not None:
            dog_id, errors = await self._async_validate_user(user_input)
            if not errors:
                return self.async_create_entry(
                    title="PawControl",
                    data=_api_data(
                        _text(user_input, CONF_API_URL),
                        _text(user_input, CONF_API_TOKEN),
                    ),
                    options=_initial_options(dog_id, user_input),
                )
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                self._user_schema(), user_input
            ),
            errors=errors,
            description_placeholders=FORM_PLACEHOLDERS,
        )

    async def async_step_reauth(
        self, entry_data: Mapping[str, Any]
    ) -> ConfigFlowResult:
        """Start reauthentication after the device API refused the token."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for a new device API token and prove it on a dog's status."""
        entry = self._get_reauth_entry()
        if CONF_API_URL not in entry.data:
            return self.async_abort(reason="no_device_api")
        errors: dict[str, str] = {}
        if user_input is not None:
            token = _text(user_input, CONF_API_TOKEN)
            errors = validate_token(token, required=True)
            if not errors:
                errors = await async_validate_api(
                    self.hass, entry.data[CONF_API_URL], token, _first_dog_id(entry)
                )
            if not errors:
                return self.async_update_reload_and_abort(
                    entry, data_updates={CONF_API_TOKEN: token}
                )
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=vol.Schema({vol.Required(CONF_API_TOKEN): TOKEN_SELECTOR}),
            errors=errors,
            description_placeholders=FORM_PLACEHOLDERS,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the device API URL; an empty URL removes the device API."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            url, token = (
                _text(user_input, CONF_API_URL),
                _text(user_input, CONF_API_TOKEN),
            )
            errors = validate_api_input(url, token)
            stored_url = entry.data.get(CONF_API_URL)
            # The stored token goes only to the origin it was given for.
            if not token and url and same_origin(stored_url, url):
                token = entry.data.get(CONF_API_TOKEN, "")
            if url and not errors:
                errors = await async_validate_api(
                    self.hass, url, token or None, _first_dog_id(entry)
                )
            if not errors:
                return self.async_update_reload_and_abort(
                    entry, data=_api_data(url, token)
                )
        schema = vol.Schema(
            {
                vol.Optional(CONF_API_URL): URL_SELECTOR,
                vol.Optional(CONF_API_TOKEN): TOKEN_SELECTOR,
            }
        )
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                schema, user_input or {CONF_API_URL: entry.data.get(CONF_API_URL)}
            ),
            errors=errors,
            description_placeholders=FORM_PLACEHOLDERS,
        )


def _dog_options(
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


def _initial_options(dog_id: str, user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Return the options of a new entry: the first dog and the defaults."""
    options: dict[str, Any] = {
        CONF_DOGS: [_dog_options(dog_id, user_input, {})],
        CONF_NOTIFY_SERVICES: user_input.get(CONF_NOTIFY_SERVICES, []),
        CONF_NOTIFY_ENTITIES: user_input.get(CONF_NOTIFY_ENTITIES, []),
        CONF_UPDATE_INTERVAL: DEFAULT_UPDATE_INTERVAL,
        **DEFAULT_RESILIENCE,
    }
    if weather := user_input.get(CONF_WEATHER_ENTITY):
        options[CONF_WEATHER_ENTITY] = weather
    return options


class PawControlOptionsFlow(OptionsFlow):
    """Manage dogs, intervals, notifications and resilience settings."""

    def __init__(self) -> None:
        """Start with no dog selected."""
        self._dog_id = ""

    @property
    def _options(self) -> dict[str, Any]:
        """Return a copy of the current options to edit."""
        return dict(self.config_entry.options)

    @property
    def _dogs(self) -> dict[str, dict[str, Any]]:
        """Return the configured dogs keyed by id."""
        return {
            dog[CONF_DOG_ID]: dog
            for dog in self.config_entry.options.get(CONF_DOGS, [])
        }

    def _save_options(self, options: dict[str, Any]) -> ConfigFlowResult:
        """Store the options and make sure the entry runs with them."""
        entry = self.config_entry
        if entry.state in _RELOAD_ON_SAVE:
            # Only a loaded entry has the update listener that reloads it: store
            # the options first, so that the reload reads them.
            self.hass.config_entries.async_update_entry(entry, options=options)
            self.hass.config_entries.async_schedule_reload(entry.entry_id)
        return self.async_create_entry(data=options)

    def _save(self, **changes: Any) -> ConfigFlowResult:
        """Store the options with the given changes."""
        return self._save_options(self._options | changes)

    def _dog_choice(self, *, multiple: bool) -> SelectSelector:
        """Return a selector listing the dogs by name."""
        return SelectSelector(
            SelectSelectorConfig(
                options=[
                    SelectOptionDict(value=dog_id, label=dog[CONF_DOG_NAME])
                    for dog_id, dog in self._dogs.items()
                ],
                multiple=multiple,
                mode=SelectSelectorMode.LIST,
            )
        )

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show the options menu."""
        return self.async_show_menu(
            step_id="init",
            menu_options=[
                "add_dog",
                "edit_dog",
                "remove_dog",
                "update_interval",
                "weather",
                "notifications",
                "resilience",
            ],
        )

    async def async_step_add_dog(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Add a dog; its id is a slug of its name and must be unique."""
        errors: dict[str, str] = {}
        if user_input is not None:
            dog_id, errors = validate_dog_name(user_input[CONF_DOG_NAME], self._dogs)
            details, number_errors = parse_numbers(user_input, DOG_DETAIL_FIELDS)
            errors |= number_errors
            if not errors:
                dogs = [*self._dogs.values(), _dog_options(dog_id, user_input, details)]
                return self._save(**{CONF_DOGS: dogs})
        schema = vol.Schema({**_dog_fields(), **_dog_detail_fields()})
        return self.async_show_form(
            step_id="add_dog",
            data_schema=self.add_suggested_values_to_schema(schema, user_input),
            errors=errors,
            description_placeholders=FORM_PLACEHOLDERS,
        )

    async def async_step_edit_dog(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose the dog to edit."""
        if user_input is not None:
            self._dog_id = user_input[CONF_DOG_ID]
            return await self.async_step_edit_dog_details()
        return self.async_show_form(
            step_id="edit_dog",
            data_schema=vol.Schema(
                {vol.Required(CONF_DOG_ID): self._dog_choice(multiple=False)}
            ),
        )

    async def async_step_edit_dog_details(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Edit a dog's name, GPS source and GPS limits; its id stays."""
        dog_id = self._dog_id
        # Another options flow may have removed the dog since this one chose it.
        if (dog := self._dogs.get(dog_id)) is None:
            return self.async_abort(reason="dog_removed")
        errors: dict[str, str] = {}
        if user_input is not None:
            _, errors = validate_dog_name(user_input[CONF_DOG_NAME], {})
            details, number_errors = parse_numbers(user_input, DOG_DETAIL_FIELDS)
            errors |= number_errors
            if not errors:
                dogs = self._dogs | {dog_id: _dog_options(dog_id, user_input, details)}
                return self._save(**{CONF_DOGS: list(dogs.values())})
        schema = vol.Schema({**_dog_fields(), **_dog_detail_fields()})
        return self.async_show_form(
            step_id="edit_dog_details",
            data_schema=self.add_suggested_values_to_schema(schema, user_input or dog),
            errors=errors,
            description_placeholders=FORM_PLACEHOLDERS
            | {"dog_name": dog[CONF_DOG_NAME]},
        )

    async def async_step_remove_dog(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Remove dogs; their devices and entities go with them."""
        errors: dict[str, str] = {}
        if user_input is not None:
            # Dogs another flow removed meanwhile are simply gone already.
            remaining = [
                dog
                for dog_id, dog in self._dogs.items()
                if dog_id not in user_input[CONF_DOGS]
            ]
            if not remaining:
                errors[CONF_DOGS] = "last_dog"
            else:
                return self._save(**{CONF_DOGS: remaining})
        return self.async_show_form(
            step_id="remove_dog",
            data_schema=vol.Schema(
                {vol.Required(CONF_DOGS): self._dog_choice(multiple=True)}
            ),
            errors=errors,
        )

    async def async_step_update_interval(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Set how often the dogs are refreshed."""
        fields = {CONF_UPDATE_INTERVAL: UPDATE_INTERVAL_FIELD}
        errors: dict[str, str] = {}
        if user_input is not None:
            values, errors = parse_numbers(user_input, fields)
            if not errors:
                return self._save(**values)
        schema = vol.Schema(
            {vol.Required(CONF_UPDATE_INTERVAL): UPDATE_INTERVAL_FIELD.selector()}
        )
        current = {
            CONF_UPDATE_INTERVAL: self._options.get(
                CONF_UPDATE_INTERVAL, DEFAULT_UPDATE_INTERVAL
            )
        }
        return self.async_show_form(
            step_id="update_interval",
            data_schema=self.add_suggested_values_to_schema(
                schema, user_input or current
            ),
            errors=errors,
        )

    async def async_step_weather(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose the weather entity, or none, and how often it is read."""
        fields = {CONF_WEATHER_INTERVAL: WEATHER_INTERVAL_FIELD}
        errors: dict[str, str] = {}
        if user_input is not None:
            values, errors = parse_numbers(user_input, fields)
            if not errors:
                options = self._options | values
                options.pop(CONF_WEATHER_ENTITY, None)
                if weather := user_input.get(CONF_WEATHER_ENTITY):
                    options[CONF_WEATHER_ENTITY] = weather
                return self._save_options(options)
        schema = vol.Schema(
            {
                vol.Optional(CONF_WEATHER_ENTITY): WEATHER_SELECTOR,
                vol.Required(
                    CONF_WEATHER_INTERVAL, default=DEFAULT_WEATHER_INTERVAL
                ): WEATHER_INTERVAL_FIELD.selector(),
            }
        )
        return self.async_show_form(
            step_id="weather",
            data_schema=self.add_suggested_values_to_schema(
                schema, user_input or self._options
            ),
            errors=errors,
        )

    async def async_step_notifications(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Set notification targets and quiet hours."""
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = validate_notify_services(
                self.hass, user_input.get(CONF_NOTIFY_SERVICES, [])
            )
            start = user_input.get(CONF_QUIET_HOURS_START)
            end = user_input.get(CONF_QUIET_HOURS_END)
            if bool(start) != bool(end):
                errors["base"] = "quiet_hours_incomplete"
            if not errors:
                options = self._options
                options.pop(CONF_QUIET_HOURS_START, None)
                options.pop(CONF_QUIET_HOURS_END, None)
                if start and end:
                    options |= {
                        CONF_QUIET_HOURS_START: start,
                        CONF_QUIET_HOURS_END: end,
                    }
                options[CONF_NOTIFY_SERVICES] = user_input.get(CONF_NOTIFY_SERVICES, [])
                options[CONF_NOTIFY_ENTITIES] = user_input.get(CONF_NOTIFY_ENTITIES, [])
                return self._save_options(options)
        schema = vol.Schema(
            {
                **_notification_fields(self.hass),
                vol.Optional(CONF_QUIET_HOURS_START): TimeSelector(),
                vol.Optional(CONF_QUIET_HOURS_END): TimeSelector(),
            }
        )
        return self.async_show_form(
            step_id="notifications",
            data_schema=self.add_suggested_values_to_schema(
                schema, user_input or self._options
            ),
            errors=errors,
            description_placeholders=FORM_PLACEHOLDERS,
        )

    async def async_step_resilience(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Tune circuit breakers and retries."""
        errors: dict[str, str] = {}
        if user_input is not None:
            values, errors = parse_numbers(user_input, RESILIENCE_FIELDS)
            if not errors and values[CONF_INITIAL_DELAY] > values[CONF_MAX_DELAY]:
                errors[CONF_INITIAL_DELAY] = "initial_delay_above_max_delay"
            if not errors:
                return self._save(
                    **values, **{CONF_JITTER: bool(user_input[CONF_JITTER])}
                )
        schema = vol.Schema(
            {
                vol.Required(key): BooleanSelector()
                if key == CONF_JITTER
                else RESILIENCE_FIELDS[key].selector()
                for key in DEFAULT_RESILIENCE
            }
        )
        current = {
            key: self._options.get(key, default)
            for key, default in DEFAULT_RESILIENCE.items()
        }
        return self.async_show_form(
            step_id="resilience",
            data_schema=self.add_suggested_values_to_schema(
                schema, user_input or current
            ),
            errors=errors,
        )
