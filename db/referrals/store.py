"""A need's referral: read it whole, save what the referral form holds, raise a need
without a visit.

The close of a need is a kind of the one submission workflow (`referral_outcome`,
db/workflow.py, sql/V013): grid workers write it and submit it, supervisors approve or
return it; its approval closes the need, in the database. Saving the referral form
writes, in one transaction, the need's referral (department, days, acknowledgement),
a new progress note, and the close's record (a draft until submitted), each checked
against the version it was opened at.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict

from db import workflow
from db.core.connect import Connection, record
from db.persons.identifiers import NotVisible
from db.referrals.form import NeedDates, ReferralForm, ReferralInput
from db.referrals.intake import IntakeInput
from db.workflow import Conflict, SubmissionState

KIND = "referral_outcome"


class NeedRecord(BaseModel):
    """The need a referral follows, as stored."""

    model_config = ConfigDict(frozen=True)

    city_code: str
    id: UUID
    org_code: str
    person_id: UUID
    person_name: str | None
    category: str
    description: str
    channel: str
    visit_id: UUID | None
    visited_on: date | None
    raised_on: date
    status: str
    version: int
    department_code: str | None
    referred_on: date | None
    due_on: date | None
    acknowledged_by: str
    acknowledged_on: date | None
    outcome: str
    resolved_on: date | None

    def dates(self, today: date) -> NeedDates:
        return NeedDates(today=today, raised_on=self.raised_on, status=self.status)

    @property
    def followed(self) -> bool:
        """Whether its follow-up is written now: open or referred (not a draft visit's,
        not closed)."""
        return self.status in ("open", "referred")


class ReferralNote(BaseModel):
    """One dated progress note, with who wrote it."""

    model_config = ConfigDict(frozen=True)

    id: UUID
    noted_on: date
    note: str
    writer: str


class ReferralOpened(BaseModel):
    """Everything the referral form shows: the need, its boxes, its notes, and where its
    close stands in review (None before it is first saved)."""

    model_config = ConfigDict(frozen=True)

    need: NeedRecord
    form: ReferralForm
    notes: list[ReferralNote]
    state: SubmissionState | None


class ReferralSaved(BaseModel):
    """Where the close stands after a save, and the need's new version."""

    model_config = ConfigDict(frozen=True)

    state: SubmissionState
    need_version: int


_NEED = """
SELECT a.city_code, a.id, a.org_code, a.person_id, p.name AS person_name, a.category,
       a.description, a.channel, a.visit_id, v.visited_on, a.raised_on, a.status, a.version,
       a.department_code, a.referred_on, a.due_on, a.acknowledged_by, a.acknowledged_on,
       a.outcome, a.resolved_on
  FROM assistance_request a
  LEFT JOIN person p ON p.city_code = a.city_code AND p.id = a.person_id
  LEFT JOIN visit v ON v.city_code = a.city_code AND v.id = a.visit_id
 WHERE a.city_code = $1 AND a.id = $2
"""

_NOTES = """
SELECT n.id, n.noted_on, n.note,
       coalesce((SELECT coalesce(nullif(u.display_name, ''), u.name)
                   FROM app_user u WHERE u.pg_role = n.created_by), n.created_by) AS writer
  FROM referral_note n
 WHERE n.city_code = $1 AND n.need_id = $2
 ORDER BY n.noted_on, n.created_at, n.id
"""

# The category's department and days, when the form leaves them empty.
_REFER = """
UPDATE assistance_request a
   SET department_code = coalesce($3, (SELECT c.department_code FROM need_category c
                                        WHERE c.code = a.category)),
       referred_on = $4,
       due_on = coalesce($5::date, a.raised_on + (SELECT c.due_days FROM need_category c
                                             WHERE c.code = a.category)),
       acknowledged_by = $6, acknowledged_on = $7,
       status = CASE WHEN $4::date IS NOT NULL AND a.status = 'open' THEN 'referred'
                     ELSE a.status END,
       version = a.version + 1
 WHERE a.city_code = $1 AND a.id = $2 AND a.version = $8
RETURNING a.version
"""

_NOTE = """
INSERT INTO referral_note (city_code, id, org_code, need_id, noted_on, note)
SELECT a.city_code, $3, a.org_code, a.id, $4, $5
  FROM assistance_request a WHERE a.city_code = $1 AND a.id = $2
ON CONFLICT (city_code, id) DO NOTHING
"""

_OPEN_CLOSE = """
INSERT INTO referral_outcome (city_code, id, org_code, result, reason, closed_on)
SELECT a.city_code, a.id, a.org_code, $3, $4, $5
  FROM assistance_request a WHERE a.city_code = $1 AND a.id = $2
ON CONFLICT (city_code, id) DO NOTHING
RETURNING version
"""

_CLOSE = """
UPDATE referral_outcome SET result = $3, reason = $4, closed_on = $5, version = version + 1
 WHERE city_code = $1 AND id = $2 AND version = $6
RETURNING version
"""

