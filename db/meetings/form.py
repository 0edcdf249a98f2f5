"""The meeting form: what kind of meeting, held by which unit, when and where, who chaired
and recorded it, who came (出席), sent apologies (请假) or observed (列席), the agenda,
minutes and decisions, the action items agreed, and the earlier meetings' open items
marked done or dropped at this one.

`MeetingForm` holds what was typed (a draft may hold anything); `MeetingInput.from_form`
checks it with today's date as context and raises one ValidationError naming every
problem's field, and its row for a list item (`db.core.problems.problems_of`).
"""

from __future__ import annotations

import re
from datetime import date, time
from typing import Any, Literal, Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from db.core.problems import N_, Problem, field_error, problem
from db.persons.form import limited, optional_day, parse_date, plain, required_day
from db.persons.free_text import HOLDS_AN_IDENTIFIER, holds_identifier

MeetingKind = Literal[
    "member_joint", "origin_destination", "representatives", "eid_symposium", "working"
]  # fmt: skip
MEETING_KINDS: tuple[MeetingKind, ...] = (
    "member_joint", "origin_destination", "representatives", "eid_symposium", "working",
)  # fmt: skip
Attendance = Literal["present", "apologies", "observer"]
ATTENDANCES: tuple[Attendance, ...] = ("present", "apologies", "observer")
ItemStatus = Literal["open", "done", "dropped"]
ITEM_STATUSES: tuple[ItemStatus, ...] = ("open", "done", "dropped")
LinkKind = Literal["person", "need", "case"]

PLACE_MAX, NAME_MAX, AGENDA_MAX, MINUTES_MAX, DECISIONS_MAX = 200, 100, 2000, 20000, 8000
ITEM_MAX, NOTE_MAX, ATTENDEES_MAX, ITEMS_MAX, LINKS_MAX = 1000, 500, 200, 100, 20
_TIME = re.compile(
    r"^(\d{1,2})\s*[:：时点.]\s*(\d{2})(?:\s*[:：]\s*\d{2}|\s*分)?$|^(\d{2})(\d{2})$"
)


def parse_time(value: str) -> time:
    """A time of day typed as 14:30, 1430, 14：30 or 14时30分."""
    text = plain(value)
    match = _TIME.match(text)
    if not match:
        raise problem(N_("type a time as HH:MM, e.g. 14:30"))
    hour, minute = (int(match[1]), int(match[2])) if match[1] else (int(match[3]), int(match[4]))
    if hour > 23 or minute > 59:
        raise problem(N_("{value} is not a time of day"), value=text)
    return time(hour, minute)


def _today(info: ValidationInfo) -> date:
    today = info.context
    if not isinstance(today, date):
        raise TypeError("validation needs today's date as context")
    return today


def _optional_date(value: Any) -> date | None:
    return parse_date(str(value)) if str(value).strip() else None


class LinkForm(BaseModel):
    """Someone or something an action item concerns, with the words the form shows."""

    model_config = ConfigDict(frozen=True)

    id: UUID
    kind: LinkKind
    target: UUID
    text: str = ""


class AttendeeForm(BaseModel):
    """One line of 出席 / 请假 / 列席: a department, a registered person or a name."""

    model_config = ConfigDict(frozen=True)

    id: UUID
    attendance: str = "present"
    department: str = ""
    person_id: UUID | None = None
    person_name: str = ""  # shown only; the person's name stays on their record
    name: str = ""


class ActionItemForm(BaseModel):
    """One action item as typed; `id` is made when it is added, so a retry stores it once."""

    model_config = ConfigDict(frozen=True)

    id: UUID
    text: str = ""
    department: str = ""
    due_on: str = ""
    links: list[LinkForm] = Field(default_factory=list)


class CarriedMark(BaseModel):
    """An earlier meeting's action item as this meeting marks it, from `version`."""

    model_config = ConfigDict(frozen=True)

    id: UUID
    version: int
    status: str = "done"
    done_on: str = ""
    note: str = ""


class MeetingForm(BaseModel):
    """The boxes of the meeting form, as typed, with the client-made id of the meeting."""

    model_config = ConfigDict(frozen=True)

    id: UUID
    org_code: str = ""
    kind: str = "member_joint"
    held_on: str = ""
    starts_at: str = ""
    place: str = ""
    chair: str = ""
    recorder: str = ""
    agenda: str = ""
    minutes: str = ""
    decisions: str = ""
    attendees: list[AttendeeForm] = Field(default_factory=list)
    items: list[ActionItemForm] = Field(default_factory=list)
    marks: list[CarriedMark] = Field(default_factory=list)


