"""A to-do list of care tasks per dog: medication, vaccination, deworming, vet, grooming.

The list shows the dog's care tasks with their due dates; a task's kind and
repeat are lines of its description (``care.task_text``), so the to-do
panel and the ``todo.*`` actions can set them. Completing a task logs it in
the dog's diary; a repeating one comes back with its next due date.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import override

# From 2026.10 the item and the entity live in todo.entity, and the package
# imports them without listing them among its explicit exports.
from homeassistant.components.todo import (  # type: ignore[attr-defined,unused-ignore]
    TodoItem,
    TodoListEntity,
)
from homeassistant.components.todo.const import TodoItemStatus, TodoListEntityFeature
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .care.entities import PawControlCareEntity
from .care.manager import CareError
from .care.task_models import CareTask
from .care.task_text import TaskWording, async_load_task_wording
from .care.tasks import TaskDraft
from .const import DOMAIN
from .data import DogConfig, PawControlConfigEntry

# The list only changes PawControl's own records; nothing is sent anywhere.
PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PawControlConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the care task list of every dog, worded in Home Assistant's language."""
    wording = await async_load_task_wording(hass)
    async_add_entities(
        PawControlCareTasks(entry, dog, wording)
        for dog in entry.runtime_data.dogs.values()
    )


class PawControlCareTasks(PawControlCareEntity, TodoListEntity):
    """The dog's care tasks; its state is the number of open ones."""

    _attr_translation_key = "care_tasks"
    _attr_supported_features = (
        TodoListEntityFeature.CREATE_TODO_ITEM
        | TodoListEntityFeature.UPDATE_TODO_ITEM
        | TodoListEntityFeature.DELETE_TODO_ITEM
        | TodoListEntityFeature.MOVE_TODO_ITEM
        | TodoListEntityFeature.SET_DUE_DATE_ON_ITEM
        | TodoListEntityFeature.SET_DUE_DATETIME_ON_ITEM
        | TodoListEntityFeature.SET_DESCRIPTION_ON_ITEM
    )

    def __init__(
        self, entry: PawControlConfigEntry, dog: DogConfig, wording: TaskWording
    ) -> None:
        """Attach the list to the dog's device."""
        super().__init__(entry, dog, "care_tasks")
        self._tasks = entry.runtime_data.tasks
        self._wording = wording
        # What the items were built from: the tasks' revision and the time zone.
        self._built: tuple[int, str] | None = None
        self._refresh()

    def _item(self, task: CareTask) -> TodoItem:
        """Return a task as a to-do item; a due moment in local time."""
        due = task.due
        if isinstance(due, datetime):
            due = dt_util.as_local(due)
        return TodoItem(
            summary=task.summary,
            uid=task.uid,
            status=TodoItemStatus.NEEDS_ACTION
            if task.is_open
            else TodoItemStatus.COMPLETED,
            due=due,
            description=self._wording.render(task),
        )

    def _refresh(self) -> bool:
        """Build the items again if the tasks or the time zone changed.

        Return whether they were built: due moments are shown in local time.
        """
        built = (
            self._tasks.revision(self.dog.dog_id),
            str(dt_util.get_default_time_zone()),
        )
        if built == self._built:
            return False
        self._built = built
        # Items compare due moments by instant: after a new time zone the new
        # list equals the old one, and would not replace it.
        self._attr_todo_items = None
        self._attr_todo_items = [
            self._item(task) for task in self._tasks.tasks(self.dog.dog_id)
        ]
        return True

    @override
    @callback
    def _on_care_change(self) -> None:
        """Write the list when its tasks changed; walks and meals leave it alone."""
        if self._refresh():
            self.async_write_ha_state()

    def _draft(self, item: TodoItem) -> TaskDraft:
        """Return what an item asks the task to be; kind and repeat from its lines."""
        parsed = self._wording.parse(item.description)
        return TaskDraft(
            summary=item.summary or "",
            kind=parsed.kind or "other",
            description=parsed.text,
            due=item.due,
            repeat=parsed.repeat,
        )

    def _act(self, change: Callable[[], object]) -> None:
        """Make a change; refuse what cannot be done, translated."""
        try:
            change()
        except CareError as err:
            placeholders = {k: v for k, v in err.placeholders.items() if k != "dog"}
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key=err.translation_key,
                translation_placeholders=placeholders | {"dog_name": self.dog.name},
            ) from None

    @override
    async def async_create_todo_item(self, item: TodoItem) -> None:
        """Add a task at the end of the list."""
        self._act(lambda: self._tasks.add(self.dog.dog_id, self._draft(item)))

    @override
    async def async_update_todo_item(self, item: TodoItem) -> None:
        """Change a task; completing it logs it and moves a repeating one on."""
        completed = item.status == TodoItemStatus.COMPLETED
        self._act(
            lambda: self._tasks.update(
                self.dog.dog_id, item.uid or "", self._draft(item), completed=completed
            )
        )

    @override
    async def async_delete_todo_items(self, uids: list[str]) -> None:
        """Delete tasks; what was done stays in the diary."""
        self._act(lambda: self._tasks.delete(self.dog.dog_id, uids))

    @override
    async def async_move_todo_item(
        self, uid: str, previous_uid: str | None = None
    ) -> None:
        """Move a task after another (or to the top)."""
        self._act(lambda: self._tasks.move(self.dog.dog_id, uid, previous_uid))
