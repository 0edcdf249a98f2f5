"""Dispute casework as the operator loads it, so a test starts from exactly the state it
names: cases at any stage, sweeps filed at a given moment, a city's settings."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import asyncpg


async def load_case(
    conn: asyncpg.Connection,
    org_code: str,
    opened_on: date,
    *,
    stage: str = "open",
    mediated_on: date | None = None,
    closed_on: date | None = None,
    sweep: uuid.UUID | None = None,
    kind: str = "labour",
    party: str = "马小龙",
    person: uuid.UUID | None = None,
) -> uuid.UUID:
    """A case (a draft of its grid workers) with one party; a concluded one ended in an
    agreement when resolved, in none otherwise."""
    case = uuid.uuid4()
    if stage != "open" and mediated_on is None:
        mediated_on = opened_on
    outcome = None
    if stage in ("resolved", "referred", "closed"):
        closed_on = closed_on or mediated_on
        outcome = "agreement" if stage == "resolved" else "no_agreement"
    await conn.execute(
        "INSERT INTO dispute_case (city_code, id, org_code, sweep_id, kind, summary, opened_on, "
        "stage, mediated_on, closed_on, outcome) "
        "VALUES ($1, $2, $3, $4, $5, '拖欠工资三个月', $6, $7, $8, $9, $10)",
        org_code[:4], case, org_code, sweep, kind, opened_on, stage, mediated_on, closed_on,
        outcome,
    )  # fmt: skip
    await conn.execute(
        "INSERT INTO dispute_party (city_code, case_id, id, seq, org_code, person_id, name) "
        "VALUES ($1, $2, gen_random_uuid(), 1, $3, $4, $5)",
        org_code[:4], case, org_code, person, party,
    )  # fmt: skip
    return case


async def load_sweep(
    conn: asyncpg.Connection,
    unit: str,
    month: date,
    *,
    status: str = "draft",
    nil_return: bool = True,
    filed_at: datetime | None = None,
    author: str = "demo_seed",
) -> uuid.UUID:
    """A sweep of `unit` for `month`; filed at `filed_at` unless a draft."""
    sweep = uuid.uuid4()
    await conn.execute(
        "INSERT INTO dispute_sweep (city_code, id, org_code, month, nil_return, status, "
        "review_comment, filed_at, filed_by, created_by, updated_by) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
        unit[:4], sweep, unit, month, nil_return, status,
        "请补充" if status == "returned" else "", filed_at, author if filed_at else None, author,
    )  # fmt: skip
    return sweep


async def set_city(
    conn: asyncpg.Connection, city: str, *, deadline_day: int = 20, filing_unit: str = "community"
) -> None:
    await conn.execute(
        "INSERT INTO sweep_setting (city_code, org_code, deadline_day, filing_unit) "
        "VALUES ($1, $2, $3, $4) ON CONFLICT (city_code) DO UPDATE "
        "SET deadline_day = EXCLUDED.deadline_day, filing_unit = EXCLUDED.filing_unit",
        city, city, deadline_day, filing_unit,
    )  # fmt: skip
