"""Care tasks at their limits: hostile input through the actions, hostile stored records."""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.pawcontrol.const import CONF_DOGS, DOMAIN

from .conftest import dog_options
from .helpers import care_file, repair_text, setup_entry
from .test_care_tasks import TODO, add_task, brief, items, todo

GOOD = {
    "uid": "good1",
    "summary": "Rabies booster",
    "kind": "vaccination",
    "due": "2027-03-01",
    "repeat": {"every": 12, "unit": "months"},
}


@pytest.fixture
async def loaded(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, entry_options: dict[str, Any]
) -> MockConfigEntry:
    """Set up Buddy (no reminders of walks or meals) in Berlin."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    options = entry_options | {CONF_DOGS: [dog_options(walk_interval_hours=0)]}
    entry = MockConfigEntry(domain=DOMAIN, options=options)
    await setup_entry(hass, entry)
    return entry


async def _refused(call: Any) -> ServiceValidationError:
    """Return the translated error a call raises."""
    with pytest.raises(ServiceValidationError) as caught:
        await call
    assert caught.value.translation_domain == DOMAIN
    return caught.value


@pytest.mark.parametrize(
    ("data", "key", "message"),
    [
        ({"item": "x" * 256}, "task_summary_too_long", "at most 255 characters"),
        (
            {"item": "Walk", "description": "x" * 1001},
            "task_description_too_long",
            "at most 1000 characters",
        ),
        (
            {"item": "Walk", "description": "Kind: Other\n" * 100_000},
            "task_description_too_long",
            "at most 1000 characters",
        ),
        (
            {"item": "Pill", "description": "Repeats every 0 days"},
            "invalid_repeat",
            "every 1 to 365 days, weeks or months",
        ),
        (
            {"item": "Pill", "description": "Repeats every 366 days"},
            "invalid_repeat",
            "every 1 to 365",
        ),
        (
            {"item": "Pill", "description": "Repeats every 2 years"},
            "invalid_repeat",
            "every 1 to 365",
        ),
        (
            {"item": "Pill", "description": "Wiederholt sich alle x Wochen"},
            "invalid_repeat",
            "every 1 to 365",
        ),
        (
            {"item": "Pill", "description": "Kind: Banana"},
            "invalid_task_kind",
            '"Banana" is no kind of care task. Valid kinds: medication, '
            "vaccination, deworming, vet_visit, grooming, other",
        ),
        (
            {"item": "Pill", "due_date": "1999-12-31"},
            "invalid_due",
            "between 2000-01-01 and 2200-12-31",
        ),
    ],
)
async def test_bad_todo_items_are_refused_and_nothing_changes(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    loaded: MockConfigEntry,
    data: dict[str, Any],
    key: str,
    message: str,
) -> None:
    """todo.add_item and todo.update_item refuse what PawControl cannot keep."""
    await todo(hass, "add_item", item="Brush coat")
    before = await items(hass)
    error = await _refused(todo(hass, "add_item", **data))
    assert (error.translation_key, message in str(error)) == (key, True)
    update = dict(data, rename=data["item"], item="Brush coat")
    error = await _refused(todo(hass, "update_item", **update))
    assert error.translation_key == key
    assert await items(hass) == before


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"summary": "   "}, "task_summary_empty"),
        ({"summary": "x" * 256}, "task_summary_too_long"),
        ({"summary": "Pill", "description": "y" * 1001}, "task_description_too_long"),
        ({"summary": "Pill", "kind": "banana"}, "invalid_task_kind"),
        ({"summary": "Pill", "kind": "x" * 10_000}, "invalid_task_kind"),
        (
            {"summary": "Pill", "repeat_every": 0, "repeat_unit": "days"},
            "invalid_repeat",
        ),
        (
            {"summary": "Pill", "repeat_every": 366, "repeat_unit": "days"},
            "invalid_repeat",
        ),
        (
            {"summary": "Pill", "repeat_every": 1.5, "repeat_unit": "weeks"},
            "invalid_repeat",
        ),
        (
            {"summary": "Pill", "repeat_every": "often", "repeat_unit": "weeks"},
            "invalid_repeat",
        ),
        (
            {"summary": "Pill", "repeat_every": True, "repeat_unit": "weeks"},
            "invalid_repeat",
        ),
        (
            {"summary": "Pill", "repeat_every": 2, "repeat_unit": "years"},
            "invalid_repeat",
        ),
        ({"summary": "Pill", "repeat_every": 2}, "invalid_repeat"),
        ({"summary": "Pill", "repeat_unit": "days"}, "invalid_repeat"),
        ({"summary": "Pill", "due_date": "2026-02-30"}, "invalid_due"),
        ({"summary": "Pill", "due_date": "soon"}, "invalid_due"),
        ({"summary": "Pill", "due_datetime": "tomorrow at 9"}, "invalid_due"),
        ({"summary": "Pill", "due_datetime": "2026-02-30 10:00"}, "invalid_due"),
        ({"summary": "Pill", "due_datetime": "2201-01-01 09:00"}, "invalid_due"),
        (
            {
                "summary": "Pill",
                "due_date": "2026-12-01",
                "due_datetime": "2026-12-01 09:00",
            },
            "task_due_twice",
        ),
        ({"summary": "Pill", "dog": "rex"}, "unknown_dog_only"),
        ({"summary": "Pill", "dog": "x" * 65}, "input_too_long"),
    ],
)
async def test_bad_add_care_task_calls_are_refused_and_write_nothing(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
    loaded: MockConfigEntry,
    data: dict[str, Any],
    key: str,
) -> None:
    """Each refusal is translated, short, and nothing is stored."""
    error = await _refused(add_task(hass, **data))
    assert error.translation_key == key
    assert len(str(error)) < 200
    await hass.async_block_till_done()
    assert await items(hass) == []
    assert "pawcontrol.care" not in hass_storage


async def test_at_most_a_hundred_tasks_per_dog(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, loaded: MockConfigEntry
) -> None:
    """The 101st task is refused by name; deleting one makes room again."""
    for number in range(100):
        await add_task(hass, summary=f"Task {number}")
    error = await _refused(todo(hass, "add_item", item="One more"))
    assert error.translation_key == "too_many_tasks"
    # Home Assistant drops the final full stop of an error's message.
    assert str(error) == "Buddy already has 100 care tasks. Delete one first"
    await todo(hass, "remove_item", item="Task 0")
    await todo(hass, "add_item", item="One more")
    assert hass.states.get(TODO).state == "100"


async def test_hostile_stored_tasks_are_set_aside_and_the_rest_kept(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
    entry_options: dict[str, Any],
) -> None:
    """Wrong types, huge strings, unknown kinds, bad dates: dropped with one repair."""
    bad_tasks: list[Any] = [
        "a task",
        {**GOOD, "uid": "t1", "summary": 5},
        {**GOOD, "uid": "t2", "summary": "x" * 100_000},
        {**GOOD, "uid": "t3", "summary": "   "},
        {**GOOD, "uid": "t4", "kind": "banana"},
        {**GOOD, "uid": "t5", "due": "2026-13-45"},
        {**GOOD, "uid": "t6", "due": "2026-11-05T09:00:00"},
        {**GOOD, "uid": "t7", "due": "1900-01-01"},
        {**GOOD, "uid": "t8", "due": 20261105},
        {**GOOD, "uid": "t9", "repeat": {"every": 0, "unit": "days"}},
        {**GOOD, "uid": "t10", "repeat": "monthly"},
        {**GOOD, "uid": "t11", "repeat": {"every": 2, "unit": "years"}},
        {**GOOD, "uid": "../../etc"},
        {**GOOD, "uid": None},
        {**GOOD, "uid": "t12", "completed": "2026-11-01T10:00:00"},
        {**GOOD, "uid": "t13", "month_day": 40},
        {**GOOD, "uid": "t14", "description": ["not", "text"]},
        {**GOOD, "uid": "t15", "description": "d" * 1001},
        {**GOOD, "uid": "t16", "reminded": "yesterday"},
        {**GOOD, "uid": "t17", "completed": "2026-11-01"},
        {**GOOD, "uid": "t18", "repeat": {"every": True, "unit": "days"}},
        {**GOOD, "uid": "t19", "repeat": {"every": "3", "unit": "days"}},
        {**GOOD, "summary": "The same uid again"},
    ]
    done = {
        "time": "2026-11-01T10:00:00+00:00",
        "kind": "deworming",
        "summary": "Wormer",
        "task": "gone",
    }
    bad_done: list[Any] = [
        {**done, "kind": "banana"},
        {**done, "time": 5},
        {**done, "time": None},
        {**done, "time": "2026-11-01T10:00:00"},
        {**done, "task": "../x"},
        {**done, "summary": ""},
        [done],
    ]
    hass_storage["pawcontrol.care"] = care_file(
        buddy={
            "tasks": [GOOD, *bad_tasks, {**GOOD, "uid": "good2", "summary": "Bath"}],
            "tasks_done": [done, *bad_done],
        }
    )
    await hass.config.async_set_time_zone("Europe/Berlin")
    options = entry_options | {CONF_DOGS: [dog_options(walk_interval_hours=0)]}
    entry = MockConfigEntry(domain=DOMAIN, options=options)
    await setup_entry(hass, entry)
    assert brief(await items(hass)) == [
        ("Rabies booster", "needs_action", "2027-03-01"),
        ("Bath", "needs_action", "2027-03-01"),
    ]
    issue = ir.async_get(hass).async_get_issue(DOMAIN, "store_reset_pawcontrol.care")
    assert issue is not None
    assert (
        issue.translation_placeholders["reason"]
        == f"{len(bad_tasks) + len(bad_done)} invalid records"
    )
    title, description = await repair_text(hass, issue)
    assert title == "PawControl started pawcontrol.care afresh"
    assert f"({len(bad_tasks) + len(bad_done)} invalid records)" in description
    # The list still works, and the next save keeps what was valid.
    await todo(hass, "update_item", item="Bath", status="completed")
    await hass.config_entries.async_unload(entry.entry_id)
    stored = hass_storage["pawcontrol.care"]["data"]["dogs"]["buddy"]
    assert [task["uid"] for task in stored["tasks"]] == ["good1", "good2"]
    assert [d["summary"] for d in stored["tasks_done"]] == ["Wormer", "Bath"]


@pytest.mark.parametrize("tasks", ["all of them", {"uid": "x"}, 42])
async def test_a_task_list_that_is_no_list_is_dropped(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
    entry_options: dict[str, Any],
    tasks: Any,
) -> None:
    """The dog's other records stay; the list starts empty and works."""
    hass_storage["pawcontrol.care"] = care_file(
        buddy={
            "tasks": tasks,
            "weights": [{"time": "2026-11-01T10:00:00+00:00", "weight_kg": 21.5}],
        }
    )
    options = entry_options | {CONF_DOGS: [dog_options(walk_interval_hours=0)]}
    await setup_entry(hass, MockConfigEntry(domain=DOMAIN, options=options))
    assert await items(hass) == []
    assert hass.states.get("sensor.buddy_weight").state == "21.5"
    assert ir.async_get(hass).async_get_issue(DOMAIN, "store_reset_pawcontrol.care")
    await todo(hass, "add_item", item="Bath")
    assert len(await items(hass)) == 1
