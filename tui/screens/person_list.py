"""The first screen: search the registry and page through it, one keyset page at a time."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, ClassVar, Literal
from uuid import UUID

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Header, Input, Static

from db.core.connect import Connection, Pool
from db.core.session import user_transaction
from db.keys.crypto import Keyring
from db.persons.idcard import mask_id
from db.persons.models import PageKey, PersonPage, PersonSearch
from db.persons.search import communities_in, count_in_scope, ethnic_groups, list_page
from db.users import AppUser
from tui.dialogs.filters import FilterChoices, FilterModal, ListFilters
from tui.i18n import N_, _, translate_bindings
from tui.keys import hold_keys, release_keys
from tui.messages import (
    FilterChoicesLoaded,
    LanguageChanged,
    PersonsCounted,
    PersonsLoaded,
)
from tui.screens.failures import Failure, ReportsFailures
from tui.session import Session
from tui.widgets.boxes import TextBox
from tui.widgets.key_footer import KeyFooter
from tui.widgets.person_table import PersonTable
from tui.widgets.search import SEARCH_DEBOUNCE, SEARCH_HINT, SEARCH_MAX

if TYPE_CHECKING:
    from tui.screens.person_form import FormOutcome

Direction = Literal["first", "next", "previous"]
LOAD_GROUP = "person-list-load"
COUNT_GROUP = "person-list-count"
FILTER_GROUP = "person-list-filters"
FALLBACK_PAGE_SIZE = 50


class PersonListScreen(ReportsFailures, Screen[None]):
    """The registry of persons in the user's scope: a search box, a page, a status line.

    Data comes only from `db.persons.search` in async workers; each worker ends by
    posting a message, and every failure arrives through `on_worker_state_changed`.
    """

    AUTO_FOCUS = "#persons"
    FAILURES: ClassVar[dict[str, Failure]] = {
        group: Failure(N_("Cannot load the list"))
        for group in (LOAD_GROUP, COUNT_GROUP, FILTER_GROUP)
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        # Short descriptions for the footer at 80 columns; tooltips say it in full.
        # Priority, so it works while the table has the focus and while typing.
        Binding(
            "slash",
            "focus_search",
            N_("Search"),
            key_display="/",
            tooltip=N_("Search by name, pinyin initials, resident ID or phone tail"),
            priority=True,
        ),
        Binding("n,pagedown", "next_page", N_("Next"), tooltip=N_("Next page")),
        # Secondary keys stay out of the footer (help lists them): at 80 columns the
        # footer shows every key it lists whole.
        Binding("p,pageup", "previous_page", N_("Prev"), tooltip=N_("Previous page"), show=False),
        Binding("g,home", "first_page", N_("First"), tooltip=N_("First page"), show=False),
        Binding("o,enter", "open_record", N_("Open"), tooltip=N_("Open the person's record")),
        Binding(
            "f",
            "filter",
            N_("Filter"),
            tooltip=N_("Filter by status, ethnicity, community"),
            show=False,
        ),
        Binding("a", "register", N_("Register"), tooltip=N_("Register a new person")),
        Binding(
            "w",
            "work",
            N_("Work"),
            tooltip=N_("My drafts and returned visits; for supervisors, visits to review"),
        ),
        Binding(
            "h",
            "trail",
            N_("Trail"),
            tooltip=N_("The audit trail of your scope, and the city's audit chain verified"),
        ),
        Binding(
            "m",
            "meetings",
            N_("Meetings"),
            tooltip=N_("Meetings, their minutes and the action items carried over"),
            show=False,
        ),
        Binding(
            "d",
            "disputes",
            N_("Disputes"),
            tooltip=N_("Monthly dispute sweeps and the dispute cases still open"),
            show=False,
        ),
        Binding(
            "s",
            "sweep_settings",
            N_("Sweep"),
            tooltip=N_("Admins: the city's dispute sweep deadline day and filing unit"),
        ),
        Binding(
            "t",
            "ledgers",
            N_("Ledgers"),
            tooltip=N_("The ledgers (台账) of your scope: pages, charts, export"),
            show=False,
        ),
        # Priority, so the box's own Enter does not take it. Esc searches too if the
        # text changed (it would be searched for a moment later anyway).
        Binding("enter", "leave_search(True)", show=False, priority=True),
        Binding("escape", "leave_search(False)", N_("Back to the list"), priority=True),
        # Reached from a first screen (home, dashboard): back there, when not searching.
        Binding("escape,b", "back", N_("Back"), key_display="b", show=False),
    ]

    def __init__(
        self,
        pool: Pool,
        *,
        user: AppUser | None = None,
        scope: str = "",
        keyring: Keyring | None = None,
        session: Session | None = None,
        filters: ListFilters | None = None,
        back: bool = False,
    ) -> None:
        super().__init__()
        self.session = session
        self.back = back  # whether Esc and b go back to the screen it was opened from
        self.pool = pool
        self.user = user
        self.scope = scope
        self.keyring = keyring
        self.search = PersonSearch(scope=scope)
        self.page: PersonPage | None = None
        self.number = 1
        self.total: int | None = None
        self.failure = ""
        self._debounce: Timer | None = None
        self.filters = ListFilters()
        self._choices: FilterChoices | None = None
        if filters is not None:
            self.filters, self.search = filters, self._search_for(filters, "")
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield Header()
        yield TextBox(placeholder=_(SEARCH_HINT), max_length=SEARCH_MAX, id="search")
        yield PersonTable(scope=self.scope, id="persons")
        yield Static(_("Loading…"), id="status", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.count_persons()
        self.load_page("first")

    # Workers: each posts one message; errors go to on_worker_state_changed.

    def load_page(self, direction: Direction, text: str | None = None, hold: bool = True) -> None:
        """Load the first, next or previous page of `text` (default: the current search).

        Keys typed meanwhile wait for the page (`hold`), except while the search box
        follows what is typed into it: those keys are for the box.
        """
        if hold:
            hold_keys(self)
        self._fetch_page(direction, text)

    @work(exclusive=True, group=LOAD_GROUP, exit_on_error=False)
    async def _fetch_page(self, direction: Direction, text: str | None) -> None:
        search = (
            self.search if text is None else PersonSearch(**{**dict(self.search), "text": text})
        )
        after, before, number = self._position(direction)
        async with self._connection() as conn:
            page = await list_page(
                conn, search, keyring=self.keyring, after=after, before=before,
                limit=self._page_size(),
            )  # fmt: skip
        self.post_message(PersonsLoaded(search, page, 1 if not page.has_before else number))

    @work(exclusive=True, group=FILTER_GROUP, exit_on_error=False)
    async def load_filter_choices(self) -> None:
        async with self._connection() as conn:
            groups = await ethnic_groups(conn)
            communities = await communities_in(conn, self.scope)
        self.post_message(FilterChoicesLoaded(FilterChoices(groups, communities)))

    @work(exclusive=True, group=COUNT_GROUP, exit_on_error=False)
    async def count_persons(self) -> None:
        async with self._connection() as conn:
            total = await count_in_scope(conn, self.scope)
        self.post_message(PersonsCounted(total))

    def _connection(self) -> AbstractAsyncContextManager[Connection]:
        # As the app user when there is one: RLS then shows exactly their scope.
        if self.user is None:
            return self.pool.acquire()
        return user_transaction(self.pool, self.user)

    def _position(self, direction: Direction) -> tuple[PageKey | None, PageKey | None, int]:
        rows = self.page.rows if self.page else []
        if direction == "next" and rows:
            return rows[-1].key, None, self.number + 1
        if direction == "previous" and rows:
            return None, rows[0].key, self.number - 1
        return None, None, 1

    def _page_size(self) -> int:
        # Rows that fit under the header, keeping a line for the horizontal scrollbar
        # that wide rows bring at 80 columns. Before the first layout: a page of 50.
        table = self.query_one(PersonTable)
        scrollbar = table.styles.scrollbar_size_horizontal
        visible = table.size.height - table.header_height - scrollbar
        return visible if visible > 0 else FALLBACK_PAGE_SIZE

    # Results and failures.

    def on_persons_loaded(self, message: PersonsLoaded) -> None:
        self.search, self.page, self.number = message.search, message.page, message.number
        self.failure = ""
        self.query_one(PersonTable).show(message.page.rows)
        self.refresh_bindings()
        self._show_status()
        release_keys(self)

    def on_persons_counted(self, message: PersonsCounted) -> None:
        self.total = message.total
        self._show_status()

    def show_failure(self, failure: Failure, why: str) -> None:
        self.failure = why
        self._show_status()
        super().show_failure(failure, why)

    def action_filter(self) -> None:
        if self._choices is None:
            self.load_filter_choices()
        else:
            self._ask_filters(self._choices)

    def on_filter_choices_loaded(self, message: FilterChoicesLoaded) -> None:
        self._choices = message.choices
        self._ask_filters(message.choices)

    def _ask_filters(self, choices: FilterChoices) -> None:
        def chosen(filters: ListFilters | None) -> None:
            if filters is not None:
                self.apply_filters(filters)

        self.app.push_screen(FilterModal(choices, self.filters), chosen)

    def apply_filters(self, filters: ListFilters) -> None:
        self.filters = filters
        self.search = self._search_for(filters, self.search.text)
        self.load_page("first")

    def _search_for(self, filters: ListFilters, text: str) -> PersonSearch:
        return PersonSearch(
            text=text,
            scope=filters.community or self.scope,
            status=filters.status,
            ethnic_code=filters.ethnic_code,
            missing_only=filters.missing_only,
        )

    @on(DataTable.RowSelected, "#persons")
    def row_chosen(self, event: DataTable.RowSelected) -> None:
        self.action_open_record()

    def action_open_record(self) -> None:
        table = self.query_one(PersonTable)
        if self.page is None or not self.page.rows or table.cursor_row < 0:
            return
        person = self.page.rows[min(table.cursor_row, len(self.page.rows) - 1)]
        self.open_record(person.city_code, person.id)

    def open_record(self, city_code: str, person_id: UUID) -> None:
        if self.session is None:
            self.notify(_("Records open only for a logged-in user."), severity="warning")
            return

        def closed(moved_away: bool | None) -> None:
            if moved_away:
                self.count_persons()
                self.load_page("first")

        from tui.screens.person_record import PersonRecordScreen

        self.app.push_screen(PersonRecordScreen(self.session, city_code, person_id), closed)

    def action_register(self) -> None:
        if self.session is None:
            return

        def saved(outcome: FormOutcome | None) -> None:
            if outcome is None:
                return
            if outcome.duplicate:
                self.notify(
                    _("This ID number is registered already: here is that record."),
                    title=_("Not registered twice"),
                    severity="warning",
                )
            else:
                self.count_persons()
                self.load_page("first")
            self.open_record(outcome.city_code, outcome.person_id)

        from tui.screens.person_form import PersonFormScreen

        self.app.push_screen(PersonFormScreen(self.session), saved)

    def action_work(self) -> None:
        """A grid worker's own visits; for a reviewer, what waits for their review."""
        session = self.session
        if session is None:
            return
        if session.reviews and not session.writes_persons:
            from tui.screens.review_queue import ReviewQueueScreen

            self.app.push_screen(ReviewQueueScreen(session))
        else:
            from tui.screens.work_list import WorkListScreen

            self.app.push_screen(WorkListScreen(session))

    def action_trail(self) -> None:
        """The auditor's trail of their scope."""
        if self.session is None:
            return
        from tui.screens.audit_trail import AuditTrailScreen

        self.app.push_screen(AuditTrailScreen(self.session))

    def action_meetings(self) -> None:
        if self.session is not None:
            from tui.screens.meeting_list import MeetingListScreen

            self.app.push_screen(MeetingListScreen(self.session))

    def action_disputes(self) -> None:
        if self.session is not None:
            from tui.screens.sweep_list import SweepListScreen

            self.app.push_screen(SweepListScreen(self.session))

    def action_ledgers(self) -> None:
        if self.session is not None:
            from tui.screens.ledger_screen import LedgerScreen

            self.app.push_screen(LedgerScreen(self.session))

    def action_sweep_settings(self) -> None:
        if self.session is not None and self.session.user.role_kind == "admin":
            from tui.screens.sweep_settings import SweepSettingsScreen

            self.app.push_screen(SweepSettingsScreen(self.session))

    async def on_language_changed(self, message: LanguageChanged) -> None:
        translate_bindings(self)
        await self._renew_table()
        self.query_one("#search", Input).placeholder = _(SEARCH_HINT)
        self._show_status()

    async def _renew_table(self) -> None:
        # A fresh table measures its columns from the new labels and cells; relabelling
        # the old one kept widths measured for the other language and cut the data.
        old = self.query_one(PersonTable)
        focused = old.has_focus
        await old.remove()
        table = PersonTable(scope=self.scope, id="persons")
        await self.mount(table, after=self.query_one("#search", Input))
        if self.page is not None:
            table.show(self.page.rows)
        if focused:
            table.focus()

    def _show_status(self) -> None:
        parts = []
        if self.total is not None:
            parts.append(_("{total} persons in scope").format(total=self.total))
        if self.page is not None:
            parts.append(_("page {number}").format(number=self.number))
            # A resident ID searched for is echoed masked, like every ID on screen.
            text = (
                mask_id(self.search.text) if self.search.kind == "id_number" else self.search.text
            )
            if text and not self.page.rows:
                parts.append(_("nothing matches “{text}”").format(text=text))
            elif text:
                parts.append(
                    _("{rows} shown for “{text}”").format(rows=len(self.page.rows), text=text)
                )
        if self.filters.active:
            parts.append(_("filtered (f)"))
        if self.failure:
            parts.append(_("Cannot load the list") + ": " + self.failure)
        self.query_one("#status", Static).update(" · ".join(parts) or _("Loading…"))

    # Search box.

    @on(Input.Changed, "#search")
    def search_changed(self, event: Input.Changed) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(SEARCH_DEBOUNCE, lambda: self.run_search(hold=False))

    def run_search(self, hold: bool = True) -> None:
        """Reload from the first page with what the search box holds, literally."""
        if self._debounce is not None:
            self._debounce.stop()
            self._debounce = None
        self.load_page("first", self.query_one("#search", Input).value, hold)

    # Actions.

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next_page":
            return bool(self.page and self.page.has_after) or None
        if action in ("previous_page", "first_page"):
            return bool(self.page and self.page.has_before) or None
        if action == "leave_search":
            return self.focused is self.query_one("#search", Input)
        if action == "register":
            return self.session is not None and self.session.writes_persons
        if action == "work":
            return self.session is not None and self.session.user.role_kind != "auditor"
        if action == "trail":
            return self.session is not None and self.session.user.role_kind == "auditor"
        if action == "sweep_settings":
            return self.session is not None and self.session.user.role_kind == "admin"
        if action in ("meetings", "ledgers"):
            return self.session is not None
        if action == "back":
            return self.back
        return True

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_next_page(self) -> None:
        self.load_page("next")

    def action_previous_page(self) -> None:
        self.load_page("previous")

    def action_first_page(self) -> None:
        self.load_page("first")

    def action_focus_search(self) -> None:
        self.set_focus(self.query_one("#search", Input))

    def action_focus_table(self) -> None:
        self.set_focus(self.query_one(PersonTable))

    def action_leave_search(self, always: bool) -> None:
        """Back to the list from the box: searching, always (Enter) or if the text changed."""
        box = self.query_one("#search", Input)
        self.action_focus_table()
        if always or box.value != self.search.text or self._debounce is not None:
            self.run_search()
