"""One person's full record: details and household; full identifiers only with a purpose."""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static
from textual.worker import Worker, WorkerState

from db.connect import Pool
from db.crypto import Field, Keyring
from db.identifiers import reveal
from db.models import HouseholdRow, PersonDetail
from db.records import open_person
from db.session import user_transaction
from db.users import AppUser
from tui.errors import one_line
from tui.i18n import N_, _, translate_bindings
from tui.messages import IdentifierRevealed, LanguageChanged, PersonOpened, RecordFailed
from tui.screens.purpose import PurposeModal
from tui.widgets.person_table import SEXES, STATUSES

LOAD_GROUP = "person-record-load"
REVEAL_GROUP = "person-record-reveal"
PERMITS = {
    "none": N_("None"),
    "applied": N_("Applied for"),
    "issued": N_("Issued"),
    "expired": N_("Expired"),
}
RELATIONS = {
    "spouse": N_("Spouse"),
    "child": N_("Child"),
    "parent": N_("Parent"),
    "sibling": N_("Sibling"),
    "other": N_("Other"),
}
SCHOOLING = {
    "n/a": "",
    "preschool": N_("Pre-school"),
    "enrolled": N_("At school"),
    "not_enrolled": N_("Not at school"),
}


class PersonRecordScreen(Screen[None]):
    """The record of one person in the user's scope; opening it is audited."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,b", "back", N_("Back"), key_display="b"),
        Binding("i", "reveal('id_number')", N_("Full ID"), tooltip=N_("Show the full ID number")),
        Binding("t", "reveal('phone')", N_("Full phone"), tooltip=N_("Show the full phone number")),
    ]

    def __init__(
        self, pool: Pool, user: AppUser, keyring: Keyring | None, city_code: str, person_id: UUID
    ) -> None:
        super().__init__()
        self.pool, self.user, self.keyring = pool, user, keyring
        self.city_code, self.person_id = city_code, person_id
        self.detail: PersonDetail | None = None
        self.household: list[HouseholdRow] = []
        self.revealed: dict[str, str | None] = {}
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(_("Loading…"), id="record", markup=False)
        yield Static(_("Household"), id="household-title", markup=False)
        yield DataTable(id="household", cursor_type="row", zebra_stripes=True)
        # ctrl+p (commands) is listed in help; at 80 columns its room goes to the screen's keys.
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.load_record()

    @work(exclusive=True, group=LOAD_GROUP, exit_on_error=False)
    async def load_record(self) -> None:
        async with user_transaction(self.pool, self.user) as conn:
            detail, household = await open_person(conn, self.city_code, self.person_id)
        self.post_message(PersonOpened(detail, household))

    @work(exclusive=True, group=REVEAL_GROUP, exit_on_error=False)
    async def reveal_identifier(self, field: Field, purpose: str) -> None:
        if self.keyring is None:
            raise RuntimeError(_("No key file: full numbers cannot be shown here."))
        async with user_transaction(self.pool, self.user) as conn:
            value = await reveal(conn, self.keyring, self.city_code, self.person_id, field, purpose)
        self.post_message(IdentifierRevealed(field, value))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.group in (LOAD_GROUP, REVEAL_GROUP):
            assert event.worker.error is not None
            self.post_message(RecordFailed(one_line(event.worker.error)))

    def on_person_opened(self, message: PersonOpened) -> None:
        self.detail, self.household = message.detail, message.household
        self._show_record()

    def on_identifier_revealed(self, message: IdentifierRevealed) -> None:
        self.revealed[message.field] = message.value
        self._show_record()

    def on_record_failed(self, message: RecordFailed) -> None:
        self.notify(message.reason, title=_("Cannot show the record"), severity="error")

    def on_language_changed(self, message: LanguageChanged) -> None:
        translate_bindings(self)
        self.query_one("#household-title", Static).update(_("Household"))
        if self.detail is not None:
            self._show_record()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_reveal(self, field: Field) -> None:
        if self.detail is None:
            return
        what = _("Full ID number of {name}") if field == "id_number" else _("Full phone of {name}")

        def chosen(purpose: str | None) -> None:
            if purpose:
                self.reveal_identifier(field, purpose)

        self.app.push_screen(PurposeModal(what.format(name=self.detail.name)), chosen)

    def _show_record(self) -> None:
        assert self.detail is not None
        self.query_one("#record", Static).update(details_table(self.detail, self.revealed))
        table = self.query_one("#household", DataTable)
        table.clear(columns=True)
        for label in (N_("Name"), N_("Relation"), N_("Sex"), N_("Born"), N_("School")):
            table.add_column(_(label))
        for member in self.household:
            table.add_row(
                Text(member.name),
                _(RELATIONS.get(member.relation, member.relation)),
                _(SEXES.get(member.sex, "")),
                member.birth_date.isoformat(),
                _(label) if (label := SCHOOLING[member.school_status]) else "",
            )


def languages(detail: PersonDetail) -> str:
    spoken = " ".join(detail.languages)
    return f"{spoken} · {_('interpreter needed')}" if detail.interpreter_needed else spoken


def details_table(detail: PersonDetail, revealed: dict[str, str | None]) -> Table:
    """Label and value pairs; identifiers masked unless revealed on this screen."""
    id_number = revealed.get("id_number") or detail.id_number_masked or ""
    phone = revealed.get("phone") or detail.phone_masked or ""
    missing = Text(_("(missing)"), style="bold red")
    rows: list[tuple[str, str | Text]] = [
        (N_("Name"), detail.name),
        (N_("Sex"), _(SEXES.get(detail.sex, ""))),
        (N_("Ethnicity"), detail.ethnic_name),
        (N_("Born"), detail.birth_date.isoformat()),
        (N_("ID number"), id_number),
        (N_("Phone"), phone),
        (N_("From"), f"{detail.origin_name or ''} {detail.origin_address}".strip() or missing),
        (N_("Address here"), detail.current_address or missing),
        (N_("Occupation"), detail.occupation or missing),
        (N_("Employer"), detail.employer),
        (N_("Arrived"), detail.arrival_date.isoformat() if detail.arrival_date else ""),
        (N_("Residence permit"), _(PERMITS[detail.residence_permit])),
        (N_("Languages"), languages(detail)),
        (N_("Grid"), f"{detail.community_name} {detail.grid_name}"),
        (N_("Status"), _(STATUSES[detail.status])),
        (N_("Notes"), detail.notes),
    ]
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for label, value in rows:
        table.add_row(_(label), value if isinstance(value, Text) else Text(value))
    return table
