"""A person's legal basis, from their record: a new consent, a statutory duty, a withdrawal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import ClassVar, Literal

from pydantic_core import PydanticCustomError
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static

from db.core.clock import today
from db.core.problems import Problem
from db.persons.consent import NOTE_MAX
from db.persons.form import past_date
from tui.i18n import N_, _
from tui.problem_text import say
from tui.widgets.boxes import TextBox

ConsentAction = Literal["consent", "statutory_duty", "withdrawn"]
ACTIONS: dict[ConsentAction, str] = {
    "consent": N_("Separate consent given"),
    "statutory_duty": N_("A statutory duty applies"),
    "withdrawn": N_("Consent withdrawn"),
}


@dataclass(frozen=True, slots=True)
class ConsentChange:
    """What the user recorded: a new basis or a withdrawal, on which day, and why."""

    action: ConsentAction
    on: date
    note: str = ""


class ConsentModal(ModalScreen[ConsentChange | None]):
    """Choose what to record; ctrl+s records, Esc cancels.

    A withdrawal is offered while a separate consent stands; it cannot be dated
    before that consent was given (`withdrawable_from`).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "apply", N_("Record")),
        Binding("escape", "cancel", N_("Cancel")),
    ]

    def __init__(self, name: str, withdrawable_from: date | None) -> None:
        super().__init__()
        self.name_, self.withdrawable_from = name, withdrawable_from
        self.offered: list[ConsentAction] = ["consent", "statutory_duty"]
        if withdrawable_from is not None:
            self.offered.append("withdrawn")

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = _("Legal basis of {name}").format(name=self.name_)
            yield Label(_("What to record"))
            yield Select(
                [(_(ACTIONS[a]), a) for a in self.offered], value=self.offered[0],
                allow_blank=False, compact=True, id="consent-action",
            )  # fmt: skip
            yield Label(_("Date"))
            yield TextBox(today().isoformat(), compact=True, id="consent-on")
            yield Label(_("Note"))
            yield TextBox(compact=True, max_length=NOTE_MAX, id="consent-note")
            yield Static("", id="consent-problem", markup=False)
            yield Static(_("ctrl+s records · Esc cancels"), classes="dialog-hint", markup=False)

    def action_apply(self) -> None:
        action = self.query_one("#consent-action", Select).value
        problem = self.query_one("#consent-problem", Static)
        try:
            on_day = past_date(self.query_one("#consent-on", Input).value, today())
        except PydanticCustomError as error:
            context = dict(error.context or {})
            problem.update(say(Problem("on", context.pop("msgid"), context)))
            return
        since = self.withdrawable_from
        if action == "withdrawn" and since is not None and on_day < since:
            problem.update(say(Problem(
                "on", N_("cannot be before the consent was given ({given})"),
                {"given": since.isoformat()},
            )))  # fmt: skip
            return
        note = self.query_one("#consent-note", Input).value.strip()
        self.dismiss(ConsentChange(action, on_day, note))  # type: ignore[arg-type]

    def action_cancel(self) -> None:
        self.dismiss(None)
