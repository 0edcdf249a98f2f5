"""What is wrong with a value a user entered, said so the interface can translate it.

A validator raises `problem(msgid, **params)`; the msgid is English with
`{placeholders}` and lives in the interface's catalogues (tests check that every
one has a Chinese translation). `problems_of` turns a pydantic ValidationError
into `Problem`s that name the field, so a screen can put the cursor on it and
the importer can say which row.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

ERROR_TYPE = "tongxin"
GENERIC = "is not valid"


def N_(message: str) -> str:
    """Mark `message` as a msgid that the interface translates where it is shown."""
    return message


@dataclass(frozen=True, slots=True)
class Problem:
    """One field's problem: its msgid and what fills the msgid's placeholders.

    `row` numbers the item (from 1) when the field is one of a list, e.g. needs,
    and `within` names that list; `model` names the model checked, for a field whose
    box is labelled differently on different forms (a visit's notes are "what was
    talked about").
    """

    field: str
    msgid: str
    params: dict[str, Any] = dataclass_field(default_factory=dict)
    row: int | None = None
    model: str = ""
    within: str = ""

    def english(self) -> str:
        where = f"{self.field} {self.row}" if self.row else self.field
        return f"{where}: {self.msgid.format(**self.params)}"


def problem(msgid: str, **params: Any) -> PydanticCustomError:
    """The error a validator raises; `msgid` is formatted with `params`."""
    return PydanticCustomError(ERROR_TYPE, msgid, {**params, "msgid": msgid})


def located(
    where: str | tuple[str | int, ...], value: Any, msgid: str, **params: Any
) -> InitErrorDetails:
    """One problem at one field, for checks that span several fields.

    `where` is a field's name, or its path in a list: ("needs", 0, "due_on").
    """
    loc = (where,) if isinstance(where, str) else where
    return InitErrorDetails(type=problem(msgid, **params), loc=loc, input=value)


def field_error(
    model: str, where: str | tuple[str | int, ...], value: Any, msgid: str, **params: Any
) -> ValidationError:
    """A ValidationError located at one field (see `located`)."""
    return ValidationError.from_exception_data(model, [located(where, value, msgid, **params)])


def again(error: ValidationError) -> list[InitErrorDetails]:
    """The problems of `error` as they were raised, to raise them with others in one error."""
    found = []
    for item in error.errors(include_url=False):
        ctx = dict(item.get("ctx") or {})
        detail = InitErrorDetails(type=item["type"], loc=item["loc"], input=item["input"])
        if item["type"] == ERROR_TYPE:
            detail["type"] = PydanticCustomError(ERROR_TYPE, ctx["msgid"], ctx)
        elif ctx:
            detail["ctx"] = ctx
        found.append(detail)
    return found


def problems_of(error: ValidationError) -> list[Problem]:
    """The problems in a ValidationError, in the order pydantic found them."""
    found = []
    for item in error.errors(include_url=False):
        names = [part for part in item["loc"] if isinstance(part, str)]
        rows = [part + 1 for part in item["loc"] if isinstance(part, int)]
        ctx = dict(item.get("ctx") or {})
        msgid = ctx.pop("msgid", None)
        found.append(
            Problem(
                names[-1] if names else "",
                msgid or GENERIC,
                ctx if msgid else {},
                rows[0] if rows else None,
                error.title,
                names[0] if rows and len(names) > 1 else "",
            )
        )
    return found
