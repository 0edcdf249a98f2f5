"""What waits for review, of every kind: when, what, about whom, in which grid, by whom,
and the comment of an earlier return."""

from __future__ import annotations

from typing import ClassVar

from db.workflow import Waiting
from tui.i18n import N_
from tui.screens.submission_kinds import what_it_is
from tui.widgets.fitted_table import FittedTable

QUEUE = ("date", "title", "grid", "worker", "comment", "what")  # most needed first


def _w(cell: object) -> Waiting:
    assert isinstance(cell, Waiting)
    return cell


class QueueTable(FittedTable[Waiting]):
    """One row per waiting record; each person of its title on a line of their own."""

    COLUMNS: ClassVar = (
        ("date", N_("Date"), lambda w: _w(w).day.isoformat()),
        ("title", N_("Persons"), lambda w: "\n".join((_w(w).title or "").split("、"))),
        ("grid", N_("Grid"), lambda w: _w(w).grid_name or ""),
        ("worker", N_("Worker"), lambda w: _w(w).author_name),
        ("what", N_("Kind"), lambda w: what_it_is(_w(w))),
        ("comment", N_("Comment"), lambda w: _w(w).review_comment),
    )

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(QUEUE, id=id)
