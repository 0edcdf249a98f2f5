"""A need raised without a visit: at the window, on the hotline or online, for the person
whose record is open. It is open at once; its referral follows on the referral form.

Choosing the category proposes its department and says its days; left empty, the
database gives the need both. ctrl+s saves; Esc leaves with a draft kept.
"""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import uuid4

from pydantic import ValidationError
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Header, Input, Select, Static

from db.core.clock import today
from db.core.problems import Problem, problems_of
from db.drafts import discard_draft, drafts_of
from db.persons.models import PersonDetail
from db.referrals.categories import NeedDefault, need_defaults
from db.referrals.intake import CHANNELS, IntakeForm, IntakeInput, blank
from db.referrals.store import raise_need
from db.visits.form import NEED_CATEGORIES
from db.visits.store import departments
from tui.dialogs.notice import DraftChoice, DraftOfferModal
from tui.i18n import N_, _, translate_bindings
from tui.keys import hold_keys, release_keys
from tui.labels import CHANNELS as CHANNEL_LABELS
from tui.labels import NEED_CATEGORIES as CATEGORY_LABELS
from tui.messages import IntakeLoaded, LanguageChanged, NeedRaised
from tui.problem_text import say
from tui.screens.drafting import DraftingScreen
from tui.screens.failures import Failure
from tui.session import Session
from tui.widgets.boxes import TextBox
from tui.widgets.form_row import FormRow, relabel_all
from tui.widgets.key_footer import KeyFooter

LOAD_GROUP, SAVE_GROUP = "need-intake-load", "need-intake-save"
NOT_SAVED = N_("Not saved: {reason}. What you typed is still here.")
DUE_HINT = N_("YYYY-MM-DD, or empty: {days} days on")
TEXT_BOXES = ("description", "raised_on", "due_on")


def _rows() -> ComposeResult:
    """The form's boxes in their order, each named by its field."""
    channels = [(_(CHANNEL_LABELS[c]), c) for c in CHANNELS]
    categories = [(_(CATEGORY_LABELS[c]), c) for c in NEED_CATEGORIES]
    boxes: list[tuple[str, str, Widget]] = [
        ("channel", N_("Channel"),
         Select(channels, value="walk_in", allow_blank=False, compact=True, id="box-channel")),
        ("category", N_("Category"),
         Select(categories, prompt=_("Choose"), compact=True, id="box-category")),
        ("description", N_("What is needed"),
         TextBox(compact=True, max_length=1000, id="box-description")),
        ("raised_on", N_("Raised on"),
         TextBox(placeholder="YYYY-MM-DD", compact=True, id="box-raised_on")),
        ("department_code", N_("Department"),
         Select([], prompt=_("The category's department"), compact=True,
                id="box-department_code")),
        ("due_on", N_("Due"), TextBox(placeholder="YYYY-MM-DD", compact=True, id="box-due_on")),
    ]  # fmt: skip
    for field, msgid, box in boxes:
        yield FormRow(msgid, box, field=field)


