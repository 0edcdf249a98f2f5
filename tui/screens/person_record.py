"""One person's record: details, household, visits, needs and disputes; its actions.

Full identifiers show only with a stated purpose. From here a grid worker edits
the record, logs a visit, records a need raised without a visit, follows a need up
(Enter on it opens its referral), and records a status change or a hand-over.
"""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static, TabbedContent, TabPane

from db.audit.entries import TrailPerson
from db.keys.crypto import Field
from db.persons.activity import Activity, person_activity
from db.persons.consent import (
    REGISTRATION_SCOPE,
    ConsentRecord,
    consents_of,
    open_consents,
    record_consent,
    withdraw_consent,
)
from db.persons.history import Earlier
from db.persons.identifiers import reveal
from db.persons.models import HouseholdRow, PersonDetail
from db.persons.records import open_person
from db.persons.save import change_status, grids_under, hand_over
from tui.dialogs.consent import ConsentChange, ConsentModal
from tui.dialogs.purpose import PurposeModal
from tui.dialogs.status import StatusChange, StatusModal
from tui.i18n import N_, _, translate_bindings
from tui.keys import hand_keys_on, hold_keys, release_keys
from tui.labels import (
    DISPUTE_KINDS,
    DISPUTE_STAGES,
    NEED_CATEGORIES,
    NEED_STATUSES,
    STATUSES,
    VISIT_KINDS,
    VISIT_STATUSES,
    label,
)  # fmt: skip
from tui.messages import (
    ConsentRecorded,
    GridsLoaded,
    IdentifierRevealed,
    LanguageChanged,
    PersonOpened,
    StatusChanged,
)
from tui.screens.case_form import CaseFormScreen
from tui.screens.failures import Failure, ReportsFailures
from tui.screens.need_intake import NeedIntakeScreen
from tui.screens.person_details import consent_cells, details_table, household_cells
from tui.screens.person_form import FormOutcome, PersonFormScreen
from tui.screens.person_trail import READERS as TRAIL_READERS
from tui.screens.person_trail import PersonTrailScreen
from tui.screens.referral_form import ReferralFormScreen
from tui.screens.visit_form import VisitFormScreen
from tui.session import Session
from tui.widgets.key_footer import KeyFooter

LOAD_GROUP = "person-record-load"
REVEAL_GROUP = "person-record-reveal"
STATUS_GROUP = "person-record-status"
CONSENT_GROUP = "person-record-consent"
TABS = (
    ("details", N_("Details")),
    ("household", N_("Household")),
    ("visits", N_("Visits")),
    ("needs", N_("Needs and disputes")),
    ("consent", N_("Consent records")),
)
COLUMNS = {
    "household": (N_("Name"), N_("Relation"), N_("Sex"), N_("Born"), N_("School")),
    "visit-list": (N_("Date"), N_("Kind"), N_("Status"), N_("Persons"), N_("Needs")),
    "need-list": (N_("Category"), N_("What is needed"), N_("Department"), N_("Status"), N_("Due")),
    "dispute-list": (N_("Dispute"), N_("Summary"), N_("Status"), N_("Taken in")),
    "earlier-list": (N_("Date"), N_("Record"), N_("Kind"), N_("Status"), N_("Summary"),
                     N_("Grid")),
    "consent-list": (N_("Legal basis"), N_("Since"), N_("Withdrawn"), N_("Recorded by"),
                     N_("Note")),
}  # fmt: skip


EARLIER_TITLE = N_("Earlier, kept by grids the person has left (read only)")
# What each earlier record is, and the table of labels of its kind and its status.
EARLIER = {
    "visit": (N_("Visit"), VISIT_KINDS, VISIT_STATUSES),
    "need": (N_("Need"), NEED_CATEGORIES, NEED_STATUSES),
    "case": (N_("Dispute"), DISPUTE_KINDS, VISIT_STATUSES),
}


def earlier_cells(record: Earlier) -> list[Text | str]:
    what, kinds, statuses = EARLIER[record.what]
    return [
        record.on_date.isoformat(), _(what), label(kinds, record.kind),
        label(statuses, record.status), Text(record.summary), Text(record.grid_name),
    ]  # fmt: skip


