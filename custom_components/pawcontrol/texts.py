"""Texts PawControl writes itself (titles, messages), in Home Assistant's language."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers.translation import async_get_translations

from .const import DOMAIN


async def async_text(
    hass: HomeAssistant, key: str, default: str, **placeholders: str
) -> str:
    """Return the translation ``<category>.<path>`` filled in, else ``default``.

    ``default`` is returned as it is: it may be outside text with braces.
    """
    category = key.partition(".")[0]
    translations = await async_get_translations(
        hass, hass.config.language, category, {DOMAIN}
    )
    text = translations.get(f"component.{DOMAIN}.{key}")
    return default if text is None else text.format(**placeholders)
