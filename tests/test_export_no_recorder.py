"""pawcontrol.export_walk without the recorder: a translated error, in both languages."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.pawcontrol.const import DOMAIN

from .helpers import translated


async def test_export_needs_the_recorder(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Without the recorder there is no history to read a walk's path from."""
    await hass.services.async_call(
        DOMAIN, "start_walk", {"dog": "buddy"}, blocking=True
    )
    with pytest.raises(ServiceValidationError) as raised:
        await hass.services.async_call(
            DOMAIN,
            "export_walk",
            {"dog": "buddy"},
            blocking=True,
            return_response=True,
        )
    err = raised.value
    assert (err.translation_domain, err.translation_key) == (
        DOMAIN,
        "recorder_not_loaded",
    )
    key = f"exceptions.{err.translation_key}.message"
    assert await translated(hass, key) == (
        "The recorder is not loaded. The path of a walk comes from its history "
        "of the dog's location."
    )
    assert (await translated(hass, key, language="de")).startswith(
        "Der Recorder ist nicht geladen."
    )


async def test_export_answers_only_with_a_response(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The action only answers: a call that wants no response is refused."""
    with pytest.raises(ServiceValidationError) as raised:
        await hass.services.async_call(
            DOMAIN, "export_walk", {"dog": "buddy"}, blocking=True
        )
    assert raised.value.translation_key == "service_lacks_response_request"


async def test_export_needs_a_loaded_entry(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """With PawControl unloaded the action says so."""
    await hass.config_entries.async_unload(init_integration.entry_id)
    with pytest.raises(ServiceValidationError) as raised:
        await hass.services.async_call(
            DOMAIN,
            "export_walk",
            {"dog": "buddy"},
            blocking=True,
            return_response=True,
        )
    assert raised.value.translation_key == "not_loaded"
