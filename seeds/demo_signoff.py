"""Demo sign-offs: of the demo communities' months up to the one before `today`, those the
rules let be signed off (ended, every sweep approved, nothing under review or returned:
sql/V019, asked of the database itself) signed off some days after the sweep was due, as
the operator loads history; a few reopened with a reason and signed off again, and the
last ended month left open in some communities, as it is while its reviews go on."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from db.core.clock import OFFICE_TZ
from db.core.connect import Connection

SEEDER = "demo_seed"
MONTHS = 36
SIGNERS = ("王审核", "李主任", "张科长")
REASONS = ("补录漏报的走访", "排查表填报有误，需更正", "补充案件调处记录")
REOPENED_SHARE = 0.05
LEFT_OPEN_SHARE = 0.5  # of the communities, whose last ended month is not signed off yet

# Each month of each demo community, and whether the database would let it be signed off.
_ELIGIBLE = """
SELECT u.code, m.month::date AS month, sweep_due_on(u.city_code, m.month::date) AS due_on,
       (SELECT max(s.reviewed_at) FROM dispute_sweep s
         WHERE s.org_code >= u.code AND s.org_code < u.code || ':'
           AND s.month = m.month::date) AS approved_at,
       NOT EXISTS (SELECT 1 FROM sweep_month_status(u.code, m.month::date, $2) s
                    WHERE s.status IS DISTINCT FROM 'approved')
       AND NOT EXISTS (SELECT 1 FROM tx_month_pending(u.code, m.month::date)) AS eligible
  FROM org_unit u
 CROSS JOIN generate_series(date_trunc('month', $2::date) - make_interval(months => $1),
                            date_trunc('month', $2::date) - interval '1 month',
                            interval '1 month') m(month)
 WHERE u.level = 'community'
   AND EXISTS (SELECT 1 FROM org_unit g WHERE g.parent_code = u.code AND g.is_demo)
 ORDER BY u.code, m.month
"""
_COLUMNS = ["city_code", "id", "org_code", "month", "signed_by", "signed_by_name", "signed_at",
            "reopened_by", "reopened_by_name", "reopened_at", "reopen_reason", "created_by",
            "updated_by"]  # fmt: skip


@dataclass(frozen=True, slots=True)
class SignOffsLoaded:
    signed_off: int  # months whose sign-off is in force
    reopened: int  # sign-offs reopened (each signed off again, or left open)


async def seed_sign_offs(conn: Connection, *, seed: int, today: date) -> SignOffsLoaded:
    """Store the demo communities' sign-offs, in one transaction; the same seed, day and
    data give the same ones."""
    dice = random.Random(seed)
    months = await conn.fetch(_ELIGIBLE, MONTHS, today)
    last = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    open_last = {
        code for code in sorted({r["code"] for r in months}) if dice.random() < LEFT_OPEN_SHARE
    }
    rows: list[tuple[object, ...]] = []
    in_force = reopened = 0
    for r in months:
        if not r["eligible"] or (r["month"] == last and r["code"] in open_last):
            continue
        signer = SIGNERS[dice.randrange(len(SIGNERS))]
        signed = _signed_at(dice, r["due_on"], r["approved_at"], today)
        if dice.random() < REOPENED_SHARE:
            again = signed + timedelta(days=dice.randint(1, 3))
            reason = REASONS[dice.randrange(len(REASONS))]
            rows.append(_row(dice, r["code"], r["month"], signer, signed, (signer, again, reason)))
            signed = again + timedelta(hours=2)
            reopened += 1
        rows.append(_row(dice, r["code"], r["month"], signer, signed, None))
        in_force += 1
    async with conn.transaction():
        await conn.copy_records_to_table("month_sign_off", records=rows, columns=_COLUMNS)
    return SignOffsLoaded(in_force, reopened)


def _moment(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), OFFICE_TZ)


def _signed_at(
    dice: random.Random, due_on: date, approved_at: datetime | None, today: date
) -> datetime:
    """A few days after the sweep was due and approved, and never after `today`."""
    base = max(_moment(due_on), approved_at or _moment(due_on))
    signed = base + timedelta(days=dice.randint(1, 5))
    return signed if signed <= _moment(today, 18) else base + timedelta(hours=1)


def _row(
    dice: random.Random,
    community: str,
    month: date,
    signer: str,
    signed: datetime,
    reopen: tuple[str, datetime, str] | None,
) -> tuple[object, ...]:
    name, at, reason = reopen if reopen else ("", None, "")
    return (
        community[:4], uuid.UUID(int=dice.getrandbits(128), version=4), community, month,
        SEEDER, signer, signed, SEEDER if reopen else None, name, at, reason, SEEDER, SEEDER,
    )  # fmt: skip
