"""Filters of the person list: status, ethnicity, community, records missing 三必清 fields."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Select

from db.persons.models import PersonStatus
from tui.i18n import N_, _
from tui.labels import STATUSES
from tui.widgets.tick_box import TickBox


@dataclass(frozen=True, slots=True)
class ListFilters:
    """What the list is narrowed to; None means any."""

    status: PersonStatus | None = None
    ethnic_code: str | None = None
    community: str | None = None
    missing_only: bool = False

    @property
    def active(self) -> bool:
        return self != ListFilters()


@dataclass(frozen=True, slots=True)
class FilterChoices:
    """The options offered: (code, name) of ethnic groups and of communities in scope."""

    ethnic_groups: list[tuple[str, str]]
    communities: list[tuple[str, str]]


def _value(select: Select[str]) -> str | None:
    value = select.value
    return value if isinstance(value, str) else None


class FilterModal(ModalScreen[ListFilters | None]):
    """Returns the chosen filters, or None when the user backs out."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "apply", N_("Apply")),
        Binding("escape", "cancel", N_("Cancel")),
    ]

    def __init__(self, choices: FilterChoices, current: ListFilters) -> None:
        super().__init__()
        self.choices, self.current = choices, current

    def compose(self) -> ComposeResult:
        with Vertical(id="filters") as box:
            box.border_title = _("Filter the list")
            yield Label(_("Status"))
            yield Select(
                [(_(label), code) for code, label in STATUSES.items()],
                value=self.current.status or Select.NULL,
                prompt=_("Any"),
                id="filter-status",
            )
            yield Label(_("Ethnicity"))
            yield Select(
                [(name, code) for code, name in self.choices.ethnic_groups],
                value=self.current.ethnic_code or Select.NULL,
                prompt=_("Any"),
                id="filter-ethnic",
            )
            yield Label(_("Community"))
            yield Select(
                [(name, code) for code, name in self.choices.communities],
                value=self.current.community or Select.NULL,
                prompt=_("Any in my scope"),
                id="filter-community",
            )
            yield TickBox(
                _("Only records missing origin, address or occupation"),
                self.current.missing_only,
                id="filter-missing",
            )
            with Horizontal(id="filter-buttons"):
                yield Button(_("Apply (ctrl+s)"), id="filter-apply", variant="primary")
                yield Button(_("Clear"), id="filter-clear")

    @on(Button.Pressed, "#filter-apply")
    def action_apply(self) -> None:
        self.dismiss(
            ListFilters(
                status=_value(self.query_one("#filter-status", Select)),  # type: ignore[arg-type]
                ethnic_code=_value(self.query_one("#filter-ethnic", Select)),
                community=_value(self.query_one("#filter-community", Select)),
                missing_only=self.query_one("#filter-missing", TickBox).value,
            )
        )

    @on(Button.Pressed, "#filter-clear")
    def clear(self) -> None:
        self.dismiss(ListFilters())

    def action_cancel(self) -> None:
        self.dismiss(None)
