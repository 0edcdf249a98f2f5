"""Reference data loads completely and idempotently."""

from __future__ import annotations

import asyncpg

from seeds.reference import load_reference


async def _counts(conn: asyncpg.Connection) -> dict[str, int]:
    sql = """
    SELECT (SELECT count(*) FROM ethnic_group WHERE NOT is_extension) AS ethnic,
           (SELECT count(*) FROM ethnic_group) AS ethnic_all,
           (SELECT count(*) FROM division) AS divisions,
           (SELECT count(*) FROM division WHERE level = 1) AS provinces,
           (SELECT count(*) FROM org_unit WHERE NOT is_demo) AS org_units,
           (SELECT count(*) FROM org_unit WHERE is_demo) AS demo_grids,
           (SELECT count(*) FROM department) AS departments,
           (SELECT count(*) FROM eid_al_adha) AS eid_days,
           (SELECT count(*) FROM need_category) AS need_categories,
           (SELECT count(*) FROM reference_source) AS sources
    """
    return dict((await conn.fetchrow(sql)).items())


async def test_reference_counts(conn: asyncpg.Connection) -> None:
    counts = await _counts(conn)
    assert counts["ethnic"] == 56
    assert counts["ethnic_all"] == 58
    # 3,211 rows of the Ministry's table plus Taiwan.
    assert counts["divisions"] == 3212
    assert counts["provinces"] == 34
    # 6,318 statistical units plus the two cities.
    assert counts["org_units"] == 6320
    assert counts["demo_grids"] > 0
    assert counts["departments"] == 18
    assert counts["eid_days"] == 21  # 2015–2035
    assert counts["need_categories"] == 11
    assert (
        counts["sources"] == 6
    )  # ethnic groups, divisions, org units, departments, need categories, Eid days


async def test_reload_changes_nothing(conn: asyncpg.Connection) -> None:
    before = await _counts(conn)
    await load_reference(conn)
    assert await _counts(conn) == before


async def test_org_tree_is_consistent(conn: asyncpg.Connection) -> None:
    orphans = await conn.fetchval(
        "SELECT count(*) FROM org_unit c LEFT JOIN org_unit p ON p.code = c.parent_code "
        "WHERE c.parent_code IS NOT NULL AND p.code IS NULL"
    )
    assert orphans == 0
    sui = await conn.fetchrow("SELECT name_zh, letter_code FROM ethnic_group WHERE code = '25'")
    assert (sui["name_zh"], sui["letter_code"]) == ("水族", "SU")
    luzhou = await conn.fetchrow("SELECT level, parent_code FROM org_unit WHERE code = '140403'")
    assert (luzhou["level"], luzhou["parent_code"]) == ("district", "1404")
    grid = await conn.fetchrow(
        "SELECT g.code, c.level FROM org_unit g JOIN org_unit c ON c.code = g.parent_code "
        "WHERE g.is_demo ORDER BY g.code LIMIT 1"
    )
    assert len(grid["code"]) == 14
    assert grid["level"] == "community"


async def test_each_source_records_its_edition(conn: asyncpg.Connection) -> None:
    rows = await conn.fetch("SELECT name, edition, row_count, checksum FROM reference_source")
    by_name = {r["name"]: r for r in rows}
    assert by_name["ethnic_group"]["edition"] == "GB/T 3304-1991"
    assert "2025-12-31" in by_name["division"]["edition"]
    assert "2023" in by_name["org_unit"]["edition"]
    assert all(len(r["checksum"]) == 64 for r in rows)