class PersonRecordScreen(ReportsFailures, Screen[bool]):
    """The record of one person in the user's scope; opening it is audited.

    Dismissed with True when the person left the user's scope (handed over).
    """

    FAILURES: ClassVar[dict[str, Failure]] = {
        group: Failure(N_("Cannot show the record"))
        for group in (LOAD_GROUP, REVEAL_GROUP, STATUS_GROUP, CONSENT_GROUP)
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,b", "back", N_("Back"), key_display="b"),
        Binding("e", "edit", N_("Edit"), tooltip=N_("Correct the record")),
        Binding("v", "visit", N_("Visit"), tooltip=N_("Log a visit or contact with this person")),
        Binding("s", "status", N_("Status"),
                tooltip=N_("Hand over to another grid, left the city, returned")),
        # Rare and audited: listed in help, not in the footer, which keeps room at 80 columns.
        Binding("i", "reveal('id_number')", N_("Full ID"), show=False,
                tooltip=N_("Show the full ID number")),
        Binding("t", "reveal('phone')", N_("Full phone"), show=False,
                tooltip=N_("Show the full phone number")),
        Binding("1", "tab('details')", N_("Details"), show=False),
        Binding("2", "tab('household')", N_("Household"), show=False),
        Binding("3", "tab('visits')", N_("Visits"), show=False),
        Binding("4", "tab('needs')", N_("Needs and disputes"), show=False),
        Binding("5", "tab('consent')", N_("Consent records"), show=False),
        Binding("c", "consent", N_("Consent"),
                tooltip=N_("Record a consent, a statutory duty or a withdrawal")),
        Binding("h", "trail", N_("Trail"), tooltip=N_("Who saw and changed this record")),
        Binding("n", "raise_need", N_("Need"), show=False,
                tooltip=N_("Record a need raised at the window, on the hotline or online")),
    ]  # fmt: skip

    def __init__(self, session: Session, city_code: str, person_id: UUID) -> None:
        super().__init__()
        self.session = session
        self.city_code, self.person_id = city_code, person_id
        self.detail: PersonDetail | None = None
        self.household: list[HouseholdRow] = []
        self.activity: Activity | None = None
        self.consents: list[ConsentRecord] = []
        self.revealed: dict[str, str | None] = {}
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(_("Loading…"), id="record-title", markup=False)
        with TabbedContent(id="record-tabs"):
            with TabPane(_("Details"), id="details"):
                yield Static("", id="record")
            with TabPane(_("Household"), id="household-tab"):
                yield DataTable(id="household", cursor_type="row", zebra_stripes=True)
            with TabPane(_("Visits"), id="visits"):
                yield DataTable(id="visit-list", cursor_type="row", zebra_stripes=True)
                yield Static(_(EARLIER_TITLE), id="earlier-title", markup=False)
                yield DataTable(id="earlier-list", cursor_type="row", zebra_stripes=True)
            with TabPane(_("Needs and disputes"), id="needs"):
                yield DataTable(id="need-list", cursor_type="row", zebra_stripes=True)
                yield DataTable(id="dispute-list", cursor_type="row", zebra_stripes=True)
            with TabPane(_("Consent records"), id="consent"):
                yield DataTable(id="consent-list", cursor_type="row", zebra_stripes=True)
        # ctrl+p (commands) is listed in help; at 80 columns its room goes to the screen's keys.
        yield KeyFooter()

    def on_mount(self) -> None:
        self.load_record()

    # Workers.

    def load_record(self) -> None:
        hold_keys(self)  # e, v, s typed ahead act on the record once it is here
        self._fetch_record()

    @work(exclusive=True, group=LOAD_GROUP, exit_on_error=False)
    async def _fetch_record(self) -> None:
        async with self.session.transaction() as conn:
            detail, household = await open_person(conn, self.city_code, self.person_id)
            activity = await person_activity(conn, self.city_code, self.person_id)
            consents = await consents_of(conn, self.city_code, self.person_id)
        self.post_message(PersonOpened(detail, household, activity, consents))

    @work(exclusive=True, group=REVEAL_GROUP, exit_on_error=False)
    async def reveal_identifier(self, field: Field, purpose: str) -> None:
        keys = self.session.keyring
        async with self.session.transaction() as conn:
            value = await reveal(conn, keys, self.city_code, self.person_id, field, purpose)
        self.post_message(IdentifierRevealed(field, value))

    @work(exclusive=True, group=STATUS_GROUP, exit_on_error=False)
    async def load_grids(self) -> None:
        async with self.session.transaction() as conn:
            grids = await grids_under(conn, self.city_code)
        self.post_message(GridsLoaded(grids))

    @work(exclusive=True, group=STATUS_GROUP, exit_on_error=False)
    async def apply_status(self, change: StatusChange, version: int) -> None:
        async with self.session.transaction() as conn:
            if change.action == "hand_over":
                assert change.grid is not None
                await hand_over(
                    conn, self.city_code, self.person_id, version, change.grid, change.on,
                    change.note,
                )  # fmt: skip
            else:
                status = "left_city" if change.action == "left_city" else "registered"
                await change_status(
                    conn, self.city_code, self.person_id, version, status, change.on
                )
        self.post_message(StatusChanged(change))

    @work(exclusive=True, group=CONSENT_GROUP, exit_on_error=False)
    async def apply_consent(self, change: ConsentChange, org_code: str) -> None:
        async with self.session.transaction() as conn:
            if change.action == "withdrawn":
                for consent in open_consents(self.consents):
                    await withdraw_consent(conn, self.city_code, consent.id, change.on,
                                           change.note)  # fmt: skip
            else:
                await record_consent(conn, ConsentRecord(
                    city_code=self.city_code, person_id=self.person_id, org_code=org_code,
                    basis=change.action, scope=REGISTRATION_SCOPE, given_on=change.on,
                    note=change.note,
                ))  # fmt: skip
        self.post_message(ConsentRecorded(change.action == "withdrawn"))

    # Results.

    def on_person_opened(self, message: PersonOpened) -> None:
        self.detail, self.household = message.detail, message.household
        self.activity, self.consents = message.activity, message.consents
        self._show_record()
        self.refresh_bindings()
        release_keys(self)

    def on_identifier_revealed(self, message: IdentifierRevealed) -> None:
        self.revealed[message.field] = message.value
        self._show_record()

    def on_status_changed(self, message: StatusChanged) -> None:
        if message.change.action == "hand_over":
            self.notify(_("Handed over: the receiving grid now has the record."))
            self.dismiss(True)
            return
        self.notify(_("Status recorded."))
        self.load_record()

    def on_consent_recorded(self, message: ConsentRecorded) -> None:
        self.notify(_("Withdrawal recorded.") if message.withdrawn else _("Legal basis recorded."))
        self.load_record()

    def on_language_changed(self, message: LanguageChanged) -> None:
        translate_bindings(self)
        tabs = self.query_one(TabbedContent)
        for pane_id, title in TABS:
            tabs.get_tab(pane_id if pane_id != "household" else "household-tab").label = _(title)
        self.query_one("#earlier-title", Static).update(_(EARLIER_TITLE))
        if self.detail is not None:
            self._show_record()
        self.refresh_bindings()

    # Actions.

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        there = self.detail is not None
        if action in ("edit", "visit", "consent", "raise_need"):
            return self.session.writes_persons and there
        if action == "status":
            return self.session.user.role_kind != "auditor" and there
        if action == "trail":
            return self.session.user.role_kind in TRAIL_READERS and there
        return True

    def action_back(self) -> None:
        self.dismiss(False)

    def action_trail(self) -> None:
        if self.detail is None:
            return
        person = TrailPerson(city_code=self.city_code, id=self.person_id, name=self.detail.name)
        self.app.push_screen(PersonTrailScreen(self.session, person))

    def action_tab(self, pane: str) -> None:
        self.query_one(TabbedContent).active = pane if pane != "household" else "household-tab"

    def action_edit(self) -> None:
        def edited(outcome: FormOutcome | None) -> None:
            if outcome is not None:
                self.notify(_("Saved."))
                self.load_record()

        target = (self.city_code, self.person_id)
        self.app.push_screen(PersonFormScreen(self.session, target), edited)

    def action_visit(self) -> None:
        if self.detail is None:
            return
        self.app.push_screen(
            VisitFormScreen.for_person(self.session, self.detail), lambda _done: self.load_record()
        )

    @on(DataTable.RowSelected, "#visit-list")
    def open_visit(self, event: DataTable.RowSelected) -> None:
        if self.activity is None or event.cursor_row >= len(self.activity.visits):
            return
        visit = self.activity.visits[event.cursor_row]
        self.app.push_screen(
            VisitFormScreen(self.session, visit.city_code, visit.id),
            lambda _done: self.load_record(),
        )

    @on(DataTable.RowSelected, "#dispute-list")
    def open_dispute(self, event: DataTable.RowSelected) -> None:
        if self.activity is None or event.cursor_row >= len(self.activity.disputes):
            return
        case = self.activity.disputes[event.cursor_row]
        self.app.push_screen(
            CaseFormScreen(self.session, case.city_code, case.id),
            lambda _done: self.load_record(),
        )

    def action_raise_need(self) -> None:
        if self.detail is None:
            return
        self.app.push_screen(NeedIntakeScreen(self.session, self.detail), self._reload_if)

    def _reload_if(self, changed: bool | None) -> None:
        if changed:
            self.load_record()

    @on(DataTable.RowSelected, "#need-list")
    def open_referral(self, event: DataTable.RowSelected) -> None:
        if self.activity is None or event.cursor_row >= len(self.activity.needs):
            return
        need = self.activity.needs[event.cursor_row]
        screen = ReferralFormScreen(self.session, self.city_code, need.id)
        self.app.push_screen(screen, lambda _done: self.load_record())

    def action_status(self) -> None:
        hold_keys(self)  # keys typed ahead go to the dialog, once it is shown
        self.load_grids()

    def on_grids_loaded(self, message: GridsLoaded) -> None:
        if self.detail is None:
            release_keys(self)
            return
        version = self.detail.version

        def chosen(change: StatusChange | None) -> None:
            if change is not None:
                hold_keys(self)  # until the change is stored: a hand-over closes the record
                self.apply_status(change, version)

        grids = [(code, name) for code, name in message.grids if code != self.detail.org_code]
        self.app.push_screen(StatusModal(self.detail.name, self.detail.status, grids), chosen)
        hand_keys_on(self)

    def action_consent(self) -> None:
        if self.detail is None:
            return
        org_code = self.detail.org_code
        standing = [c.given_on for c in open_consents(self.consents)]

        def chosen(change: ConsentChange | None) -> None:
            if change is not None:
                hold_keys(self)  # until it is stored and the record shows it
                self.apply_consent(change, org_code)

        modal = ConsentModal(self.detail.name, max(standing) if standing else None)
        self.app.push_screen(modal, chosen)

    def action_reveal(self, field: Field) -> None:
        if self.detail is None:
            return
        what = _("Full ID number of {name}") if field == "id_number" else _("Full phone of {name}")

        def chosen(purpose: str | None) -> None:
            if purpose:
                self.reveal_identifier(field, purpose)

        self.app.push_screen(PurposeModal(what.format(name=self.detail.name)), chosen)

    # Showing.

    def _show_record(self) -> None:
        detail = self.detail
        assert detail is not None
        title = f"{detail.name} · {_(STATUSES[detail.status])} · {detail.community_name}"
        self.query_one("#record-title", Static).update(f"{title} {detail.grid_name}")
        self.query_one("#record", Static).update(
            details_table(detail, self.revealed, self.consents)
        )
        self._fill("household", [household_cells(m) for m in self.household])
        self._fill("consent-list", [consent_cells(c) for c in self.consents])
        activity = self.activity
        if activity is None:
            return
        self._fill("visit-list", [
            [v.visited_on.isoformat(), label(VISIT_KINDS, v.kind),
             label(VISIT_STATUSES, v.status), Text(v.persons), str(v.needs)]
            for v in activity.visits
        ])  # fmt: skip
        self._fill("need-list", [
            [label(NEED_CATEGORIES, n.category), Text(n.description), n.department or "",
             label(NEED_STATUSES, n.status), n.due_on.isoformat() if n.due_on else ""]
            for n in activity.needs
        ])  # fmt: skip
        self._fill("dispute-list", [
            [label(DISPUTE_KINDS, d.kind), Text(d.summary), label(DISPUTE_STAGES, d.stage),
             d.opened_on.isoformat()]
            for d in activity.disputes
        ])  # fmt: skip
        self._fill("earlier-list", [earlier_cells(e) for e in activity.earlier])
        for earlier in ("#earlier-title", "#earlier-list"):
            self.query_one(earlier).display = bool(activity.earlier)

    def _fill(self, table_id: str, rows: list[list[Text | str]]) -> None:
        table = self.query_one(f"#{table_id}", DataTable)
        table.clear(columns=True)
        for column in COLUMNS[table_id]:
            table.add_column(_(column))
        for row in rows:
            table.add_row(*row)
