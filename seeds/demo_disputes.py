"""Demo disputes: three years of cases and monthly sweeps of the demo communities, stored
as the operator (seeds/dispute_history.py makes them).

Cases, parties, notes, sweeps and re-checks are COPYed; every filed sweep is then taken
through the workflow as it went (submitted, returned once for some, approved), so the
database's rules of filing (sql/V012 tx_sweep_rules) check each one as it is filed.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from db.core.connect import Connection
from seeds.dispute_history import (
    DEPARTMENT,
    MEDIATORS,
    OFFICE_TZ,
    PLANS,
    DemoCase,
    DemoSweep,
    DisputeHistory,
    generate_history,
)

SEEDER = "demo_seed"
BULK_PURPOSE = "演示数据 / demo data"
PERSONS_PER_UNIT = 60  # the registered persons of a community that may be parties

SWEEP_COLUMNS = ["city_code", "id", "org_code", "month", "nil_return", "status",
                 "created_by", "updated_by"]  # fmt: skip
CASE_COLUMNS = [
    "city_code", "id", "org_code", "sweep_id", "kind", "summary", "mediation_plan",
    "department_code", "responsible_person", "stage", "opened_on", "mediated_on", "closed_on",
    "outcome", "outcome_note", "escalated_on", "escalation_note", "status", "submitted_at",
    "reviewed_at", "reviewed_by", "review_comment", "created_by", "updated_by",
]  # fmt: skip
PARTY_COLUMNS = ["city_code", "case_id", "id", "seq", "org_code", "person_id", "name", "role",
                 "detail"]  # fmt: skip
NOTE_COLUMNS = ["city_code", "id", "case_id", "org_code", "noted_on", "stage", "note",
                "created_by", "updated_by"]  # fmt: skip
RECHECK_COLUMNS = ["city_code", "sweep_id", "case_id", "org_code", "checked_on", "stage",
                   "outcome", "note", "created_by", "updated_by"]  # fmt: skip


@dataclass(frozen=True, slots=True)
class DisputesLoaded:
    cases: int
    sweeps: int
    rechecks: int


async def seed_disputes(conn: Connection, *, seed: int, today: date) -> DisputesLoaded:
    """Store the demo communities' disputes of the 36 months up to `today`, in one
    transaction; the same seed and day give the same history."""
    units = [
        r[0]
        for r in await conn.fetch(
            "SELECT DISTINCT parent_code FROM org_unit WHERE level = 'grid' AND is_demo ORDER BY 1"
        )
    ]
    persons: dict[str, list[tuple[uuid.UUID, str]]] = {}
    for row in await conn.fetch(
        "SELECT id, name, left(org_code, 12) AS unit FROM person "
        "WHERE status = 'registered' AND anonymised_at IS NULL AND left(org_code, 12) = ANY($1) "
        "ORDER BY id",
        units,
    ):  # fmt: skip
        mine = persons.setdefault(row["unit"], [])
        if len(mine) < PERSONS_PER_UNIT:
            mine.append((row["id"], row["name"]))
    history = generate_history(seed, units, persons, today)
    async with conn.transaction():
        # One audit row per COPY instead of one per row (see sql/V003, V010).
        await conn.execute("SELECT set_config('tongxin.bulk_load', 'on', true)")
        await conn.execute("SELECT set_config('tongxin.bulk_purpose', $1, true)", BULK_PURPOSE)
        await _copy(conn, "dispute_sweep", SWEEP_COLUMNS, (
            (s.org_code[:4], s.id, s.org_code, s.month, s.nil_return, "draft", SEEDER, SEEDER)
            for s in history.sweeps))  # fmt: skip
        await _copy(conn, "dispute_case", CASE_COLUMNS, (_case_row(c) for c in history.cases))
        await _copy(conn, "dispute_party", PARTY_COLUMNS, (
            (c.org_code[:4], c.id, p.id, seq, c.org_code, p.person_id, p.name, p.role, p.detail)
            for c in history.cases for seq, p in enumerate(c.parties, start=1)))  # fmt: skip
        await _copy(conn, "dispute_case_note", NOTE_COLUMNS, _note_rows(history.cases))
        await _copy(conn, "dispute_sweep_recheck", RECHECK_COLUMNS, (
            (s.org_code[:4], s.id, r.case_id, s.org_code, r.checked_on, r.stage, r.outcome,
             r.note, SEEDER, SEEDER)
            for s in history.sweeps for r in s.rechecks))  # fmt: skip
        await conn.execute("SELECT set_config('tongxin.bulk_load', 'off', true)")
        await _file(conn, history)
    rechecks = sum(len(s.rechecks) for s in history.sweeps)
    return DisputesLoaded(len(history.cases), len(history.sweeps), rechecks)


async def _copy(conn: Connection, table: str, columns: list[str], rows: Iterable[Any]) -> None:
    await conn.copy_records_to_table(table, records=list(rows), columns=columns)


def _moment(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), OFFICE_TZ)


def _case_row(c: DemoCase) -> tuple[Any, ...]:
    submitted = (
        _moment(c.closed_on + timedelta(days=1)) if c.status != "draft" and c.closed_on else None
    )
    reviewed = (
        _moment(c.closed_on + timedelta(days=3))
        if c.status in ("approved", "returned") and c.closed_on else None
    )  # fmt: skip
    pick = c.id.int
    return (
        c.org_code[:4], c.id, c.org_code, c.sweep, c.kind, c.summary, PLANS[pick % len(PLANS)],
        DEPARTMENT.get(c.kind), MEDIATORS[pick % len(MEDIATORS)], c.stage, c.opened_on,
        c.mediated_on, c.closed_on, c.outcome, c.outcome_note, c.escalated_on,
        c.escalation_note, c.status, submitted, reviewed, SEEDER if reviewed else None,
        c.review_comment, SEEDER, SEEDER,
    )  # fmt: skip


def _note_rows(cases: list[DemoCase]) -> Iterable[tuple[Any, ...]]:
    """Each case's history: taken in, taken up, concluded."""
    for c in cases:
        steps = [(c.opened_on, "open", "受理登记，了解双方诉求")]
        if c.mediated_on is not None:
            steps.append((c.mediated_on, "mediating", "组织双方调解"))
        if c.closed_on is not None:
            steps.append((c.closed_on, c.stage, c.outcome_note))
        for n, (day, stage, note) in enumerate(steps):
            note_id = uuid.UUID(int=c.id.int ^ (0x5EED + n), version=4)
            yield (c.org_code[:4], note_id, c.id, c.org_code, day, stage, note, SEEDER, SEEDER)


