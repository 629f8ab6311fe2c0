"""Tests that the translations are complete and really translated."""

from __future__ import annotations

import json
from pathlib import Path
import re
from typing import Any

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
