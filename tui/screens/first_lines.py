"""What the first screens after login share: a list of lines under section headings, each
line opening the record, form or list behind it with Enter; `l` goes on to the person
list (Esc or b there comes back), `r` reads the lines again. The home screen of grid
workers (tui/screens/home.py) and the dashboard of supervisors (tui/screens/dashboard.py)
say what their lines are and read them in a worker."""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message_pump import _MessagePumpMeta
from textual.screen import Screen
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from tui.dialogs.filters import ListFilters
from tui.i18n import N_, _, translate_bindings
from tui.keys import hold_keys, release_keys
from tui.messages import LanguageChanged
from tui.screens.failures import ReportsFailures
from tui.session import Session
from tui.widgets.key_footer import KeyFooter

OVERDUE = "bold red"  # repeats the word 逾期 / overdue, never replaces it
DUE_SOON = "yellow"
Opener = Callable[[], Screen[Any]]


@dataclass(frozen=True, slots=True)
class Line:
    """One line: a heading (`heading`), or an item that Enter opens (`opens`) or that
    only says something when chosen (`notice`, a msgid)."""

    text: Text
    opens: Opener | None = None
    notice: str = ""
    heading: bool = False


def heading(title: str, count: int | None = None) -> Line:
    """A section's heading: its title (translated) and how many lines it holds."""
    text = title if count is None else _("{title} ({count})").format(title=title, count=count)
    return Line(Text(text, style="bold"), heading=True)


def item(text: str | Text, opens: Opener | None = None, *, style: str = "",
         notice: str = "") -> Line:  # fmt: skip
    return Line(text if isinstance(text, Text) else Text(text, style=style), opens, notice)


class FirstLines(OptionList):
    """The lines of a first screen: headings cannot be chosen, items can."""

    def show(self, lines: list[Line]) -> None:
        highlighted = self.highlighted
        self.clear_options()
        self.add_options([Option(line.text, id=None, disabled=line.heading) for line in lines])
        chosen = [i for i, line in enumerate(lines) if not line.heading]
        if not chosen:
            self.highlighted = None
        elif highlighted is not None and highlighted in chosen:
            self.highlighted = highlighted
        else:
            self.highlighted = chosen[0]


class _AbstractScreenMeta(_MessagePumpMeta, ABCMeta):
    """Textual's screen metaclass (private, hence imported by name) with abstract
    methods: a first screen that leaves one out is refused when it is made."""


class FirstScreen(ReportsFailures, Screen[None], metaclass=_AbstractScreenMeta):
    """A first screen after login: `lines()` says what it lists once `_fetch` (a worker
    of the subclass) has posted its data and the subclass has stored it."""

    TITLE_MSGID = ""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,o", "open", N_("Open"), tooltip=N_("Open what the line is about")),
        Binding("l", "person_list", N_("Person list"),
                tooltip=N_("The person list: search, open, register")),
        Binding("r", "reload", N_("Refresh")),
    ]  # fmt: skip

    def __init__(self, session: Session, scope: str) -> None:
        super().__init__()
        self.session, self.scope = session, scope
        self.shown: list[Line] = []
        self.loaded = False
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(_(self.TITLE_MSGID), id="first-title", markup=False)
        yield FirstLines(id="first-lines")
        yield Static(_("Loading…"), id="first-status", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        hold_keys(self)  # Enter typed ahead opens a line once the lines are here
        self._fetch()

    @abstractmethod
    def _fetch(self) -> Any:
        """Start the subclass's worker that loads the screen's data."""

    @abstractmethod
    def lines(self) -> list[Line]:
        """The lines to list, from the data the subclass stored."""

    def title_text(self) -> str:
        return _(self.TITLE_MSGID)

    def loaded_now(self) -> None:
        """The subclass has stored fresh data: show it, then hand on the kept keys."""
        self.loaded = True
        self.query_one("#first-status", Static).display = False
        self._show()
        self.refresh_bindings()
        release_keys(self)

    def _show(self) -> None:
        self.query_one("#first-title", Static).update(self.title_text())
        if not self.loaded:
            return
        self.shown = self.lines()
        self.query_one(FirstLines).show(self.shown)

    def show_failure(self, failure: Any, why: str) -> None:
        status = self.query_one("#first-status", Static)
        status.update(_(failure.title) + ": " + why)
        status.display = True
        super().show_failure(failure, why)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open":
            return any(not line.heading for line in self.shown)
        return True

    @on(OptionList.OptionSelected, "#first-lines")
    def line_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._open(event.option_index)

    def action_open(self) -> None:
        index = self.query_one(FirstLines).highlighted
        if index is not None:
            self._open(index)

    def _open(self, index: int) -> None:
        if not 0 <= index < len(self.shown):
            return
        line = self.shown[index]
        if line.opens is not None:
            self.app.push_screen(line.opens(), lambda _result: self.action_reload())
        elif line.notice:
            self.notify(_(line.notice))

    def person_list(self, filters: ListFilters | None = None) -> Screen[Any]:
        from tui.screens.person_list import PersonListScreen

        session = self.session
        return PersonListScreen(
            session.pool, user=session.user, scope=self.scope, keyring=session.keyring,
            session=session, filters=filters, back=True,
        )  # fmt: skip

    def action_person_list(self) -> None:
        self.app.push_screen(self.person_list(), lambda _result: self.action_reload())

    def on_language_changed(self, message: LanguageChanged) -> None:
        translate_bindings(self)
        self._show()
        self.refresh_bindings()
