"""What the ledger screen charts, against counts made in Python from the rows seeded (the
demo persons and their 36 months of history): visits and dispute cases approved, and
referrals, per month of a street as its supervisor sees them; and the largest ethnic
groups of the street's registered persons with the rest added up."""

from __future__ import annotations

from collections import Counter
from datetime import date

import asyncpg
import pytest

from db.core.session import acting_as
from db.keys.crypto import Keyring
from db.ledgers.trends import largest_groups, monthly_trend
from db.users import AppUser
from seeds.demo import seed_demo
from seeds.demo_history import seed_history
from tests.db.access_fixtures import new_user

TODAY = date(2026, 11, 1)
LAST = date(2026, 10, 1)


def _month(day: date) -> date:
    return day.replace(day=1)


def _window(last: date, months: int) -> list[date]:
    out, year, month = [], last.year, last.month
    for _ in range(months):
        out.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


@pytest.fixture
async def street(conn: asyncpg.Connection, keyring: Keyring) -> str:
    await seed_demo(conn, keyring, persons=600, seed=3, today=TODAY)
    await seed_history(conn, seed=3, today=TODAY)
    return str(await conn.fetchval(
        "SELECT left(org_code, 9) FROM visit GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
    ))  # fmt: skip


@pytest.fixture
async def supervisor(conn: asyncpg.Connection, street: str) -> AppUser:
    return await new_user(conn, "supervisor", street)


async def test_the_trend_counts_approved_visits_and_cases_and_referrals_per_month(
    conn: asyncpg.Connection, other: asyncpg.Connection, street: str, supervisor: AppUser
) -> None:
    window = _window(LAST, 12)
    visits = await conn.fetch("SELECT org_code, status, visited_on AS day FROM visit")
    cases = await conn.fetch("SELECT org_code, status, opened_on AS day FROM dispute_case")
    needs = await conn.fetch("SELECT org_code, referred_on AS day FROM assistance_request")

    def counted(rows: list[asyncpg.Record], approved: bool) -> dict[date, int]:
        kept = Counter(
            _month(r["day"]) for r in rows
            if r["day"] is not None and r["org_code"].startswith(street)
            and (not approved or r["status"] == "approved")
        )  # fmt: skip
        return {m: kept[m] for m in window}

    # The seeded rows hold what must not count: other streets, reviews not finished.
    assert any(not r["org_code"].startswith(street) for r in visits)
    assert any(r["status"] != "approved" and r["org_code"].startswith(street) for r in visits)
    assert any(r["status"] != "approved" and r["org_code"].startswith(street) for r in cases)
    expected = (counted(visits, True), counted(cases, True), counted(needs, False))
    assert all(sum(series.values()) > 0 for series in expected)

    async with acting_as(other, supervisor):
        trend = await monthly_trend(other, street, LAST.replace(day=17))
    assert [m.month for m in trend] == window
    assert {m.month: m.visits for m in trend} == expected[0]
    assert {m.month: m.cases for m in trend} == expected[1]
    assert {m.month: m.referrals for m in trend} == expected[2]


async def test_the_trend_counts_only_what_the_reader_may_see(
    conn: asyncpg.Connection, other: asyncpg.Connection, street: str
) -> None:
    grid = str(await conn.fetchval(
        "SELECT min(org_code) FROM visit WHERE org_code LIKE $1 || '%'", street
    ))  # fmt: skip
    worker = await new_user(conn, "grid_worker", grid)
    supervisor = await new_user(conn, "supervisor", street)
    async with acting_as(other, worker):
        own = await monthly_trend(other, grid, LAST)
        asked_for_street = await monthly_trend(other, street, LAST)
    async with acting_as(other, supervisor):
        street_seen = await monthly_trend(other, street, LAST)
    # Visits are a grid's: the street's other grids are not the worker's to count.
    assert [m.visits for m in asked_for_street] == [m.visits for m in own]
    assert sum(m.visits for m in street_seen) > sum(m.visits for m in own) > 0


async def test_the_largest_groups_are_the_ten_largest_and_the_rest_together(
    conn: asyncpg.Connection, other: asyncpg.Connection, street: str
) -> None:
    city = street[:4]  # a street holds too few groups for eleven
    supervisor = await new_user(conn, "supervisor", city)
    rows = await conn.fetch(
        "SELECT p.ethnic_code, e.name_zh FROM person p JOIN ethnic_group e "
        "ON e.code = p.ethnic_code WHERE p.status = 'registered' AND p.org_code LIKE $1 || '%'",
        city,
    )
    sizes = Counter((r["ethnic_code"], r["name_zh"]) for r in rows)
    ranked = sorted(sizes.items(), key=lambda item: (-item[1], item[0][0]))
    assert len(ranked) > 10
    async with acting_as(other, supervisor):
        largest = await largest_groups(other, "ethnicity", city, batch=4)
    assert [(g.label, g.persons) for g in largest.groups] == [
        (name, n) for (_code, name), n in ranked[:10]
    ]
    assert largest.other == sum(n for _group, n in ranked[10:]) > 0
