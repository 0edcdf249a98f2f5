"""Who saw and changed one person's record: opened, full numbers shown, columns changed,
exported, anonymised; when, by whom, why. For supervisors, auditors and admins; the
database records that they read it (sql/V016__person_trail.sql)."""

from __future__ import annotations

from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Header, Static

from db.audit.entries import TrailKey, TrailPage, TrailPerson
from db.audit.person_trail import person_trail
from tui.i18n import N_, _, translate_bindings
from tui.keys import hold_keys, release_keys
from tui.messages import LanguageChanged, TrailLoaded
from tui.screens.failures import Failure, ReportsFailures
from tui.session import Session
from tui.widgets.key_footer import KeyFooter
from tui.widgets.trail_table import TrailTable

LOAD_GROUP = "person-trail-load"
PAGE_SIZE = 10
READERS = ("supervisor", "auditor", "admin")


class PersonTrailScreen(ReportsFailures, Screen[None]):
    """The trail of one person, newest first, a page at a time (n older, p newer)."""

    FAILURES: ClassVar[dict[str, Failure]] = {LOAD_GROUP: Failure(N_("Cannot show the trail"))}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,b", "back", N_("Back"), key_display="b"),
        Binding("n,pagedown", "next_page", N_("Older"), tooltip=N_("Older entries")),
        Binding("p,pageup", "previous_page", N_("Newer"), tooltip=N_("Newer entries")),
        Binding("g,home", "first_page", N_("Newest"), tooltip=N_("The newest entries"),
                show=False),
        Binding("f", "filter", N_("Filter"),
                tooltip=N_("This person in the audit trail: filters, and the chain verified")),
    ]  # fmt: skip

    def __init__(self, session: Session, person: TrailPerson) -> None:
        super().__init__()
        self.session = session
        self.person = person
        self.page: TrailPage | None = None
        # What each page is older than, from the first (None: the newest rows).
        self.starts: list[TrailKey | None] = [None]
        self._asked: tuple[TrailKey | None, int] = (None, 1)
        translate_bindings(self)

    @property
    def number(self) -> int:
        return len(self.starts)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(self._title(), id="trail-title", markup=False)
        yield TrailTable(id="trail")
        yield Static(_("Loading…"), id="trail-status", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.load(None, 1)

    def load(self, key: TrailKey | None, number: int) -> None:
        hold_keys(self)  # n, p typed ahead page on from the page that is coming
        self._asked = (key, number)
        self._fetch(key, number)

    @work(exclusive=True, group=LOAD_GROUP, exit_on_error=False)
    async def _fetch(self, key: TrailKey | None, number: int) -> None:
        person = self.person
        async with self.session.transaction() as conn:
            page = await person_trail(
                conn, person.city_code, person.id, older_than=key, limit=PAGE_SIZE
            )
        self.post_message(TrailLoaded(page, number))

    def on_trail_loaded(self, message: TrailLoaded) -> None:
        key, number = self._asked
        self.starts[number - 1 :] = [key]
        self.page = message.page
        self.query_one(TrailTable).show(message.page.entries)
        self._status()
        self.refresh_bindings()
        release_keys(self)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next_page":
            return bool(self.page and self.page.more) or None
        if action in ("previous_page", "first_page"):
            return self.number > 1 or None
        if action == "filter":
            return self.session.user.role_kind == "auditor"
        return True

    def action_next_page(self) -> None:
        if self.page is not None and self.page.entries:
            self.load(self.page.entries[-1].key, self.number + 1)

    def action_previous_page(self) -> None:
        if self.number > 1:
            self.load(self.starts[-2], self.number - 1)

    def action_first_page(self) -> None:
        self.load(None, 1)

    def action_filter(self) -> None:
        from tui.screens.audit_trail import AuditTrailScreen

        self.app.push_screen(AuditTrailScreen(self.session, self.person))

    def action_back(self) -> None:
        self.app.pop_screen()

    def _title(self) -> str:
        return _("Who saw and changed the record of {name}").format(name=self.person.name)

    def _status(self) -> None:
        parts = [_("page {number}").format(number=self.number)]
        if self.page is not None and not self.page.entries:
            parts.append(_("nothing recorded"))
        parts.append(_("reading this trail is recorded too"))
        self.query_one("#trail-status", Static).update(" · ".join(parts))

    def on_language_changed(self, message: LanguageChanged) -> None:
        translate_bindings(self)
        self.query_one("#trail-title", Static).update(self._title())
        if self.page is not None:
            self.query_one(TrailTable).show(self.page.entries)
            self._status()
        self.refresh_bindings()
