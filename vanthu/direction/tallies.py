"""The figures per (board, organisation) behind the follow-up by organisation (models.py):
derived data kept by every action on a task, in its transaction, as differences.

An action takes the task's share out of the figures as it was (`share` of the task read under
its lock) and puts its new share in (`move`). `move` locks the (board, organisation) rows in
order, after the directive and the task (actions.py's order), so the deadline rows of that pair
change under one lock; two actions on tasks of different directives for the same organisation
wait for each other there, never in the other order. A difference needs no reading of the other
tasks: on PostgreSQL, a row locked after another transaction changed it is read as committed.

`rebuild` recomputes a board's figures from its tasks (the migration, a repair).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import transaction

from .models import OPEN_STATES, Directive, OpenDeadline, OrganizationFigures, Task, TaskState

FIELDS = ("task_count", "done_count", "reported_count", "on_time_count", "progress_sum")


@dataclass(frozen=True)
class Share:
    """What one task adds to its (board, organisation)'s figures."""

    board: int
    organization: int
    done: bool
    reported: bool
    on_time: bool
    progress: int
    open_due: date | None  # its deadline while it is open

    @property
    def figures(self) -> tuple[int, ...]:
        return 1, int(self.done), int(self.reported), int(self.on_time), self.progress


def share_of(board: int, organization: int, state: str, due: date, progress: int, reported_done_on: date | None,
             done_on: date | None) -> Share:
    done = state == TaskState.DONE
    # As followup's aggregate counts it: completion reported by the deadline, or (no report) done by it.
    finished = reported_done_on if reported_done_on is not None else done_on
    return Share(board, organization, done, state == TaskState.REPORTED_DONE, done and finished is not None and finished <= due,
                 progress, due if state in OPEN_STATES else None)


def share(task: Task) -> Share:
    return share_of(task.directive.organization_id, task.organization_id, task.state, task.due, task.progress,
                    task.reported_done_on, task.done_on)


def move(before: Iterable[Share], after: Iterable[Share], *, figures_model=OrganizationFigures,
         deadline_model=OpenDeadline) -> None:
    """Take `before` out of the figures and put `after` in, inside the caller's transaction (which
    holds the lock of the directive of these tasks). The models are given by the migration."""
    before, after = list(before), list(after)
    if before == after:
        return
    delta: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0] * len(FIELDS))
    dues: Counter[tuple[int, int, date]] = Counter()
    for sign, shares in ((-1, before), (1, after)):
        for s in shares:
            row = delta[(s.board, s.organization)]
            for i, v in enumerate(s.figures):
                row[i] += sign * v
            if s.open_due is not None:
                dues[(s.board, s.organization, s.open_due)] += sign
    rows = _locked_rows(figures_model, sorted(delta))
    changed = []
    for key, d in delta.items():
        if any(d):
            row = rows[key]
            for name, v in zip(FIELDS, d, strict=True):
                setattr(row, name, getattr(row, name) + v)
            changed.append(row)
    if changed:
        figures_model.objects.bulk_update(changed, FIELDS)
    _move_deadlines(deadline_model, {k: n for k, n in dues.items() if n})


def _locked_rows(model, keys: list[tuple[int, int]]) -> dict[tuple[int, int], object]:
    """The (board, organisation) rows, made when missing, locked in order."""
    boards, orgs = {b for b, _o in keys}, {o for _b, o in keys}

    def lock() -> dict:
        qs = model.objects.select_for_update().filter(board_id__in=boards, organization_id__in=orgs)
        return {(r.board_id, r.organization_id): r for r in qs.order_by("board_id", "organization_id")}

    rows = lock()
    missing = [k for k in keys if k not in rows]
    if missing:
        # Another transaction may make the same row: the second insert waits, then does nothing.
        model.objects.bulk_create([model(board_id=b, organization_id=o) for b, o in missing], ignore_conflicts=True)
        rows = lock()
    return rows


def _move_deadlines(model, dues: dict[tuple[int, int, date], int]) -> None:
    if not dues:
        return
    found = {(r.board_id, r.organization_id, r.due): r for r in model.objects.filter(
        board_id__in={k[0] for k in dues}, organization_id__in={k[1] for k in dues}, due__in={k[2] for k in dues})}
    update, gone, new = [], [], []
    for key, n in dues.items():
        row = found.get(key)
        if row is None:
            if n > 0:
                new.append(model(board_id=key[0], organization_id=key[1], due=key[2], task_count=n))
        elif row.task_count + n > 0:
            row.task_count += n
            update.append(row)
        else:
            gone.append(row.pk)
    if update:
        model.objects.bulk_update(update, ["task_count"])
    if gone:
        model.objects.filter(pk__in=gone).delete()
    if new:
        model.objects.bulk_create(new)


def shares_of_tasks(tasks) -> list[Share]:
    """The shares of a queryset of tasks, read as values (no model instances)."""
    return [share_of(*r) for r in tasks.values_list("directive__organization_id", "organization_id", "state", "due", "progress",
                                                   "reported_done_on", "done_on").order_by()]


@transaction.atomic
def rebuild(board_ids: Iterable[int] | None = None) -> int:
    """Recompute the figures of these boards (all, by default) from their tasks, holding the locks
    of their directives meanwhile (so that no action moves a task in between); returns the
    (board, organisation) rows kept."""
    directives = Directive.objects.all()
    if board_ids is not None:
        directives = directives.filter(organization_id__in=list(board_ids))
    boards = set(directives.values_list("organization_id", flat=True))
    list(directives.select_for_update().order_by("id").values_list("id", flat=True))
    OrganizationFigures.objects.filter(board_id__in=boards).delete()
    OpenDeadline.objects.filter(board_id__in=boards).delete()
    move([], shares_of_tasks(Task.objects.filter(directive__organization_id__in=boards)))
    return OrganizationFigures.objects.filter(board_id__in=boards).count()
