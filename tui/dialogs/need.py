"""One need found on a visit: whose, what kind, what exactly, which department, by when.

Choosing the category proposes its department and says its days (reference data); left
empty, the database gives the need both."""

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
from db.referrals.categories import NeedDefault
from db.visits.form import NEED_CATEGORIES as CATEGORY_ORDER
from db.visits.form import NeedForm, NeedInput, VisitPerson
from tui.i18n import N_, _
from tui.labels import NEED_CATEGORIES
from tui.problem_text import say
from tui.widgets.boxes import TextBox

# The three that must be helped (三必帮) come first (CATEGORY_ORDER), as the plans list them.
DUE_LABEL = N_("Due (default: {days} days after the visit)")

# NeedInput's field → the box that holds it.
FIELD_BOXES = {
    "person_id": "#need-person",
    "category": "#need-category",
    "description": "#need-description",
    "department_code": "#need-department",
    "due_on": "#need-due",
}


class NeedModal(ModalScreen[NeedForm | None]):
    """Returns the need as entered (checked), or None when the user backs out."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "keep", N_("Keep"), tooltip=N_("Keep this need on the visit")),
        Binding("escape", "cancel", N_("Cancel")),
    ]

    def __init__(
        self,
        need: NeedForm,
        persons: list[VisitPerson],
        departments: list[tuple[str, str]],
        defaults: dict[str, NeedDefault],
    ) -> None:
        super().__init__()
        self.need, self.persons, self.departments = need, persons, departments
        self.defaults = defaults

    def compose(self) -> ComposeResult:
        need = self.need
        with Vertical(classes="dialog") as box:
            box.border_title = _("Need found on the visit")
            yield Label(_("Whose need"))
            yield Select(
                [(p.name, str(p.id)) for p in self.persons],
                value=str(need.person_id or self.persons[0].id), allow_blank=False,
                compact=True, id="need-person",
            )  # fmt: skip
            yield Label(_("Category"))
            yield Select(
                [(_(NEED_CATEGORIES[c]), c) for c in CATEGORY_ORDER],
                value=need.category or Select.NULL, prompt=_("Choose"), compact=True,
                id="need-category",
            )  # fmt: skip
            yield Label(_("What is needed"))
            yield TextBox(need.description, max_length=1000, compact=True, id="need-description")
            yield Label(_("Department"))
            yield Select(
                [(name, code) for code, name in self.departments],
                value=need.department or Select.NULL,
                prompt=_("The category's department"), compact=True, id="need-department",
            )  # fmt: skip
            yield Label(self._due_label(need.category), id="need-due-label")
            yield TextBox(need.due_on, placeholder="YYYY-MM-DD", compact=True, id="need-due")
            yield Static("", id="need-problem", markup=False)
            yield Static(_("ctrl+s keeps it · Esc cancels"), classes="dialog-hint", markup=False)

    def _due_label(self, category: str) -> str:
        default = self.defaults.get(category)
        if default is None:
            return _("Due (default: by the category)")
        return _(DUE_LABEL).format(days=default.due_days)

    @on(Select.Changed, "#need-category")
    def category_changed(self, event: Select.Changed) -> None:
        category = event.value if isinstance(event.value, str) else ""
        if category in self.defaults:
            department = self.query_one("#need-department", Select)
            department.value = self.defaults[category].department_code
        self.query_one("#need-due-label", Label).update(self._due_label(category))

    @on(Input.Submitted, "#need-due")
    def action_keep(self) -> None:
        def chosen(select_id: str) -> str:
            value = self.query_one(select_id, Select).value
            return value if isinstance(value, str) else ""

        need = NeedForm(
            id=self.need.id,
            person_id=chosen("#need-person") or None,  # type: ignore[arg-type]
            category=chosen("#need-category"),
            description=self.query_one("#need-description", Input).value,
            department=chosen("#need-department"),
            due_on=self.query_one("#need-due", Input).value,
        )
        try:
            NeedInput.model_validate(NeedInput.prepare(need))
        except ValidationError as error:
            problems = problems_of(error)
            self.query_one("#need-problem", Static).update("\n".join(say(p) for p in problems))
            box = FIELD_BOXES.get(problems[0].field) if problems else None
            if box:
                self.query_one(box).focus()
            return
        self.dismiss(need)

    def action_cancel(self) -> None:
        self.dismiss(None)
