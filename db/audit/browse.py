"""The auditor's trail: every audit row of their scope, narrowed by user, person, action
and dates, newest first, in keyset pages.

It reads audit_log as the auditor, so row-level security (sql/V003) keeps them to the
rows of their subtree, exactly as in psql. Each query is put together from fixed
fragments, one per filter set, so every plan can use the index that filter has
(a filter written as `$1 IS NULL OR ...` keeps a generic plan off it).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from db.audit.entries import TrailEntry, TrailKey, TrailPage, TrailPerson, page_of
from db.core.clock import OFFICE_TZ
from db.core.connect import Connection, record
from db.core.problems import N_, field_error, problem
from db.keys.crypto import Keyring
from db.persons import idcard
from db.persons.form import parse_date, plain
from db.users import role_name

TrailAction = Literal[
    "open", "reveal", "export", "anonymise", "insert", "update", "delete", "bulk_insert"
]
TRAIL_ACTIONS: tuple[TrailAction, ...] = (
    "open", "reveal", "export", "anonymise", "insert", "update", "delete", "bulk_insert",
)  # fmt: skip
PAGE_MAX = 199  # one more row is fetched; tx_actors() names at most 200 actors
_LOGIN = re.compile(r"[a-z_][a-z0-9_.-]{0,47}")


class TrailFilters(BaseModel):
    """What the trail is narrowed to; None is any. `until` is the last day included."""

    model_config = ConfigDict(frozen=True)

    user: str | None = None  # a login name
    person: TrailPerson | None = None
    action: TrailAction | None = None
    since: date | None = None
    until: date | None = None

    @property
    def active(self) -> bool:
        return self != TrailFilters()


class TrailFilterInput(BaseModel):
    """The filter boxes as typed; reading them names each box that is wrong."""

    model_config = ConfigDict(frozen=True)

    user: str = ""
    id_number: str = ""
    action: TrailAction | None = None
    since: date | None = None
    until: date | None = None

    @field_validator("user", mode="before")
    @classmethod
    def _user(cls, value: str) -> str:
        name = plain(value).lower()
        if name and not _LOGIN.fullmatch(name):
            raise problem(N_("a login name: lower-case letters, digits, _ . or -"))
        return name

    @field_validator("id_number", mode="before")
    @classmethod
    def _id_number(cls, value: str) -> str:
        number = idcard.normalise(plain(value))
        if not number:
            return ""
        if len(number) != 18:
            raise problem(N_("18 characters (now {length})"), length=len(number))
        if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
            raise problem(N_("17 digits, then a digit or X"))
        if idcard.check_char(number[:17]) != number[17]:
            raise problem(
                N_("the check character should be {expected}; a digit is mistyped"),
                expected=idcard.check_char(number[:17]),
            )
        return number

    @field_validator("since", "until", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        if isinstance(value, str):
            return parse_date(value) if value.strip() else None
        return value

    @model_validator(mode="after")
    def _in_order(self) -> Self:
        if self.since and self.until and self.until < self.since:
            raise field_error(
                type(self).__name__, "until", self.until,
                N_("cannot be before the start date ({since})"), since=self.since.isoformat(),
            )  # fmt: skip
        return self


# Who acted is named through tx_actors() (sql/V016): the reader may not see every
# actor's app_user row, though they see the rows the actor wrote.
_SELECT = """
WITH page AS (
SELECT a.id, a.at, a.actor, a.action, a.table_name, a.changes, a.purpose, a.row_count,
       p.name AS person_name
  FROM audit_log a
  LEFT JOIN person p ON p.city_code = a.city_code AND p.id = a.person_id
 WHERE true"""
_ORDER = """
 ORDER BY a.at DESC, a.id DESC LIMIT $1
)
SELECT page.*, coalesce(nullif(u.display_name, ''), u.name, page.actor) AS actor_name,
       u.role_kind AS actor_kind
  FROM page LEFT JOIN tx_actors(ARRAY(SELECT DISTINCT actor FROM page)) u
    ON u.pg_role = page.actor
 ORDER BY page.at DESC, page.id DESC"""


def _query(filters: TrailFilters, older_than: TrailKey | None) -> tuple[str, list[Any]]:
    """The page's SQL from fixed fragments, and its arguments ($1 is the limit)."""
    sql = _SELECT
    args: list[Any] = []

    def narrow(fragment: str, *values: Any) -> None:
        nonlocal sql
        numbers = [f"${len(args) + 2 + i}" for i in range(len(values))]
        sql += "\n   AND " + fragment.format(*numbers)
        args.extend(values)

    if filters.user is not None:
        narrow("a.actor = {0}::text", role_name(filters.user))
    if filters.person is not None:
        narrow("a.city_code = {0}::char(4) AND a.person_id = {1}::uuid",
               filters.person.city_code, filters.person.id)  # fmt: skip
    if filters.action is not None:
        narrow("a.action = {0}::text", filters.action)
    if filters.since is not None:
        narrow("a.at >= {0}::timestamptz", _office_midnight(filters.since))
    if filters.until is not None:
        narrow("a.at < {0}::timestamptz", _office_midnight(filters.until + timedelta(days=1)))
    if older_than is not None:
        narrow("(a.at, a.id) < ({0}::timestamptz, {1}::bigint)", older_than.at, older_than.id)
    return sql + _ORDER, args


def _office_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), OFFICE_TZ)


async def trail_page(
    conn: Connection,
    filters: TrailFilters,
    *,
    older_than: TrailKey | None = None,
    limit: int = 20,
) -> TrailPage:
    """The newest `limit` rows the reader may see that pass the filters, older than a
    row's key if given."""
    if not 1 <= limit <= PAGE_MAX:
        raise ValueError(f"a page of the trail has 1 to {PAGE_MAX} rows, not {limit}")
    sql, args = _query(filters, older_than)
    rows = await conn.fetch(sql, limit + 1, *args)
    return page_of([TrailEntry.model_validate(record(r)) for r in rows], limit)


async def person_with_id_number(
    conn: Connection, keyring: Keyring, number: str
) -> TrailPerson | None:
    """The person in the reader's scope with this ID number (blind index, every key)."""
    row = await conn.fetchrow(
        "SELECT city_code, id, name FROM person WHERE id_number_hmac = ANY($1::bytea[]) "
        "ORDER BY city_code, id LIMIT 1",
        keyring.blind_indexes("id_number", number),
    )
    return None if row is None else TrailPerson.model_validate(record(row))
