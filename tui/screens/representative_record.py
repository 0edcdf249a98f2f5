"""One representative: who they are, their 三必谈 today and their contacts since the
appointment. p, f and g log a phone talk, a face-to-face talk and the Eid symposium: on
the visit form with their person when they are registered (the visit is reviewed like
any other), as a contact record otherwise. d retires them. The home screen opens this
for one representative due or overdue."""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID, uuid4

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from db.core.clock import today
from db.persons.identifiers import NotVisible
from db.representatives.form import ContactInput, RetireInput
from db.representatives.store import (
    ContactLine,
    Representative,
    RepresentativeRhythm,
    contacts_of,
    log_contact,
    representative,
    retire,
    rhythm_of,
)  # fmt: skip
from db.visits.form import VisitForm, VisitPerson
from tui.dialogs.contact import ContactModal
from tui.dialogs.retire import RetireModal
from tui.i18n import N_, _, translate_bindings
from tui.keys import hold_keys, release_keys
from tui.labels import SEXES, STANDINGS, VISIT_KINDS, VISIT_STATUSES, label
from tui.messages import LanguageChanged, RepresentativeChanged, RepresentativeOpened
from tui.screens.failures import Failure, ReportsFailures
from tui.session import Session
from tui.widgets.key_footer import KeyFooter
from tui.widgets.rhythm_cells import state_word, talk_cell

LOAD_GROUP = "representative-load"
SAVE_GROUP = "representative-save"
COLUMNS = (N_("Date"), N_("Kind"), N_("Status"), N_("What was talked about"))
TALKS = (N_("Weekly phone talk"), N_("Monthly face-to-face talk"), N_("Eid symposium"))


