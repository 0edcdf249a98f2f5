"""Monthly dispute sweeps: open the month's sweep of a unit, save it as a draft or file
it, and read it back with the cases it lists.

A sweep is a kind of the one submission workflow (db/workflow.py, sql/V012): its grid
workers write it and file it (submit); a supervisor approves it or returns it. Filing
also takes each re-check into its case: the status found, dated, becomes the case's.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID, uuid4

import asyncpg
from pydantic import BaseModel, ConfigDict

from db import workflow
from db.children import remove_children
from db.core.connect import Connection, record
from db.core.errors import UserError
from db.disputes.cases import LINE_SQL, CaseLine
from db.disputes.codes import CONCLUDED
from db.disputes.steps import StepForm
from db.disputes.sweep_form import SweepForm, SweepInput
from db.persons.identifiers import NotVisible
from db.workflow import SubmissionState

KIND = "sweep"


class SweepTaken(UserError):
    """Someone else started the month's sweep of the unit meanwhile."""


class SweepView(BaseModel):
    """A month's sweep of a unit as its form shows it: stored or new."""

    model_config = ConfigDict(frozen=True)

    form: SweepForm
    state: SubmissionState | None
    unit_name: str
    due_on: date
    open_cases: list[CaseLine]  # to re-check
    new_cases: list[CaseLine]  # found this month


async def open_sweep(conn: Connection, city_code: str, unit: str, month: date) -> SweepView:
    """The sweep of `unit` for `month` (the first of it): as stored, or a new one."""
    sweep_id = await conn.fetchval(
        "SELECT id FROM dispute_sweep WHERE city_code = $1 AND org_code = $2 AND month = $3",
        city_code, unit, month,
    )  # fmt: skip
    if sweep_id is not None:
        return await load_sweep(conn, city_code, sweep_id)
    form = SweepForm(id=uuid4(), city_code=city_code, org_code=unit, month=month)
    return await _view(conn, form, None)


async def load_sweep(conn: Connection, city_code: str, sweep_id: UUID) -> SweepView:
    row = await conn.fetchrow(
        "SELECT org_code, month, nil_return, notes FROM dispute_sweep "
        "WHERE city_code = $1 AND id = $2",
        city_code, sweep_id,
    )  # fmt: skip
    state = await workflow.state(conn, KIND, city_code, sweep_id)
    if row is None or state is None:
        raise NotVisible("sweep: not found in your scope")
    checks = await conn.fetch(
        "SELECT case_id, checked_on, stage, outcome, note FROM dispute_sweep_recheck "
        "WHERE city_code = $1 AND sweep_id = $2",
        city_code, sweep_id,
    )  # fmt: skip
    form = SweepForm(
        id=sweep_id, city_code=city_code, org_code=row["org_code"], month=row["month"],
        nil_return=row["nil_return"], notes=row["notes"],
        rechecks=[
            StepForm(id=str(c["case_id"]), on=c["checked_on"].isoformat(), stage=c["stage"],
                     outcome=c["outcome"] or "", note=c["note"])
            for c in checks
        ],
    )  # fmt: skip
    return await _view(conn, form, state)


async def _view(conn: Connection, form: SweepForm, state: SubmissionState | None) -> SweepView:
    unit = await conn.fetchrow(
        "SELECT name, sweep_due_on($2, $3) AS due_on FROM org_unit WHERE code = $1",
        form.org_code, form.city_code, form.month,
    )  # fmt: skip
    if unit is None:
        raise NotVisible(f"{form.org_code}: no such unit")
    editable = state is None or state.status in workflow.EDITABLE
    return SweepView(
        form=form, state=state, unit_name=unit["name"], due_on=unit["due_on"],
        open_cases=await cases_to_recheck(conn, form, editable=editable),
        new_cases=await cases_found(conn, form.org_code, form.month),
    )  # fmt: skip


# Cases still open in the unit, taken in before the month ended and not found in it
# (as sql/V012 tx_sweep_rules asks them re-checked), and those the sweep re-checked.
_TO_RECHECK = (
    LINE_SQL
    + """
 WHERE c.city_code = $1
   AND ((c.org_code >= $2 AND c.org_code < $2 || ':'
         AND $5 AND c.stage IN ('open', 'mediating')
         AND c.opened_on < ($4::date + interval '1 month')::date
         AND c.sweep_id IS DISTINCT FROM $3
         AND NOT (c.sweep_id IS NULL AND c.opened_on >= $4))
        OR EXISTS (SELECT 1 FROM dispute_sweep_recheck r
                    WHERE r.city_code = c.city_code AND r.sweep_id = $3 AND r.case_id = c.id))
 ORDER BY c.opened_on, c.id
"""
)


async def cases_to_recheck(conn: Connection, form: SweepForm, *, editable: bool) -> list[CaseLine]:
    """The cases the sweep re-checks: while it is edited, every case still open; once
    filed, those it re-checked."""
    rows = await conn.fetch(_TO_RECHECK, form.city_code, form.org_code, form.id, form.month,
                            editable)  # fmt: skip
    return [CaseLine.model_validate(record(r)) for r in rows]


