"""A step of a dispute case, asked the same way on the case form and in a sweep's
re-check: the status it leaves the case in, the day, what happened, and for a
conclusion whether an agreement was reached."""

from __future__ import annotations

from typing import ClassVar

from pydantic import ValidationError
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static

from db.core.problems import problems_of
from db.disputes.codes import next_stages
from db.disputes.steps import StepForm, StepInput, StepRules
from tui.i18n import N_, _
from tui.labels import DISPUTE_STAGES, OUTCOMES
from tui.problem_text import say
from tui.widgets.boxes import TextBox

FIELD_BOXES = {"stage": "#step-stage", "on": "#step-on", "outcome": "#step-outcome",
               "note": "#step-note"}  # fmt: skip


class StepModal(ModalScreen[StepForm | None]):
    """Returns the step as entered (checked against `rules`), or None on Esc."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "keep", N_("Keep"), tooltip=N_("Keep this step")),
        Binding("escape", "cancel", N_("Cancel")),
    ]

    def __init__(self, title: str, step: StepForm, rules: StepRules) -> None:
        super().__init__()
        self.title_text, self.step, self.rules = title, step, rules

    def compose(self) -> ComposeResult:
        step, before = self.step, self.rules.from_stage
        stages = [before, *next_stages(before)]
        with Vertical(classes="dialog") as box:
            box.border_title = self.title_text
            yield Label(_("Status (now: {stage})").format(stage=_(DISPUTE_STAGES[before])))
            yield Select(
                [(_(DISPUTE_STAGES[s]), s) for s in stages],
                value=step.stage if step.stage in stages else before, allow_blank=False,
                compact=True, id="step-stage",
            )  # fmt: skip
            yield Label(_("Date"))
            yield TextBox(step.on, placeholder="YYYY-MM-DD", compact=True, id="step-on")
            yield Label(_("Agreement reached? (when it is concluded)"))
            yield Select(
                [(_(text), code) for code, text in OUTCOMES.items()],
                value=step.outcome or Select.NULL, prompt=_("Choose"), compact=True,
                id="step-outcome",
            )  # fmt: skip
            yield Label(_("What happened"))
            yield TextBox(step.note, max_length=1000, compact=True, id="step-note")
            yield Static("", id="step-problem", markup=False)
            yield Static(_("ctrl+s keeps it · Esc cancels"), classes="dialog-hint", markup=False)

    @on(Input.Submitted, "#step-note")
    def action_keep(self) -> None:
        def chosen(select_id: str) -> str:
            value = self.query_one(select_id, Select).value
            return value if isinstance(value, str) else ""

        step = self.step.model_copy(update={
            "stage": chosen("#step-stage"), "on": self.query_one("#step-on", Input).value,
            "outcome": chosen("#step-outcome"), "note": self.query_one("#step-note", Input).value,
        })  # fmt: skip
        try:
            StepInput.checked(step, self.rules)
        except ValidationError as error:
            problems = problems_of(error)
            self.query_one("#step-problem", Static).update("\n".join(say(p) for p in problems))
            box = FIELD_BOXES.get(problems[0].field) if problems else None
            if box:
                self.query_one(box).focus()
            return
        self.dismiss(step)

    def action_cancel(self) -> None:
        self.dismiss(None)
