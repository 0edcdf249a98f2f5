"""The auditor's trail: every audit row of their scope, newest first, narrowed by user,
person, action and dates; and the audit chain of their city, verified while they read
(it can take a while: the line under the table says how far it has come)."""

from __future__ import annotations

from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Header, Static

from db.audit.browse import TrailFilters, person_with_id_number, trail_page
from db.audit.city_chain import BATCH as VERIFY_LINKS
from db.audit.city_chain import CityChainReport, verify_city_chain
from db.audit.entries import TrailKey, TrailPage, TrailPerson
from tui.dialogs.trail_filters import TrailFilterChoice, TrailFilterModal
from tui.errors import reason
from tui.i18n import N_, _, translate_bindings
from tui.keys import hold_keys, release_keys
from tui.labels import TRAIL_ACTIONS, label
from tui.messages import (
    ChainProgress,
    ChainVerified,
    LanguageChanged,
    TrailFiltersRead,
    TrailLoaded,
)
from tui.screens.failures import Failure, ReportsFailures
from tui.session import Session
from tui.trail_text import chain_line
from tui.widgets.key_footer import KeyFooter
from tui.widgets.trail_table import WHOLE_SCOPE, TrailTable

LOAD_GROUP = "audit-trail-load"
FILTER_GROUP = "audit-trail-filters"
VERIFY_GROUP = "audit-trail-verify"
PAGE_SIZE = 10
NO_SUCH_PERSON = N_("ID number: nobody with this number in your scope; the filters stay")


