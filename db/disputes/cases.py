"""Dispute cases: save with their parties and the steps of their history, submit their
conclusion for review, and read them back.

A case is a kind of the one submission workflow (db/workflow.py, sql/V012): it stays a
draft of its grid workers while open or mediating; once concluded it is submitted and a
supervisor approves the conclusion or returns it. Ids are made by the client, so a
retried save stores one case, one row per party and one per step.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from db import workflow
from db.children import remove_children
from db.core.connect import Connection, record
from db.disputes.case_form import CaseForm, CaseInput, CaseStanding, PartyForm
from db.disputes.codes import next_stages
from db.persons.identifiers import NotVisible
from db.workflow import SubmissionState

KIND = "dispute_case"


class CaseLine(BaseModel):
    """A case in a list: what, between whom, where it stands."""

    model_config = ConfigDict(frozen=True)

    city_code: str
    id: UUID
    org_code: str
    kind: str
    summary: str
    stage: str
    status: str
    opened_on: date
    mediated_on: date | None
    escalated_on: date | None
    parties: list[str]

    @property
    def party_names(self) -> str:
        return "、".join(self.parties)


class HistoryLine(BaseModel):
    """A step of a case's history: one of its own notes, or a re-check in a sweep."""

    model_config = ConfigDict(frozen=True)

    day: date
    stage: str
    note: str
    sweep_month: date | None  # the month of the sweep that re-checked it


class CaseView(BaseModel):
    """A stored case as its form shows it."""

    model_config = ConfigDict(frozen=True)

    form: CaseForm
    standing: CaseStanding
    state: SubmissionState
    history: list[HistoryLine]
    unit_name: str


LINE_SQL = """
SELECT c.city_code, c.id, c.org_code, c.kind, c.summary, c.stage, c.status, c.opened_on,
       c.mediated_on, c.escalated_on,
       coalesce((SELECT array_agg(p.name ORDER BY p.seq, p.id) FROM dispute_party p
                  WHERE p.city_code = c.city_code AND p.case_id = c.id), '{}') AS parties
  FROM dispute_case c
"""

_CREATE = """
INSERT INTO dispute_case (city_code, id, org_code, sweep_id, kind, opened_on, summary,
                          mediation_plan, department_code, responsible_person, outcome_note,
                          escalated_on, escalation_note, stage, mediated_on, closed_on, outcome)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
ON CONFLICT (city_code, id) DO NOTHING
RETURNING version
"""

_UPDATE = """
UPDATE dispute_case
   SET kind = $3, opened_on = $4, summary = $5, mediation_plan = $6, department_code = $7,
       responsible_person = $8, outcome_note = $9, escalated_on = $10, escalation_note = $11,
       stage = $12, mediated_on = $13, closed_on = $14, outcome = $15, version = version + 1
 WHERE city_code = $1 AND id = $2 AND version = $16
RETURNING version
"""

# A concluded case taken back to mediation, on the way to another conclusion.
_REOPEN = """
UPDATE dispute_case SET stage = 'mediating', closed_on = NULL, outcome = NULL,
                        version = version + 1
 WHERE city_code = $1 AND id = $2 AND version = $3
RETURNING version
"""


async def case_state(conn: Connection, city_code: str, case_id: UUID) -> SubmissionState | None:
    return await workflow.state(conn, KIND, city_code, case_id)


async def save_case(
    conn: Connection, case: CaseInput, *, base_version: int | None, submit: bool
) -> SubmissionState:
    """Store the case as a draft or submit its conclusion, with its parties and new steps."""

    async def write(conn: Connection, expected: int | None) -> None:
        if expected is None:
            created = await conn.fetchval(
                _CREATE, case.city_code, case.id, case.org_code, case.sweep_id, case.kind,
                case.opened_on, *_values(case),
            )  # fmt: skip
            if created is None:
                raise NotVisible("dispute case: not found in your scope")
        else:
            await _update(conn, case, expected)
        await _store_parties(conn, case)
        await _store_steps(conn, case)

    return await workflow.save(
        conn, KIND, case.city_code, case.id, write, base_version=base_version, submit=submit
    )


