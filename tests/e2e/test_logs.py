"""The e2e log check fails on the records a user's log would show as problems."""

from __future__ import annotations

from pathlib import Path

import pytest

from .logs import pawcontrol_problems

# Records as Home Assistant 2026.11.0 wrote them for an earlier PawControl.
UPDATE_LISTENER = (
    "2026-12-01 00:56:43.770 WARNING (MainThread) [homeassistant.helpers.frame] "
    "Detected that custom integration 'pawcontrol' has an update listener and "
    "should use it for scheduling a reload. This will stop working in Home "
    "Assistant 2026.12.0, please report it to the author of the 'pawcontrol' "
    "custom integration"
)
TRACKER_ALIAS = (
    "2026-12-01 00:56:40.101 WARNING (ImportExecutor_0) "
    "[homeassistant.components.device_tracker] The deprecated alias TrackerEntity "
    "was used from pawcontrol. It will be removed in HA Core 2027.6. Use "
    "homeassistant.components.device_tracker.TrackerEntity instead, please report "
    "it to the author of the 'pawcontrol' custom integration"
)
BATTERY_OVERRIDE = (
    "2026-12-01 00:56:40.120 WARNING (ImportExecutor_0) "
    "[homeassistant.components.device_tracker.config_entry] "
    "custom_components.pawcontrol.device_tracker::PawControlDogTracker is "
    "overriding the deprecated battery_level property on a subclass of "
    "BaseTrackerEntity, this will be unsupported from Home Assistant 2027.7"
)
NOT_TESTED = (
    "2026-12-01 00:56:38.002 WARNING (SyncWorker_0) [homeassistant.loader] We "
    "found a custom integration pawcontrol which has not been tested by Home "
    "Assistant. This component might cause stability problems, be sure to disable "
    "it if you experience issues with Home Assistant"
)
OWN_WARNING = (
    "2026-12-01 00:57:02.500 WARNING (MainThread) "
    "[custom_components.pawcontrol.coordinator] The device API is unreachable; "
    "showing the last known data"
)
OTHER_DEPRECATION = (
    "2026-12-01 00:57:03.000 WARNING (MainThread) [homeassistant.helpers.frame] "
    "Detected that custom integration 'hacs' uses a deprecated helper"
)


@pytest.mark.parametrize("record", [UPDATE_LISTENER, TRACKER_ALIAS, BATTERY_OVERRIDE])
def test_coming_breaks_naming_pawcontrol_fail(tmp_path: Path, record: str) -> None:
    """A deprecation or 'will stop working' warning naming PawControl is reported."""
    log = tmp_path / "home-assistant.log"
    log.write_text(f"{NOT_TESTED}\n{record}\n{OWN_WARNING}\n", encoding="utf-8")
    assert pawcontrol_problems([log]) == [f"home-assistant.log: {record}"]


def test_ordinary_records_pass(tmp_path: Path) -> None:
    """The not-tested line, PawControl's own warnings and others' deprecations pass."""
    log = tmp_path / "home-assistant.log"
    log.write_text(
        f"{NOT_TESTED}\n{OWN_WARNING}\n{OTHER_DEPRECATION}\n", encoding="utf-8"
    )
    assert pawcontrol_problems([log]) == []


def test_only_the_intended_auth_error_passes(tmp_path: Path) -> None:
    """The refused token the reauth test causes passes; with a traceback it fails."""
    intended = (
        "2026-12-07 13:05:14.887 ERROR (MainThread) [custom_components.pawcontrol] "
        "Authentication failed while fetching pawcontrol data: The device API "
        "refused the token"
    )
    traceback = f"{intended}\nTraceback (most recent call last):\n  File x"
    log = tmp_path / "home-assistant.log"
    log.write_text(f"{intended}\n{traceback}\n", encoding="utf-8")
    assert pawcontrol_problems([log]) == [f"home-assistant.log: {traceback}"]


def test_the_intended_auth_traceback_at_debug_passes(tmp_path: Path) -> None:
    """2026.10's debug traceback of the refused token passes; another one fails."""
    head = (
        "2026-12-07 13:13:37.072 DEBUG (MainThread) [custom_components.pawcontrol] "
        "Full error:\nTraceback (most recent call last):\n"
        '  File "coordinator.py", line 273, in _async_fetch_status\n'
        "    raise ConfigEntryAuthFailed(\n"
    )
    intended = (
        f"{head}homeassistant.exceptions.ConfigEntryAuthFailed: "
        "The device API refused the token"
    )
    other = f"{head}KeyError: 'buddy'"
    log = tmp_path / "home-assistant.log"
    log.write_text(f"{intended}\n{other}\n", encoding="utf-8")
    assert pawcontrol_problems([log]) == [f"home-assistant.log: {other}"]


def test_a_console_without_records_is_read(tmp_path: Path) -> None:
    """A console log with no timestamped record is one console record."""
    line = "The deprecated alias TrackerEntity was used from pawcontrol"
    quiet = tmp_path / "e2e-console-1.log"
    quiet.write_text("Unable to find configuration. Creating default one\n")
    noisy = tmp_path / "e2e-console-2.log"
    noisy.write_text(f"{line}\n", encoding="utf-8")
    assert pawcontrol_problems([quiet, noisy]) == [f"e2e-console-2.log: {line}"]


def test_records_with_a_utc_offset_are_read(tmp_path: Path) -> None:
    """2026.11 writes the UTC offset after the time; its records are still checked."""
    record = TRACKER_ALIAS.replace(" WARNING", "+00:00 WARNING", 1)
    log = tmp_path / "home-assistant.log"
    log.write_text(
        f"{NOT_TESTED.replace(' WARNING', '+01:00 WARNING', 1)}\n{record}\n",
        encoding="utf-8",
    )
    assert pawcontrol_problems([log]) == [f"home-assistant.log: {record}"]
