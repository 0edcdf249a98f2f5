"""A contact with a representative appointed by name (a registered one's contacts are
visits, logged on the visit form): how, when, where, and what was talked about."""

from __future__ import annotations

from datetime import date
from typing import ClassVar
from uuid import uuid4

from pydantic import ValidationError
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static, TextArea

from db.core.clock import today
from db.core.problems import problems_of
from db.representatives.form import CONTACT_KINDS, PLACE_MAX, ContactInput
from tui.i18n import N_, _
from tui.labels import VISIT_KINDS
from tui.problem_text import say
from tui.widgets.boxes import NotesBox, TextBox


class ContactModal(ModalScreen[ContactInput | None]):
    """Returns the checked contact, or None when the user backs out."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "keep", N_("Record"), tooltip=N_("Record the contact")),
        Binding("escape", "cancel", N_("Cancel")),
    ]

    def __init__(self, name: str, kind: str, appointed_on: date) -> None:
        super().__init__()
        self.name_, self.kind, self.appointed_on = name, kind, appointed_on
        self.subject = uuid4()  # a retried save stores one contact

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = _("Contact with {name}").format(name=self.name_)
            yield Label(_("Kind"))
            kinds = [(_(VISIT_KINDS[k]), k) for k in CONTACT_KINDS]
            yield Select(kinds, value=self.kind, allow_blank=False, compact=True,
                         id="contact-kind")  # fmt: skip
            yield Label(_("Date"))
            yield TextBox(today().isoformat(), compact=True, id="contact-contacted_on")
            yield Label(_("Place"))
            yield TextBox(compact=True, max_length=PLACE_MAX, id="contact-place")
            yield Label(_("What was talked about"))
            yield NotesBox(id="contact-notes", soft_wrap=True, show_line_numbers=False,
                           compact=True)  # fmt: skip
            yield Static("", id="contact-problem", markup=False)
            yield Static(_("ctrl+s records · Esc cancels"), classes="dialog-hint", markup=False)

    def action_keep(self) -> None:
        kind = self.query_one("#contact-kind", Select).value
        values = {
            "id": self.subject,
            "kind": kind if isinstance(kind, str) else "",
            "contacted_on": self.query_one("#contact-contacted_on", Input).value,
            "place": self.query_one("#contact-place", Input).value,
            "notes": self.query_one("#contact-notes", TextArea).text,
        }
        try:
            contact = ContactInput.check(values, self.appointed_on, today())
        except ValidationError as error:
            problems = problems_of(error)
            self.query_one("#contact-problem", Static).update("\n".join(say(p) for p in problems))
            self.query_one(f"#contact-{problems[0].field}").focus()
            return
        self.dismiss(contact)

    def action_cancel(self) -> None:
        self.dismiss(None)
