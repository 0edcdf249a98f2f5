"""Retiring a representative: from when, and why. A retirement is final; the person may
be appointed anew later, as a new appointment."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from pydantic import ValidationError
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from db.core.clock import today
from db.core.problems import problems_of
from db.representatives.form import NOTE_MAX, RetireInput
from tui.i18n import N_, _
from tui.problem_text import say
from tui.widgets.boxes import TextBox


class RetireModal(ModalScreen[RetireInput | None]):
    """Returns the checked retirement, or None when the user backs out."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "retire", N_("Retire"), tooltip=N_("Record the retirement")),
        Binding("escape", "cancel", N_("Cancel")),
    ]

    def __init__(self, name: str, appointed_on: date) -> None:
        super().__init__()
        self.name_, self.appointed_on = name, appointed_on

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = _("Retire {name}").format(name=self.name_)
            yield Label(_("Retired on"))
            yield TextBox(today().isoformat(), compact=True, id="retire-retired_on")
            yield Label(_("Why"))
            yield TextBox(compact=True, max_length=NOTE_MAX, id="retire-note")
            yield Static("", id="retire-problem", markup=False)
            yield Static(_("ctrl+s retires · Esc cancels"), classes="dialog-hint", markup=False)

    def action_retire(self) -> None:
        try:
            retirement = RetireInput.check(
                self.query_one("#retire-retired_on", Input).value,
                self.query_one("#retire-note", Input).value,
                self.appointed_on,
                today(),
            )
        except ValidationError as error:
            problems = problems_of(error)
            self.query_one("#retire-problem", Static).update("\n".join(say(p) for p in problems))
            self.query_one(f"#retire-{problems[0].field}").focus()
            return
        self.dismiss(retirement)

    def action_cancel(self) -> None:
        self.dismiss(None)
