"""Appointing a representative: a person chosen from the registry, or someone by name
(with sex, ethnicity, date of birth and the unit that keeps them); then their standing,
employer, post, social posts and the day of the appointment. ctrl+s checks and stores
it; a problem is named in one line and the boxes stay as typed."""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import uuid4

from pydantic import ValidationError
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static

from db.core.clock import today
from db.core.problems import problems_of
from db.representatives.form import STANDINGS, AppointForm, AppointInput
from db.representatives.store import AlreadyRepresentative, appoint, ethnic_groups, units_in_scope
from db.visits.form import VisitPerson
from tui.i18n import N_, _
from tui.keys import hold_keys, release_keys
from tui.labels import SEXES
from tui.labels import STANDINGS as STANDING_LABELS
from tui.messages import AppointChoicesLoaded, Appointed
from tui.problem_text import say
from tui.screens.failures import Failure, ReportsFailures
from tui.session import Session
from tui.widgets.boxes import TextBox

LOAD_GROUP, SAVE_GROUP = "appoint-load", "appoint-save"
NAMED_FIELDS = ("name", "sex", "ethnic_code", "birth_date", "org_code")
SHARED_FIELDS = ("standing", "employer", "post", "social_posts", "appointed_on")
LABELS = {
    "name": N_("Name"), "sex": N_("Sex"), "ethnic_code": N_("Ethnicity"),
    "birth_date": N_("Born"), "org_code": N_("Kept by"), "standing": N_("Standing"),
    "employer": N_("Employer"), "post": N_("Post"),
    "social_posts": N_("Social posts (deputy, CPPCC member …)"),
    "appointed_on": N_("Appointed on"),
}  # fmt: skip
SELECTS = ("sex", "ethnic_code", "org_code", "standing")


class AppointModal(ReportsFailures, ModalScreen[AppointInput | None]):
    """Returns the appointment once stored, or None when the user backs out."""

    DEFAULT_CSS = """
    AppointModal #appoint-boxes {
        height: auto;
        max-height: 14;
    }
    """

    FAILURES: ClassVar[dict[str, Failure]] = {
        LOAD_GROUP: Failure(N_("Cannot appoint: {reason}")),
        SAVE_GROUP: Failure(N_("Not appointed: {reason}"), "release"),
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "appoint", N_("Appoint"), tooltip=N_("Check and store the appointment")),
        Binding("escape", "cancel", N_("Cancel")),
    ]

    def __init__(self, session: Session, person: VisitPerson | None) -> None:
        super().__init__()
        self.session, self.person = session, person
        self.subject = uuid4()  # a retried save stores one appointment
        self.ready = person is not None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = _("Appoint a representative")
            with VerticalScroll(id="appoint-boxes"):
                if self.person is not None:
                    yield Static(_("From the registry: {name}").format(name=self.person.name),
                                 id="appoint-person", markup=False)  # fmt: skip
                fields = SHARED_FIELDS if self.person else NAMED_FIELDS + SHARED_FIELDS
                for field in fields:
                    yield Label(_(LABELS[field]))
                    yield self._box(field)
            yield Static("", id="appoint-problem", markup=False)
            yield Static(_("ctrl+s appoints · Esc cancels"), classes="dialog-hint", markup=False)

    def _box(self, field: str) -> Input | Select[str]:
        box_id = f"appoint-{field}"
        if field == "sex":
            options = [(_(text), str(code)) for code, text in SEXES.items()]
            return Select(options, prompt=_("Choose"), compact=True, id=box_id)
        if field == "standing":
            options = [(_(STANDING_LABELS[s]), s) for s in STANDINGS]
            return Select(options, prompt=_("Choose"), compact=True, id=box_id)
        if field in ("ethnic_code", "org_code"):
            return Select([], prompt=_("Choose"), compact=True, id=box_id)
        value = today().isoformat() if field == "appointed_on" else ""
        dated = field in ("birth_date", "appointed_on")
        return TextBox(value, placeholder="YYYY-MM-DD" if dated else "", compact=True, id=box_id)

    def on_mount(self) -> None:
        if self.person is None:
            hold_keys(self)  # typed ahead, the keys wait for the lists to fill
            self._load_choices()

    @work(exclusive=True, group=LOAD_GROUP, exit_on_error=False)
    async def _load_choices(self) -> None:
        async with self.session.transaction() as conn:
            units = await units_in_scope(conn)
            groups = await ethnic_groups(conn)
        self.post_message(AppointChoicesLoaded(units, groups))

    def on_appoint_choices_loaded(self, message: AppointChoicesLoaded) -> None:
        ethnic = self.query_one("#appoint-ethnic_code", Select)
        ethnic.set_options([(name, code) for code, name in message.ethnic_groups])
        units = self.query_one("#appoint-org_code", Select)
        units.set_options([(name, code) for code, name in message.units])
        own = self.session.user.org_code
        if any(code == own for code, _name in message.units):
            units.value = own
        self.ready = True
        release_keys(self)

    def current_form(self) -> AppointForm:
        values: dict[str, Any] = {}
        for box in self.query("#appoint-boxes Input, #appoint-boxes Select"):
            assert isinstance(box, Input | Select)
            assert box.id is not None
            value = box.value
            values[box.id.removeprefix("appoint-")] = value if isinstance(value, str) else ""
        return AppointForm(id=self.subject, person=self.person, **values)

    def action_appoint(self) -> None:
        if not self.ready:
            return
        try:
            appointment = AppointInput.from_form(self.current_form(), today())
        except ValidationError as error:
            problems = problems_of(error)
            self._say("\n".join(say(p) for p in problems[:4]))
            for box in self.query(f"#appoint-{problems[0].field}"):
                box.focus()
            return
        self._say(_("Saving…"))
        hold_keys(self)
        self._store(appointment)

    @work(exclusive=True, group=SAVE_GROUP, exit_on_error=False)
    async def _store(self, appointment: AppointInput) -> None:
        async with self.session.transaction() as conn:
            await appoint(conn, appointment)
        self.post_message(Appointed(appointment))

    def on_appointed(self, message: Appointed) -> None:
        self.dismiss(message.appointment)

    def answer_failure(self, group: str, error: BaseException) -> bool:
        if isinstance(error, AlreadyRepresentative):
            release_keys(self)
            self._say(_("A representative already: retire the present appointment first."))
            return True
        return False

    def show_failure(self, failure: Failure, why: str) -> None:
        self._say(_(failure.title).format(reason=why))

    def _say(self, text: str) -> None:
        self.query_one("#appoint-problem", Static).update(text)

    def action_cancel(self) -> None:
        self.dismiss(None)
