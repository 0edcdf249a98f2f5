"""Choosing what the ledger screen shows: a ledger or a unit from a list, a month typed."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from db.ledgers.scope import parse_month
from tui.i18n import N_, _
from tui.widgets.boxes import TextBox

_BOX_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 64; max-width: 100%; height: auto; max-height: 90%;
    padding: 0 1; border: round $accent; border-title-align: center; background: $surface;
}}
{name} OptionList {{ height: auto; max-height: 18; }}
{name} Input {{ width: 12; }}
{name} #choice-filter {{ width: 100%; }}
{name} .narrowed OptionList {{ max-height: 14; }}
{name} .hint {{ color: $text-muted; }}
{name} .problem {{ color: $error; }}
"""


class ChoiceModal(ModalScreen[str | None]):
    """One of a list: ↑/↓ and Enter choose (returns its value), Esc backs out (None).

    A long list (a city's units) has a box above it: what is typed there narrows the
    list to the lines holding it (part of a name or a code); ↑/↓ move in what is left
    and Enter takes the highlighted one.
    """

    DEFAULT_CSS = _BOX_CSS.format(name="ChoiceModal")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel")),
        Binding("down", "move(1)", N_("Next"), show=False),
        Binding("up", "move(-1)", N_("Previous"), show=False),
    ]
    NARROWED_FROM = 18  # lines: what the box shows; a longer list scrolls

    def __init__(self, title: str, options: list[tuple[str, str]], current: str) -> None:
        super().__init__()
        self.title_text = title
        self.options = options  # (label, value)
        self.current = current

    @property
    def narrowed(self) -> bool:
        return len(self.options) > self.NARROWED_FROM

    def compose(self) -> ComposeResult:
        with Vertical(classes="narrowed" if self.narrowed else "") as box:
            box.border_title = self.title_text
            if self.narrowed:
                yield TextBox(placeholder=_("Part of a name or code"), max_length=40,
                              compact=True, id="choice-filter")  # fmt: skip
            yield OptionList(
                *(Option(label, id=value) for label, value in self.options), compact=True
            )
            hint = (_("Type to narrow; ↑/↓ and Enter choose; Esc cancels") if self.narrowed
                    else _("↑/↓ and Enter choose; Esc cancels"))  # fmt: skip
            yield Static(hint, classes="hint", markup=False)
            nothing = Static("", id="choice-none", classes="problem", markup=False)
            nothing.display = False
            yield nothing

    def on_mount(self) -> None:
        choices = self.query_one(OptionList)
        values = [value for _label, value in self.options]
        if self.current in values:
            choices.highlighted = values.index(self.current)
        if self.narrowed:
            self.query_one("#choice-filter", Input).focus()
        else:
            choices.focus()

    @on(Input.Changed, "#choice-filter")
    def narrow(self, event: Input.Changed) -> None:
        text = event.value.strip().casefold()
        shown = [(label, value) for label, value in self.options if text in label.casefold()]
        choices = self.query_one(OptionList)
        choices.clear_options()
        choices.add_options(Option(label, id=value) for label, value in shown)
        if shown:
            values = [value for _label, value in shown]
            choices.highlighted = values.index(self.current) if self.current in values else 0
        nothing = self.query_one("#choice-none", Static)
        nothing.update(_("Nothing matches “{text}”").format(text=event.value.strip()))
        nothing.display = not shown

    @on(Input.Submitted, "#choice-filter")
    def take_highlighted(self) -> None:
        choices = self.query_one(OptionList)
        if choices.highlighted is not None:
            self.dismiss(choices.get_option_at_index(choices.highlighted).id)

    def action_move(self, step: int) -> None:
        choices = self.query_one(OptionList)
        if step > 0:
            choices.action_cursor_down()
        else:
            choices.action_cursor_up()

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


MONTH_PROBLEM = N_("Month: “{text}” is not a month as YYYY-MM (e.g. 2026-10)")


class MonthModal(ModalScreen[date | None]):
    """A month typed as YYYY-MM; Enter takes it, a wrong one is named and the box stays."""

    DEFAULT_CSS = _BOX_CSS.format(name="MonthModal")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", N_("Cancel"))]

    def __init__(self, current: date) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = _("Month of the ledger")
            yield TextBox(
                value=f"{self.current:%Y-%m}", max_length=7, compact=True, id="ledger-month-text"
            )
            yield Static(_("YYYY-MM; Enter shows it; Esc cancels"), classes="hint", markup=False)
            yield Static("", id="ledger-month-problem", classes="problem", markup=False)

    def on_mount(self) -> None:
        self.query_one("#ledger-month-text", Input).focus()

    @on(Input.Submitted, "#ledger-month-text")
    def submit(self, event: Input.Submitted) -> None:
        try:
            month = parse_month(event.value)
        except ValueError:
            problem = _(MONTH_PROBLEM).format(text=event.value.strip())
            self.query_one("#ledger-month-problem", Static).update(problem)
            return
        self.dismiss(month)

    def action_cancel(self) -> None:
        self.dismiss(None)
