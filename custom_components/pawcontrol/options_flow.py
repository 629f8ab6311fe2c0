"""Options flow for PawControl: dogs, intervals, notifications and resilience."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import ConfigFlowResult, OptionsFlow
from homeassistant.helpers.selector import (
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
)

from .const import (
    CONF_API_URL,
    CONF_DOG_ID,
    CONF_DOG_NAME,
    CONF_DOGS,
    CONF_JITTER,
    CONF_NOTIFY_ENTITIES,
    CONF_NOTIFY_SERVICES,
    CONF_QUIET_HOURS_END,
    CONF_QUIET_HOURS_START,
    CONF_UPDATE_INTERVAL,
    CONF_WEATHER_ENTITY,
    CONF_WEATHER_INTERVAL,
    DEFAULT_RESILIENCE,
    DEFAULT_UPDATE_INTERVAL,
    DEFAULT_WEATHER_INTERVAL,
)
from .escape import flow as escape_flow
from .flow_sections import (
    CARE_SECTION,
    RESILIENCE_SECTION,
    care_section,
    care_suggestions,
    parse_dog_settings,
    resilience_errors,
    resilience_section,
)
from .flow_validation import (
    FORM_PLACEHOLDERS,
    RESILIENCE_FIELDS,
    TIME_SELECTOR,
    UPDATE_INTERVAL_FIELD,
    WEATHER_INTERVAL_FIELD,
    WEATHER_SELECTOR,
    by_dog_count,
    dog_detail_fields,
    dog_fields,
    dog_options,
    normalize_time,
    notification_fields,
    parse_numbers,
    taken_dog_names,
    validate_dog_name,
    validate_location_source,
    validate_notify_services,
)
from .live_options import async_options_saved
from .schema import vol
from .settings import Settings


class PawControlOptionsFlow(OptionsFlow):
    """Manage dogs, intervals, notifications and resilience settings."""

    def __init__(self) -> None:
        """Start with no dog selected."""
        self._dog_id = ""
        self._to_remove: list[str] = []

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
        # No update listener: Home Assistant 2026.12 refuses one beside the
        # reauth and reconfigure flows' update-and-reload. The options are
        # stored first, so that a reload reads them; a save that changes no
        # setting does nothing, and settings read at runtime apply live.
        entry = self.config_entry
        before = Settings.from_options(entry.options)
        if self.hass.config_entries.async_update_entry(entry, options=options):
            async_options_saved(self.hass, entry, before)
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

    def _validate_dog(
        self, user_input: Mapping[str, Any], dog_id: str = ""
    ) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
        """Return a dog's stored form (a new id unless given), errors and placeholders.

        The name must differ from every other dog's id and name, when adding
        and when editing.
        """
        taken = taken_dog_names(self._dogs, dog_id)
        new_id, errors = validate_dog_name(user_input[CONF_DOG_NAME], taken)
        details, care, number_errors, placeholders = parse_dog_settings(user_input)
        # A device API is a location source of every dog.
        has_device_api = bool(self.config_entry.data.get(CONF_API_URL))
        errors |= validate_location_source(user_input, has_device_api=has_device_api)
        dog = dog_options(dog_id or new_id, user_input, details) | care
        escape, escape_errors = escape_flow.parse_escape(self.hass, user_input, dog)
        return dog | escape, errors | number_errors | escape_errors, placeholders

    def _dog_form(
        self,
        step_id: str,
        suggested: Mapping[str, Any] | None,
        errors: dict[str, str],
        placeholders: Mapping[str, str],
    ) -> ConfigFlowResult:
        """Show a dog's form; the care section opens when it has the error."""
        schema = vol.Schema(
            {
                **dog_fields(),
                **dog_detail_fields(),
                **escape_flow.escape_section(collapsed="escape" not in errors),
                **care_section(collapsed=CARE_SECTION not in errors),
            }
        )
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(schema, suggested),
            errors=errors,
            description_placeholders=FORM_PLACEHOLDERS | dict(placeholders),
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
        placeholders: dict[str, str] = {}
        if user_input is not None:
            dog, errors, placeholders = self._validate_dog(user_input)
            if not errors:
                return self._save(**{CONF_DOGS: [*self._dogs.values(), dog]})
        return self._dog_form("add_dog", user_input, errors, placeholders)

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
        """Edit a dog's name, GPS source, GPS limits and care; its id stays."""
        dog_id = self._dog_id
        # Another options flow may have removed the dog since this one chose it.
        if (dog := self._dogs.get(dog_id)) is None:
            return self.async_abort(reason="dog_removed")
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            edited, errors, placeholders = self._validate_dog(user_input, dog_id)
            if not errors:
                dogs = self._dogs | {dog_id: edited}
                return self._save(**{CONF_DOGS: list(dogs.values())})
        shown = dog | escape_flow.escape_suggestions(dog) | care_suggestions(dog)
        suggested = shown if user_input is None else user_input
        placeholders |= {"dog_name": dog[CONF_DOG_NAME]}
        return self._dog_form("edit_dog_details", suggested, errors, placeholders)

    async def async_step_remove_dog(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose the dogs to remove; nothing is ticked until the user ticks it."""
        errors: dict[str, str] = {}
        if user_input is not None:
            # Dogs another flow removed meanwhile are simply gone already.
            chosen = [
                dog_id for dog_id in user_input[CONF_DOGS] if dog_id in self._dogs
            ]
            if not chosen:
                errors[CONF_DOGS] = "no_dog_selected"
            elif len(chosen) == len(self._dogs):
                errors[CONF_DOGS] = "last_dog"
            else:
                self._to_remove = chosen
                return await self.async_step_remove_dog_confirm()
        # Optional with an empty default: the frontend ticks the first option of
        # a required multi-select that has no default.
        schema = vol.Schema(
            {vol.Optional(CONF_DOGS, default=[]): self._dog_choice(multiple=True)}
        )
        return self.async_show_form(
            step_id="remove_dog",
            data_schema=self.add_suggested_values_to_schema(schema, user_input),
            errors=errors,
        )

    async def async_step_remove_dog_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Name the dogs to remove; remove them only when the user confirms."""
        dogs = self._dogs
        chosen = [dog for dog_id, dog in dogs.items() if dog_id in self._to_remove]
        if not chosen:
            # Every chosen dog was removed meanwhile: say so for one or several.
            gone = "dog_removed" if len(self._to_remove) == 1 else "dogs_removed"
            return self.async_abort(reason=gone)
        if user_input is not None:
            remaining = [
                dog for dog_id, dog in dogs.items() if dog_id not in self._to_remove
            ]
            if not remaining:
                # Another flow removed the other dogs in the meantime.
                return await self.async_step_remove_dog({CONF_DOGS: self._to_remove})
            return self._save(**{CONF_DOGS: remaining})
        step_id, placeholders = by_dog_count(
            chosen, "remove_dog_confirm", "remove_dogs_confirm"
        )
        return self.async_show_form(
            step_id=step_id,
            data_schema=vol.Schema({}),
            description_placeholders=placeholders,
        )

    # The confirmation of several dogs: the same step with its own texts.
    async_step_remove_dogs_confirm = async_step_remove_dog_confirm

    async def async_step_update_interval(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Set how often the dogs are refreshed."""
        fields = {CONF_UPDATE_INTERVAL: UPDATE_INTERVAL_FIELD}
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            values, errors, placeholders = parse_numbers(user_input, fields)
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
                schema, current if user_input is None else user_input
            ),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def async_step_weather(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose the weather entity, or none, and how often it is read."""
        fields = {CONF_WEATHER_INTERVAL: WEATHER_INTERVAL_FIELD}
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            values, errors, placeholders = parse_numbers(user_input, fields)
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
                schema, self._options if user_input is None else user_input
            ),
            errors=errors,
            description_placeholders=placeholders,
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
                        CONF_QUIET_HOURS_START: normalize_time(start),
                        CONF_QUIET_HOURS_END: normalize_time(end),
                    }
                options[CONF_NOTIFY_SERVICES] = user_input.get(CONF_NOTIFY_SERVICES, [])
                options[CONF_NOTIFY_ENTITIES] = user_input.get(CONF_NOTIFY_ENTITIES, [])
                return self._save_options(options)
        schema = vol.Schema(
            {
                **notification_fields(self.hass),
                vol.Optional(CONF_QUIET_HOURS_START): TIME_SELECTOR,
                vol.Optional(CONF_QUIET_HOURS_END): TIME_SELECTOR,
            }
        )
        return self.async_show_form(
            step_id="notifications",
            data_schema=self.add_suggested_values_to_schema(
                schema, self._options if user_input is None else user_input
            ),
            errors=errors,
            description_placeholders=FORM_PLACEHOLDERS,
        )

    async def async_step_resilience(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Tune circuit breakers and retries, in a section collapsed by default."""
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            given = user_input[RESILIENCE_SECTION]
            values, number_errors, placeholders = parse_numbers(
                given, RESILIENCE_FIELDS
            )
            errors = resilience_errors(values, number_errors)
            if not errors:
                return self._save(**values, **{CONF_JITTER: bool(given[CONF_JITTER])})
        current = {
            key: self._options.get(key, default)
            for key, default in DEFAULT_RESILIENCE.items()
        }
        suggested = {RESILIENCE_SECTION: current} if user_input is None else user_input
        return self.async_show_form(
            step_id="resilience",
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema(resilience_section(collapsed=not errors)), suggested
            ),
            errors=errors,
            description_placeholders=placeholders,
        )
