"""The counts the statistics read (V017) stay what a recount from person and person_move
gives, through every way a person is written: registered, corrected, handed over, left,
returned, anonymised, removed, loaded in bulk; and no writer waits for another's open
transaction to count a person."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date

import asyncpg

from db.core.clock import today
from db.core.session import acting_as
from db.keys.crypto import Keyring
from db.persons.save import change_status, hand_over
from db.privacy.retention import run_retention
from seeds.demo import seed_demo
from tests.db.access_fixtures import new_user
from tests.db.ledger_world import pick_grids, plan, write

_TALLY_DRIFT = """
SELECT city_code, org_code, ethnic_code, province_code, occupation, sex, sum(persons)
  FROM person_tally GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(persons) <> 0
EXCEPT ALL
SELECT city_code, org_code, ethnic_code, ledger_province_key(origin_division_code),
       ledger_occupation_key(occupation), sex, count(*)
  FROM person WHERE status = 'registered' GROUP BY 1, 2, 3, 4, 5, 6
"""
_EVENT_DRIFT = """
(SELECT * FROM person_event
 EXCEPT ALL
 SELECT e.* FROM (SELECT array_agg(city_code) AS c, array_agg(id) AS i FROM person) a,
        ledger_events_of(a.c, a.i) e)
UNION ALL
(SELECT e.* FROM (SELECT array_agg(city_code) AS c, array_agg(id) AS i FROM person) a,
        ledger_events_of(a.c, a.i) e
 EXCEPT ALL
 SELECT * FROM person_event)
"""
# V022's counts: in each grid, as many of each event in each month as person_event holds
# (no month is signed off here, so each counts in its own); and in every unit, the
# changes up to now add up to the persons registered in it now.
_GRID_COUNT_DRIFT = """
(SELECT org_code, month, event, sum(events) FROM person_month_count
  WHERE length(org_code) = 14 GROUP BY 1, 2, 3 HAVING sum(events) <> 0
 EXCEPT ALL
 SELECT org_code, month, event, count(*) FROM person_event GROUP BY 1, 2, 3)
UNION ALL
(SELECT org_code, month, event, count(*) FROM person_event GROUP BY 1, 2, 3
 EXCEPT ALL
 SELECT org_code, month, event, sum(events) FROM person_month_count
  WHERE length(org_code) = 14 GROUP BY 1, 2, 3 HAVING sum(events) <> 0)
"""
_REGISTERED_DRIFT = """
SELECT u.code, c.net, (SELECT count(*) FROM person p WHERE p.status = 'registered'
                          AND p.org_code >= u.code AND p.org_code < u.code || ':') AS now
  FROM org_unit u
  JOIN (SELECT org_code, sum(events * ledger_event_change(event)) AS net
          FROM person_month_count GROUP BY org_code) c ON c.org_code = u.code
 WHERE c.net <> (SELECT count(*) FROM person p WHERE p.status = 'registered'
                    AND p.org_code >= u.code AND p.org_code < u.code || ':')
