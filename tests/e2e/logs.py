"""Read Home Assistant's log for problems that PawControl caused."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
import re
from typing import Final

# "2026-12-01 00:56:43.770 WARNING (MainThread) [homeassistant.loader] ...";
# 2026.11 adds the UTC offset: "2026-12-07 13:28:58.545+00:00 WARNING ...".
RECORD_START: Final = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?(?:[+-]\d\d:?\d\d|Z)? "
    r"(?P<level>[A-Z]+) ",
    re.MULTILINE,
)
ERROR_LEVELS: Final = frozenset({"ERROR", "CRITICAL", "FATAL"})
# Home Assistant's frame helper: "Detected code that ..." (older releases) and
# "Detected that custom integration 'pawcontrol' ..." (newer ones).
DETECTED: Final = re.compile(r"Detected (code that|that custom integration)")
# What Home Assistant says when a translation, an action's description or an
# icon is missing or broken.
MISSING_TEXT: Final = re.compile(
    r"translation|services\.yaml|service description|icons?\b|icons\.json",
    re.IGNORECASE,
)

# A coming break announced by Home Assistant: a deprecated alias or property, a
# helper that "will stop working" or "will be removed" in a named release.
COMING_BREAK: Final = re.compile(
    r"deprecat|will stop working|will be removed|will be unsupported"
    r"|no longer (be )?supported",
    re.IGNORECASE,
)
# The line Home Assistant logs at every start for any custom integration.
NOT_TESTED: Final = re.compile(
    r"We found a custom integration \S+ which has not been tested by Home Assistant"
)
# Caused on purpose: the reauth test makes the collar refuse the token, and
# Home Assistant's coordinator logs that as an error without a traceback, and
# (2026.10) at debug level with the traceback of the refusal.
INTENDED: Final = re.compile(
    r"ERROR \(MainThread\) \[custom_components\.pawcontrol\] Authentication "
    r"failed while fetching pawcontrol data: The device API refused the token$"
    r"|^\S+ \S+ DEBUG \(MainThread\) \[custom_components\.pawcontrol\] Full "
    r"error:\nTraceback[^\n]*\n(?s:.*)\nhomeassistant\.exceptions\."
    r"ConfigEntryAuthFailed: The device API refused the token$"
)


def records(text: str) -> Iterator[tuple[str, str]]:
    """Yield (level, record) for each log record, with its traceback lines."""
    starts = [match.start() for match in RECORD_START.finditer(text)]
    # What comes before the first record (the console before logging is set up).
    if (head := text[: starts[0] if starts else len(text)].strip()) != "":
        yield "CONSOLE", head
    ends = [*starts[1:], len(text)] if starts else []
    for begin, end in zip(starts, ends, strict=True):
        record = text[begin:end].rstrip()
        match = RECORD_START.match(record)
        yield (match["level"] if match else "CONSOLE"), record


def problem(level: str, record: str) -> bool:
    """Return whether a record is a problem from or caused by PawControl."""
    if "pawcontrol" not in record.lower() or INTENDED.search(record):
        return False
    if level in ERROR_LEVELS or "Traceback (most recent call last)" in record:
        return True
    if DETECTED.search(record):
        return True
    if level not in ("WARNING", "CONSOLE") or NOT_TESTED.search(record):
        return False
    return bool(MISSING_TEXT.search(record) or COMING_BREAK.search(record))


def pawcontrol_problems(paths: Iterable[Path]) -> list[str]:
    """Return every problem record in the given logs, prefixed with its file name."""
    found: list[str] = []
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace")
        found.extend(
            f"{path.name}: {record}"
            for level, record in records(text)
            if problem(level, record)
        )
    return found
