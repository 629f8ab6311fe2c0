"""Care tasks as the owner meets them: the to-do list, its actions, repeats, the diary."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.pawcontrol.const import CONF_DOGS, DOMAIN

from .conftest import dog_options
from .helpers import restarted, setup_entry

TODO = "todo.buddy_care_tasks"
DIARY = "calendar.buddy_diary"
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def entry(entry_options: dict[str, Any]) -> MockConfigEntry:
    """Return an entry with Buddy (no GPS source, no device API)."""
    return MockConfigEntry(
        domain=DOMAIN, options=entry_options | {CONF_DOGS: [dog_options()]}
    )


@pytest.fixture
async def loaded(hass: HomeAssistant, entry: MockConfigEntry) -> MockConfigEntry:
    """Set PawControl up in Berlin's time zone."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    await setup_entry(hass, entry)
    return entry


async def items(hass: HomeAssistant, entity_id: str = TODO) -> list[dict[str, Any]]:
    """Return the list's items as todo.get_items answers them."""
    response = await hass.services.async_call(
        "todo",
        "get_items",
        {"entity_id": entity_id},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    found: list[dict[str, Any]] = response[entity_id]["items"]  # type: ignore[index]
    return found


def brief(found: list[dict[str, Any]]) -> list[tuple[str, str, str | None]]:
    """Return summary, status and due of each item."""
    return [(i["summary"], i["status"], i.get("due")) for i in found]


async def todo(hass: HomeAssistant, service: str, **data: Any) -> None:
    """Call a todo action on Buddy's care list."""
    await hass.services.async_call(
        "todo", service, {"entity_id": TODO, **data}, blocking=True
    )


async def add_task(hass: HomeAssistant, **data: Any) -> str:
    """Call pawcontrol.add_care_task for Buddy; return the new task's uid."""
    response = await hass.services.async_call(
        DOMAIN,
        "add_care_task",
        {"dog": "buddy", **data},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    uid = response["uid"]
    assert isinstance(uid, str)
    return uid


async def diary(hass: HomeAssistant, start: datetime, end: datetime) -> list[str]:
    """Return the summaries of the diary's events as calendar.get_events answers."""
    response = await hass.services.async_call(
        "calendar",
        "get_events",
        {"entity_id": DIARY, "start_date_time": start, "end_date_time": end},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    events: list[dict[str, Any]] = response[DIARY]["events"]  # type: ignore[index]
    return [event["summary"] for event in events]


async def test_the_list_is_named_and_starts_empty(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, loaded: MockConfigEntry
) -> None:
    """Each dog has a "Care tasks" list with no open task; German names it too."""
    state = hass.states.get(TODO)
    assert state is not None
    assert state.state == "0"
    assert state.attributes["friendly_name"] == "Buddy Care tasks"
    assert await items(hass) == []
    entity = er.async_get(hass).async_get(TODO)
    assert entity is not None
    assert entity.unique_id == f"{loaded.entry_id}_dog_buddy_care_tasks"
    assert entity.translation_key == "care_tasks"


async def test_add_edit_complete_and_delete_from_the_todo_actions(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, loaded: MockConfigEntry
) -> None:
    """What the to-do panel does: add, rename, set a due date, tick off, delete."""
    await todo(hass, "add_item", item="Brush teeth", due_date="2026-11-05")
    await todo(
        hass,
        "add_item",
        item="Vet check-up",
        due_datetime="2026-11-10 14:30:00",
        description="Bring the vaccination card",
    )
    assert brief(await items(hass)) == [
        ("Brush teeth", "needs_action", "2026-11-05"),
        ("Vet check-up", "needs_action", "2026-11-10T14:30:00+01:00"),
    ]
    assert hass.states.get(TODO).state == "2"
    await todo(hass, "update_item", item="Brush teeth", rename="Brush Buddy's teeth")
    await todo(hass, "update_item", item="Vet check-up", due_date="2026-11-12")
    await todo(hass, "update_item", item="Brush Buddy's teeth", status="completed")
    found = await items(hass)
    assert brief(found) == [
        ("Brush Buddy's teeth", "completed", "2026-11-05"),
        ("Vet check-up", "needs_action", "2026-11-12"),
    ]
    assert found[1]["description"] == "Bring the vaccination card"
    assert hass.states.get(TODO).state == "1"
    await todo(hass, "remove_item", item="Vet check-up")
    assert brief(await items(hass)) == [
        ("Brush Buddy's teeth", "completed", "2026-11-05"),
    ]
    await todo(hass, "remove_completed_items")
    assert await items(hass) == []


async def test_completion_is_in_the_diary_with_its_kind(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, loaded: MockConfigEntry
) -> None:
    """Done tasks are diary entries; open ones show on their due day, overdue until today."""
    await add_task(hass, summary="Rabies booster", kind="vaccination")
    await add_task(hass, summary="Ear drops", kind="medication", due_date="2026-10-30")
    await add_task(hass, summary="Nail trim", kind="grooming", due_date="2026-11-06")
    freezer.move_to("2026-11-02T18:20:00+00:00")
    await todo(hass, "update_item", item="Rabies booster", status="completed")
    week = (
        datetime(2026, 11, 2, tzinfo=BERLIN),
        datetime(2026, 11, 9, tzinfo=BERLIN),
    )
    assert await diary(hass, *week) == [
        "Overdue: Ear drops (Medication)",
        "Done: Rabies booster (Vaccination)",
        "Due: Nail trim (Grooming)",
    ]
    # An overdue task is also there on the day it was due.
    assert await diary(
        hass,
        datetime(2026, 10, 30, tzinfo=BERLIN),
        datetime(2026, 10, 31, tzinfo=BERLIN),
    ) == ["Overdue: Ear drops (Medication)"]
    state = hass.states.get(DIARY)
    assert state.state == "on"
    assert state.attributes["message"] == "Done: Rabies booster (Vaccination)"
    # Ticked off by mistake: opening it again takes the diary entry back.
    await todo(hass, "update_item", item="Rabies booster", status="needs_action")
    assert await diary(hass, *week) == [
        "Overdue: Ear drops (Medication)",
        "Due: Nail trim (Grooming)",
    ]


async def test_a_repeating_task_done_is_in_the_diary_each_time(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, loaded: MockConfigEntry
) -> None:
    """Each completion of a repeating task is its own diary entry."""
    await add_task(
        hass,
        summary="Heartworm tablet",
        kind="medication",
        due_date="2026-11-02",
        repeat_every=1,
        repeat_unit="days",
    )
    await todo(hass, "update_item", item="Heartworm tablet", status="completed")
    freezer.tick(timedelta(days=1))
    await todo(hass, "update_item", item="Heartworm tablet", status="completed")
    summaries = await diary(
        hass, datetime(2026, 11, 2, tzinfo=BERLIN), datetime(2026, 11, 5, tzinfo=BERLIN)
    )
    assert summaries == [
        "Done: Heartworm tablet (Medication)",
        "Done: Heartworm tablet (Medication)",
        "Due: Heartworm tablet (Medication)",
    ]
    assert brief(await items(hass)) == [
        ("Heartworm tablet", "needs_action", "2026-11-04")
    ]


async def test_kind_and_repeat_are_lines_of_the_description(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, loaded: MockConfigEntry
) -> None:
    """The panel shows kind and repeat as lines and reads them back, in German too."""
    uid = await add_task(
        hass,
        summary="Rabies booster",
        kind="vaccination",
        description="At Dr. Keller's",
        due_date="2026-11-20",
        repeat_every=12,
        repeat_unit="months",
    )
    found = await items(hass)
    assert found[0]["uid"] == uid
    assert found[0]["description"] == (
        "Kind: Vaccination\nRepeats every 12 months\nAt Dr. Keller's"
    )
    # Edited in the panel: another rhythm, in German, and a new note.
    await todo(
        hass,
        "update_item",
        item=uid,
        description="art: impfung\n  wiederholt sich alle 6 Monate \nNew vet",
    )
    await todo(hass, "update_item", item=uid, status="completed")
    found = await items(hass)
    assert found[0]["due"] == "2027-05-20"
    assert found[0]["description"] == (
        "Kind: Vaccination\nRepeats every 6 months\nNew vet"
    )
    # Without the repeat line the task is done once; a kind's id is a kind too.
    await todo(hass, "update_item", item=uid, description="KIND: vet_visit")
    await todo(hass, "update_item", item=uid, status="completed")
    found = await items(hass)
    assert (found[0]["status"], found[0]["description"]) == (
        "completed",
        "Kind: Vet visit",
    )


async def test_a_task_added_in_the_panel_repeats_by_its_line(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, loaded: MockConfigEntry
) -> None:
    """todo.add_item with "Repeats every week" makes a weekly task."""
    await todo(
        hass,
        "add_item",
        item="Brush coat",
        due_date="2026-11-03",
        description="Kind: grooming\nRepeats every week",
    )
    await todo(hass, "update_item", item="Brush coat", status="completed")
    found = await items(hass)
    assert brief(found) == [("Brush coat", "needs_action", "2026-11-10")]
    assert found[0]["description"] == "Kind: Grooming\nRepeats every week"


async def test_german_home_assistant_writes_german_lines(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, entry: MockConfigEntry
) -> None:
    """In German the lines are German; English lines are still read."""
    hass.config.language = "de"
    await setup_entry(hass, entry)
    # The entity id comes from the German name.
    german = "todo.buddy_pflegeaufgaben"
    assert hass.states.get(german).attributes["friendly_name"] == (
        "Buddy Pflegeaufgaben"
    )
    await hass.services.async_call(
        "todo",
        "add_item",
        {
            "entity_id": german,
            "item": "Entwurmen",
            "description": "Kind: Deworming\nRepeats every 3 months",
        },
        blocking=True,
    )
    found = await items(hass, german)
    assert found[0]["description"] == "Art: Entwurmung\nWiederholt sich alle 3 Monate"
    await hass.services.async_call(
        "todo",
        "update_item",
        {
            "entity_id": german,
            "item": "Entwurmen",
            "description": "Wiederholt sich jeden Tag",
        },
        blocking=True,
    )
    assert (await items(hass, german))[0]["description"] == "Wiederholt sich jeden Tag"


async def test_tasks_move_in_the_panel(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    loaded: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """Dragging a task in the panel (todo/item/move) orders the list, across reloads."""
    uids = [await add_task(hass, summary=name) for name in ("A", "B", "C")]
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {"type": "todo/item/move", "entity_id": TODO, "uid": uids[2]}
    )
    assert (await client.receive_json())["success"]
    await client.send_json_auto_id(
        {
            "type": "todo/item/move",
            "entity_id": TODO,
            "uid": uids[0],
            "previous_uid": uids[1],
        }
    )
    assert (await client.receive_json())["success"]
    # Onto itself: nothing moves.
    await client.send_json_auto_id(
        {
            "type": "todo/item/move",
            "entity_id": TODO,
            "uid": uids[1],
            "previous_uid": uids[1],
        }
    )
    assert (await client.receive_json())["success"]
    await client.send_json_auto_id({"type": "todo/item/list", "entity_id": TODO})
    listed = (await client.receive_json())["result"]["items"]
    assert [item["summary"] for item in listed] == ["C", "B", "A"]
    await client.send_json_auto_id(
        {"type": "todo/item/move", "entity_id": TODO, "uid": "nope"}
    )
    answer = await client.receive_json()
    assert not answer["success"]
    assert answer["error"]["message"].startswith('Buddy has no care task "nope"')
    assert await hass.config_entries.async_reload(loaded.entry_id)
    await hass.async_block_till_done()
    assert [item["summary"] for item in await items(hass)] == ["C", "B", "A"]


async def test_tasks_and_their_history_survive_a_restart(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, loaded: MockConfigEntry
) -> None:
    """After a restart the list, its order, repeats and what was done are all there."""
    await add_task(
        hass,
        summary="Wormer",
        kind="deworming",
        due_date="2026-11-02",
        repeat_every=3,
        repeat_unit="months",
    )
    await todo(hass, "add_item", item="Buy shampoo", due_datetime="2026-11-04 10:00:00")
    await todo(hass, "update_item", item="Wormer", status="completed")
    before = await items(hass)
    async with restarted(hass, loaded) as (second, _entry, _events):
        # A new time zone, as the settings page sets it: due times follow.
        assert (await items(second))[1]["due"] == "2026-11-04T01:00:00-08:00"
        await second.config.async_update(time_zone="Europe/Berlin")
        await second.async_block_till_done()
        assert await items(second) == before
        assert brief(before) == [
            ("Wormer", "needs_action", "2027-02-02"),
            ("Buy shampoo", "needs_action", "2026-11-04T10:00:00+01:00"),
        ]
        assert second.states.get(TODO).state == "2"
        assert await diary(
            second,
            datetime(2026, 11, 2, tzinfo=BERLIN),
            datetime(2026, 11, 3, tzinfo=BERLIN),
        ) == ["Done: Wormer (Deworming)"]
