"""An earlier meeting's open action item, marked at this one: done or dropped on a day,
with how it was done or why it was dropped; or open again."""

from __future__ import annotations

from typing import ClassVar

from pydantic import ValidationError
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static

from db.core.clock import today
from db.core.problems import problems_of
from db.meetings.carryover import CarriedItem
from db.meetings.form import ITEM_STATUSES, CarriedMark, MarkInput
from tui.i18n import N_, _
from tui.labels import ACTION_STATUSES
from tui.problem_text import say
from tui.widgets.boxes import TextBox

FIELD_BOXES = {"status": "#mark-status", "done_on": "#mark-on", "note": "#mark-note"}


class CarriedMarkModal(ModalScreen[CarriedMark | None]):
    """Returns the mark as entered (checked), or None when the user backs out."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "keep", N_("Keep"), tooltip=N_("Keep this mark on the meeting")),
        Binding("escape", "cancel", N_("Cancel")),
    ]

    def __init__(self, item: CarriedItem, mark: CarriedMark | None, owner: str) -> None:
        super().__init__()
        self.item, self.owner = item, owner
        self.mark = mark or CarriedMark(
            id=item.id, version=item.version,
            status="done" if item.status == "open" else item.status,
            done_on=(item.done_on or today()).isoformat(), note=item.closing_note,
        )  # fmt: skip

    def compose(self) -> ComposeResult:
        item, mark = self.item, self.mark
        with Vertical(classes="dialog") as box:
            box.border_title = _("Carried over from {day}").format(
                day=item.meeting_held_on.isoformat()
            )
            yield Static(item.text, markup=False)
            due = item.due_on.isoformat() if item.due_on else _("no date")
            yield Static(_("{department} · due {due}").format(department=self.owner, due=due),
                         classes="dialog-hint", markup=False)  # fmt: skip
            yield Label(_("Status"))
            yield Select(
                [(_(ACTION_STATUSES[code]), code) for code in ITEM_STATUSES],
                value=mark.status, allow_blank=False, compact=True, id="mark-status",
            )  # fmt: skip
            yield Label(_("On"))
            yield TextBox(mark.done_on, placeholder="YYYY-MM-DD", compact=True, id="mark-on")
            yield Label(_("How it was done, or why it was dropped"))
            yield TextBox(mark.note, max_length=500, compact=True, id="mark-note")
            yield Static("", id="mark-problem", markup=False)
            yield Static(_("ctrl+s keeps it · Esc cancels"), classes="dialog-hint", markup=False)

    @on(Input.Submitted, "#mark-note")
    def action_keep(self) -> None:
        status = self.query_one("#mark-status", Select).value
        mark = CarriedMark(
            id=self.item.id,
            version=self.mark.version,
            status=status if isinstance(status, str) else "",
            done_on=self.query_one("#mark-on", Input).value,
            note=self.query_one("#mark-note", Input).value,
        )
        try:
            checked = MarkInput.model_validate(mark.model_dump(), context=today())
        except ValidationError as error:
            problems = problems_of(error)
            lines = "\n".join(say(p) for p in problems)
            self.query_one("#mark-problem", Static).update(lines)
            box = FIELD_BOXES.get(problems[0].field) if problems else None
            if box:
                self.query_one(box).focus()
            return
        if checked.status == "open":
            mark = mark.model_copy(update={"done_on": "", "note": ""})
        self.dismiss(mark)

    def action_cancel(self) -> None:
        self.dismiss(None)
