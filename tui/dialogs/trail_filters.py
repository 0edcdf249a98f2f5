"""Filters of the auditor's trail: user, person (by ID number, or the one chosen on a
record), action, dates. Each wrong box is named on a line of its own; nothing changes
until every box reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from pydantic import ValidationError
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Select, Static

from db.audit.browse import TRAIL_ACTIONS, TrailFilterInput, TrailFilters
from db.core.problems import problems_of
from tui.i18n import N_, _
from tui.labels import TRAIL_ACTIONS as ACTION_LABELS
from tui.labels import label
from tui.problem_text import say
from tui.widgets.boxes import TextBox
from tui.widgets.form_row import FormRow
from tui.widgets.tick_box import TickBox

BOXES = ("user", "id_number", "since", "until")


@dataclass(frozen=True, slots=True)
class TrailFilterChoice:
    """The boxes as read, and whether the person chosen before stays (when no ID is typed)."""

    typed: TrailFilterInput
    keep_person: bool


class TrailFilterModal(ModalScreen[TrailFilterChoice | None]):
    """Returns the boxes read, or None when the user backs out."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "apply", N_("Apply")),
        Binding("escape", "cancel", N_("Cancel")),
    ]

    def __init__(self, current: TrailFilters) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        current = self.current
        with Vertical(id="trail-filters", classes="dialog") as box:
            box.border_title = _("Filter the audit trail")
            yield FormRow(
                N_("User"),
                TextBox(
                    current.user or "", placeholder=_("login name"), compact=True, id="box-user"
                ),
                field="user",
            )
            yield FormRow(
                N_("ID number"),
                TextBox(
                    placeholder=_("the person's 18 characters"),
                    max_length=18,
                    compact=True,
                    id="box-id_number",
                ),
                field="id_number",
            )
            if current.person is not None:
                yield TickBox(
                    _("Only {name}, as chosen before").format(name=current.person.name),
                    True,
                    compact=True,
                    id="box-keep-person",
                )
            yield FormRow(
                N_("Action"),
                Select(
                    [(label(ACTION_LABELS, action), action) for action in TRAIL_ACTIONS],
                    value=current.action or Select.NULL,
                    prompt=_("Any"),
                    compact=True,
                    id="box-action",
                ),
                field="action",
            )
            yield FormRow(
                N_("From date"),
                TextBox(
                    _day(current.since), placeholder="YYYY-MM-DD", compact=True, id="box-since"
                ),
                field="since",
            )
            yield FormRow(
                N_("To date"),
                TextBox(
                    _day(current.until),
                    placeholder=_("YYYY-MM-DD, included"),
                    compact=True,
                    id="box-until",
                ),
                field="until",
            )
            yield Static("", id="trail-filter-problems", markup=False)
            yield Static(_("Empty boxes: any · ctrl+s or Enter applies · Esc cancels"),
                         classes="dialog-hint", markup=False)  # fmt: skip

    @on(Input.Submitted)
    def action_apply(self) -> None:
        values: dict[str, object] = {
            name: self.query_one(f"#box-{name}", Input).value for name in BOXES
        }
        action = self.query_one("#box-action", Select).value
        values["action"] = action if isinstance(action, str) else None
        try:
            typed = TrailFilterInput.model_validate(values)
        except ValidationError as error:
            problems = problems_of(error)
            self.query_one("#trail-filter-problems", Static).update(
                "\n".join(say(p) for p in problems)
            )
            self.query_one(f"#box-{problems[0].field}", Input).focus()
            return
        keep = self.query("#box-keep-person")
        self.dismiss(TrailFilterChoice(typed, bool(keep) and keep.first(Checkbox).value))

    def action_cancel(self) -> None:
        self.dismiss(None)


def _day(value: date | None) -> str:
    return value.isoformat() if value is not None else ""