async def _file(conn: Connection, history: DisputeHistory) -> None:
    """Take each filed sweep through the workflow, in the order it went."""
    filed = [s for s in history.sweeps if s.filed_at is not None]
    await conn.executemany(
        "UPDATE dispute_sweep SET status = 'submitted', filed_at = $3, filed_by = $4, "
        "submitted_at = $3 WHERE city_code = $1 AND id = $2",
        [(s.org_code[:4], s.id, s.filed_at, SEEDER) for s in filed],
    )
    review = (
        "UPDATE dispute_sweep SET status = $3, review_comment = $4, reviewed_at = $5, "
        "reviewed_by = $6 WHERE city_code = $1 AND id = $2"
    )
    again = [s for s in filed if s.returned_before]
    await conn.executemany(review, [_review(s, "returned", "请补充复查情况") for s in again])
    await conn.executemany(
        "UPDATE dispute_sweep SET status = 'submitted' WHERE city_code = $1 AND id = $2",
        [(s.org_code[:4], s.id) for s in again],
    )
    await conn.executemany(review, [
        _review(s, s.status, s.review_comment) for s in filed
        if s.status in ("approved", "returned")
    ])  # fmt: skip


def _review(s: DemoSweep, status: str, comment: str) -> tuple[Any, ...]:
    return (s.org_code[:4], s.id, status, comment, s.reviewed_at, SEEDER)