"""


async def _in_step(conn: asyncpg.Connection) -> None:
    assert [tuple(r) for r in await conn.fetch(_TALLY_DRIFT)] == []
    reverse = _TALLY_DRIFT.split("EXCEPT ALL")
    assert [tuple(r) for r in await conn.fetch(reverse[1] + " EXCEPT ALL " + reverse[0])] == []
    assert [tuple(r) for r in await conn.fetch(_EVENT_DRIFT)] == []
    assert [tuple(r) for r in await conn.fetch(_GRID_COUNT_DRIFT)] == []
    assert [tuple(r) for r in await conn.fetch(_REGISTERED_DRIFT)] == []


async def _register(
    conn: asyncpg.Connection, grid: str, name: str, ethnic: str = "03"
) -> uuid.UUID:
    person = uuid.uuid4()
    await conn.execute(
        "INSERT INTO person (city_code, id, org_code, name, sex, ethnic_code, birth_date, "
        "arrival_date, occupation, origin_division_code) "
        "VALUES ($1, $2, $3, $4, 1, $5, '1990-01-01', '2026-03-31', '餐饮', '650102')",
        grid[:4], person, grid, name, ethnic,
    )  # fmt: skip
    return person


async def test_counts_follow_every_write_of_a_person(
    conn: asyncpg.Connection, other: asyncpg.Connection
) -> None:
    grids = await pick_grids(conn)
    await write(conn, plan(grids, seed=3, persons=40))  # loaded by the operator
    await _in_step(conn)
    worker = await new_user(conn, "grid_worker", grids[0])
    supervisor = await new_user(conn, "supervisor", grids[0][:4])
    async with acting_as(other, worker):
        first = await _register(other, grids[0], "马甲")
        second = await _register(other, grids[0], "马乙", "04")
        await other.execute(
            "UPDATE person SET ethnic_code = '06', occupation = ' 务工 ', arrival_date = "
            "'2026-04-01', version = version + 1 WHERE id = $1", first,
        )  # fmt: skip
    await _in_step(conn)
    async with acting_as(other, supervisor):
        version = await other.fetchval("SELECT version FROM person WHERE id = $1", first)
        version = await hand_over(other, grids[0][:4], first, version, grids[3], date(2026, 5, 2))
        version = await change_status(other, grids[0][:4], first, version, "left_city",
                                      date(2026, 6, 30))  # fmt: skip
        await change_status(other, grids[0][:4], first, version, "registered", date(2026, 8, 1))
        late = await other.fetchval("SELECT version FROM person WHERE id = $1", second)
        await change_status(other, grids[0][:4], second, late, "left_city", date(2020, 1, 1))
    await _in_step(conn)
    rows = await conn.fetch(
        "SELECT event, org_code, happened_on FROM person_event WHERE person_id = $1 ORDER BY seq",
        first,
    )
    assert [tuple(r) for r in rows] == [("returned", grids[3], date(2026, 8, 1))]
    await run_retention(conn, today=today(), months=1, dry_run=False)
    await conn.execute("DELETE FROM person WHERE id = $1", second)
    await conn.execute("DELETE FROM person_move WHERE id = (SELECT min(id) FROM person_move)")
    await _in_step(conn)
    await conn.execute("TRUNCATE person CASCADE")
    assert await conn.fetchval("SELECT count(*) FROM person_tally") == 0
    assert await conn.fetchval("SELECT count(*) FROM person_event") == 0
    assert await conn.fetchval("SELECT count(*) FROM person_month_count") == 0


async def test_a_writer_with_an_open_transaction_stalls_no_other_writer(
    conn: asyncpg.Connection, other: asyncpg.Connection, db_dsn: str
) -> None:
    grid = (await pick_grids(conn))[0]
    first, second = (
        await new_user(conn, "grid_worker", grid),
        await new_user(conn, "grid_worker", grid),
    )
    third = await asyncpg.connect(db_dsn)
    try:
        async with acting_as(other, first):
            await _register(other, grid, "马丙")  # the same grid, group, place and job
            async with acting_as(third, second):
                await third.execute("SET LOCAL lock_timeout = '1s'")
                await asyncio.wait_for(_register(third, grid, "马丁"), timeout=5)
        tally = await conn.fetch(
            "SELECT actor, persons FROM person_tally WHERE org_code = $1 ORDER BY actor", grid
        )
        assert sorted(tuple(r) for r in tally) == sorted([(first.pg_role, 1), (second.pg_role, 1)])
    finally:
        await third.close()


async def test_a_demo_load_is_counted_once_at_its_end_and_a_second_one_per_batch(
    conn: asyncpg.Connection, keyring: Keyring
) -> None:
    await seed_demo(conn, keyring, persons=300, seed=5, today=today())  # into empty tables
    await _in_step(conn)
    assert await conn.fetchval("SELECT current_setting('tongxin.counts_deferred')") != "on"
    await seed_demo(conn, keyring, persons=200, seed=6, today=today())  # beside them
    await _in_step(conn)
