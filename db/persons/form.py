"""The person form: every field as typed, checked, and turned into what is stored.

`PersonForm` holds the text of each box (so a draft can hold anything, even
nonsense); `PersonInput.from_form` validates it against the reference data and
today's date and raises one ValidationError with every problem of the form, each
naming its field (`db.core.problems.problems_of`). A form may lack the 三必清
fields (origin, current address, occupation): that is not an error but a warning
the user must accept, and the record then shows in the data-quality ledger.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from db.core.connect import Connection
from db.core.problems import N_, again, located, problem
from db.persons import idcard

Permit = Literal["none", "applied", "issued", "expired"]
PERMITS: tuple[Permit, ...] = ("none", "applied", "issued", "expired")
# ISO 639-1 codes of the languages offices meet, with their Chinese names.
LANGUAGES: dict[str, str] = {
    "zh": "汉语", "ug": "维吾尔语", "bo": "藏语", "mn": "蒙古语", "kk": "哈萨克语",
    "ky": "柯尔克孜语", "ii": "彝语", "za": "壮语", "ko": "朝鲜语", "ar": "阿拉伯语",
    "tg": "塔吉克语", "uz": "乌孜别克语", "tt": "塔塔尔语", "ru": "俄语", "en": "英语",
}  # fmt: skip
THREE_MUST_KNOW = ("origin_address", "current_address", "occupation")

NAME_MAX, ADDRESS_MAX, OCCUPATION_MAX, EMPLOYER_MAX, NOTES_MAX = 60, 200, 60, 100, 1000
# Letters of any script, the middle dot of transcribed names (and look-alikes), spaces.
_NAME = re.compile(r"^[^\W\d_]+(?:[ ·•‧・.．\-][^\W\d_]+)*$")
_DATE = re.compile(r"^(\d{4})[-/.年]?(\d{1,2})[-/.月]?(\d{1,2})日?$")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}\d{7,8}$")
_SEPARATORS = re.compile(r"[\s,，、;；]+")


@dataclass(frozen=True, slots=True)
class FormReference:
    """The reference data a form is checked against, read once per session."""

    provinces: frozenset[str]
    divisions: dict[str, str]
    ethnic_groups: dict[str, str]

    def division_codes_named(self, name: str) -> list[str]:
        return sorted(code for code, label in self.divisions.items() if label == name)

    def ethnic_code_named(self, name: str) -> str | None:
        wanted = name.removesuffix("族") if len(name) > 2 else name
        for code, label in self.ethnic_groups.items():
            if label in (name, wanted + "族") or label.removesuffix("族") == wanted:
                return code
        return None


async def load_form_reference(conn: Connection) -> FormReference:
    """Provinces, divisions and ethnic groups, as the forms need them."""
    divisions = await conn.fetch("SELECT code, name, level FROM division ORDER BY code")
    groups = await conn.fetch("SELECT code, name_zh FROM ethnic_group ORDER BY code")
    return FormReference(
        provinces=frozenset(r["code"] for r in divisions if r["level"] == 1),
        divisions={r["code"]: r["name"] for r in divisions},
        ethnic_groups={r["code"]: r["name_zh"] for r in groups},
    )


@dataclass(frozen=True, slots=True)
class FormContext:
    """What validation needs besides the form: reference data, today, what is kept.

    In an edit, the identifier boxes start with the stored masked values; left
    unchanged they mean "keep the stored number", whose plain value (never shown)
    is given here so the birth date and sex can still be checked against it.
    """

    reference: FormReference
    today: date
    kept_id_masked: str | None = None
    kept_id_number: str | None = None
    kept_phone_masked: str | None = None


class PersonForm(BaseModel):
    """The boxes of the registration form, in the paper form's order, as typed."""

    model_config = ConfigDict(frozen=True)

    name: str = ""
    sex: str = ""
    ethnic: str = ""
    birth_date: str = ""
    id_number: str = ""
    origin: str = ""
    origin_address: str = ""
    current_address: str = ""
    occupation: str = ""
    employer: str = ""
    phone: str = ""
    arrival_date: str = ""
    residence_permit: str = "none"
    languages: str = ""
    interpreter_needed: bool = False
    notes: str = ""

    def missing_three(self) -> list[str]:
        """The 三必清 boxes left empty: the address of origin (the county alone does not
        find anyone), the address here, the occupation."""
        return [name for name in THREE_MUST_KNOW if not getattr(self, name).strip()]


def _context(info: ValidationInfo) -> FormContext:
    context = info.context
    if not isinstance(context, FormContext):
        raise TypeError("PersonInput needs a FormContext as validation context")
    return context


