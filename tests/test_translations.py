"""Tests that the translations are complete and really translated."""

from __future__ import annotations

import json
from pathlib import Path
import re
import string
from typing import Any

from homeassistant.helpers import config_validation as cv
import pytest
import voluptuous as vol
import yaml

from custom_components.pawcontrol.config_flow import FORM_PLACEHOLDERS

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


# Any scheme://, or a bare www. host: hassfest wants URLs as description placeholders.
URL_RE = re.compile(r"\b[a-z][a-z0-9+.-]*://|\bwww\.", re.IGNORECASE)
LANGUAGES = ("en", "de")


def _strings(language: str) -> dict[str, str]:
    """Return the flattened translation file of one language."""
    return _leaves(json.loads((TRANSLATIONS / f"{language}.json").read_text()))


def hassfest_problems(text: str) -> list[str]:
    """Return what hassfest's translation rules find wrong with a string."""
    problems = []
    try:
        cv.string_with_no_html(text)
    except vol.Invalid:
        problems.append("HTML")
    if URL_RE.search(text):
        problems.append("URL")
    if re.search(r"'\{\w+\}'", text):
        problems.append("single-quoted placeholder")
    if text != text.strip():
        problems.append("leading or trailing spaces")
    try:
        fields = [field for _, field, _, _ in string.Formatter().parse(text) if field]
    except ValueError:
        problems.append("unbalanced braces")
    else:
        if not all(field.isidentifier() for field in fields):
            problems.append("placeholder is not an identifier")
    return problems


@pytest.mark.parametrize("language", LANGUAGES)
def test_strings_follow_hassfest_rules(language: str) -> None:
    """No string has HTML, a URL, a quoted or malformed placeholder, or stray spaces."""
    found = {
        key: problems
        for key, text in _strings(language).items()
        if (problems := hassfest_problems(text))
    }
    assert found == {}


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Use the form notify.<service>.", "HTML"),
        ("For example http://192.168.1.20:8080.", "URL"),
        ("See www.example.org.", "URL"),
        ("Dog '{name}' is lost", "single-quoted placeholder"),
        (" Leading space", "leading or trailing spaces"),
        ("Broken {placeholder", "unbalanced braces"),
        ("Bad {0} placeholder", "placeholder is not an identifier"),
    ],
)
def test_hassfest_rules_catch_bad_strings(text: str, problem: str) -> None:
    """The rule check finds each kind of string hassfest rejects."""
    assert hassfest_problems(text) == [problem]


def test_form_placeholders_cover_flow_texts() -> None:
    """Every placeholder of a flow error or field text is filled by the flows."""
    supplied = set(FORM_PLACEHOLDERS) | {"dog_name", "dog_names", "minimum", "maximum"}
    for key, text in _strings("en").items():
        if key.startswith(("config.", "options.")):
            assert _placeholders(text) <= supplied, key


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
    modules = {"sensor": ("sensor", "hub_sensor")}
    for platform in ("sensor", "binary_sensor", "device_tracker"):
        source = "".join(
            (INTEGRATION / f"{module}.py").read_text()
            for module in modules.get(platform, (platform,))
        )
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
