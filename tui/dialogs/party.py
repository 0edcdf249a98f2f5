"""A party to a dispute: a registered person (their name as registered) or someone named
here, with their role and who they are."""

from __future__ import annotations

from typing import ClassVar

from pydantic import ValidationError
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static

from db.core.problems import problems_of
from db.disputes.case_form import PartyForm, PartyInput
from tui.dialogs.person_picker import PersonPickerModal
from tui.i18n import N_, _
from tui.labels import PARTY_ROLES
from tui.problem_text import say
from tui.widgets.boxes import TextBox

FIELD_BOXES = {"name": "#party-name", "role": "#party-role", "detail": "#party-detail"}


class PartyModal(ModalScreen[PartyForm | None]):
    """Returns the party as entered (checked), or None on Esc."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "keep", N_("Keep"), tooltip=N_("Keep this party on the case")),
        Binding("escape", "cancel", N_("Cancel")),
    ]

    def __init__(self, party: PartyForm) -> None:
        super().__init__()
        self.party = party

    def compose(self) -> ComposeResult:
        party = self.party
        with Vertical(classes="dialog") as box:
            box.border_title = _("Party to the dispute")
            yield Label(_("Name (as registered)") if party.person_id else _("Name"))
            name = TextBox(party.name, max_length=100, compact=True, id="party-name")
            name.disabled = party.person_id is not None
            yield name
            yield Label(_("Role"))
            yield Select(
                [(_(text), code) for code, text in PARTY_ROLES.items()], value=party.role,
                allow_blank=False, compact=True, id="party-role",
            )  # fmt: skip
            yield Label(_("Who they are (employer, relation; optional)"))
            yield TextBox(party.detail, max_length=200, compact=True, id="party-detail")
            yield Static("", id="party-problem", markup=False)
            yield Static(_("ctrl+s keeps it · Esc cancels"), classes="dialog-hint", markup=False)

    @on(Input.Submitted, "#party-detail")
    def action_keep(self) -> None:
        role = self.query_one("#party-role", Select).value
        party = self.party.model_copy(update={
            "name": self.query_one("#party-name", Input).value,
            "role": role if isinstance(role, str) else "",
            "detail": self.query_one("#party-detail", Input).value,
        })  # fmt: skip
        try:
            checked = PartyInput.model_validate(party.model_dump())
        except ValidationError as error:
            problems = problems_of(error)
            self.query_one("#party-problem", Static).update("\n".join(say(p) for p in problems))
            box = FIELD_BOXES.get(problems[0].field) if problems else None
            if box:
                self.query_one(box).focus()
            return
        self.dismiss(party.model_copy(update={"name": checked.name, "detail": checked.detail}))

    def action_cancel(self) -> None:
        self.dismiss(None)


class PartyPickerModal(PersonPickerModal):
    """The person picker, for a party to a dispute."""

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one(".dialog").border_title = _("Add a registered person as a party")