def plain(value: str) -> str:
    """As typed, stripped, with full-width characters and any script's digits made ASCII.

    A Chinese input method in full-width mode types １３８… and ０３７１－…; such
    text must be read as the digits it shows, and stored in ASCII so that lookups
    and duplicate checks find it.
    """
    text = unicodedata.normalize("NFKC", value)
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text).strip()


def parse_date(value: str) -> date:
    """A date typed as 2024-03-01, 2024/3/1, 20240301 or 2024年3月1日."""
    text = plain(value)
    match = _DATE.match(text)
    if not match:
        raise problem(N_("type a date as YYYY-MM-DD, e.g. 2024-03-01"))
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        raise problem(N_("{value} is not a date on the calendar"), value=text) from None


def required_day(value: object, today: date) -> date:
    """A day typed in a box that must be filled, not after `today`."""
    if not str(value).strip():
        raise problem(N_("required"))
    return _not_after(parse_date(str(value)), today)


def optional_day(value: object, today: date) -> date | None:
    """A day typed in a box that may stay empty (None), not after `today`."""
    if not str(value).strip():
        return None
    return _not_after(parse_date(str(value)), today)


def _not_after(day: date, today: date) -> date:
    if day > today:
        raise problem(N_("{value} is in the future"), value=day.isoformat())
    return day


def past_date(value: str, today: date) -> date:
    """A date typed as `parse_date` reads it, neither after `today` nor before 1900."""
    parsed = parse_date(value)
    if parsed > today:
        raise problem(N_("{value} is in the future"), value=parsed.isoformat())
    if parsed < idcard.EARLIEST_BIRTH:
        raise problem(N_("{value} is before 1900"), value=parsed.isoformat())
    return parsed


def _id_problem(trouble: idcard.IdProblem, number: str, today: date) -> PydanticCustomError:
    if trouble == "length":
        return problem(N_("18 characters (now {length})"), length=len(number))
    if trouble == "characters":
        return problem(N_("17 digits, then a digit or X"))
    if trouble == "province":
        return problem(N_("it starts {prefix}, which is no province's code"), prefix=number[:2])
    if trouble == "birth_date":
        try:
            born = idcard.birth_date_of(number)
        except ValueError:
            return problem(N_("the birth date in it ({digits}) is not on the calendar"),
                           digits=number[6:14])  # fmt: skip
        if born > today:
            return problem(N_("the birth date in it ({value}) is in the future"),
                           value=born.isoformat())  # fmt: skip
        return problem(N_("the birth date in it ({value}) is before 1900"), value=born.isoformat())
    return problem(N_("the check character should be {expected}; a digit is mistyped"),
                   expected=idcard.check_char(number[:17]))  # fmt: skip


# The boxes that other boxes are checked against, read alone: each validator below
# uses one, and so does the check of a form with problems, for its boxes that are right.


def read_sex(value: object) -> int:
    text = str(value).strip()
    if not text:
        raise problem(N_("required"))
    sexes = {"1": 1, "男": 1, "m": 1, "2": 2, "女": 2, "f": 2}
    if text.lower() not in sexes:
        raise problem(N_("choose male (1) or female (2)"))
    return sexes[text.lower()]


def read_birth(value: object, today: date) -> date:
    if not str(value).strip():
        raise problem(N_("required"))
    return past_date(str(value), today)


def read_arrival(value: object, today: date) -> date | None:
    return past_date(str(value), today) if str(value).strip() else None


def read_id(value: object, context: FormContext) -> str | None:
    """The ID number typed; None when the box is empty, "" when it keeps the stored one."""
    text = plain(str(value))
    if not text:
        return None
    if context.kept_id_masked and text in _kept_shown(context):
        return ""
    number = idcard.normalise(text)
    # A digit plain() leaves alone (Kharosthi 𐩀) passes isdigit() in idcard, then breaks int().
    if not number.isascii():
        raise _id_problem("characters", number, context.today)
    trouble = idcard.id_problem(number, context.today, context.reference.provinces)
    if trouble is not None:
        raise _id_problem(trouble, number, context.today)
    return number


def _kept_shown(context: FormContext) -> tuple[str, ...]:
    """How an edit's ID box shows the stored number: its mask; or, in a draft saved
    before V011 re-masked the record, the old mask that showed the last four."""
    kept = context.kept_id_number
    old = (kept[:4] + "*" * 10 + kept[-4:],) if kept else ()
    return (str(context.kept_id_masked), *old)


