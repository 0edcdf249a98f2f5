"""One action item agreed at a meeting: what is to be done, the department that owns it,
by when, and the persons, needs or disputes it concerns."""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID, uuid4

from pydantic import ValidationError
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label, Select, Static

from db.core.problems import problems_of
from db.meetings.form import LINKS_MAX, ActionItemForm, ActionItemInput, LinkForm
from db.visits.form import VisitPerson
from tui.dialogs.attendee import MeetingPersonPicker
from tui.dialogs.link_picker import LinkPickerModal
from tui.i18n import N_, _
from tui.labels import LINK_KINDS, label
from tui.problem_text import say
from tui.session import Session
from tui.widgets.boxes import TextBox

FIELD_BOXES = {"text": "#item-text", "department_code": "#item-department", "due_on": "#item-due"}


class ActionItemModal(ModalScreen[ActionItemForm | None]):
    """Returns the item as entered (checked), or None when the user backs out."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "keep", N_("Keep"), tooltip=N_("Keep this action item")),
        Binding("ctrl+o", "link_person", N_("Person"),
                tooltip=N_("Link a registered person it concerns")),
        Binding("ctrl+e", "link_case", N_("Need or dispute"),
                tooltip=N_("Link a need or a dispute it concerns")),
        Binding("delete", "unlink", N_("Remove"), show=False,
                tooltip=N_("Remove the chosen link")),
        Binding("escape", "cancel", N_("Cancel")),
    ]  # fmt: skip

    def __init__(
        self, item: ActionItemForm, departments: list[tuple[str, str]], session: Session
    ) -> None:
        super().__init__()
        self.item, self.departments, self.session = item, departments, session
        self.links: list[LinkForm] = list(item.links)

    def compose(self) -> ComposeResult:
        item = self.item
        with Vertical(classes="dialog") as box:
            box.border_title = _("Action item")
            yield Label(_("What is to be done"))
            yield TextBox(item.text, max_length=1000, compact=True, id="item-text")
            yield Label(_("Owner department"))
            yield Select(
                [(name, code) for code, name in self.departments],
                value=item.department or Select.NULL, prompt=_("Choose"), compact=True,
                id="item-department",
            )  # fmt: skip
            yield Label(_("Due"))
            yield TextBox(item.due_on, placeholder="YYYY-MM-DD", compact=True, id="item-due")
            yield Label(_("Concerns (ctrl+o a person, ctrl+e a need or dispute, Del removes)"))
            yield DataTable(id="item-links", cursor_type="row", show_header=False)
            yield Static("", id="item-problem", markup=False)
            yield Static(_("ctrl+s keeps it · Esc cancels"), classes="dialog-hint", markup=False)

    def on_mount(self) -> None:
        self._show_links()

    def _show_links(self) -> None:
        table = self.query_one("#item-links", DataTable)
        table.clear(columns=True)
        table.add_column("kind")
        table.add_column("what")
        for link in self.links:
            table.add_row(label(LINK_KINDS, link.kind), Text(link.text, no_wrap=True,
                                                             overflow="ellipsis"))  # fmt: skip

    def _add(self, link: LinkForm | None) -> None:
        if link is None:
            return
        if any((k.kind, k.target) == (link.kind, link.target) for k in self.links):
            return  # linked already
        if len(self.links) >= LINKS_MAX:
            self._problem(_("at most {limit} links").format(limit=LINKS_MAX))
            return
        self.links.append(link)
        self._show_links()

    def action_link_person(self) -> None:
        def chosen(person: VisitPerson | None) -> None:
            if person is not None:
                self._add(LinkForm(id=uuid4(), kind="person", target=person.id, text=person.name))

        linked: set[UUID] = {k.target for k in self.links if k.kind == "person"}
        picker = MeetingPersonPicker(self.session, linked, N_("Whom the item concerns"))
        self.app.push_screen(picker, chosen)

    def action_link_case(self) -> None:
        self.app.push_screen(LinkPickerModal(self.session), self._add)

    def action_unlink(self) -> None:
        table = self.query_one("#item-links", DataTable)
        if self.focused is table and self.links:
            del self.links[min(table.cursor_row, len(self.links) - 1)]
            self._show_links()

    @on(Input.Submitted, "#item-due")
    def action_keep(self) -> None:
        value = self.query_one("#item-department", Select).value
        item = ActionItemForm(
            id=self.item.id,
            text=self.query_one("#item-text", Input).value,
            department=value if isinstance(value, str) else "",
            due_on=self.query_one("#item-due", Input).value,
            links=self.links,
        )
        try:
            ActionItemInput.model_validate(ActionItemInput.prepare(item))
        except ValidationError as error:
            problems = problems_of(error)
            self._problem("\n".join(say(p) for p in problems))
            box = FIELD_BOXES.get(problems[0].field) if problems else None
            if box:
                self.query_one(box).focus()
            return
        self.dismiss(item)

    def _problem(self, text: str) -> None:
        self.query_one("#item-problem", Static).update(text)

    def action_cancel(self) -> None:
        self.dismiss(None)