class AttendeeInput(BaseModel):
    """A checked line of attendance."""

    model_config = ConfigDict(frozen=True)

    id: UUID
    attendance: Attendance
    department_code: str | None
    person_id: UUID | None
    name: str

    @classmethod
    def prepare(cls, attendee: AttendeeForm) -> dict[str, Any]:
        values = attendee.model_dump()
        values["department_code"] = values.pop("department") or None
        values.pop("person_name")
        return values

    @field_validator("attendance", mode="before")
    @classmethod
    def _attendance(cls, value: Any) -> str:
        if value not in ATTENDANCES:
            raise problem(N_("choose present, apologies or observer"))
        return str(value)

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, value: Any) -> str:
        return limited(value, NAME_MAX, one_line=True)

    @model_validator(mode="after")
    def _someone(self) -> Self:
        if self.department_code is None and self.person_id is None and not self.name:
            raise field_error("AttendeeInput", "name", "",
                              N_("name a department, a person or both"))  # fmt: skip
        return self


class LinkInput(BaseModel):
    """A checked link: exactly one of a person, a need or a dispute case."""

    model_config = ConfigDict(frozen=True)

    id: UUID
    person_id: UUID | None = None
    need_id: UUID | None = None
    case_id: UUID | None = None

    @classmethod
    def of(cls, link: LinkForm) -> Self:
        return cls(id=link.id, **{f"{link.kind}_id": link.target})


class ActionItemInput(BaseModel):
    """A checked action item."""

    model_config = ConfigDict(frozen=True)

    id: UUID
    text: str
    department_code: str
    due_on: date | None
    links: list[LinkInput]

    @classmethod
    def prepare(cls, item: ActionItemForm) -> dict[str, Any]:
        values = item.model_dump()
        values["department_code"] = values.pop("department")
        values["links"] = [LinkInput.of(link) for link in item.links]
        return values

    @field_validator("text", mode="before")
    @classmethod
    def _text(cls, value: Any) -> str:
        text = limited(value, ITEM_MAX)
        if not text:
            raise problem(N_("required"))
        return text

    @field_validator("department_code", mode="before")
    @classmethod
    def _department(cls, value: Any) -> str:
        if not str(value).strip():
            raise problem(N_("choose the department that owns it"))
        return str(value)

    @field_validator("due_on", mode="before")
    @classmethod
    def _due(cls, value: Any) -> date | None:
        return _optional_date(value)

    @field_validator("links")
    @classmethod
    def _links(cls, value: list[LinkInput]) -> list[LinkInput]:
        if len(value) > LINKS_MAX:
            raise problem(N_("at most {limit} links"), limit=LINKS_MAX)
        return value


class MarkInput(BaseModel):
    """A checked mark of a carried item: done or dropped on a day with a note, or open."""

    model_config = ConfigDict(frozen=True)

    id: UUID
    version: int
    status: ItemStatus
    done_on: date | None
    note: str

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value: Any) -> str:
        if value not in ITEM_STATUSES:
            raise problem(N_("choose open, done or dropped"))
        return str(value)

    @field_validator("done_on", mode="before")
    @classmethod
    def _done_on(cls, value: Any, info: ValidationInfo) -> date | None:
        return optional_day(value, _today(info))

    @field_validator("note", mode="before")
    @classmethod
    def _note(cls, value: Any) -> str:
        return limited(value, NOTE_MAX)

    @model_validator(mode="after")
    def _dated(self) -> Self:
        if self.status != "open" and self.done_on is None:
            raise field_error("MarkInput", "done_on", "", N_("say on which day"))
        if self.status == "open" and self.done_on is not None:
            return self.model_copy(update={"done_on": None, "note": ""})
        return self