def _values(case: CaseInput) -> tuple[object, ...]:
    """The columns after kind and opened_on, in _CREATE's order."""
    return (
        case.summary, case.mediation_plan, case.department_code, case.responsible_person,
        case.outcome_note, case.escalated_on, case.escalation_note,
        case.stage, case.mediated_on, case.closed_on, case.outcome,
    )  # fmt: skip


async def _update(conn: Connection, case: CaseInput, expected: int) -> None:
    before = case.standing.stage
    if case.stage != before and case.stage not in next_stages(before):
        # Reopened and concluded otherwise in one edit: by mediation, as the steps say.
        reopened = await conn.fetchval(_REOPEN, case.city_code, case.id, expected)
        if reopened is None:
            raise workflow.Conflict("dispute case: changed meanwhile; reopen it")
        expected = reopened
    version = await conn.fetchval(
        _UPDATE, case.city_code, case.id, case.kind, case.opened_on, *_values(case), expected
    )
    if version is None:
        raise workflow.Conflict("dispute case: changed meanwhile; reopen it")


async def _store_parties(conn: Connection, case: CaseInput) -> None:
    """Remove the parties dropped, add the new ones after the others, and change only
    those changed: a party as it was is not written again, so a person of another grid
    of the community stays listed whoever of its grid workers saves the case."""
    await remove_children(conn, "dispute_party", case.city_code, case.id,
                          [p.id for p in case.parties])  # fmt: skip
    stored = {
        r["id"]: r for r in await conn.fetch(
            "SELECT id, seq, name, role, detail FROM dispute_party "
            "WHERE city_code = $1 AND case_id = $2", case.city_code, case.id)
    }  # fmt: skip
    last = max((r["seq"] for r in stored.values()), default=0)
    for party in case.parties:
        now = (party.name, party.role, party.detail)
        if party.id in stored:
            if tuple(stored[party.id])[2:] != now:
                await conn.execute(
                    "UPDATE dispute_party SET name = $4, role = $5, detail = $6 "
                    "WHERE city_code = $1 AND case_id = $2 AND id = $3",
                    case.city_code, case.id, party.id, *now,
                )  # fmt: skip
            continue
        last += 1
        await conn.execute(
            """
            INSERT INTO dispute_party (city_code, case_id, id, seq, org_code, person_id, name,
                                       role, detail)
            SELECT c.city_code, c.id, $3, $4, c.org_code, $5, $6, $7, $8
              FROM dispute_case c WHERE c.city_code = $1 AND c.id = $2
            """,
            case.city_code, case.id, party.id, last, party.person_id, *now,
        )  # fmt: skip


async def _store_steps(conn: Connection, case: CaseInput) -> None:
    for step_id, step in zip(case.step_ids, case.steps, strict=True):
        await conn.execute(
            """
            INSERT INTO dispute_case_note (city_code, id, case_id, org_code, noted_on, stage, note)
            SELECT c.city_code, $3, c.id, c.org_code, $4, $5, $6
              FROM dispute_case c WHERE c.city_code = $1 AND c.id = $2
            ON CONFLICT (city_code, id) DO NOTHING
            """,
            case.city_code, case.id, step_id, step.on, step.stage, step.note,
        )  # fmt: skip


async def review_case(
    conn: Connection,
    city_code: str,
    case_id: UUID,
    base_version: int,
    decision: workflow.Decision,
    comment: str = "",
) -> SubmissionState:
    """A supervisor approves a case's conclusion or returns it with a comment."""
    return await workflow.review(conn, KIND, city_code, case_id, base_version, decision, comment)


