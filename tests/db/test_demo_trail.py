"""The demo's history of looks at persons (seeds/demo_trail.py): the same for a seed,
another for another seed, and every row one the app could have written: by a demo user
who may see the person, under the person's grid, with a purpose, on a working day of
the 36 months before today, in office hours; and the city chains still verify."""

from __future__ import annotations

from datetime import date, datetime, time

import asyncpg

from db.audit.chain import verify_chains
from db.core.clock import OFFICE_TZ
from db.keys.crypto import Keyring
from seeds.demo import seed_demo
from seeds.demo_trail import seed_trail

TODAY = date(2026, 11, 1)
ROWS = """
SELECT a.at, a.actor, a.action, a.table_name, a.city_code, a.person_id, a.org_code, a.purpose
  FROM audit_log a WHERE a.id > $1 AND a.table_name <> 'app_user' ORDER BY a.id
"""  # the demo users, made where absent, are audited too


async def _seeded(conn: asyncpg.Connection, seed: int) -> list[asyncpg.Record]:
    last = await conn.fetchval("SELECT coalesce(max(id), 0) FROM audit_log")
    seeded = await seed_trail(conn, seed=seed, today=TODAY)
    rows = await conn.fetch(ROWS, last)
    assert len(rows) == seeded.rows == sum(seeded.by_kind.values())
    return rows


async def test_a_seed_writes_the_same_history_and_another_seed_another(
    conn: asyncpg.Connection, keyring: Keyring
) -> None:
    await seed_demo(conn, keyring, persons=300, seed=1, today=TODAY)
    first = await _seeded(conn, 7)
    assert [tuple(r) for r in await _seeded(conn, 7)] == [tuple(r) for r in first]
    assert [tuple(r) for r in await _seeded(conn, 8)] != [tuple(r) for r in first]
    assert len(first) > 500


async def test_every_row_is_one_the_app_could_have_written(
    conn: asyncpg.Connection, keyring: Keyring
) -> None:
    await seed_demo(conn, keyring, persons=300, seed=1, today=TODAY)
    rows = await _seeded(conn, 7)
    users = {r["pg_role"]: r for r in await conn.fetch("SELECT * FROM app_user")}
    persons = {r["id"]: r for r in await conn.fetch("SELECT city_code, id, org_code FROM person")}
    earliest = datetime.combine(date(2023, 11, 1), time(8, 30), OFFICE_TZ)
    kinds = set()
    for row in rows:
        user, person = users[row["actor"]], persons[row["person_id"]]
        assert row["org_code"].startswith(user["org_code"]), row  # in the user's scope
        assert (row["city_code"], row["org_code"]) == (person["city_code"], person["org_code"])
        assert row["purpose"].strip()
        local = row["at"].astimezone(OFFICE_TZ)
        assert earliest <= local < datetime.combine(TODAY, time(0), OFFICE_TZ), row
        assert local.weekday() < 5, row
        assert time(8, 30) <= local.time() <= time(17, 30), row
        if row["table_name"] == "audit_log":  # a reading of the trail, by those who may
            assert user["role_kind"] in ("supervisor", "auditor", "admin"), row
        kinds.add((user["role_kind"], row["action"], row["table_name"]))
    assert {action for _, action, _ in kinds} == {"open", "reveal", "export"}
    assert {kind for kind, _, _ in kinds} == {"grid_worker", "supervisor", "auditor", "admin"}
    await verify_chains(conn)  # raises at the first broken link
