"""The representatives in the user's scope and their 三必谈: whether this week's phone
talk, this month's face-to-face talk and this year's Eid symposium are done, due or
overdue (a word, then its colour), the overdue first. From here a grid worker appoints
someone from the registry (a) or by name (n), retires the chosen one (d), and opens one
(Enter) to see their contacts and log the next."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from db.core.clock import today
from db.representatives.form import AppointInput, RetireInput
from db.representatives.store import RepresentativeRhythm, representative, retire, rhythm
from db.visits.form import VisitPerson
from tui.dialogs.appoint import AppointModal
from tui.dialogs.person_picker import PersonPickerModal
from tui.dialogs.retire import RetireModal
from tui.i18n import N_, _, translate_bindings
from tui.keys import hold_keys, release_keys
from tui.labels import STANDINGS, label
from tui.messages import LanguageChanged, RepresentativeChanged, RepresentativesLoaded
from tui.screens.failures import Failure, ReportsFailures
from tui.session import Session
from tui.widgets.key_footer import KeyFooter
from tui.widgets.rhythm_cells import talk_cell

LOAD_GROUP, RETIRE_GROUP = "representative-list-load", "representative-list-retire"
# The talks come first: at 80 columns they fit, what follows scrolls into view.
COLUMNS = (N_("Name"), N_("Weekly phone talk"), N_("Monthly face-to-face talk"),
           N_("Eid symposium"), N_("Standing"), N_("Kept by"))  # fmt: skip


def rhythm_cells(item: RepresentativeRhythm) -> list[Text]:
    """The three talks of a representative, each a word and its date."""
    return [
        talk_cell(item.phone_state, item.last_phone, item.phone_due),
        talk_cell(item.face_state, item.last_face, item.face_due),
        talk_cell(item.eid_state, item.last_eid, item.eid_due, item.eid_day),
    ]


class RegistryPickerModal(PersonPickerModal):
    """The person picker, titled for an appointment."""

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one(".dialog").border_title = _("Appoint someone from the registry")


class RepresentativeListScreen(ReportsFailures, Screen[None]):
    """Enter opens the chosen representative."""

    FAILURES: ClassVar[dict[str, Failure]] = {
        LOAD_GROUP: Failure(N_("Not done")),
        RETIRE_GROUP: Failure(N_("Not retired"), "release"),
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,b", "back", N_("Back"), key_display="b"),
        Binding("enter,o", "open", N_("Open"), tooltip=N_("Their contacts; log the next")),
        Binding("a", "appoint(True)", N_("Appoint"),
                tooltip=N_("Appoint someone from the registry")),
        Binding("n", "appoint(False)", N_("By name"),
                tooltip=N_("Appoint someone not registered, by name")),
        Binding("d", "retire", N_("Retire"), tooltip=N_("Retire the chosen representative")),
        Binding("r", "reload", N_("Refresh"), show=False),
    ]  # fmt: skip

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.items: list[RepresentativeRhythm] = []
        self.last = ""  # what the status line said last, as a msgid with its values
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(_("Representatives (三必谈)"), id="representatives-title", markup=False)
        yield DataTable(id="representatives", cursor_type="row", zebra_stripes=True)
        yield Static("", id="representatives-status", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        hold_keys(self)  # Enter or d typed ahead act on the list once it is here
        self._fetch()

    @work(exclusive=True, group=LOAD_GROUP, exit_on_error=False)
    async def _fetch(self) -> None:
        async with self.session.transaction() as conn:
            items = await rhythm(conn, today())
        self.post_message(RepresentativesLoaded(items))

    def on_representatives_loaded(self, message: RepresentativesLoaded) -> None:
        self.items = message.items
        self._show()
        self.refresh_bindings()
        release_keys(self)

    def _show(self) -> None:
        table = self.query_one("#representatives", DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        for column in COLUMNS:
            table.add_column(_(column))
        for item in self.items:
            table.add_row(Text(item.name or "—"), *rhythm_cells(item),
                          label(STANDINGS, item.standing), Text(item.unit_name))  # fmt: skip
        table.move_cursor(row=min(max(row, 0), max(len(self.items) - 1, 0)))
        status = self.last or (
            _("No representatives in your area yet.")
            if not self.items
            else _("{count} representatives").format(count=len(self.items))
        )
        self.query_one("#representatives-status", Static).update(status)

    def _chosen(self) -> RepresentativeRhythm | None:
        table = self.query_one("#representatives", DataTable)
        if not self.items or table.cursor_row < 0:
            return None
        return self.items[min(table.cursor_row, len(self.items) - 1)]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("appoint", "retire"):
            return self.session.writes_persons and (action == "appoint" or bool(self.items))
        if action == "open":
            return bool(self.items)
        return True

    def action_appoint(self, registered: bool) -> None:
        def appointed(appointment: AppointInput | None) -> None:
            if appointment is not None:
                self.last = _("Appointed.")
                self.action_reload()

        def picked(person: VisitPerson | None) -> None:
            if person is not None:
                self.app.push_screen(AppointModal(self.session, person), appointed)

        if registered:
            self.app.push_screen(RegistryPickerModal(self.session, set()), picked)
        else:
            self.app.push_screen(AppointModal(self.session, None), appointed)

    def action_retire(self) -> None:
        item = self._chosen()
        if item is None or not self.session.writes_persons:
            return

        def chosen(retirement: RetireInput | None) -> None:
            if retirement is not None:
                hold_keys(self)
                self._store_retirement(item, retirement)

        self.app.push_screen(RetireModal(item.name or "—", item.appointed_on), chosen)

    @work(exclusive=True, group=RETIRE_GROUP, exit_on_error=False)
    async def _store_retirement(self, item: RepresentativeRhythm, retirement: RetireInput) -> None:
        async with self.session.transaction() as conn:
            stored = await representative(conn, item.city_code, item.id)
            version = stored.version if stored is not None else 0
            await retire(conn, item.city_code, item.id, version, retirement)
        self.post_message(RepresentativeChanged("retired"))

    def on_representative_changed(self, message: RepresentativeChanged) -> None:
        self.last = _("Retired.")
        self.action_reload()

    @on(DataTable.RowSelected, "#representatives")
    def row_chosen(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    def action_open(self) -> None:
        item = self._chosen()
        if item is None:
            return
        from tui.screens.representative_record import RepresentativeScreen

        screen = RepresentativeScreen(self.session, item.city_code, item.id)
        self.app.push_screen(screen, lambda _changed: self.action_reload())

    def action_back(self) -> None:
        self.app.pop_screen()

    def on_language_changed(self, message: LanguageChanged) -> None:
        translate_bindings(self)
        self.query_one("#representatives-title", Static).update(_("Representatives (三必谈)"))
        self.last = ""
        self._show()
        self.refresh_bindings()