_RAISE = """
INSERT INTO assistance_request (city_code, id, org_code, person_id, channel, category,
                                description, department_code, status, raised_on, due_on)
SELECT p.city_code, $2, p.org_code, p.id, $4, $5, $6, coalesce($7, c.department_code), 'open',
       $8::date, coalesce($9::date, $8::date + c.due_days)
  FROM person p LEFT JOIN need_category c ON c.code = $5
 WHERE p.city_code = $1 AND p.id = $3
ON CONFLICT (city_code, id) DO NOTHING
RETURNING id
"""


async def load_need(conn: Connection, city_code: str, need_id: UUID) -> NeedRecord:
    row = await conn.fetchrow(_NEED, city_code, need_id)
    if row is None:
        raise NotVisible("need: not found in your scope")
    return NeedRecord.model_validate(record(row))


async def load_referral(
    conn: Connection, city_code: str, need_id: UUID, note_id: UUID | None = None
) -> ReferralOpened:
    """The need, its referral as form boxes (with an empty new note), its notes, and
    where its close stands."""
    need = await load_need(conn, city_code, need_id)
    notes = [ReferralNote.model_validate(record(r))
             for r in await conn.fetch(_NOTES, city_code, need_id)]  # fmt: skip
    close = await conn.fetchrow(
        "SELECT result, reason, closed_on FROM referral_outcome WHERE city_code = $1 AND id = $2",
        city_code, need_id,
    )  # fmt: skip
    state = await workflow.state(conn, KIND, city_code, need_id)

    def day(value: date | None) -> str:
        return value.isoformat() if value else ""

    form = ReferralForm(
        need_id=need_id, note_id=note_id or uuid4(), department=need.department_code or "",
        referred_on=day(need.referred_on), due_on=day(need.due_on),
        acknowledged_by=need.acknowledged_by, acknowledged_on=day(need.acknowledged_on),
        result=(close["result"] or "") if close else "", reason=close["reason"] if close else "",
        closed_on=day(close["closed_on"]) if close else "",
    )  # fmt: skip
    return ReferralOpened(need=need, form=form, notes=notes, state=state)


async def save_referral(
    conn: Connection,
    need: NeedRecord,
    data: ReferralInput,
    *,
    need_version: int,
    base_version: int | None,
    submit: bool,
) -> ReferralSaved:
    """Store the referral and the close (a draft), and submit the close if asked.

    `need_version` is the need's version the form was opened at, `base_version` the
    close's (None when it was never stored). A submit retried after its reply was lost
    finds the close submitted and leaves it as it is.
    """
    city_code, need_id = need.city_code, need.id
    saved: list[int] = []
    close = (data.result, data.reason, data.closed_on)

    async def write(conn: Connection, expected: int | None) -> None:
        version = await conn.fetchval(
            _REFER, city_code, need_id, data.department_code, data.referred_on, data.due_on,
            data.acknowledged_by, data.acknowledged_on, need_version,
        )  # fmt: skip
        if version is None:
            raise Conflict("referral: changed meanwhile; reopen it")
        saved.append(version)
        if data.note:
            await conn.execute(_NOTE, city_code, need_id, data.note_id, data.noted_on, data.note)
        if expected is None:
            stored = await conn.fetchval(_OPEN_CLOSE, city_code, need_id, *close)
        else:
            stored = await conn.fetchval(_CLOSE, city_code, need_id, *close, expected)
        if stored is None:
            raise Conflict("referral: its close changed meanwhile; reopen it")

    state = await workflow.save(
        conn, KIND, city_code, need_id, write, base_version=base_version, submit=submit
    )
    return ReferralSaved(state=state, need_version=saved[-1] if saved else need_version)


async def raise_need(conn: Connection, need: IntakeInput) -> None:
    """Store a need raised without a visit, for a person in the user's scope; a retry
    stores it once."""
    async with conn.transaction():
        raised = await conn.fetchval(
            _RAISE, need.city_code, need.id, need.person_id, need.channel, need.category,
            need.description, need.department_code, need.raised_on, need.due_on,
        )  # fmt: skip
        if raised is None and not await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM assistance_request WHERE city_code = $1 AND id = $2)",
            need.city_code, need.id,
        ):  # fmt: skip
            raise NotVisible("person: not found in your scope")


async def referral_stamp(conn: Connection, city_code: str, need_id: UUID) -> tuple[str, datetime]:
    """Who saved the referral last, and when (the need or its close, the later)."""
    row = await conn.fetchrow(
        "SELECT updated_by, updated_at FROM assistance_request WHERE city_code = $1 AND id = $2 "
        "UNION ALL SELECT updated_by, updated_at FROM referral_outcome "
        "WHERE city_code = $1 AND id = $2 ORDER BY updated_at DESC LIMIT 1",
        city_code, need_id,
    )  # fmt: skip
    if row is None:
        raise NotVisible("need: not found in your scope")
    return row["updated_by"], row["updated_at"]