def disagreements(
    sex: int | None, born: date | None, id_number: str | None, arrived: date | None
) -> list[InitErrorDetails]:
    """How boxes that are right on their own disagree: sex and birth date with the ID
    number, arrival with birth; None stands for a box that is empty or wrong."""
    found = []
    if id_number:
        said = idcard.birth_date_of(id_number)
        if born is not None and said != born:
            says = N_("the ID number says {expected}")
            found.append(located("birth_date", born.isoformat(), says, expected=said.isoformat()))
        if sex is not None and idcard.sex_of(id_number) != sex:
            says = (N_("the ID number says male (its 17th digit is odd)")
                    if idcard.sex_of(id_number) == 1
                    else N_("the ID number says female (its 17th digit is even)"))  # fmt: skip
            found.append(located("sex", sex, says))
    if arrived is not None and born is not None and arrived < born:
        found.append(located("arrival_date", arrived.isoformat(),
                             N_("cannot be before the birth date ({born})"),
                             born=born.isoformat()))  # fmt: skip
    return found


def limited(value: object, limit: int, *, one_line: bool = False) -> str:
    """The text trimmed (and on one line, for a one-line box), if it fits `limit`."""
    text = " ".join(str(value).split()) if one_line else str(value).strip()
    if len(text) > limit:
        raise problem(N_("at most {limit} characters (now {length})"), limit=limit,
                      length=len(text))  # fmt: skip
    return text


LINE_LIMITS = {"origin_address": ADDRESS_MAX, "current_address": ADDRESS_MAX,
               "occupation": OCCUPATION_MAX, "employer": EMPLOYER_MAX}  # fmt: skip


