"""A dog's care tasks: add, edit, complete, delete and order them.

Every change is synchronous on the event loop, like the other care records:
check the input, change the list, schedule a save, tell the entities. A task
that is completed is logged in the dog's care history (its diary shows it);
a repeating one gets its next due date (``repeat.next_due``) and is open
again, a one-off one stays completed. Reopening a completed one-off task
takes its log entry back: it was not done after all.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from uuid import uuid4

from homeassistant.core import callback
from homeassistant.util import dt as dt_util

from ..services import excerpt
from .manager import CareError, CareManager
from .repeat import local_day, next_due
from .task_models import (
    FIRST_DUE,
    KINDS,
    LAST_DUE,
    MAX_DESCRIPTION,
    MAX_SUMMARY,
    MAX_TASKS,
    CareTask,
    Due,
    Repeat,
    TaskDoneRecord,
    due_day,
)


@dataclass(frozen=True, slots=True)
class TaskDraft:
    """What a user asks a task to be; CareTasks checks it before anything changes."""

    summary: str
    kind: str = "other"
    description: str | None = None
    due: Due | None = None
    repeat: Repeat | None = None


def check_draft(draft: TaskDraft) -> TaskDraft:
    """Return the draft with its texts trimmed, or raise a translated CareError."""
    summary = draft.summary.strip()
    if not summary:
        raise CareError("task_summary_empty")
    if len(summary) > MAX_SUMMARY:
        raise CareError("task_summary_too_long", max=str(MAX_SUMMARY))
    description = (draft.description or "").strip() or None
    if description is not None and len(description) > MAX_DESCRIPTION:
        raise CareError("task_description_too_long", max=str(MAX_DESCRIPTION))
    if draft.kind not in KINDS:
        raise CareError(
            "invalid_task_kind", kind=excerpt(draft.kind), valid=", ".join(KINDS)
        )
    due = draft.due
    if isinstance(due, datetime) and due.tzinfo is None:
        due = due.replace(tzinfo=dt_util.get_default_time_zone())
    if due is not None and not FIRST_DUE <= due_day(due) <= LAST_DUE:
        raise CareError(
            "invalid_due", first=FIRST_DUE.isoformat(), last=LAST_DUE.isoformat()
        )
    return replace(draft, summary=summary, description=description, due=due)


class CareTasks:
    """The care tasks of the configured dogs, kept in their care history."""

    def __init__(self, care: CareManager) -> None:
        """Work on the care manager's histories."""
        self._care = care
        self._revisions: dict[str, int] = {}

    def tasks(self, dog_id: str) -> list[CareTask]:
        """Return the dog's tasks in the order of its list."""
        return self._care.histories[dog_id].tasks

    def revision(self, dog_id: str) -> int:
        """Return a number that changes whenever the dog's tasks change as shown."""
        return self._revisions.get(dog_id, 0)

    def _index(self, dog_id: str, uid: str) -> int:
        """Return where the task is in the dog's list, or raise."""
        for index, task in enumerate(self.tasks(dog_id)):
            if task.uid == uid:
                return index
        raise CareError("task_not_found", task=excerpt(uid))

    @callback
    def _changed(self, dog_id: str) -> None:
        """Count the change, save soon, tell the entities."""
        self._revisions[dog_id] = self.revision(dog_id) + 1
        self._care.notify_changed(dog_id)

    @callback
    def add(self, dog_id: str, draft: TaskDraft) -> CareTask:
        """Add a task at the end of the dog's list."""
        tasks = self.tasks(dog_id)
        draft = check_draft(draft)
        if len(tasks) >= MAX_TASKS:
            raise CareError("too_many_tasks", max=str(MAX_TASKS))
        task = CareTask(
            uid=uuid4().hex,
            summary=draft.summary,
            kind=draft.kind,
            description=draft.description,
            due=draft.due,
            repeat=draft.repeat,
            month_day=local_day(draft.due).day if draft.due else None,
        )
        tasks.append(task)
        self._changed(dog_id)
        return task

    @callback
    def update(
        self, dog_id: str, uid: str, draft: TaskDraft, *, completed: bool
    ) -> CareTask:
        """Change a task; completing it logs it and, if it repeats, moves its due date."""
        index = self._index(dog_id, uid)
        draft = check_draft(draft)
        old = self.tasks(dog_id)[index]
        task = replace(
            old,
            summary=draft.summary,
            kind=draft.kind,
            description=draft.description,
            due=draft.due,
            repeat=draft.repeat,
        )
        if draft.due != old.due:
            task = replace(
                task, month_day=local_day(draft.due).day if draft.due else None
            )
        if completed and old.is_open:
            task = self._complete(dog_id, task)
        elif not completed and not old.is_open:
            task = self._reopen(dog_id, task)
        self.tasks(dog_id)[index] = task
        self._changed(dog_id)
        return task

    def _complete(self, dog_id: str, task: CareTask) -> CareTask:
        """Log the task as done; return it completed, or due again if it repeats."""
        now = dt_util.utcnow()
        history = self._care.histories[dog_id]
        history.tasks_done.append(
            TaskDoneRecord(now, task.kind, task.summary, task.uid)
        )
        if task.repeat is None:
            return replace(task, completed=now)
        due, month_day = next_due(task, task.repeat, now)
        return replace(task, due=due, month_day=month_day)

    def _reopen(self, dog_id: str, task: CareTask) -> CareTask:
        """Open a completed one-off task again and take back its log entry."""
        history = self._care.histories[dog_id]
        history.tasks_done = [
            done
            for done in history.tasks_done
            if not (done.task == task.uid and done.time == task.completed)
        ]
        return replace(task, completed=None)

    @callback
    def delete(self, dog_id: str, uids: list[str]) -> None:
        """Delete tasks; what was done stays in the history."""
        for uid in uids:
            self._index(dog_id, uid)
        history = self._care.histories[dog_id]
        history.tasks = [task for task in history.tasks if task.uid not in uids]
        self._changed(dog_id)

    @callback
    def move(self, dog_id: str, uid: str, previous_uid: str | None) -> None:
        """Move a task after ``previous_uid`` (None: to the top)."""
        tasks = self.tasks(dog_id)
        index = self._index(dog_id, uid)
        if previous_uid is not None:
            self._index(dog_id, previous_uid)
        if previous_uid == uid:
            return
        task = tasks.pop(index)
        position = 0
        if previous_uid is not None:
            position = 1 + next(i for i, t in enumerate(tasks) if t.uid == previous_uid)
        tasks.insert(position, task)
        self._changed(dog_id)

    @callback
    def mark_reminded(self, dog_id: str, uid: str, due: Due) -> None:
        """Remember that the reminder of this due date went out (nothing shown changes)."""
        index = self._index(dog_id, uid)
        tasks = self.tasks(dog_id)
        tasks[index] = replace(tasks[index], reminded=due)
        self._care.save_soon()