class RepresentativeScreen(ReportsFailures, Screen[bool]):
    """Dismissed with True when something was recorded here."""

    FAILURES: ClassVar[dict[str, Failure]] = {
        LOAD_GROUP: Failure(N_("Cannot show the representative")),
        SAVE_GROUP: Failure(N_("Not recorded"), "release"),
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,b", "back", N_("Back"), key_display="b"),
        Binding("p", "log('phone_call')", N_("Phone talk"), tooltip=N_("Log a phone talk")),
        Binding("f", "log('face_to_face')", N_("Face to face"),
                tooltip=N_("Log a face-to-face talk")),
        Binding("g", "log('festival')", N_("Eid symposium"),
                tooltip=N_("Log their attendance at the Eid symposium")),
        Binding("d", "retire", N_("Retire"), show=False, tooltip=N_("Retire the representative")),
    ]  # fmt: skip

    def __init__(self, session: Session, city_code: str, rep_id: UUID) -> None:
        super().__init__()
        self.session, self.city_code, self.rep_id = session, city_code, rep_id
        self.record: Representative | None = None
        self.rhythm: RepresentativeRhythm | None = None
        self.contacts: list[ContactLine] = []
        self.changed = False
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(_("Loading…"), id="representative-title", markup=False)
        yield Static("", id="representative-details", markup=False)
        yield Static("", id="representative-rhythm")
        yield DataTable(id="representative-contacts", cursor_type="row", zebra_stripes=True)
        yield Static("", id="representative-status", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.load()

    def load(self) -> None:
        hold_keys(self)  # p, f, g typed ahead act on the record once it is here
        self._fetch()

    @work(exclusive=True, group=LOAD_GROUP, exit_on_error=False)
    async def _fetch(self) -> None:
        async with self.session.transaction() as conn:
            record = await representative(conn, self.city_code, self.rep_id)
            if record is None:
                raise NotVisible("representative: not found in your scope")
            rhythm = await rhythm_of(conn, self.city_code, self.rep_id, today())
            contacts = await contacts_of(conn, record)
        self.post_message(RepresentativeOpened(record, rhythm, contacts))

    def on_representative_opened(self, message: RepresentativeOpened) -> None:
        self.record, self.rhythm, self.contacts = message.record, message.rhythm, message.contacts
        self._show()
        self.refresh_bindings()
        release_keys(self)

    def _show(self) -> None:
        record = self.record
        if record is None:
            return
        name = record.name or "—"
        state = _("retired {day}").format(day=record.retired_on) if record.retired_on else ""
        title = f"{name} · {label(STANDINGS, record.standing)} · {record.unit_name} {state}"
        self.query_one("#representative-title", Static).update(title.strip())
        facts = [
            _(SEXES[record.sex]) if record.sex in SEXES else "",
            record.ethnic_name or "",
            _("born {day}").format(day=record.birth_date) if record.birth_date else "",
            " ".join(p for p in (record.employer, record.post) if p),
            record.social_posts,
            _("appointed {day}").format(day=record.appointed_on),
            _("registered person") if record.person_id else _("appointed by name"),
        ]
        self.query_one("#representative-details", Static).update(" · ".join(f for f in facts if f))
        self.query_one("#representative-rhythm", Static).update(self._rhythm_line())
        table = self.query_one("#representative-contacts", DataTable)
        table.clear(columns=True)
        for column in COLUMNS:
            table.add_column(_(column))
        for line in self.contacts:
            status = label(VISIT_STATUSES, line.status) if line.status else _("Recorded")
            table.add_row(line.day.isoformat(), label(VISIT_KINDS, line.kind), status,
                          Text(line.notes.splitlines()[0] if line.notes else ""))  # fmt: skip

    def _rhythm_line(self) -> Text:
        item = self.rhythm
        if item is None:
            return Text(_("Not serving: no talks are owed."), style="dim")
        cells = (talk_cell(item.phone_state, item.last_phone, item.phone_due),
                 talk_cell(item.face_state, item.last_face, item.face_due),
                 talk_cell(item.eid_state, item.last_eid, item.eid_due, item.eid_day))  # fmt: skip
        line = Text.assemble(state_word(item.state), "  ")
        for talk, cell in zip(TALKS, cells, strict=True):
            line.append_text(Text.assemble(_("{talk}: ").format(talk=_(talk)), cell, "  "))
        return line

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("log", "retire"):
            return self.session.writes_persons and self.rhythm is not None
        return True

    def action_log(self, kind: str) -> None:
        record = self.record
        if record is None or self.rhythm is None:
            return
        if record.person_id is not None:
            from tui.screens.visit_form import VisitFormScreen

            person = VisitPerson(city_code=record.city_code, id=record.person_id,
                                 name=record.name or "")  # fmt: skip
            seed = VisitForm(id=uuid4(), kind=kind, visited_on=today().isoformat(),
                             persons=[person])  # fmt: skip
            screen = VisitFormScreen(self.session, record.city_code, seed.id, seed=seed)
            self.app.push_screen(screen, lambda _done: self._recorded())
            return

        def chosen(contact: ContactInput | None) -> None:
            if contact is not None:
                hold_keys(self)
                self._store_contact(contact)

        self.app.push_screen(ContactModal(record.name or "—", kind, record.appointed_on), chosen)

    def _recorded(self) -> None:
        self.changed = True
        self.load()

    @work(exclusive=True, group=SAVE_GROUP, exit_on_error=False)
    async def _store_contact(self, contact: ContactInput) -> None:
        async with self.session.transaction() as conn:
            await log_contact(conn, self.city_code, self.rep_id, contact)
        self.post_message(RepresentativeChanged("contact"))

    def action_retire(self) -> None:
        record = self.record
        if record is None:
            return

        def chosen(retirement: RetireInput | None) -> None:
            if retirement is not None:
                hold_keys(self)
                self._store_retirement(record.version, retirement)

        self.app.push_screen(RetireModal(record.name or "—", record.appointed_on), chosen)

    @work(exclusive=True, group=SAVE_GROUP, exit_on_error=False)
    async def _store_retirement(self, version: int, retirement: RetireInput) -> None:
        async with self.session.transaction() as conn:
            await retire(conn, self.city_code, self.rep_id, version, retirement)
        self.post_message(RepresentativeChanged("retired"))

    def on_representative_changed(self, message: RepresentativeChanged) -> None:
        said = {"contact": _("Contact recorded."), "retired": _("Retired.")}
        self.query_one("#representative-status", Static).update(said[message.what])
        self._recorded()

    @on(DataTable.RowSelected, "#representative-contacts")
    def contact_chosen(self, event: DataTable.RowSelected) -> None:
        if event.cursor_row >= len(self.contacts):
            return
        line = self.contacts[event.cursor_row]
        if line.source == "visit":
            from tui.screens.visit_form import VisitFormScreen

            screen = VisitFormScreen(self.session, line.city_code, line.id)
            self.app.push_screen(screen, lambda _done: self._recorded())

    def action_back(self) -> None:
        self.dismiss(self.changed)

    def on_language_changed(self, message: LanguageChanged) -> None:
        translate_bindings(self)
        self._show()
        self.refresh_bindings()