class NeedIntakeScreen(DraftingScreen[bool]):
    """Dismissed with True once the need is stored, else False."""

    FORM = "need"
    AUTO_FOCUS = "#box-channel"
    FAILURES: ClassVar[dict[str, Failure]] = {
        **DraftingScreen.FAILURES,
        LOAD_GROUP: Failure(NOT_SAVED),
        SAVE_GROUP: Failure(NOT_SAVED, "release"),
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", N_("Save"), tooltip=N_("Check and save the need")),
        Binding("escape", "close", N_("Back"), key_display="Esc",
                tooltip=N_("Leave the form; what you typed is kept as a draft")),
    ]  # fmt: skip

    def __init__(self, session: Session, person: PersonDetail) -> None:
        super().__init__(session, uuid4())
        self.person = person
        self.org_code = person.org_code
        self.defaults: dict[str, NeedDefault] = {}
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="form-title", markup=False)
        with VerticalScroll(id="intake-form"):
            yield from _rows()
        yield Static("", id="problems", markup=False)
        yield Static("", id="draft-state", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self._title()
        self.fill(blank(self.person.city_code, self.person.id, self.subject, today()))
        hold_keys(self)  # what is typed before the form is ready waits for it
        self.load_form()

    def _title(self) -> None:
        self.query_one("#form-title", Static).update(
            _("A need raised without a visit · {name}").format(name=self.person.name)
        )

    # Loading: the departments, the categories' defaults, a kept draft for this person.

    @work(exclusive=True, group=LOAD_GROUP, exit_on_error=False)
    async def load_form(self) -> None:
        session = self.session
        async with session.transaction() as conn:
            names = await departments(conn)
            defaults = await need_defaults(conn)
            kept = [d for d in await drafts_of(conn, session.keyring, "need")
                    if d.values.get("person_id") == str(self.person.id)]  # fmt: skip
        self.post_message(IntakeLoaded(names, defaults, kept[0] if kept else None))

    def on_intake_loaded(self, message: IntakeLoaded) -> None:
        self.defaults = message.defaults
        options = [(name, code) for code, name in message.departments]
        self.query_one("#box-department_code", Select).set_options(options)
        self.kept = self.form_values()
        self.ready = True
        self.start_autosave()
        if message.draft is None:
            release_keys(self)
            return
        draft = message.draft

        def chosen(choice: DraftChoice | None) -> None:
            if choice == "restore":
                self.fill(IntakeForm.model_validate(draft.values))
                self.show_draft_state(_("Draft restored: check it, then ctrl+s saves"))
            elif choice == "discard":
                self.drop_draft(draft.subject)
            release_keys(self)

        self.app.push_screen(DraftOfferModal(draft.saved_at, _("a need")), chosen)

    # The boxes.

    def fill(self, form: IntakeForm) -> None:
        self.subject = form.id
        self.query_one("#box-channel", Select).value = form.channel or "walk_in"
        self.query_one("#box-category", Select).value = form.category or Select.NULL
        for name in TEXT_BOXES:
            self.query_one(f"#box-{name}", Input).value = getattr(form, name)
        department = self.query_one("#box-department_code", Select)
        department.value = form.department or Select.NULL

    def current_form(self) -> IntakeForm:
        def chosen(box: str) -> str:
            value = self.query_one(f"#box-{box}", Select).value
            return value if isinstance(value, str) else ""

        return IntakeForm(
            city_code=self.person.city_code, id=self.subject, person_id=self.person.id,
            channel=chosen("channel"), category=chosen("category"),
            department=chosen("department_code"),
            **{name: self.query_one(f"#box-{name}", Input).value for name in TEXT_BOXES},
        )  # fmt: skip

    def form_values(self) -> dict[str, Any]:
        return self.current_form().model_dump(mode="json")

    @on(Select.Changed, "#box-category")
    def category_chosen(self, event: Select.Changed) -> None:
        default = self.defaults.get(event.value) if isinstance(event.value, str) else None
        if default is None:
            return
        self.query_one("#box-department_code", Select).value = default.department_code
        self.query_one("#box-due_on", Input).placeholder = _(DUE_HINT).format(days=default.due_days)

    # Saving.

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "save":
            return self.ready
        return True

    def action_save(self) -> None:
        if not self.ready:
            return
        try:
            need = IntakeInput.from_form(self.current_form(), today())
        except ValidationError as error:
            self._problems(problems_of(error))
            return
        self.query_one("#problems", Static).update(_("Saving…"))
        hold_keys(self)  # the next keys wait for the outcome
        self.store(need)

    @work(exclusive=True, group=SAVE_GROUP, exit_on_error=False)
    async def store(self, need: IntakeInput) -> None:
        async with self.session.transaction() as conn:
            await raise_need(conn, need)
            await discard_draft(conn, self.FORM, self.subject)
        self.post_message(NeedRaised())

    def on_need_raised(self, message: NeedRaised) -> None:
        self.ready = False
        self.app.notify(_("Need recorded: Enter on it in the record opens its referral."))
        self.dismiss(True)

    def _problems(self, problems: list[Problem]) -> None:
        self.query_one("#problems", Static).update("\n".join(say(p) for p in problems[:4]))
        for row in self.query(f"#row-{problems[0].field}").results(FormRow):
            self.set_focus(row.box)

    def action_close(self) -> None:
        self.leave_keeping_draft(False)

    def on_language_changed(self, message: LanguageChanged) -> None:
        translate_bindings(self)
        relabel_all(self)
        self._title()
        self.refresh_bindings()
