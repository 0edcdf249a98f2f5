"""The ledgers (台账) on screen: choose a ledger, the unit it covers and its month; page
through its rows a keyset page at a time; see the charts a person would rather look at;
export it, audited with its purpose.

Every read runs in a worker as the user, so row-level security decides what is shown;
the screen builds no SQL (db.ledgers.reads, trends, units and export do the reading).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import ClassVar, Literal

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Header, ProgressBar, Static

from db.core.clock import today
from db.ledgers.catalogue import LEDGERS, Ledger
from db.ledgers.columns import PENDING_APART
from db.ledgers.export import LedgerExport, export_ledger
from db.ledgers.reads import Cell, LedgerPage, count_rows, ledger_page
from db.ledgers.scope import month_label
from db.ledgers.trends import TREND_MONTHS, largest_groups, monthly_trend
from db.ledgers.units import Unit, units_under
from tui.dialogs.ledger_choice import ChoiceModal, MonthModal
from tui.dialogs.ledger_export import ExportChoice, LedgerExportModal
from tui.errors import reason
from tui.i18n import N_, _, translate_bindings
from tui.keys import hand_keys_on, hold_keys, release_keys
from tui.messages import LanguageChanged
from tui.screens.failures import Failure, ReportsFailures
from tui.screens.ledger_messages import (
    Asked,
    LedgerCounted,
    LedgerExportDone,
    LedgerExportProgress,
    LedgerGroupsLoaded,
    LedgerPageLoaded,
    LedgerTrendLoaded,
    LedgerUnitsLoaded,
)
from tui.session import Session
from tui.widgets.key_footer import KeyFooter
from tui.widgets.ledger_charts import GroupChart, TrendChart
from tui.widgets.ledger_table import LedgerTable, Numbering, is_apart

LOAD_GROUP = "ledger-load"
COUNT_GROUP = "ledger-count"
UNITS_GROUP = "ledger-units"
CHART_GROUP = "ledger-chart"
EXPORT_GROUP = "ledger-export"
FALLBACK_PAGE_SIZE = 50
# The statistics charted as their largest groups; every other ledger charts the trend.
GROUP_CHARTS = frozenset({"stats_ethnicity", "stats_origin"})
LEVEL_DEPTH = {4: 0, 6: 1, 9: 2, 12: 3, 14: 4}

View = Literal["table", "chart"]


@dataclass(frozen=True, slots=True)
class ChosenUnit:
    code: str
    name: str


def last_month(day: date) -> date:
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


def ui_lang(screen: Screen[None]) -> str:
    """ "en" or "zh", as the ledgers' titles and headers are keyed."""
    return "en" if getattr(screen.app, "language", "zh_CN") == "en" else "zh"