async def cases_found(conn: Connection, unit: str, month: date) -> list[CaseLine]:
    """The new cases of the unit's sweep of the month (sql/V012 dispute_month_cases)."""
    rows = await conn.fetch(
        LINE_SQL + " JOIN dispute_month_cases($1, $2) f ON f.city_code = c.city_code "
        "AND f.case_id = c.id WHERE f.found ORDER BY c.opened_on, c.id",
        unit, month,
    )  # fmt: skip
    return [CaseLine.model_validate(record(r)) for r in rows]


_CREATE = """
INSERT INTO dispute_sweep (city_code, id, org_code, month, nil_return, notes)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (city_code, id) DO NOTHING
RETURNING version
"""

_UPDATE = """
UPDATE dispute_sweep SET nil_return = $3, notes = $4, version = version + 1
 WHERE city_code = $1 AND id = $2 AND version = $5
RETURNING version
"""


async def save_sweep(
    conn: Connection, sweep: SweepInput, *, base_version: int | None, submit: bool
) -> SubmissionState:
    """Store the sweep as a draft or file it, with its re-checks; filing takes each
    re-check into its case."""

    async def write(conn: Connection, expected: int | None) -> None:
        values = (sweep.nil_return, sweep.notes)
        if expected is None:
            try:
                created = await conn.fetchval(_CREATE, sweep.city_code, sweep.id,
                                              sweep.org_code, sweep.month, *values)  # fmt: skip
            except asyncpg.UniqueViolationError:
                raise SweepTaken(
                    "sweep: someone else started this month's sweep meanwhile; reopen it"
                ) from None
            if created is None:
                raise NotVisible("sweep: not found in your scope")
        elif await conn.fetchval(_UPDATE, sweep.city_code, sweep.id, *values, expected) is None:
            raise workflow.Conflict("sweep: changed meanwhile; reopen it")
        await _store_rechecks(conn, sweep)
        if submit:
            await _take_into_cases(conn, sweep)

    return await workflow.save(
        conn, KIND, sweep.city_code, sweep.id, write, base_version=base_version, submit=submit
    )


async def _store_rechecks(conn: Connection, sweep: SweepInput) -> None:
    await remove_children(conn, "dispute_sweep_recheck", sweep.city_code, sweep.id,
                          [r.case_id for r in sweep.rechecks])  # fmt: skip
    for recheck in sweep.rechecks:
        step = recheck.step
        await conn.execute(
            """
            INSERT INTO dispute_sweep_recheck (city_code, sweep_id, case_id, org_code,
                                               checked_on, stage, outcome, note)
            SELECT s.city_code, s.id, $3, s.org_code, $4, $5, $6, $7
              FROM dispute_sweep s WHERE s.city_code = $1 AND s.id = $2
            ON CONFLICT (city_code, sweep_id, case_id) DO UPDATE
               SET checked_on = EXCLUDED.checked_on, stage = EXCLUDED.stage,
                   outcome = EXCLUDED.outcome, note = EXCLUDED.note
             WHERE (dispute_sweep_recheck.checked_on, dispute_sweep_recheck.stage,
                    dispute_sweep_recheck.outcome, dispute_sweep_recheck.note)
                   IS DISTINCT FROM (EXCLUDED.checked_on, EXCLUDED.stage, EXCLUDED.outcome,
                                     EXCLUDED.note)
            """,
            sweep.city_code, sweep.id, recheck.case_id, step.on, step.stage, step.outcome,
            step.note,
        )  # fmt: skip


async def _take_into_cases(conn: Connection, sweep: SweepInput) -> None:
    """Each re-check's status, on its day, becomes its case's (a case concluded by it
    keeps the note as how it ended); cases already as found stay as they are."""
    for recheck in sweep.rechecks:
        step = recheck.step
        concluded = step.stage in CONCLUDED
        await conn.execute(
            """
            UPDATE dispute_case
               SET stage = $3,
                   mediated_on = CASE WHEN $3 = 'open' THEN NULL
                                      ELSE coalesce(mediated_on, $4) END,
                   closed_on = CASE WHEN $5 THEN $4::date END,
                   outcome = CASE WHEN $5 THEN $6 END,
                   outcome_note = CASE WHEN $5 THEN $7 ELSE outcome_note END,
                   version = version + 1
             WHERE city_code = $1 AND id = $2 AND stage <> $3 AND status IN ('draft', 'returned')
            """,
            sweep.city_code, recheck.case_id, step.stage, step.on, concluded, step.outcome,
            step.note,
        )  # fmt: skip


async def review_sweep(
    conn: Connection,
    city_code: str,
    sweep_id: UUID,
    base_version: int,
    decision: workflow.Decision,
    comment: str = "",
) -> SubmissionState:
    """A supervisor approves a filed sweep or returns it with a comment."""
    return await workflow.review(conn, KIND, city_code, sweep_id, base_version, decision, comment)


async def sweep_stamp(conn: Connection, city_code: str, sweep_id: UUID) -> tuple[str, datetime]:
    """Who saved the sweep last, and when."""
    row = await conn.fetchrow(
        "SELECT updated_by, updated_at FROM dispute_sweep WHERE city_code = $1 AND id = $2",
        city_code, sweep_id,
    )  # fmt: skip
    if row is None:
        raise NotVisible("sweep: not found in your scope")
    return row["updated_by"], row["updated_at"]