class AuditTrailScreen(ReportsFailures, Screen[None]):
    """The trail of the auditor's scope: f filters, n and p page, v verifies again."""

    FAILURES: ClassVar[dict[str, Failure]] = {
        LOAD_GROUP: Failure(N_("Cannot show the trail")),
        FILTER_GROUP: Failure(N_("Cannot show the trail"), "release"),
        VERIFY_GROUP: Failure(N_("Cannot verify the audit chain"), "release"),
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,b", "back", N_("Back"), key_display="b"),
        Binding("f", "filter", N_("Filter"),
                tooltip=N_("Filter by user, person (ID number), action, dates")),
        Binding("n,pagedown", "next_page", N_("Older"), tooltip=N_("Older entries")),
        Binding("p,pageup", "previous_page", N_("Newer"), tooltip=N_("Newer entries")),
        Binding("g,home", "first_page", N_("Newest"), tooltip=N_("The newest entries"),
                show=False),
        Binding("v", "verify", N_("Verify"), tooltip=N_("Verify the city's audit chain again")),
    ]  # fmt: skip

    VERIFY_BATCH: ClassVar[int] = VERIFY_LINKS  # links a transaction; progress after each

    def __init__(self, session: Session, person: TrailPerson | None = None) -> None:
        super().__init__()
        self.session = session
        self.filters = TrailFilters(person=person)
        self.page: TrailPage | None = None
        self.starts: list[TrailKey | None] = [None]  # what each page is older than
        self._asked: tuple[TrailKey | None, int] = (None, 1)
        self.problem = ""  # a filter that could not be applied, in the status line
        self.verifying = False
        self.progress: tuple[int, int] | None = None
        self.report: CityChainReport | None = None
        self.chain_failure = ""
        translate_bindings(self)

    @property
    def number(self) -> int:
        return len(self.starts)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(self._filters_line(), id="trail-filters-line", markup=False)
        yield TrailTable(WHOLE_SCOPE, id="trail")
        yield Static(_("Loading…"), id="trail-status", markup=False)
        yield Static("", id="trail-chain", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.load(None, 1)
        self.action_verify()

    # The trail, a page at a time.

    def load(self, key: TrailKey | None, number: int) -> None:
        hold_keys(self)  # n, p, f typed ahead act on the page that is coming
        self._asked = (key, number)
        self._fetch(self.filters, key, number)

    @work(exclusive=True, group=LOAD_GROUP, exit_on_error=False)
    async def _fetch(self, filters: TrailFilters, key: TrailKey | None, number: int) -> None:
        async with self.session.transaction() as conn:
            page = await trail_page(conn, filters, older_than=key, limit=PAGE_SIZE)
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
        if action == "verify":
            return not self.verifying or None
        return True

    def action_next_page(self) -> None:
        if self.page is not None and self.page.entries:
            self.load(self.page.entries[-1].key, self.number + 1)

    def action_previous_page(self) -> None:
        if self.number > 1:
            self.load(self.starts[-2], self.number - 1)

    def action_first_page(self) -> None:
        self.load(None, 1)

    def action_back(self) -> None:
        self.app.pop_screen()

    # Filters.

    def action_filter(self) -> None:
        def chosen(choice: TrailFilterChoice | None) -> None:
            if choice is None:
                return
            typed = choice.typed
            person = self.filters.person if choice.keep_person else None
            filters = TrailFilters(user=typed.user or None, person=person, action=typed.action,
                                   since=typed.since, until=typed.until)  # fmt: skip
            if typed.id_number:
                hold_keys(self)  # until the person is looked up and the page is here
                self._find_person(filters, typed.id_number)
            else:
                self.apply(filters)

        self.app.push_screen(TrailFilterModal(self.filters), chosen)

    @work(exclusive=True, group=FILTER_GROUP, exit_on_error=False)
    async def _find_person(self, filters: TrailFilters, id_number: str) -> None:
        async with self.session.transaction() as conn:
            person = await person_with_id_number(conn, self.session.keyring, id_number)
        found = None if person is None else filters.model_copy(update={"person": person})
        self.post_message(TrailFiltersRead(found))

    def on_trail_filters_read(self, message: TrailFiltersRead) -> None:
        if message.filters is None:
            self.problem = _(NO_SUCH_PERSON)
            self._status()
            release_keys(self)
            return
        self.apply(message.filters)

    def apply(self, filters: TrailFilters) -> None:
        self.filters, self.problem = filters, ""
        self.query_one("#trail-filters-line", Static).update(self._filters_line())
        self.load(None, 1)

    # The city's chain.

    def action_verify(self) -> None:
        self.verifying, self.progress, self.report, self.chain_failure = True, None, None, ""
        self._chain_line()
        self.refresh_bindings()
        self._verify()

    @work(exclusive=True, group=VERIFY_GROUP, exit_on_error=False)
    async def _verify(self) -> None:
        def progress(checked: int, links: int) -> None:
            self.post_message(ChainProgress(checked, links))

        report = await verify_city_chain(
            self.session.transaction, progress=progress, batch=self.VERIFY_BATCH
        )
        self.post_message(ChainVerified(report))

    def on_chain_progress(self, message: ChainProgress) -> None:
        self.progress = (message.checked, message.links)
        self._chain_line()

    def on_chain_verified(self, message: ChainVerified) -> None:
        self.verifying, self.report = False, message.report
        self._chain_line()
        self.refresh_bindings()

    def answer_failure(self, group: str, error: BaseException) -> bool:
        if group != VERIFY_GROUP:
            return False
        self.verifying, self.chain_failure = False, reason(error)
        self._chain_line()
        self.refresh_bindings()
        return True

    # Showing.

    def _filters_line(self) -> str:
        f = self.filters
        parts = []
        if f.user:
            parts.append(_("user {name}").format(name=f.user))
        if f.person:
            parts.append(_("person {name}").format(name=f.person.name))
        if f.action:
            parts.append(label(TRAIL_ACTIONS, f.action))
        if f.since or f.until:
            since = f.since.isoformat() if f.since else "…"
            until = f.until.isoformat() if f.until else "…"
            parts.append(f"{since} – {until}")
        if not parts:
            return _("The audit trail of your scope, newest first · f filters")
        return _("The audit trail of your scope: {filters}").format(filters=" · ".join(parts))

    def _status(self) -> None:
        parts = [_("page {number}").format(number=self.number)]
        if self.page is not None and not self.page.entries:
            parts.append(_("nothing matches"))
        if self.problem:
            parts.append(self.problem)
        self.query_one("#trail-status", Static).update(" · ".join(parts))

    def _chain_line(self) -> None:
        line = self.query_one("#trail-chain", Static)
        report = self.report
        if self.chain_failure:
            text = _("Cannot verify the audit chain") + ": " + self.chain_failure
        elif report is not None:
            text = chain_line(report)
        elif self.progress is not None:
            text = _("Verifying the audit chain: {checked} of {links} links…").format(
                checked=self.progress[0], links=self.progress[1]
            )
        else:
            text = _("Verifying the audit chain of your city…")
        line.update(text)
        line.set_class(report is not None and report.problem is not None, "broken")
        line.set_class(report is not None and report.problem is None, "verified")

    def on_language_changed(self, message: LanguageChanged) -> None:
        translate_bindings(self)
        self.query_one("#trail-filters-line", Static).update(self._filters_line())
        if self.page is not None:
            self.query_one(TrailTable).show(self.page.entries)
            self._status()
        if self.problem:
            self.problem = _(NO_SUCH_PERSON)
            self._status()
        self._chain_line()
        self.refresh_bindings()
