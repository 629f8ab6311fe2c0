"""The kind and repeat of a care task as lines of its to-do description.

Home Assistant's to-do item has a summary, a description, a due date and a
status, nothing more. So a task's kind and repeat are shown as lines of its
description, "Kind: Vaccination" and "Repeats every 3 months" (in German
"Art: Impfung", "Wiederholt sich alle 3 Monate"), and read back from there
when the item is created or edited in the to-do panel or by ``todo.*``
actions. Lines are read in English, German and Home Assistant's language,
whatever language wrote them; a line that starts like a repeat but does not
say one that PawControl can keep is refused, never silently dropped. The
texts come from the ``common`` and ``selector`` translations.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import takewhile
import re
from typing import Final

from homeassistant.core import HomeAssistant
from homeassistant.helpers.translation import async_get_translations

from ..const import DOMAIN
from ..services import excerpt
from .manager import CareError
from .task_models import KINDS, MAX_DESCRIPTION, MAX_REPEAT, UNITS, CareTask, Repeat

READ_LANGUAGES: Final = ("en", "de")
# The longest description read: the notes and room for the kind and repeat lines.
MAX_READ: Final = MAX_DESCRIPTION + 200
# Singular and plural repeat lines per unit: task_repeat_day, task_repeat_days...
_REPEAT_KEYS: Final = {
    unit: (f"task_repeat_{unit.removesuffix('s')}", f"task_repeat_{unit}")
    for unit in UNITS
}


def _pattern(template: str, group: str) -> re.Pattern[str]:
    """Return a case-insensitive pattern of a line; ``group`` stands for its placeholder."""
    parts = re.split(r"\{\w+\}", template.strip())
    words = [r"\s+".join(map(re.escape, part.split())) for part in parts]
    placeholder = rf"\s*{group}\s*"
    return re.compile(rf"\s*{placeholder.join(words)}\s*", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _Reader:
    """How the lines of one language look."""

    kind: re.Pattern[str]
    kinds: Mapping[str, str]  # label (casefolded) -> kind
    repeat_prefix: tuple[str, ...]  # the words every repeat line starts with
    repeats: tuple[tuple[re.Pattern[str], str, bool], ...]  # pattern, unit, plural


@dataclass(frozen=True, slots=True)
class ParsedDescription:
    """A description split into the user's text, the kind and the repeat."""

    text: str | None
    kind: str | None
    repeat: Repeat | None


@dataclass(frozen=True, kw_only=True, slots=True)
class TaskWording:
    """Writes the lines in one language and reads them in several."""

    kind_line: str
    kinds: Mapping[str, str]
    repeat_lines: Mapping[str, tuple[str, str]]
    readers: tuple[_Reader, ...]

    def render(self, task: CareTask) -> str | None:
        """Return the description shown in the to-do list."""
        lines: list[str] = []
        if task.kind != "other":
            lines.append(self.kind_line.format(kind=self.kinds[task.kind]))
        if (repeat := task.repeat) is not None:
            one, many = self.repeat_lines[repeat.unit]
            lines.append(one if repeat.every == 1 else many.format(count=repeat.every))
        if task.description:
            lines.append(task.description)
        return "\n".join(lines) or None

    def parse(self, description: str | None) -> ParsedDescription:
        """Return the user's text and the kind and repeat lines of a description."""
        if len(description or "") > MAX_READ:
            # Not read at all: far longer than notes and lines can be.
            raise CareError("task_description_too_long", max=str(MAX_DESCRIPTION))
        kept: list[str] = []
        kind: str | None = None
        repeat: Repeat | None = None
        for line in (description or "").splitlines():
            if (found_kind := self._kind(line)) is not None:
                kind = found_kind
            elif (found_repeat := self._repeat(line)) is not None:
                repeat = found_repeat
            else:
                kept.append(line)
        return ParsedDescription("\n".join(kept).strip() or None, kind, repeat)

    def _kind(self, line: str) -> str | None:
        """Return the kind a kind line names; raise for an unknown one."""
        for reader in self.readers:
            if match := reader.kind.fullmatch(line):
                label = match["kind"].casefold()
                for candidate in self.readers:
                    if label in candidate.kinds:
                        return candidate.kinds[label]
                if label in KINDS:
                    return label
                raise CareError(
                    "invalid_task_kind",
                    kind=excerpt(match["kind"]),
                    valid=", ".join(KINDS),
                )
        return None

    def _repeat(self, line: str) -> Repeat | None:
        """Return the repeat a repeat line says; raise for one that cannot be kept."""
        words = tuple(line.casefold().split())
        for reader in self.readers:
            for pattern, unit, plural in reader.repeats:
                if match := pattern.fullmatch(line):
                    count = match["count"] if plural else "1"
                    if count.isdecimal() and 1 <= int(count) <= MAX_REPEAT:
                        return Repeat(int(count), unit)
                    raise CareError("invalid_repeat", max=str(MAX_REPEAT))
            prefix = reader.repeat_prefix
            if prefix and words[: len(prefix)] == prefix:
                raise CareError("invalid_repeat", max=str(MAX_REPEAT))
        return None


def _reader(common: Mapping[str, str], selector: Mapping[str, str]) -> _Reader:
    """Return how one language's lines look, from its translations."""
    texts = {key.rpartition(".")[2]: text for key, text in common.items()}
    templates = [texts[key] for keys in _REPEAT_KEYS.values() for key in keys]
    # The words all repeat lines start with: "repeats every", "wiederholt sich".
    columns = zip(*(t.casefold().split() for t in templates), strict=False)
    prefix = tuple(words[0] for words in takewhile(lambda w: len(set(w)) == 1, columns))
    option = f"component.{DOMAIN}.selector.care_task_kind.options."
    return _Reader(
        kind=_pattern(texts["task_kind_line"], r"(?P<kind>.+?)"),
        kinds={selector.get(option + kind, kind).casefold(): kind for kind in KINDS},
        repeat_prefix=prefix,
        repeats=tuple(
            (_pattern(texts[key], r"(?P<count>\S+?)"), unit, plural)
            for unit, keys in _REPEAT_KEYS.items()
            for key, plural in zip(keys, (False, True), strict=True)
        ),
    )


async def _async_texts(
    hass: HomeAssistant, language: str
) -> tuple[dict[str, str], dict[str, str]]:
    """Return the task texts (common) and kind names (selector) of a language."""
    common = await async_get_translations(hass, language, "common", {DOMAIN})
    selector = await async_get_translations(hass, language, "selector", {DOMAIN})
    prefix = f"component.{DOMAIN}.common.task_"
    return {k: v for k, v in common.items() if k.startswith(prefix)}, selector


async def async_load_task_wording(hass: HomeAssistant) -> TaskWording:
    """Return the lines in Home Assistant's language, read in every language."""
    language = hass.config.language
    loaded = {
        each: await _async_texts(hass, each)
        for each in dict.fromkeys((language, *READ_LANGUAGES))
    }
    common, selector = loaded[language]
    texts = {key.rpartition(".")[2]: text for key, text in common.items()}
    option = f"component.{DOMAIN}.selector.care_task_kind.options."
    return TaskWording(
        kind_line=texts["task_kind_line"],
        kinds={kind: selector.get(option + kind, kind) for kind in KINDS},
        repeat_lines={
            unit: (texts[one], texts[many])
            for unit, (one, many) in _REPEAT_KEYS.items()
        },
        readers=tuple(_reader(*texts_of) for texts_of in loaded.values()),
    )