async def load_case(conn: Connection, city_code: str, case_id: UUID) -> CaseView:
    """A stored case as form boxes, where it stands, and its dated history."""
    row = await conn.fetchrow(
        """
        SELECT c.*, coalesce(o.name, c.org_code) AS unit_name FROM dispute_case c
          LEFT JOIN org_unit o ON o.code = c.org_code
         WHERE c.city_code = $1 AND c.id = $2
        """,
        city_code, case_id,
    )  # fmt: skip
    state = await case_state(conn, city_code, case_id)
    if row is None or state is None:
        raise NotVisible("dispute case: not found in your scope")
    parties = await conn.fetch(
        "SELECT id, person_id, name, role, detail FROM dispute_party "
        "WHERE city_code = $1 AND case_id = $2 ORDER BY seq, id",
        city_code, case_id,
    )  # fmt: skip
    history = await case_history(conn, city_code, case_id)
    form = CaseForm(
        id=case_id, city_code=city_code, org_code=row["org_code"], sweep_id=row["sweep_id"],
        kind=row["kind"], opened_on=row["opened_on"].isoformat(), summary=row["summary"],
        mediation_plan=row["mediation_plan"], department=row["department_code"] or "",
        responsible_person=row["responsible_person"], outcome_note=row["outcome_note"],
        escalated_on=row["escalated_on"].isoformat() if row["escalated_on"] else "",
        escalation_note=row["escalation_note"],
        parties=[PartyForm.model_validate(record(p)) for p in parties],
    )  # fmt: skip
    standing = CaseStanding(
        stage=row["stage"], mediated_on=row["mediated_on"], closed_on=row["closed_on"],
        outcome=row["outcome"], last_step_on=max((h.day for h in history), default=None),
        escalated=row["escalated_on"] is not None,
    )  # fmt: skip
    return CaseView(form=form, standing=standing, state=state, history=history,
                    unit_name=row["unit_name"])  # fmt: skip


async def case_history(conn: Connection, city_code: str, case_id: UUID) -> list[HistoryLine]:
    """The case's own notes and its re-checks in sweeps filed, oldest first."""
    rows = await conn.fetch(
        """
        SELECT noted_on AS day, stage, note, NULL::date AS sweep_month, created_at
          FROM dispute_case_note WHERE city_code = $1 AND case_id = $2
        UNION ALL
        SELECT r.checked_on, r.stage, r.note, s.month, r.created_at
          FROM dispute_sweep_recheck r
          JOIN dispute_sweep s ON s.city_code = r.city_code AND s.id = r.sweep_id
         WHERE r.city_code = $1 AND r.case_id = $2 AND s.status <> 'draft'
         ORDER BY 1, 5
        """,
        city_code, case_id,
    )  # fmt: skip
    return [HistoryLine.model_validate(record(r)) for r in rows]


async def case_stamp(conn: Connection, city_code: str, case_id: UUID) -> tuple[str, datetime]:
    """Who saved the case last, and when."""
    row = await conn.fetchrow(
        "SELECT updated_by, updated_at FROM dispute_case WHERE city_code = $1 AND id = $2",
        city_code, case_id,
    )  # fmt: skip
    if row is None:
        raise NotVisible("dispute case: not found in your scope")
    return row["updated_by"], row["updated_at"]


async def unit_for(conn: Connection, org_code: str) -> tuple[str, str]:
    """The unit (code and name) whose sweep re-checks a case of `org_code`: its community,
    or its grid when the city files by grid."""
    row = await conn.fetchrow(
        "SELECT u.code, u.name FROM org_unit u WHERE u.code = sweep_unit_of($1)", org_code
    )
    if row is None:
        raise NotVisible(f"{org_code}: no unit files sweeps for it")
    return row["code"], row["name"]


async def open_cases(conn: Connection, limit: int = 200) -> list[CaseLine]:
    """The cases of the user's scope not concluded yet, the oldest taken in first."""
    rows = await conn.fetch(
        LINE_SQL + " WHERE c.stage IN ('open', 'mediating') ORDER BY c.opened_on, c.id LIMIT $1",
        limit,
    )
    return [CaseLine.model_validate(record(r)) for r in rows]


async def escalated_cases(conn: Connection) -> list[CaseLine]:
    """The cases escalated to the user's scope and not concluded, the oldest escalation
    first (a supervisor's list)."""
    rows = await conn.fetch(
        LINE_SQL + " WHERE c.escalated_on IS NOT NULL AND c.stage IN ('open', 'mediating') "
        "ORDER BY c.escalated_on, c.id LIMIT 200"
    )
    return [CaseLine.model_validate(record(r)) for r in rows]
