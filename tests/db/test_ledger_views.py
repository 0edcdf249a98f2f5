"""The ledger views against figures worked out in Python from the rows written: arrivals,
returns, hand-overs and departures month by month, at the month boundaries, for a grid,
a community, a street and a district; the statistics of registered persons; the
registry; and what each role sees through every view."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import asyncpg
import pytest

from db.core.clock import today
from db.core.session import acting_as
from db.ledgers.catalogue import LEDGERS
from db.ledgers.home import records_to_complete
from db.ledgers.reads import ledger_page
from tests.db.access_fixtures import new_user
from tests.db.ledger_world import World, pick_grids, plan, write

EVENTS = ("arrived", "returned", "moved_in", "moved_out", "left_city")


def _months(first: date, last: date) -> list[date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


@pytest.fixture
async def world(conn: asyncpg.Connection) -> World:
    world = plan(await pick_grids(conn))
    await write(conn, world)
    return world


async def _all_pages(conn: asyncpg.Connection, name: str, scope: str,
                     month: date | None = None) -> list[dict[str, object]]:  # fmt: skip
    rows, after = [], None
    while True:
        page = await ledger_page(conn, name, scope, month, after, limit=7)
        rows += page.rows
        if page.after is None:
            return rows
        after = page.after


async def test_each_grid_month_by_month_counts_who_came_left_and_was_there(
    conn: asyncpg.Connection, world: World
) -> None:
    months = _months(date(2025, 1, 1), today())
    for grid in world.grids:
        rows = {r["month"]: r for r in await conn.fetch(
            "SELECT * FROM stats_monthly WHERE org_code = $1 ORDER BY month", grid)}  # fmt: skip
        assert rows, grid
        for month in months:
            expected = world.events(grid, month)
            row = rows.get(month)
            if row is None:  # before the grid's first event
                assert month < min(rows)
                assert not expected
                assert world.registered(grid, month) == 0
                continue
            assert {e: row[e] for e in EVENTS} == {e: expected[e] for e in EVENTS}, (grid, month)
            assert row["registered"] == world.registered(grid, month), (grid, month)


@pytest.mark.parametrize("level", [12, 9, 6, 4])
async def test_a_unit_counts_only_the_hand_overs_that_cross_its_boundary(
    conn: asyncpg.Connection, world: World, level: int
) -> None:
    scope = world.grids[0][:level]
    rows = await _all_pages(conn, "monthly", scope)
    assert [r["month"] for r in rows] == _months(rows[0]["month"], today())
    for row in rows:
        month = row["month"]
        assert isinstance(month, date)
        expected = world.events(scope, month)
        assert {e: row[e] for e in EVENTS} == {e: expected[e] for e in EVENTS}, (scope, month)
        assert row["registered"] == world.registered(scope, month), (scope, month)
    assert world.registered(scope, today().replace(day=1)) == len(world.now_registered(scope))
    figures = (*EVENTS, "registered")
    view = await conn.fetch("SELECT * FROM stats_monthly WHERE org_code = $1", scope)
    assert {r["month"]: tuple(r[f] for f in figures) for r in view} == {
        r["month"]: tuple(r[f] for f in figures) for r in rows
    }


async def test_one_month_of_a_street_lists_its_communities_then_the_street(
    conn: asyncpg.Connection, world: World
) -> None:
    street = world.grids[0][:9]
    month = date(2025, 4, 1)
    rows = await _all_pages(conn, "monthly", street, month)
    units = [r["unit_code"] for r in rows]
    assert units[-1] == street
    assert rows[-1]["is_total"]
    communities = await conn.fetch(
        "SELECT code FROM org_unit WHERE parent_code = $1 ORDER BY code", street
    )
    assert units[:-1] == [c["code"] for c in communities]
    for row in rows:
        unit = str(row["unit_code"])
        expected = world.events(unit, month)
        assert {e: row[e] for e in EVENTS} == {e: expected[e] for e in EVENTS}, unit
        assert row["registered"] == world.registered(unit, month), unit
    # The boundaries: in on the 31st of March, gone on the 30th of April.
    assert world.registered(street, date(2025, 3, 1)) > 0


@pytest.mark.parametrize(
    ("name", "category", "of_person"),
    [
        ("ethnicity", "ethnicity", lambda p, names: names["ethnic"][p.ethnic_code]),
        ("origin", "province", lambda p, names: names["province"].get(p.origin, "未填写")),
        ("occupation", "occupation", lambda p, names: p.occupation.strip() or "未填写"),
    ],
)
async def test_statistics_count_the_registered_persons_of_each_community(
    conn: asyncpg.Connection, world: World, name: str, category: str, of_person: object
) -> None:
    names = {
        "ethnic": {r[0]: r[1] for r in await conn.fetch("SELECT code, name_zh FROM ethnic_group")},
        "province": {
            code: await conn.fetchval(
                "SELECT name FROM division WHERE code = $1", code[:2] + "0000"
            )  # fmt: skip
            for code in ("650102", "630102", "640104")
        },
    }
    for scope in {g[:12] for g in world.grids} | {world.grids[0][:9]}:
        persons = world.now_registered(scope)
        expected = Counter(of_person(p, names) for p in persons)  # type: ignore[operator]
        men = Counter(of_person(p, names) for p in persons if p.sex == 1)  # type: ignore[operator]
        rows = await _all_pages(conn, name, scope)
        assert {r[category]: r["persons"] for r in rows} == dict(expected), (name, scope)
        assert {r[category]: r["male"] for r in rows if r["male"]} == dict(men), (name, scope)
        assert all(r["male"] + r["female"] == r["persons"] for r in rows)


async def test_the_registry_lists_registered_persons_masked_in_the_registry_order(
    conn: asyncpg.Connection, world: World
) -> None:
    community = world.grids[0][:12]
    rows = await _all_pages(conn, "registry", community)
    expected = {p.id for p in world.now_registered(community) if not p.anonymised}
    assert [r["person_id"] for r in rows if r["person_id"] in expected] == [
        r["person_id"] for r in rows
    ]
    assert {r["person_id"] for r in rows} == expected
    keys = [(r["org_code"], r["name_pinyin"], r["person_id"]) for r in rows]
    assert keys == sorted(keys)
    assert set(LEDGERS["registry"].read) >= {"id_number_masked", "phone_masked"}
    columns = {r[0] for r in await conn.fetch(
        "SELECT attname FROM pg_attribute WHERE attrelid = 'ledger_registry'::regclass "
        "AND attnum > 0")}  # fmt: skip
    assert not {c for c in columns if c.endswith(("_enc", "_hmac"))}


async def test_a_street_supervisor_sees_no_row_of_another_street_through_any_view(
    conn: asyncpg.Connection, other: asyncpg.Connection, world: World
) -> None:
    street = world.grids[0][:9]
    supervisor = await new_user(conn, "supervisor", street)
    views = [r[0] for r in await conn.fetch(
        "SELECT viewname FROM pg_views WHERE schemaname = 'public' "
        "AND (viewname LIKE 'ledger\\_%' OR viewname LIKE 'stats\\_%' "
        "OR viewname LIKE 'report\\_%') ORDER BY 1")]  # fmt: skip
    assert set(views) >= {ledger.view for ledger in LEDGERS.values()} | {"stats_movement"}
    async with acting_as(other, supervisor):
        for view in views:
            codes = {r[0] for r in await other.fetch(f"SELECT DISTINCT org_code FROM {view}")}
            owner = {r[0] for r in await conn.fetch(f"SELECT DISTINCT org_code FROM {view}")}
            assert codes == {c for c in owner if c.startswith(street)}, view
        far = world.grids[3][:9]
        for name in LEDGERS:
            page = await ledger_page(other, name, far, None)
            assert not page.rows, name


async def test_the_home_screen_lists_the_records_of_the_grid_left_incomplete(
    conn: asyncpg.Connection, other: asyncpg.Connection, world: World
) -> None:
    grid = world.grids[1]
    worker = await new_user(conn, "grid_worker", grid)
    async with acting_as(other, worker):
        found = await records_to_complete(other, grid, limit=3)
        everywhere = await records_to_complete(other, world.grids[0][:4], limit=100)
    lacking = {p.id for p in world.now_registered(grid) if p.occupation == "" and not p.anonymised}
    assert found.count == len(lacking) > 3
    assert len(found.first) == 3
    assert {r.person_id for r in found.first} <= lacking
    assert all(r.missing_occupation and not r.missing_origin for r in found.first)
    assert {r.person_id for r in everywhere.first} == lacking  # the worker's grid only
