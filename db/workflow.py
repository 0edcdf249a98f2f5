"""The one submission workflow, for every kind: save, submit, review, and what waits.

draft → submitted → approved | returned → submitted, enforced by the database for every
role (sql/V010 `tx_workflow_guard`): writers save drafts and submit them, reviewers
approve or return what was submitted, never their own work, changing nothing else; a
submitted or approved record, and its children, no longer change. A kind is declared
in SQL (`tx_submission`); here it is only its name.

Saving is the kind's own business (its columns and children); `save` wraps it in what
every kind shares: the record is still editable, nobody changed it meanwhile (its
version), a retried submit stores it once, and submitting comes last, after the
children are written, since submitted children are frozen.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from db.core.connect import Connection, record
from db.core.errors import UserError
from db.persons.identifiers import NotVisible

Status = Literal["draft", "submitted", "returned", "approved"]
Decision = Literal["approved", "returned"]
EDITABLE: tuple[Status, ...] = ("draft", "returned")
# Writes the kind's own columns and children; gets the version the edit started from
# (None for a new record) and raises a conflict when it no longer matches.
Write = Callable[[Connection, int | None], Awaitable[None]]

_IDENTIFIER = re.compile(r"^[a-z_]+$")


class Conflict(UserError):
    """The record changed since it was opened (someone reviewed or edited it)."""


class NotEditable(UserError):
    """The record was submitted or approved: it is no longer edited."""


class SubmissionState(BaseModel):
    """Where a record stands in its review."""

    model_config = ConfigDict(frozen=True)

    status: Status
    version: int
    review_comment: str
    reviewed_by: str | None
    reviewed_at: datetime | None
    submitted_at: datetime | None


class Waiting(BaseModel):
    """One record that waits for review, as `review_queue` lists it."""

    model_config = ConfigDict(frozen=True)

    kind: str
    city_code: str
    id: UUID
    org_code: str
    grid_name: str | None
    community_name: str | None
    author: str
    author_name: str
    submitted_at: datetime | None
    version: int
    day: date
    title: str | None  # whom or what it is about
    detail: str | None  # what sort of record it is, a code the screen names
    review_comment: str


class Transition(BaseModel):
    """One step of a record through the workflow."""

    model_config = ConfigDict(frozen=True)

    from_status: Status | None
    to_status: Status
    actor: str
    at: datetime
    comment: str


_tables: dict[str, str] = {}


async def table_of(conn: Connection, kind: str) -> str:
    """The table a kind is stored in, from its declaration."""
    if kind not in _tables:
        table = await conn.fetchval("SELECT table_name FROM submission_kind WHERE kind = $1", kind)
        if table is None or not _IDENTIFIER.match(table):
            raise UserError(f"{kind}: not a kind of submission")
        _tables[kind] = table
    return _tables[kind]


async def state(conn: Connection, kind: str, city_code: str, id: UUID) -> SubmissionState | None:
    table = await table_of(conn, kind)
    row = await conn.fetchrow(
        "SELECT status, version, review_comment, reviewed_by, reviewed_at, submitted_at "
        f"FROM {table} WHERE city_code = $1 AND id = $2",
        city_code, id,
    )  # fmt: skip
    return None if row is None else SubmissionState.model_validate(record(row))


async def save(
    conn: Connection,
    kind: str,
    city_code: str,
    id: UUID,
    write: Write,
    *,
    base_version: int | None,
    submit: bool,
) -> SubmissionState:
    """Write the record with `write`, then submit it if asked, in one transaction.

    `base_version` is None for a record never stored. A submit retried after its reply
    was lost finds the record submitted at the next version and leaves it as it is.
    """
    table = await table_of(conn, kind)
    async with conn.transaction():
        before = await state(conn, kind, city_code, id)
        if before is not None and before.status not in EDITABLE:
            if submit and before.status == "submitted" and base_version in (
                None, before.version - 1,
            ):  # fmt: skip
                return before
            raise NotEditable(f"{kind}: already {before.status}; it is no longer edited")
        if before is None:
            await write(conn, None)
        else:
            await write(conn, before.version if base_version is None else base_version)
        if submit:
            await conn.execute(
                f"UPDATE {table} SET status = 'submitted' WHERE city_code = $1 AND id = $2",
                city_code, id,
            )  # fmt: skip
        after = await state(conn, kind, city_code, id)
    if after is None:
        raise NotVisible(f"{kind}: not found in your scope")
    return after


async def review(
    conn: Connection,
    kind: str,
    city_code: str,
    id: UUID,
    base_version: int,
    decision: Decision,
    comment: str = "",
) -> SubmissionState:
    """A reviewer approves a submitted record or returns it with a comment."""
    comment = comment.strip()
    if decision == "returned" and not comment:
        raise UserError(f"comment: say what to fix when returning a {kind}")
    table = await table_of(conn, kind)
    version = await conn.fetchval(
        f"UPDATE {table} SET status = $4, review_comment = $5, version = version + 1 "
        "WHERE city_code = $1 AND id = $2 AND version = $3 AND status = 'submitted' "
        "RETURNING version",
        city_code, id, base_version, decision, comment,
    )  # fmt: skip
    now = await state(conn, kind, city_code, id)
    if now is None:
        raise NotVisible(f"{kind}: not found in your scope")
    if version is None:
        raise Conflict(f"{kind}: it is {now.status} now (version {now.version})")
    return now


async def queue(conn: Connection, kinds: list[str] | None = None) -> list[Waiting]:
    """What waits for review in the user's scope, the longest waiting first."""
    rows = await conn.fetch(
        "SELECT * FROM review_queue WHERE $1::text[] IS NULL OR kind = ANY ($1::text[]) "
        "ORDER BY submitted_at, kind, id LIMIT 1000",
        kinds,
    )
    return [Waiting.model_validate(record(r)) for r in rows]


async def history(conn: Connection, kind: str, city_code: str, id: UUID) -> list[Transition]:
    """Every step of one record, in order."""
    rows = await conn.fetch(
        "SELECT from_status, to_status, actor, at, comment FROM status_history "
        "WHERE city_code = $1 AND record_id = $2 AND kind = $3 ORDER BY id",
        city_code, id, kind,
    )  # fmt: skip
    return [Transition.model_validate(record(r)) for r in rows]
