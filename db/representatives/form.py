"""What is typed to appoint, retire and contact a representative, and how it is checked.

A representative is appointed from the registry (a person in the user's scope) or by
name (with sex, ethnicity and date of birth); both with their standing, employer, post
and social posts. Validate with today's date as the context: no date lies ahead, and a
contact or retirement is not before the appointment.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal, Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator, model_validator

from db.core.problems import N_, field_error, problem
from db.persons.form import limited, past_date, read_sex, required_day
from db.visits.form import VisitPerson

Standing = Literal["ethnic", "religious", "clergy", "informant", "other"]
STANDINGS: tuple[Standing, ...] = ("ethnic", "religious", "clergy", "informant", "other")
ContactKind = Literal["phone_call", "face_to_face", "festival"]
CONTACT_KINDS: tuple[ContactKind, ...] = ("phone_call", "face_to_face", "festival")
NAME_MAX, EMPLOYER_MAX, POST_MAX, SOCIAL_MAX = 60, 100, 60, 200
NOTE_MAX, PLACE_MAX, NOTES_MAX = 500, 200, 2000


def _today(info: ValidationInfo) -> date:
    today = info.context
    if not isinstance(today, date):
        raise TypeError("validation needs today's date as context")
    return today


def _required_day(value: Any, info: ValidationInfo) -> date:
    if not str(value).strip():
        raise problem(N_("required"))
    return past_date(str(value), _today(info))


class AppointForm(BaseModel):
    """The appointment dialog's boxes as typed; `person` is set when chosen from the
    registry, and the boxes of who they are then stay empty."""

    model_config = ConfigDict(frozen=True)

    id: UUID
    person: VisitPerson | None = None
    org_code: str = ""
    name: str = ""
    sex: str = ""
    ethnic_code: str = ""
    birth_date: str = ""
    standing: str = ""
    employer: str = ""
    post: str = ""
    social_posts: str = ""
    appointed_on: str = ""


class AppointInput(BaseModel):
    """A checked appointment, ready to store."""

    model_config = ConfigDict(frozen=True)

    id: UUID
    city_code: str
    person_id: UUID | None  # before org_code, whose check reads it
    # In the dialog's order, so its problems are named in that order.
    name: str | None
    sex: int | None
    ethnic_code: str | None
    birth_date: date | None
    org_code: str
    standing: Standing
    employer: str
    post: str
    social_posts: str
    appointed_on: date

    @classmethod
    def from_form(cls, form: AppointForm, today: date) -> Self:
        values: dict[str, Any] = form.model_dump(exclude={"person"})
        if form.person is not None:
            values |= {"person_id": form.person.id, "city_code": form.person.city_code,
                       "org_code": "", "name": None, "sex": None, "ethnic_code": None,
                       "birth_date": None}  # fmt: skip
        else:
            values |= {"person_id": None, "city_code": form.org_code[:4]}
        return cls.model_validate(values, context=today)

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, value: Any) -> str | None:
        if value is None:
            return None
        text = limited(value, NAME_MAX, one_line=True)
        if not text:
            raise problem(N_("required"))
        return text

    @field_validator("sex", mode="before")
    @classmethod
    def _sex(cls, value: Any) -> int | None:
        return None if value is None else read_sex(value)

    @field_validator("ethnic_code", mode="before")
    @classmethod
    def _ethnic(cls, value: Any) -> str | None:
        if value is None:
            return None
        if not str(value).strip():
            raise problem(N_("required"))
        return str(value).strip()

    @field_validator("birth_date", mode="before")
    @classmethod
    def _birth(cls, value: Any, info: ValidationInfo) -> date | None:
        return None if value is None else _required_day(value, info)

    @field_validator("org_code", mode="before")
    @classmethod
    def _unit(cls, value: Any, info: ValidationInfo) -> str:
        # Chosen from the registry, the representative is kept in the person's grid.
        if info.data.get("person_id") is None and not str(value).strip():
            raise problem(N_("required"))
        return str(value).strip()

    @field_validator("standing", mode="before")
    @classmethod
    def _standing(cls, value: Any) -> str:
        if not str(value).strip():
            raise problem(N_("required"))
        if value not in STANDINGS:
            raise problem(N_("choose one of the listed standings"))
        return str(value)

    @field_validator("employer", mode="before")
    @classmethod
    def _employer(cls, value: Any) -> str:
        return limited(value, EMPLOYER_MAX, one_line=True)

    @field_validator("post", mode="before")
    @classmethod
    def _post(cls, value: Any) -> str:
        return limited(value, POST_MAX, one_line=True)

    @field_validator("social_posts", mode="before")
    @classmethod
    def _social(cls, value: Any) -> str:
        return limited(value, SOCIAL_MAX, one_line=True)

    @field_validator("appointed_on", mode="before")
    @classmethod
    def _appointed(cls, value: Any, info: ValidationInfo) -> date:
        return _required_day(value, info)

    @model_validator(mode="after")
    def _born_before(self) -> Self:
        if self.birth_date is not None and self.birth_date >= self.appointed_on:
            raise field_error("AppointInput", "appointed_on", self.appointed_on.isoformat(),
                              N_("not after the date of birth ({day})"),
                              day=self.birth_date.isoformat())  # fmt: skip
        return self


class RetireInput(BaseModel):
    """A checked retirement: from when, and why."""

    model_config = ConfigDict(frozen=True)

    retired_on: date
    note: str

    @classmethod
    def check(cls, retired_on: str, note: str, appointed_on: date, today: date) -> Self:
        retirement = cls.model_validate({"retired_on": retired_on, "note": note}, context=today)
        if retirement.retired_on < appointed_on:
            raise field_error("RetireInput", "retired_on", retirement.retired_on.isoformat(),
                              N_("before the appointment ({day})"),
                              day=appointed_on.isoformat())  # fmt: skip
        return retirement

    @field_validator("retired_on", mode="before")
    @classmethod
    def _day(cls, value: Any, info: ValidationInfo) -> date:
        return _required_day(value, info)

    @field_validator("note", mode="before")
    @classmethod
    def _note(cls, value: Any) -> str:
        return limited(value, NOTE_MAX)


class ContactInput(BaseModel):
    """A checked contact with a representative appointed by name."""

    model_config = ConfigDict(frozen=True)

    id: UUID
    kind: ContactKind
    contacted_on: date
    place: str
    notes: str

    @classmethod
    def check(cls, values: dict[str, Any], appointed_on: date, today: date) -> Self:
        contact = cls.model_validate(values, context=today)
        if contact.contacted_on < appointed_on:
            raise field_error("ContactInput", "contacted_on", contact.contacted_on.isoformat(),
                              N_("before the appointment ({day})"),
                              day=appointed_on.isoformat())  # fmt: skip
        return contact

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: Any) -> str:
        if value not in CONTACT_KINDS:
            raise problem(N_("choose one of the listed kinds"))
        return str(value)

    @field_validator("contacted_on", mode="before")
    @classmethod
    def _day(cls, value: Any, info: ValidationInfo) -> date:
        day = required_day(value, _today(info))
        return day

    @field_validator("place", mode="before")
    @classmethod
    def _place(cls, value: Any) -> str:
        return limited(value, PLACE_MAX, one_line=True)

    @field_validator("notes", mode="before")
    @classmethod
    def _notes(cls, value: Any) -> str:
        text = limited(value, NOTES_MAX)
        if not text:
            raise problem(N_("say what was talked about"))
        return text
