"""The demo's disputes: the same seed and day make the same three years of cases and
sweeps, stored through the rules of filing, with every state there is to see."""

from __future__ import annotations

from datetime import date

import asyncpg

from db.keys.crypto import Keyring
from seeds.demo import seed_demo
from seeds.demo_disputes import seed_disputes
from seeds.dispute_history import generate_history

TODAY = date(2026, 11, 14)
DIGEST = """
SELECT md5(string_agg(row_text, '|' ORDER BY row_text)) FROM (
    SELECT concat_ws(',', id, org_code, sweep_id, kind, summary, stage, opened_on, mediated_on,
                     closed_on, outcome, status, escalated_on) AS row_text FROM dispute_case
    UNION ALL
    SELECT concat_ws(',', id, org_code, month, status, nil_return, filed_at) FROM dispute_sweep
    UNION ALL
    SELECT concat_ws(',', sweep_id, case_id, checked_on, stage, outcome, note)
      FROM dispute_sweep_recheck
    UNION ALL
    SELECT concat_ws(',', case_id, id, person_id, name, role) FROM dispute_party
) AS rows
"""


def test_the_history_is_the_seeds() -> None:
    units = ["410102001001", "410102001002"]
    first = generate_history(3, units, {}, TODAY)
    assert first == generate_history(3, units, {}, TODAY)
    assert first != generate_history(4, units, {}, TODAY)


async def test_the_demo_disputes_are_stored_deterministically_in_every_state(
    conn: asyncpg.Connection, keyring: Keyring
) -> None:
    await seed_demo(conn, keyring, persons=300, seed=1, today=TODAY)
    digests = []
    for _ in range(2):
        tx = conn.transaction()
        await tx.start()
        loaded = await seed_disputes(conn, seed=7, today=TODAY)
        digests.append(await conn.fetchval(DIGEST))
        counts = await _states(conn)
        await tx.rollback()
    assert digests[0] == digests[1]
    assert loaded.sweeps > 2000
    assert loaded.cases > 1000
    assert counts["sweep"] >= {"draft", "submitted", "returned", "approved"}
    assert counts["month"] >= {"filed", "late", "missing", "due"}
    assert counts["stage"] == {"open", "mediating", "resolved", "referred", "closed"}
    assert counts["case"] == {"draft", "submitted", "returned", "approved"}
    assert counts["party"] == {"registered", "outsider"}
    assert counts["nil"] == {True, False}
    assert counts["escalated"]


async def _states(conn: asyncpg.Connection) -> dict[str, set[object]]:
    # Months of a demo street, as its supervisor's ledger will show them.
    street = await conn.fetchval(
        "SELECT left(min(code), 9) FROM org_unit WHERE level = 'grid' AND is_demo"
    )
    months = await conn.fetch(
        "SELECT m.state FROM generate_series('2023-11-01'::date, '2026-11-01', '1 month') g, "
        "sweep_month_status($1, g::date, $2) m",
        street, TODAY,
    )  # fmt: skip
    parties = await conn.fetch(
        "SELECT DISTINCT person_id IS NOT NULL AS registered FROM dispute_party"
    )
    return {
        "sweep": {r[0] for r in await conn.fetch("SELECT DISTINCT status FROM dispute_sweep")},
        "month": {r["state"] for r in months},
        "stage": {r[0] for r in await conn.fetch("SELECT DISTINCT stage FROM dispute_case")},
        "case": {r[0] for r in await conn.fetch("SELECT DISTINCT status FROM dispute_case")},
        "party": {"registered" if r["registered"] else "outsider" for r in parties},
        "nil": {r[0] for r in await conn.fetch("SELECT DISTINCT nil_return FROM dispute_sweep")},
        "escalated": {
            r[0]
            for r in await conn.fetch(
                "SELECT id FROM dispute_case WHERE escalated_on IS NOT NULL LIMIT 1"
            )
        },  # fmt: skip
    }
