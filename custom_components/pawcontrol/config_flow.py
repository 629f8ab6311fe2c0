"""Config flow for PawControl: the hub with its first dog, reauth and reconfigure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import ConfigFlow, ConfigFlowResult
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession

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
    CONF_DOG_ID,
    CONF_DOG_NAME,
    CONF_DOGS,
    CONF_GPS_SOURCE,
    CONF_NOTIFY_ENTITIES,
    CONF_NOTIFY_SERVICES,
    CONF_UPDATE_INTERVAL,
    CONF_WEATHER_ENTITY,
    DEFAULT_RESILIENCE,
    DEFAULT_UPDATE_INTERVAL,
    DOMAIN,
    LOGGER,
)
from .data import PawControlConfigEntry
from .flow_api_input import (
    response_status,
    same_origin,
    validate_api_input,
    validate_token,
)
from .flow_validation import (
    FORM_PLACEHOLDERS,
    TOKEN_SELECTOR,
    URL_SELECTOR,
    WEATHER_SELECTOR,
    by_dog_count,
    dog_fields,
    dog_options,
    notification_fields,
    text,
    validate_dog_name,
    validate_location_source,
    validate_notify_services,
)
from .options_flow import PawControlOptionsFlow
from .schema import vol


def _first_dog_id(entry: PawControlConfigEntry) -> str | None:
    """Return the id of the entry's first dog, whose status proves a token."""
    dogs = entry.options.get(CONF_DOGS) or [{}]
    dog_id = dogs[0].get(CONF_DOG_ID)
    return str(dog_id) if dog_id else None


def _dogs_without_gps(entry: PawControlConfigEntry) -> list[dict[str, Any]]:
    """Return the dogs that only the device API can locate."""
    dogs: list[dict[str, Any]] = entry.options.get(CONF_DOGS, [])
    return [dog for dog in dogs if not dog.get(CONF_GPS_SOURCE)]


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
                **dog_fields(),
                vol.Optional(CONF_WEATHER_ENTITY): WEATHER_SELECTOR,
                **notification_fields(self.hass),
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
        url, token = text(user_input, CONF_API_URL), text(user_input, CONF_API_TOKEN)
        errors |= validate_api_input(url, token)
        errors |= validate_location_source(user_input, has_device_api=bool(url))
        if url and not errors:
            errors = await async_validate_api(self.hass, url, token or None, dog_id)
        return dog_id, errors

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the first dog, its sources, notification targets and the device API."""
        if self._async_current_entries(include_ignore=False):
            return self._abort_second_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            dog_id, errors = await self._async_validate_user(user_input)
            # Another flow may have created the entry while this one was validating.
            if self._async_current_entries(include_ignore=False):
                return self._abort_second_entry()
            if not errors:
                return self.async_create_entry(
                    title="PawControl",
                    data=_api_data(
                        text(user_input, CONF_API_URL),
                        text(user_input, CONF_API_TOKEN),
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

    def _abort_second_entry(self) -> ConfigFlowResult:
        """Refuse a second PawControl: one entry holds every dog.

        Not the manifest's single_config_entry: with it, the frontend shows
        Home Assistant's own text and never starts this flow (2025.4 to 2026.10).
        """
        return self.async_abort(reason="add_dogs_in_options")

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
            token = text(user_input, CONF_API_TOKEN)
            errors = validate_token(token, required=True)
            if not errors:
                errors = await async_validate_api(
                    self.hass, entry.data[CONF_API_URL], token, _first_dog_id(entry)
                )
            if not errors:
                return self.async_update_reload_and_abort(
                    entry, data_updates={CONF_API_TOKEN: token}
                )
        schema = vol.Schema({vol.Required(CONF_API_TOKEN): TOKEN_SELECTOR})
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=self.add_suggested_values_to_schema(schema, user_input),
            errors=errors,
            description_placeholders=FORM_PLACEHOLDERS,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the device API URL; an empty URL removes the device API."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            url, token = (
                text(user_input, CONF_API_URL),
                text(user_input, CONF_API_TOKEN),
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
            elif not errors and (unlocated := _dogs_without_gps(entry)):
                # Without the device API these dogs would have no location source.
                error, placeholders = by_dog_count(
                    unlocated, "device_api_locates_dog", "device_api_locates_dogs"
                )
                errors = {CONF_API_URL: error}
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
        # A form shown again keeps what was typed, an emptied URL too.
        if user_input is None:
            user_input = {CONF_API_URL: entry.data.get(CONF_API_URL)}
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(schema, user_input),
            errors=errors,
            description_placeholders=FORM_PLACEHOLDERS | placeholders,
        )


def _initial_options(dog_id: str, user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Return the options of a new entry: the first dog and the defaults."""
    options: dict[str, Any] = {
        CONF_DOGS: [dog_options(dog_id, user_input, {})],
        CONF_NOTIFY_SERVICES: user_input.get(CONF_NOTIFY_SERVICES, []),
        CONF_NOTIFY_ENTITIES: user_input.get(CONF_NOTIFY_ENTITIES, []),
        CONF_UPDATE_INTERVAL: DEFAULT_UPDATE_INTERVAL,
        **DEFAULT_RESILIENCE,
    }
    if weather := user_input.get(CONF_WEATHER_ENTITY):
        options[CONF_WEATHER_ENTITY] = weather
    return options