class PersonInput(BaseModel):
    """A validated person, ready to store; identifiers still in plain text here.

    `id_number` / `phone` are None when absent and "" when the stored value is kept.
    """

    model_config = ConfigDict(frozen=True)

    name: str
    sex: int
    ethnic_code: str
    birth_date: date
    id_number: str | None
    origin_division_code: str | None
    origin_address: str
    current_address: str
    occupation: str
    employer: str
    phone: str | None
    arrival_date: date | None
    residence_permit: Permit
    languages: list[str]
    interpreter_needed: bool
    notes: str

    @classmethod
    def from_form(cls, form: PersonForm, context: FormContext) -> Self:
        """Validate every box; a ValidationError names every problem at once, in the
        form's order: each box's own, and how the boxes that are right disagree."""
        values: dict[str, Any] = form.model_dump()
        values["ethnic_code"] = values.pop("ethnic")
        values["origin_division_code"] = values.pop("origin")
        try:
            return cls.model_validate(values, context=context)
        except ValidationError as error:
            found = again(error) + _disagreements_among_the_right(error, values, context)
        order = list(cls.model_fields)
        found.sort(key=lambda detail: order.index(str(detail["loc"][0])))
        raise ValidationError.from_exception_data(cls.__name__, found)

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, value: str) -> str:
        name = " ".join(str(value).split())
        if not name:
            raise problem(N_("required"))
        if len(name) > NAME_MAX:
            raise problem(N_("at most {limit} characters (now {length})"), limit=NAME_MAX,
                          length=len(name))  # fmt: skip
        if not _NAME.match(name):
            raise problem(N_("only letters, spaces and the middle dot · (not “{value}”)"),
                          value=name)  # fmt: skip
        return name

    @field_validator("sex", mode="before")
    @classmethod
    def _sex(cls, value: str) -> int:
        return read_sex(value)

    @field_validator("ethnic_code", mode="before")
    @classmethod
    def _ethnic(cls, value: str, info: ValidationInfo) -> str:
        text = plain(str(value))
        groups = _context(info).reference
        if not text:
            raise problem(N_("required"))
        # A code, a name, or both as suggested and stored ("05 维吾尔族", "维吾尔族 05").
        digits = next((word for word in text.split() if word.isdigit()), None)
        named = " ".join(word for word in text.split() if not word.isdigit())
        code = digits.zfill(2) if digits else groups.ethnic_code_named(text)
        if code not in groups.ethnic_groups:
            raise problem(N_("“{value}” is not an ethnic group of GB/T 3304"), value=text)
        if digits and named and groups.ethnic_code_named(named) != code:
            raise problem(N_("code {code} is {name}, not “{value}”"), code=code,
                          name=groups.ethnic_groups[code], value=named)  # fmt: skip
        return code

    @field_validator("birth_date", mode="before")
    @classmethod
    def _birth(cls, value: str, info: ValidationInfo) -> date:
        return read_birth(value, _context(info).today)

    @field_validator("arrival_date", mode="before")
    @classmethod
    def _arrival(cls, value: str, info: ValidationInfo) -> date | None:
        return read_arrival(value, _context(info).today)

    @field_validator("id_number", mode="before")
    @classmethod
    def _id_number(cls, value: str, info: ValidationInfo) -> str | None:
        return read_id(value, _context(info))

    @field_validator("origin_division_code", mode="before")
    @classmethod
    def _origin(cls, value: str, info: ValidationInfo) -> str | None:
        text = plain(str(value))
        divisions = _context(info).reference
        if not text:
            return None
        # A code, a name, or both as suggested and stored ("653101 喀什市", "喀什市 653101").
        code = next((word for word in text.split() if word.isdigit()), "")
        if code:
            if len(code) != 6:
                raise problem(N_("a division code has 6 digits (now {length})"), length=len(code))
            if code not in divisions.divisions:
                raise problem(N_("{value} is not a division code of GB/T 2260"), value=code)
            return code
        codes = divisions.division_codes_named(text)
        if not codes:
            raise problem(N_("no place is called “{value}”; type its 6-digit code"), value=text)
        if len(codes) > 1:
            raise problem(N_("“{value}” is the name of several places; type the code: {codes}"),
                          value=text, codes=", ".join(codes[:4]))  # fmt: skip
        return codes[0]

    @field_validator(*LINE_LIMITS, mode="before")
    @classmethod
    def _line(cls, value: str, info: ValidationInfo) -> str:
        return limited(value, LINE_LIMITS[str(info.field_name)], one_line=True)

    @field_validator("notes", mode="before")
    @classmethod
    def _notes(cls, value: str) -> str:
        return limited(value, NOTES_MAX)

    @field_validator("phone", mode="before")
    @classmethod
    def _phone(cls, value: str, info: ValidationInfo) -> str | None:
        text = plain(str(value))
        if not text:
            return None
        kept = _context(info).kept_phone_masked
        if kept and text == kept:
            return ""
        digits = re.sub(r"[\s\-()]", "", text).removeprefix("+86")
        if not (digits.isascii() and digits.isdigit()):
            raise problem(N_("digits only, e.g. 13812345678 or 0371-12345678"))
        if digits.startswith("1"):
            if not _MOBILE.match(digits):
                raise problem(N_("a mobile number has 11 digits and starts 13–19 (now {value})"),
                              value=digits)  # fmt: skip
        elif not digits.startswith("0"):
            raise problem(N_("a landline has its area code first, e.g. 0371-12345678"))
        elif not _LANDLINE.match(digits):
            raise problem(N_("area code and number make 10–12 digits (now {length})"),
                          length=len(digits))  # fmt: skip
        return digits

    @field_validator("residence_permit", mode="before")
    @classmethod
    def _permit(cls, value: str) -> str:
        if value not in PERMITS:
            raise problem(N_("choose one of the listed states"))
        return str(value)

    @field_validator("languages", mode="before")
    @classmethod
    def _languages(cls, value: str) -> list[str]:
        found: list[str] = []
        by_name = {name: code for code, name in LANGUAGES.items()}
        for word in _SEPARATORS.split(str(value).strip()):
            if not word:
                continue
            code = word.lower() if word.lower() in LANGUAGES else by_name.get(word)
            if code is None:
                raise problem(N_("“{value}” is not a language we know; use e.g. zh ug bo"),
                              value=word)  # fmt: skip
            if code not in found:
                found.append(code)
        return found

    @model_validator(mode="after")
    def _agrees_with_itself(self, info: ValidationInfo) -> Self:
        context = _context(info)
        number = context.kept_id_number if self.id_number == "" else self.id_number
        found = disagreements(self.sex, self.birth_date, number, self.arrival_date)
        if found:
            raise ValidationError.from_exception_data(type(self).__name__, found)
        return self


def _disagreements_among_the_right(
    error: ValidationError, values: dict[str, Any], context: FormContext
) -> list[InitErrorDetails]:
    """The disagreements of a form some of whose boxes are wrong, among the others."""
    wrong = {item["loc"][0] for item in error.errors()}

    def right(name: str, read: Callable[[object], Any]) -> Any:
        return None if name in wrong else read(values[name])

    number = right("id_number", lambda v: read_id(v, context))
    return disagreements(
        right("sex", read_sex),
        right("birth_date", lambda v: read_birth(v, context.today)),
        context.kept_id_number if number == "" else number,
        right("arrival_date", lambda v: read_arrival(v, context.today)),
    )