class MeetingInput(BaseModel):
    """A checked meeting. Validate with today's date as the context."""

    model_config = ConfigDict(frozen=True)

    id: UUID
    org_code: str
    kind: MeetingKind
    held_on: date
    starts_at: time
    place: str
    chair: str
    recorder: str
    agenda: str
    minutes: str
    decisions: str
    attendees: list[AttendeeInput]
    items: list[ActionItemInput]
    marks: list[MarkInput]

    @property
    def city_code(self) -> str:
        return self.org_code[:4]

    @classmethod
    def from_form(cls, form: MeetingForm, today: date) -> Self:
        values = form.model_dump()
        values["attendees"] = [AttendeeInput.prepare(a) for a in form.attendees]
        values["items"] = [ActionItemInput.prepare(i) for i in form.items]
        return cls.model_validate(values, context=today)

    @field_validator("org_code", mode="before")
    @classmethod
    def _org(cls, value: Any) -> str:
        if not re.fullmatch(r"[0-9]{4,14}", str(value)):
            raise problem(N_("choose the unit that held it"))
        return str(value)

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: Any) -> str:
        if value not in MEETING_KINDS:
            raise problem(N_("choose one of the listed kinds"))
        return str(value)

    @field_validator("held_on", mode="before")
    @classmethod
    def _held_on(cls, value: Any, info: ValidationInfo) -> date:
        day = required_day(value, _today(info))
        return day

    @field_validator("starts_at", mode="before")
    @classmethod
    def _starts_at(cls, value: Any) -> time:
        if not str(value).strip():
            raise problem(N_("required"))
        return parse_time(str(value))

    @field_validator("place", mode="before")
    @classmethod
    def _place(cls, value: Any) -> str:
        return limited(value, PLACE_MAX, one_line=True)

    @field_validator("chair", "recorder", mode="before")
    @classmethod
    def _person_named(cls, value: Any) -> str:
        return limited(value, NAME_MAX, one_line=True)

    @field_validator("agenda", mode="before")
    @classmethod
    def _agenda(cls, value: Any) -> str:
        return limited(value, AGENDA_MAX)

    @field_validator("minutes", mode="before")
    @classmethod
    def _minutes(cls, value: Any) -> str:
        return limited(value, MINUTES_MAX)

    @field_validator("decisions", mode="before")
    @classmethod
    def _decisions(cls, value: Any) -> str:
        return limited(value, DECISIONS_MAX)

    @field_validator("attendees")
    @classmethod
    def _attendees(cls, value: list[AttendeeInput]) -> list[AttendeeInput]:
        if len(value) > ATTENDEES_MAX:
            raise problem(N_("at most {limit} lines"), limit=ATTENDEES_MAX)
        return value

    @field_validator("items")
    @classmethod
    def _items(cls, value: list[ActionItemInput]) -> list[ActionItemInput]:
        if len(value) > ITEMS_MAX:
            raise problem(N_("at most {limit} action items"), limit=ITEMS_MAX)
        return value

    @model_validator(mode="after")
    def _lists_fit(self) -> Self:
        seen: set[UUID] = set()
        for index, attendee in enumerate(self.attendees):
            if attendee.person_id is not None and attendee.person_id in seen:
                raise field_error("MeetingInput", ("attendees", index, "person_id"),
                                  attendee.person_id, N_("listed twice"))  # fmt: skip
            if attendee.person_id is not None:
                seen.add(attendee.person_id)
        for index, item in enumerate(self.items):
            if item.due_on is not None and item.due_on < self.held_on:
                raise field_error("MeetingInput", ("items", index, "due_on"),
                                  item.due_on.isoformat(),
                                  N_("before the day of the meeting ({day})"),
                                  day=self.held_on.isoformat())  # fmt: skip
        return self

    def identifier_warnings(self) -> list[Problem]:
        """The agenda, minutes, decisions and action items that seem to hold a resident
        ID or mobile number: shown as typed to every reader, never masked."""
        found = [Problem(name, HOLDS_AN_IDENTIFIER) for name in ("agenda", "minutes", "decisions")
                 if holds_identifier(getattr(self, name))]  # fmt: skip
        found += [Problem("text", HOLDS_AN_IDENTIFIER, row=number, within="items")
                  for number, item in enumerate(self.items, start=1)
                  if holds_identifier(item.text)]  # fmt: skip
        return found

    def submit_problem(self) -> tuple[str, str] | None:
        """Why these minutes cannot go up for review yet (a draft may be incomplete):
        the field, and a msgid saying what is missing."""
        if not self.chair:
            return "chair", N_("chair: say who chaired the meeting before submitting")
        if not self.recorder:
            return "recorder", N_("recorder: say who recorded it before submitting")
        if not self.minutes:
            return "minutes", N_("minutes: write what was said before submitting")
        if not any(a.attendance == "present" for a in self.attendees):
            return "attendees", N_("attendance: list who was present before submitting")
        return None
