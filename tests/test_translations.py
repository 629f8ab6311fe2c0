"""Tests that the translations are complete and really translated."""

from __future__ import annotations

import json
from pathlib import Path
import re
from typing import Any

import yaml

TRANSLATIONS = (
    Path(__file__).parents[1] / "custom_components" / "pawcontrol" / "translations"
)


def _leaves(tree: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """Flatten a translation tree into dotted keys."""
    flat: dict[str, str] = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            flat |= _leaves(value, f"{prefix}{key}.")
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _placeholders(text: str) -> set[str]:
    """Return the {placeholders} of a text."""
    return set(re.findall(r"\{(\w+)\}", text))


def test_german_has_every_key_and_is_translated() -> None:
    """German covers every English key, with its own words and the same placeholders."""
    english = _leaves(json.loads((TRANSLATIONS / "en.json").read_text()))
    german = _leaves(json.loads((TRANSLATIONS / "de.json").read_text()))
    assert german.keys() == english.keys()
    same = [key for key in english if english[key] == german[key]]
    assert same == []
    for key, text in english.items():
        assert _placeholders(text) == _placeholders(german[key]), key


def test_every_field_has_a_description() -> None:
    """Every form field has a label and a data_description."""
    english = json.loads((TRANSLATIONS / "en.json").read_text())
    for section in ("config", "options"):
        for step_id, step in english[section]["step"].items():
            assert (
                step.get("data", {}).keys() == step.get("data_description", {}).keys()
            ), step_id


INTEGRATION = TRANSLATIONS.parent


def test_services_are_described_translated_and_have_icons() -> None:
    """Every service in services.yaml has a name, description, field texts and an icon."""
    services = yaml.safe_load((INTEGRATION / "services.yaml").read_text())
    english = json.loads((TRANSLATIONS / "en.json").read_text())["services"]
    icons = json.loads((INTEGRATION / "icons.json").read_text())["services"]
    assert services.keys() == english.keys() == icons.keys()
    for service, spec in services.items():
        assert english[service]["name"]
        assert english[service]["description"]
        assert spec["fields"].keys() == english[service]["fields"].keys()


def test_entity_translation_keys_exist() -> None:
    """Every translation_key used in a platform has a name in en.json."""
    english = json.loads((TRANSLATIONS / "en.json").read_text())["entity"]
    for platform in ("sensor", "binary_sensor", "device_tracker"):
        source = (INTEGRATION / f"{platform}.py").read_text()
        keys = set(re.findall(r'translation_key\s*=\s*"(\w+)"', source))
        assert keys
        assert keys <= english[platform].keys(), platform


def test_manifest_key_order() -> None:
    """The manifest lists domain and name first, then the other keys alphabetically."""
    manifest = json.loads((INTEGRATION / "manifest.json").read_text())
    keys = list(manifest)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])
    assert manifest["version"] == "1.0.1"
    assert manifest["requirements"] == []
