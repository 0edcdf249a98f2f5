"""The demo's sign-offs: the same seed and day make the same ones, only of months the
rules let be signed off, with reopened ones among them; and the lock holds on them."""

from __future__ import annotations

from datetime import date

import asyncpg
import pytest

from db.core.session import acting_as
from db.keys.crypto import Keyring
from db.signoff import refusal_of
from seeds.demo import seed_demo
from seeds.demo_disputes import seed_disputes
from seeds.demo_signoff import SIGNERS, seed_sign_offs
from tests.db.access_fixtures import new_user

TODAY = date(2026, 11, 14)
DIGEST = """
SELECT md5(string_agg(concat_ws(',', id, org_code, month, signed_by_name, signed_at,
                                reopened_at, reopen_reason), '|' ORDER BY id))
  FROM month_sign_off
"""
# Sign-offs in force whose month the rules would refuse: not ended, a sweep not approved,
# something under review or returned.
BROKEN = """
SELECT count(*) FROM month_sign_off o
 WHERE o.reopened_at IS NULL
   AND (o.month >= date_trunc('month', $1::date)
        OR EXISTS (SELECT 1 FROM sweep_month_status(o.org_code, o.month, $1)
                    WHERE status IS DISTINCT FROM 'approved')
        OR EXISTS (SELECT 1 FROM tx_month_pending(o.org_code, o.month))
        OR o.signed_at > $1::date + 1)
"""


async def test_the_demo_sign_offs_are_the_seeds_and_keep_the_rules(
    conn: asyncpg.Connection, keyring: Keyring
) -> None:
    await seed_demo(conn, keyring, persons=300, seed=1, today=TODAY)
    await seed_disputes(conn, seed=7, today=TODAY)
    digests = []
    for _ in range(2):
        tx = conn.transaction()
        await tx.start()
        loaded = await seed_sign_offs(conn, seed=5, today=TODAY)
        digests.append(await conn.fetchval(DIGEST))
        assert await conn.fetchval(BROKEN, TODAY) == 0
        await tx.rollback()
    assert digests[0] == digests[1]
    assert loaded.signed_off > 20
    assert loaded.reopened > 0
    await seed_sign_offs(conn, seed=6, today=TODAY)
    assert await conn.fetchval(DIGEST) != digests[0]
    # A signed-off month of the demo holds: a grid worker's sweep edit is refused.
    sweep = await conn.fetchrow(
        "SELECT s.id, s.org_code FROM dispute_sweep s JOIN month_sign_off o "
        "ON o.org_code = s.org_code AND o.month = s.month AND o.reopened_at IS NULL "
        "ORDER BY s.month DESC, s.id LIMIT 1"
    )
    grid = await conn.fetchval(
        "SELECT min(code) FROM org_unit WHERE parent_code = $1 AND level = 'grid'",
        sweep["org_code"],
    )
    worker = await new_user(conn, "grid_worker", grid)
    with pytest.raises(asyncpg.CheckViolationError) as refused:
        async with acting_as(conn, worker):
            await conn.execute("UPDATE dispute_sweep SET notes = '补' WHERE id = $1", sweep["id"])
    refusal = refusal_of(refused.value)
    assert refusal is not None
    assert refusal.code == "month_signed_off"
    assert refusal.detail["by"] in SIGNERS
    assert date.fromisoformat(refusal.detail["on"]) <= TODAY
