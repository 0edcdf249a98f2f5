"""A status change: handed over to another grid of the city, left the city, returned."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import ClassVar, Literal

from pydantic_core import PydanticCustomError
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static

from db.core.clock import today
from db.core.problems import Problem
from db.persons.form import parse_date
from tui.i18n import N_, _
from tui.problem_text import say
from tui.widgets.boxes import TextBox

StatusAction = Literal["hand_over", "left_city", "returned"]
ACTIONS: dict[StatusAction, str] = {
    "hand_over": N_("Moved within the city: hand over to another grid"),
    "left_city": N_("Left the city"),
    "returned": N_("Returned: registered here again"),
}


@dataclass(frozen=True, slots=True)
class StatusChange:
    """What the user chose: the change, from when, to which grid, and a note."""

    action: StatusAction
    on: date
    grid: str | None = None
    note: str = ""


class StatusModal(ModalScreen[StatusChange | None]):
    """Choose the change; ctrl+s records it, Esc cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "apply", N_("Record")),
        Binding("escape", "cancel", N_("Cancel")),
    ]

    def __init__(self, name: str, status: str, grids: list[tuple[str, str]]) -> None:
        super().__init__()
        self.name_, self.grids = name, grids
        # A registered person can move or leave; someone who left can come back or move.
        self.offered: list[StatusAction] = (
            ["hand_over", "left_city"] if status == "registered" else ["returned", "hand_over"]
        )

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = _("Status of {name}").format(name=self.name_)
            yield Label(_("Change"))
            yield Select(
                [(_(ACTIONS[a]), a) for a in self.offered], value=self.offered[0],
                allow_blank=False, compact=True, id="status-action",
            )  # fmt: skip
            yield Label(_("Receiving grid"), id="status-grid-label")
            yield Select(
                [(label, code) for code, label in self.grids], prompt=_("Type to find the grid"),
                compact=True, id="status-grid",
            )  # fmt: skip
            yield Label(_("Date"))
            yield TextBox(today().isoformat(), compact=True, id="status-on")
            yield Label(_("Note"))
            yield TextBox(compact=True, max_length=500, id="status-note")
            yield Static("", id="status-problem", markup=False)
            yield Static(_("ctrl+s records · Esc cancels"), classes="dialog-hint", markup=False)

    @on(Select.Changed, "#status-action")
    def action_changed(self, event: Select.Changed) -> None:
        moving = event.value == "hand_over"
        self.query_one("#status-grid").display = moving
        self.query_one("#status-grid-label").display = moving

    def action_apply(self) -> None:
        action = self.query_one("#status-action", Select).value
        grid = self.query_one("#status-grid", Select).value
        problem = self.query_one("#status-problem", Static)
        try:
            on_day = parse_date(self.query_one("#status-on", Input).value)
        except PydanticCustomError as error:
            context = dict(error.context or {})
            problem.update(say(Problem("on", context.pop("msgid"), context)))
            return
        if on_day > today():
            problem.update(say(Problem("on", N_("{value} is in the future"), {"value": on_day})))
            return
        if action == "hand_over" and not isinstance(grid, str):
            problem.update(say(Problem("grid", N_("required"))))
            return
        self.dismiss(
            StatusChange(
                action,  # type: ignore[arg-type]
                on_day,
                grid if action == "hand_over" else None,  # type: ignore[arg-type]
                self.query_one("#status-note", Input).value.strip(),
            )
        )

    def action_cancel(self) -> None:
        self.dismiss(None)
