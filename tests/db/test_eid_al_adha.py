"""The days of Eid al-Adha in reference data: one a year, 2015–2035, each the 10th of Dhu
al-Hijjah as Umm al-Qura computes it (hijridate) or a day after: the day Chinese Muslims
keep follows the sighting of the moon and may fall a day later than the computed one."""

from __future__ import annotations

from datetime import date

import asyncpg
from hijridate import Gregorian, Hijri

from seeds.reference import EID_EDITION, load_eid_al_adha


def _computed(year: int) -> date:
    """The Umm al-Qura day of 10 Dhu al-Hijjah that falls in Gregorian `year`."""
    hijri_year = Gregorian(year, 6, 30).to_hijri().year
    for candidate in (hijri_year - 1, hijri_year, hijri_year + 1):
        day = Hijri(candidate, 12, 10).to_gregorian()
        if day.year == year:
            return date(day.year, day.month, day.day)
    raise AssertionError(f"no Eid al-Adha computed in {year}")


async def test_one_day_a_year_from_2015_to_2035(conn: asyncpg.Connection) -> None:
    years = [r["year"] for r in await conn.fetch("SELECT year FROM eid_al_adha ORDER BY year")]
    assert years == list(range(2015, 2036))


async def test_each_day_is_the_computed_one_or_a_day_either_side(
    conn: asyncpg.Connection,
) -> None:
    rows = await conn.fetch("SELECT year, day, basis FROM eid_al_adha ORDER BY year")
    off = {r["year"]: (r["day"] - _computed(r["year"])).days for r in rows}
    assert {year: days for year, days in off.items() if abs(days) > 1} == {}
    # Years not yet announced hold the computed day itself.
    assert all(off[r["year"]] == 0 for r in rows if r["basis"] == "expected")


async def test_the_source_and_its_edition_are_recorded(conn: asyncpg.Connection) -> None:
    row = await conn.fetchrow("SELECT * FROM reference_source WHERE name = 'eid_al_adha'")
    assert row["edition"] == EID_EDITION
    assert row["row_count"] == 21
    assert len(row["checksum"]) == 64


async def test_app_roles_read_the_days_and_change_none(conn: asyncpg.Connection) -> None:
    for role in ("tongxin_grid_worker", "tongxin_supervisor", "tongxin_admin", "tongxin_auditor"):
        for privilege in ("SELECT", "INSERT", "UPDATE", "DELETE"):
            held = await conn.fetchval(
                "SELECT has_table_privilege($1, 'eid_al_adha', $2)", role, privilege
            )
            assert held is (privilege == "SELECT"), (role, privilege)


async def test_a_reload_changes_nothing_and_is_audited_once(conn: asyncpg.Connection) -> None:
    before = await conn.fetch("SELECT * FROM eid_al_adha ORDER BY year")
    audited = await conn.fetchval("SELECT count(*) FROM audit_log WHERE table_name = 'eid_al_adha'")
    await conn.execute("UPDATE eid_al_adha SET day = day + 1 WHERE year = 2030")
    async with conn.transaction():
        await load_eid_al_adha(conn)
    assert await conn.fetch("SELECT * FROM eid_al_adha ORDER BY year") == before
    # The operator's change and the reload's correction: one audit row each.
    after = await conn.fetchval("SELECT count(*) FROM audit_log WHERE table_name = 'eid_al_adha'")
    assert after == audited + 2