class LedgerScreen(ReportsFailures, Screen[None]):
    """One ledger of one unit (and month): its rows a page at a time, or its chart."""

    DEFAULT_CSS = """
    LedgerScreen #ledger-choice { height: 1; padding: 0 1; text-style: bold; }
    LedgerScreen #ledger-views { height: 1fr; }
    LedgerScreen #ledger-rows { height: 1fr; }
    LedgerScreen #ledger-progress { height: 1; padding: 0 1; }
    LedgerScreen #ledger-result { height: auto; padding: 0 1; }
    LedgerScreen #ledger-status { height: 1; padding: 0 1; background: $panel; color: $text-muted; }
    """
    FAILURES: ClassVar[dict[str, Failure]] = {
        LOAD_GROUP: Failure(N_("Cannot show the ledger")),
        COUNT_GROUP: Failure(N_("Cannot count the ledger's rows"), "release"),
        UNITS_GROUP: Failure(N_("Cannot list the units"), "release"),
        CHART_GROUP: Failure(N_("Cannot show the chart"), "release"),
        EXPORT_GROUP: Failure(N_("Not exported"), "release"),
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        # Back stays out of the footer, which holds the rest whole at 80 columns.
        Binding("escape,b", "back", N_("Back"), key_display="b", show=False),
        Binding("l", "choose_ledger", N_("Ledger"), tooltip=N_("Choose the ledger")),
        Binding("u", "choose_unit", N_("Unit"),
                tooltip=N_("Choose the unit it covers (with every unit under it)")),
        Binding("m", "choose_month", N_("Month"), tooltip=N_("Choose the month (YYYY-MM)")),
        Binding("n,pagedown", "next_page", N_("Next"), tooltip=N_("Next page")),
        Binding("p,pageup", "previous_page", N_("Prev"), tooltip=N_("Previous page"),
                show=False),
        Binding("x", "export", N_("Export"),
                tooltip=N_("Export the ledger to Excel or CSV (the purpose is recorded)")),
        Binding("c", "toggle_chart", N_("Chart"),
                tooltip=N_("The chart: 12 months of casework, or the largest groups")),
    ]  # fmt: skip

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.ledger: Ledger = next(iter(LEDGERS.values()))
        self.unit = ChosenUnit(session.user.org_code, session.user.org_name)
        self.month = last_month(today())
        self.page: LedgerPage | None = None
        self.number = 1
        self.starts: list[list[Cell] | None] = [None]  # the key each page starts after
        self.numberings: list[Numbering] = [Numbering()]
        self.page_size = FALLBACK_PAGE_SIZE
        self.total: int | None = None
        self.problem = ""  # what could not be loaded, in the status line
        self.result = ""  # the last export's outcome, in a line of its own
        self.units: list[Unit] | None = None
        self.view: View = "table"
        self.exporting = False
        translate_bindings(self)

    @property
    def asked(self) -> Asked:
        month = f"{self.month:%Y-%m}" if self.ledger.by_month else None
        return (self.ledger.name, self.unit.code, month)

    @property
    def ledger_month(self) -> date | None:
        return self.month if self.ledger.by_month else None

    @property
    def charts_groups(self) -> bool:
        return self.ledger.view in GROUP_CHARTS

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="ledger-choice", markup=False)
        with ContentSwitcher(initial="ledger-rows", id="ledger-views"):
            yield LedgerTable(id="ledger-rows")
            yield TrendChart(id="ledger-trend")
            yield GroupChart(id="ledger-groups")
        yield ProgressBar(id="ledger-progress", show_eta=False)
        yield Static("", id="ledger-result", markup=False)
        yield Static(_("Loading…"), id="ledger-status", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#ledger-progress").display = False
        self.query_one("#ledger-result").display = False
        self._choice_line()
        hold_keys(self)
        self.call_after_refresh(self.reload)  # once laid out: a page is what fits

    # The rows, a page at a time.

    def reload(self) -> None:
        """From the first page of what is chosen now, counted again; the chart too."""
        self.page, self.total, self.problem = None, None, ""
        self.starts, self.numberings = [None], [Numbering()]
        self._choice_line()
        self.load(None, 1, Numbering())
        self._count(self.ledger, self.unit.code, self.ledger_month, self.asked)
        if self.view == "chart":
            self.load_chart()

    def load(self, after: list[Cell] | None, number: int, before: Numbering) -> None:
        hold_keys(self)  # n, p, x typed ahead act on the page that is coming
        self.page_size = self._page_size()
        self._fetch(self.ledger, self.unit.code, self.ledger_month, after, number, before,
                    self.asked)  # fmt: skip

    @work(exclusive=True, group=LOAD_GROUP, exit_on_error=False)
    async def _fetch(self, ledger: Ledger, scope: str, month: date | None,
                     after: list[Cell] | None, number: int, before: Numbering,
                     asked: Asked) -> None:  # fmt: skip
        async with self.session.transaction() as conn:
            page = await ledger_page(conn, ledger.name, scope, month, after, self.page_size)
        self.post_message(LedgerPageLoaded(asked, page, number, after, before))

    @work(exclusive=True, group=COUNT_GROUP, exit_on_error=False)
    async def _count(self, ledger: Ledger, scope: str, month: date | None, asked: Asked) -> None:
        async with self.session.transaction() as conn:
            total = await count_rows(conn, ledger, scope, month)
        self.post_message(LedgerCounted(asked, total))

    def on_ledger_page_loaded(self, message: LedgerPageLoaded) -> None:
        if message.asked != self.asked:
            return  # for a choice since changed; its own load is on the way
        number = message.number
        self.page, self.number, self.problem = message.page, number, ""
        self.starts[number - 1 :] = [message.after]
        self.numberings[number - 1 :] = [message.before]
        self._show_rows()
        self._status()
        self.refresh_bindings()
        release_keys(self)

    def on_ledger_counted(self, message: LedgerCounted) -> None:
        if message.asked == self.asked:
            self.total = message.total
            self._status()

    def _page_size(self) -> int:
        # The rows that fit under the header, less the line of a sideways scrollbar and
        # the line that heads the rows listed apart. Before the first layout: 50.
        table = self.query_one(LedgerTable)
        visible = table.size.height - 1 - table.styles.scrollbar_size_horizontal
        if self.ledger.apart:
            visible -= 1
        return visible if visible > 0 else FALLBACK_PAGE_SIZE

    def _show_rows(self) -> None:
        if self.page is None:
            return
        table = self.query_one(LedgerTable)
        table.show(self.ledger, self.page.rows, self.numberings[self.number - 1], ui_lang(self))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next_page":
            return bool(self.view == "table" and self.page and self.page.after) or None
        if action == "previous_page":
            return (self.view == "table" and self.number > 1) or None
        if action == "choose_month":
            return self.ledger.by_month or None
        if action == "export":
            return not self.exporting or None
        return True

    def action_next_page(self) -> None:
        if self.page is not None and self.page.after is not None:
            before = self.numberings[self.number - 1].after(self.ledger, self.page.rows)
            self.load(self.page.after, self.number + 1, before)

    def action_previous_page(self) -> None:
        if self.number > 1:
            n = self.number - 1
            self.load(self.starts[n - 1], n, self.numberings[n - 1])

    def action_back(self) -> None:
        self.app.pop_screen()

    # Choosing the ledger, the unit and the month.

    def action_choose_ledger(self) -> None:
        lang = ui_lang(self)
        options = [(ledger.title(lang), ledger.name) for ledger in LEDGERS.values()]

        def chosen(name: str | None) -> None:
            if name is not None and name in LEDGERS:
                self.ledger = LEDGERS[name]
                self.refresh_bindings()
                self.reload()

        self.app.push_screen(ChoiceModal(_("Ledger"), options, self.ledger.name), chosen)

    def action_choose_unit(self) -> None:
        if self.units is None:
            hold_keys(self)  # the list's keys are for the list that is coming
            self._load_units(self.session.user.org_code)
        else:
            self._ask_unit(self.units)

    @work(exclusive=True, group=UNITS_GROUP, exit_on_error=False)
    async def _load_units(self, scope: str) -> None:
        async with self.session.transaction() as conn:
            units = await units_under(conn, scope)
        self.post_message(LedgerUnitsLoaded(units))

    def on_ledger_units_loaded(self, message: LedgerUnitsLoaded) -> None:
        self.units = message.units
        self._ask_unit(message.units)
        hand_keys_on(self)  # typed after `u`: they were meant for the list of units

    def _ask_unit(self, units: list[Unit]) -> None:
        top = LEVEL_DEPTH.get(len(self.session.user.org_code), 0)
        options = [
            ("  " * (LEVEL_DEPTH.get(len(u.code), 0) - top) + f"{u.name} {u.code}", u.code)
            for u in units
        ]
        names = {u.code: u.name for u in units}

        def chosen(code: str | None) -> None:
            if code is not None and code in names:
                self.unit = ChosenUnit(code, names[code])
                self.reload()

        self.app.push_screen(ChoiceModal(_("Unit"), options, self.unit.code), chosen)

    def action_choose_month(self) -> None:
        def chosen(month: date | None) -> None:
            if month is not None:
                self.month = month
                self.reload()

        self.app.push_screen(MonthModal(self.month), chosen)

    # The chart.

    def action_toggle_chart(self) -> None:
        self.view = "chart" if self.view == "table" else "table"
        if self.view == "chart":
            self.load_chart()
        else:
            self.query_one(ContentSwitcher).current = "ledger-rows"
        self._status()
        self.refresh_bindings()

    def load_chart(self) -> None:
        switcher = self.query_one(ContentSwitcher)
        switcher.current = "ledger-groups" if self.charts_groups else "ledger-trend"
        if self.charts_groups:
            self._load_groups(self.ledger.name, self.unit.code, self.asked)
        else:
            self._load_trend(self.unit.code, self.month, self.asked)

    @work(exclusive=True, group=CHART_GROUP, exit_on_error=False)
    async def _load_trend(self, scope: str, month: date, asked: Asked) -> None:
        async with self.session.transaction() as conn:
            trend = await monthly_trend(conn, scope, month)
        self.post_message(LedgerTrendLoaded(asked, trend))

    @work(exclusive=True, group=CHART_GROUP, exit_on_error=False)
    async def _load_groups(self, name: str, scope: str, asked: Asked) -> None:
        async with self.session.transaction() as conn:
            largest = await largest_groups(conn, name, scope)
        self.post_message(LedgerGroupsLoaded(asked, largest))

    def on_ledger_trend_loaded(self, message: LedgerTrendLoaded) -> None:
        if message.asked == self.asked:
            self.query_one(TrendChart).show(message.trend)
            self._status()

    def on_ledger_groups_loaded(self, message: LedgerGroupsLoaded) -> None:
        if message.asked == self.asked:
            self.query_one(GroupChart).show(message.largest)
            self._status()

    # Exporting.

    def action_export(self) -> None:
        if self.exporting:
            return
        month = self.ledger_month
        stem = "-".join([self.ledger.name, self.unit.code, *([f"{month:%Y-%m}"] if month else [])])

        def chosen(choice: ExportChoice | None) -> None:
            if choice is not None:
                self.start_export(choice)

        self.app.push_screen(LedgerExportModal(self._choice_text(), stem), chosen)

    def start_export(self, choice: ExportChoice) -> None:
        user = self.session.user
        request = LedgerExport(
            ledger=self.ledger.name, org=self.unit.code, month=self.ledger_month,
            format=choice.format, output=choice.path, purpose=choice.purpose,
            prepared_by=user.display_name or user.name,
            lang="en" if ui_lang(self) == "en" else "zh",
        )  # fmt: skip
        self.exporting = True
        bar = self.query_one(ProgressBar)
        bar.update(total=None, progress=0)
        bar.display = True
        self._result(_("Exporting to {path}…").format(path=choice.path))
        self.refresh_bindings()
        self._export(request)

    @work(exclusive=True, group=EXPORT_GROUP, exit_on_error=False)
    async def _export(self, request: LedgerExport) -> None:
        def total(n: int) -> None:
            self.post_message(LedgerExportProgress(total=n))

        def advance(n: int) -> None:
            self.post_message(LedgerExportProgress(advanced=n))

        async with self.session.transaction() as conn:
            done = await export_ledger(conn, request, on_total=total, advance=advance)
        self.post_message(LedgerExportDone(done))

    def on_ledger_export_progress(self, message: LedgerExportProgress) -> None:
        bar = self.query_one(ProgressBar)
        if message.total is not None:
            bar.update(total=message.total)
        if message.advanced:
            bar.advance(message.advanced)

    def on_ledger_export_done(self, message: LedgerExportDone) -> None:
        self._export_ended()
        done = message.done
        self._result(_("Wrote {rows} rows to {path}").format(rows=done.rows, path=done.path))

    def answer_failure(self, group: str, error: BaseException) -> bool:
        if group != EXPORT_GROUP:
            return False
        self._export_ended()
        self._result(_("Not exported") + ": " + reason(error))
        return True

    def _export_ended(self) -> None:
        self.exporting = False
        self.query_one(ProgressBar).display = False
        self.refresh_bindings()

    # Showing.

    def show_failure(self, failure: Failure, why: str) -> None:
        self.problem = _(failure.title) + ": " + why
        self._status()

    def _choice_text(self) -> str:
        lang = ui_lang(self)
        parts = [self.ledger.title(lang), f"{self.unit.name} {self.unit.code}"]
        if self.ledger.by_month:
            parts.append(month_label(self.month, lang))
        return " · ".join(parts)

    def _choice_line(self) -> None:
        self.query_one("#ledger-choice", Static).update(self._choice_text())

    def _result(self, text: str) -> None:
        self.result = text
        line = self.query_one("#ledger-result", Static)
        line.update(text)
        line.display = bool(text)

    def _status(self) -> None:
        if self.view == "chart":
            parts = [self._chart_caption()]
        else:
            parts = []
            if self.total is not None:
                pages = max(1, math.ceil(self.total / max(self.page_size, 1)))
                parts.append(_("{total} rows").format(total=self.total))
                parts.append(_("page {number} of {pages}").format(number=self.number, pages=pages))
            elif self.page is not None:
                parts.append(_("page {number}").format(number=self.number))
            if self.page is not None and not self.page.rows:
                parts.append(_("no rows"))
            if self.page is not None and any(is_apart(self.ledger, r) for r in self.page.rows):
                parts.append(PENDING_APART[ui_lang(self)])
        if self.problem:
            parts.append(self.problem)
        self.query_one("#ledger-status", Static).update(" · ".join(parts) or _("Loading…"))

    def _chart_caption(self) -> str:
        if self.charts_groups:
            return _("Registered persons: the 10 largest groups and the others together")
        first = self.month.replace(day=1)
        for _month in range(TREND_MONTHS - 1):
            first = last_month(first)
        lang = ui_lang(self)
        return _("{first} to {last}: approved visits and cases, referrals, per month").format(
            first=month_label(first, lang), last=month_label(self.month, lang)
        )

    def on_language_changed(self, message: LanguageChanged) -> None:
        translate_bindings(self)
        self._choice_line()
        self._show_rows()
        self.query_one(TrendChart).redraw()
        self.query_one(GroupChart).redraw()
        self._status()
        self.refresh_bindings()
