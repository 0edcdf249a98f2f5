"""A city's monthly dispute sweep rule: the day of the following month by which each
month's sweep is filed, and the unit that files it (each community, or each grid).

An admin whose scope is the city changes them (ctrl+s). An admin of one of its
districts sees them read-only: the database lets admins write only inside their
scope, and the city's row lies outside a district's (sql/V012 sweep_setting), so a
save by anyone else is refused there too. Esc leaves, asking first when a change is
not saved; a save over a change made meanwhile says so and shows the setting again.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import ValidationError
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Header, Input, Select, Static

from db.core.problems import problems_of
from db.disputes.months import (
    NotTheCitysAdmin,
    SettingChanged,
    SweepRule,
    SweepSetting,
    save_sweep_setting,
    sweep_rule,
)
from tui.dialogs.notice import ConfirmModal
from tui.i18n import N_, _, translate_bindings
from tui.keys import hold_keys, release_keys
from tui.messages import LanguageChanged, SweepRuleLoaded, SweepSettingSaved
from tui.problem_text import say
from tui.screens.failures import Failure, ReportsFailures
from tui.session import Session
from tui.widgets.boxes import TextBox
from tui.widgets.form_row import FormRow, relabel_all
from tui.widgets.key_footer import KeyFooter

LOAD_GROUP, SAVE_GROUP = "sweep-settings-load", "sweep-settings-save"
FILING_UNITS = {"community": N_("Community"), "grid": N_("Grid")}
FILED_BY = {"community": N_("by each community"), "grid": N_("by each grid")}
TITLE = N_("Monthly dispute sweep · {city}")
DAY_HINT = N_(
    "Each month's sweep is due by this day of the following month; in a month without "
    "it (29 to 31), by that month's last day."
)
UNIT_HINT = N_(
    "Community: one sweep a month for each community, filed by any of its grid workers. "
    "Grid: one for each grid, by its own grid workers."
)
EVERY_MONTH = N_(
    "A change holds from next month's sweep on; this month and the months before keep "
    "the rule they had, and their sweeps stay filed, late or missing as they were."
)
READ_ONLY = N_("Only an admin of the city changes these; the database refuses anyone else.")


class SweepSettingsScreen(ReportsFailures, Screen[None]):
    """The sweep rule of the user's city: changed by its admins, read by a district's."""

    AUTO_FOCUS = "#box-deadline_day"
    FAILURES: ClassVar[dict[str, Failure]] = {
        LOAD_GROUP: Failure(N_("Cannot load the sweep settings")),
        SAVE_GROUP: Failure(N_("Not saved"), "release"),
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", N_("Save"), tooltip=N_("Check and save the sweep settings")),
        Binding("escape", "leave", N_("Back"), key_display="Esc",
                tooltip=N_("Leave; asks first when a change is not saved")),
    ]  # fmt: skip

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        user = session.user
        self.city_code = user.org_code[:4]
        # What the database lets write (see the module's docstring); it checks again.
        self.editable = user.role_kind == "admin" and user.org_code == self.city_code
        self.rule: SweepRule | None = None
        self.said = ""  # the state line: saved, or changed meanwhile
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(_(TITLE).format(city=""), id="settings-title", markup=False)
        with Vertical(id="settings-form"):
            yield FormRow(N_("Deadline day"), TextBox(compact=True, max_length=2,
                          id="box-deadline_day"), field="deadline_day")  # fmt: skip
            yield Static(_(DAY_HINT), classes="settings-hint", id="day-hint", markup=False)
            yield FormRow(N_("Filing unit"), Select(self._units(), value="community",
                          allow_blank=False, compact=True, id="box-filing_unit"),
                          field="filing_unit")  # fmt: skip
            yield Static(_(UNIT_HINT), classes="settings-hint", id="unit-hint", markup=False)
            yield Static(_(EVERY_MONTH), classes="settings-hint", id="settings-note",
                         markup=False)  # fmt: skip
            yield Static(_(READ_ONLY), id="settings-who", markup=False)
        yield Static("", id="problems", markup=False)
        yield Static(_("Loading…"), id="settings-state", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#settings-who").display = not self.editable
        for box in self._boxes():
            box.disabled = not self.editable
        self.reload()

    # Loading.

    def reload(self) -> None:
        hold_keys(self)  # what is typed before the setting is shown waits for it
        self._fetch()

    @work(exclusive=True, group=LOAD_GROUP, exit_on_error=False)
    async def _fetch(self) -> None:
        async with self.session.transaction() as conn:
            rule = await sweep_rule(conn, self.city_code)
        self.post_message(SweepRuleLoaded(rule))

    def on_sweep_rule_loaded(self, message: SweepRuleLoaded) -> None:
        self.rule = message.rule
        self._fill(message.rule.setting)
        self._show_title()
        self._say(self.said)
        self.refresh_bindings()
        release_keys(self)

    def _fill(self, setting: SweepSetting) -> None:
        self.query_one("#box-deadline_day", Input).value = str(setting.deadline_day)
        self.query_one("#box-filing_unit", Select).value = setting.filing_unit

    # Saving.

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "save":
            return self.editable and (self.rule is not None or None)
        return True

    def action_save(self) -> None:
        if not self.editable or self.rule is None:
            return
        try:
            setting = self._typed(self.rule.setting)
        except ValidationError as error:
            problems = problems_of(error)
            self.query_one("#problems", Static).update("\n".join(say(p) for p in problems))
            self.query_one(f"#box-{problems[0].field}").focus()
            return
        self.query_one("#problems", Static).update("")
        stored = self.rule.setting
        if (setting.deadline_day, setting.filing_unit) == (stored.deadline_day, stored.filing_unit):
            self._say(_("Nothing to save: the settings are as stored."))
            return
        self._say(_("Saving…"))
        hold_keys(self)  # the next keys wait for the outcome
        self._store(setting)

    def _typed(self, stored: SweepSetting) -> SweepSetting:
        """The boxes' values over the stored setting, checked."""
        return SweepSetting.model_validate(
            {**stored.model_dump(), "deadline_day": self._day_text(), "filing_unit": self._unit()}
        )

    @work(exclusive=True, group=SAVE_GROUP, exit_on_error=False)
    async def _store(self, setting: SweepSetting) -> None:
        async with self.session.transaction() as conn:
            saved = await save_sweep_setting(conn, setting)
        self.post_message(SweepSettingSaved(saved))

    def on_sweep_setting_saved(self, message: SweepSettingSaved) -> None:
        assert self.rule is not None
        self.rule = self.rule.model_copy(update={"setting": message.setting})
        self._fill(message.setting)
        setting = message.setting
        self._say(_("Saved: due by day {day} of the following month, filed {by}.").format(
            day=setting.deadline_day, by=_(FILED_BY[setting.filing_unit])
        ))  # fmt: skip
        release_keys(self)

    def answer_failure(self, group: str, error: BaseException) -> bool:
        if group != SAVE_GROUP:
            return False
        if isinstance(error, SettingChanged):
            self.said = _("Not saved: someone changed them meanwhile; here they are as stored now.")
            self.reload()
            return True
        if isinstance(error, NotTheCitysAdmin):
            release_keys(self)
            self._say(_("Not saved: only an admin of the city changes these."))
            return True
        return False

    def show_failure(self, failure: Failure, why: str) -> None:
        self._say(f"{_(failure.title)}: {why}")

    # Leaving.

    def action_leave(self) -> None:
        if not self._changed():
            self.dismiss(None)
            return

        def answered(leave: bool | None) -> None:
            if leave:
                self.dismiss(None)

        lines = [_("The deadline day or the filing unit was changed and not saved.")]
        hint = _("Enter leaves without saving · Esc stays")
        self.app.push_screen(ConfirmModal(_("Leave without saving?"), lines, hint), answered)

    def _changed(self) -> bool:
        if not self.editable or self.rule is None:
            return False
        stored = self.rule.setting
        return (self._day_text(), self._unit()) != (str(stored.deadline_day), stored.filing_unit)

    # The boxes and lines.

    def _day_text(self) -> str:
        return self.query_one("#box-deadline_day", Input).value.strip()

    def _unit(self) -> str:
        value = self.query_one("#box-filing_unit", Select).value
        return value if isinstance(value, str) else ""

    def _boxes(self) -> tuple[Input, Select[str]]:
        day = self.query_one("#box-deadline_day", Input)
        return day, self.query_one("#box-filing_unit", Select)

    def _units(self) -> list[tuple[str, str]]:
        return [(_(label), unit) for unit, label in FILING_UNITS.items()]

    def _show_title(self) -> None:
        city = self.rule.city_name if self.rule is not None else ""
        self.query_one("#settings-title", Static).update(_(TITLE).format(city=city))

    def _say(self, text: str) -> None:
        self.said = text
        self.query_one("#settings-state", Static).update(text)

    def on_language_changed(self, message: LanguageChanged) -> None:
        translate_bindings(self)
        relabel_all(self)
        select = self.query_one("#box-filing_unit", Select)
        unit = select.value
        select.set_options(self._units())
        select.value = unit
        lines = {"#day-hint": DAY_HINT, "#unit-hint": UNIT_HINT,
                 "#settings-note": EVERY_MONTH, "#settings-who": READ_ONLY}  # fmt: skip
        for line, msgid in lines.items():
            self.query_one(line, Static).update(_(msgid))
        self._show_title()
        self.refresh_bindings()
