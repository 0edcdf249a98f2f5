"""The demo's casework history over its persons: every part is there, their ids do not
collide (two parts make visits), the audit chain still verifies, and a second load of
the demo finds the history and adds nothing."""

from __future__ import annotations

from datetime import date

import asyncpg

from db.audit.chain import verify_chains
from db.keys.crypto import Keyring
from seeds.bootstrap import _ensure_history
from seeds.demo import seed_demo
from seeds.demo_history import seed_history

TODAY = date(2026, 11, 1)
TABLES = ("dispute_sweep", "dispute_case", "assistance_request", "referral_note", "meeting",
          "action_item", "representative", "visit")  # fmt: skip


async def _counts(conn: asyncpg.Connection) -> dict[str, int]:
    return {t: await conn.fetchval(f"SELECT count(*) FROM {t}") for t in TABLES}


async def test_every_part_of_the_history_is_loaded_once(
    conn: asyncpg.Connection, keyring: Keyring
) -> None:
    await seed_demo(conn, keyring, persons=400, seed=3, today=TODAY)
    loaded = await seed_history(conn, seed=3, today=TODAY)
    counts = await _counts(conn)
    assert all(counts[t] > 0 for t in TABLES), counts
    assert counts["dispute_sweep"] == loaded.disputes.sweeps
    assert counts["meeting"] == loaded.meetings.meetings
    assert counts["representative"] == loaded.representatives.representatives
    assert counts["visit"] == loaded.referrals.visits + loaded.representatives.visits
    assert loaded.trail.rows > 0
    assert await conn.fetchval("SELECT count(*) FROM month_sign_off") > 0
    reports = await verify_chains(conn)  # raises ChainBroken at a broken link
    assert sum(r.rows for r in reports) == await conn.fetchval("SELECT count(*) FROM audit_log")
    assert await _ensure_history(conn, seed=3, today=TODAY) is None
    assert await _counts(conn) == counts
