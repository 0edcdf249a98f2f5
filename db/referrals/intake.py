"""A need raised without a visit: at the window (来访), on the hotline (服务专线) or
online, for a person on the register. It is open at once, a child of the person; its
department and due date default to its category's (in the database)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal, Self
from uuid import UUID

from pydantic import ConfigDict, ValidationInfo, field_validator, model_validator

from db.core.problems import N_, field_error, problem
from db.persons.form import required_day
from db.visits.form import NeedForm, NeedInput, _a_year_before

Channel = Literal["walk_in", "hotline", "online"]
CHANNELS: tuple[Channel, ...] = ("walk_in", "hotline", "online")


class IntakeForm(NeedForm):
    """The boxes of the form, as typed; `id` is made when the form opens."""

    city_code: str
    channel: str = "walk_in"
    raised_on: str = ""


class IntakeInput(NeedInput):
    """A checked need raised without a visit. Validate with today's date as the context."""

    model_config = ConfigDict(frozen=True)

    city_code: str
    channel: Channel
    raised_on: date

    @classmethod
    def from_form(cls, form: IntakeForm, today: date) -> Self:
        return cls.model_validate(NeedInput.prepare(form), context=today)

    @field_validator("channel", mode="before")
    @classmethod
    def _channel(cls, value: Any) -> str:
        if value not in CHANNELS:
            raise problem(N_("choose one of the listed channels"))
        return str(value)

    @field_validator("raised_on", mode="before")
    @classmethod
    def _raised_on(cls, value: Any, info: ValidationInfo) -> date:
        today = info.context
        if not isinstance(today, date):
            raise TypeError("validation needs today's date as context")
        day = required_day(value, today)
        if day < _a_year_before(today):
            raise problem(N_("{value} is more than a year ago"), value=day.isoformat())
        return day

    @model_validator(mode="after")
    def _due_after_raised(self) -> Self:
        if self.due_on is not None and self.due_on < self.raised_on:
            raise field_error(type(self).__name__, "due_on", self.due_on.isoformat(),
                              N_("before the need was raised ({day})"),
                              day=self.raised_on.isoformat())  # fmt: skip
        return self


def blank(city_code: str, person_id: UUID, new_id: UUID, today: date) -> IntakeForm:
    """The form as it opens for a person: a walk-in today."""
    return IntakeForm(
        city_code=city_code, id=new_id, person_id=person_id, raised_on=today.isoformat()
    )
