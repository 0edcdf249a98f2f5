"""The person list: keyset pages, scope and search, on demo data."""

from __future__ import annotations

from datetime import date

import asyncpg
import pytest

from db.keys.crypto import Keyring
from db.persons.models import PersonSearch
from db.persons.search import communities_in, count_in_scope, ethnic_groups, list_page
from seeds.demo import seed_demo

TODAY = date(2026, 11, 1)


@pytest.fixture
async def people(conn: asyncpg.Connection, keyring: Keyring) -> asyncpg.Connection:
    await seed_demo(conn, keyring, persons=300, seed=7, today=TODAY)
    return conn


async def test_pages_cover_the_scope_once_in_order(people: asyncpg.Connection) -> None:
    search = PersonSearch(scope="4101")
    seen, after = [], None
    while True:
        page = await list_page(people, search, after=after, limit=40)
        seen += [r.key for r in page.rows]
        if not page.has_after:
            break
        after = page.rows[-1].key
    assert len(seen) == len(set(seen)) == await count_in_scope(people, "4101")
    assert seen == sorted(seen, key=lambda k: (k.org_code, k.name_pinyin, str(k.id)))
    assert all(k.org_code.startswith("4101") for k in seen)


async def test_previous_page_returns_the_page_before(people: asyncpg.Connection) -> None:
    search = PersonSearch()
    first = await list_page(people, search, limit=25)
    second = await list_page(people, search, after=first.rows[-1].key, limit=25)
    back = await list_page(people, search, before=second.rows[0].key, limit=25)
    assert [r.id for r in back.rows] == [r.id for r in first.rows]
    assert not back.has_before
    assert second.has_before


async def test_list_shows_masked_identifiers_only(people: asyncpg.Connection) -> None:
    page = await list_page(people, PersonSearch(), limit=50)
    for row in page.rows:
        assert row.id_number_masked is not None
        assert row.id_number_masked[4:] == "*" * 14


async def test_search_by_id_number_uses_the_blind_index(
    people: asyncpg.Connection, keyring: Keyring
) -> None:
    row = await people.fetchrow("SELECT id, id_number_enc FROM person LIMIT 1")
    plain = keyring.decrypt("id_number", row["id_number_enc"])
    page = await list_page(people, PersonSearch(text=plain), keyring=keyring)
    assert [r.id for r in page.rows] == [row["id"]]


async def test_search_by_initials_name_part_and_phone_tail(people: asyncpg.Connection) -> None:
    row = await people.fetchrow(
        "SELECT id, name, name_initials, phone_masked FROM person "
        "WHERE phone_masked IS NOT NULL ORDER BY id LIMIT 1"
    )
    by_initials = await list_page(people, PersonSearch(text=row["name_initials"].upper()))
    assert row["id"] in [r.id for r in by_initials.rows]
    assert all(r.name_pinyin for r in by_initials.rows)
    part = row["name"][1:3] or row["name"]
    by_name = await list_page(people, PersonSearch(text=part), limit=500)
    assert row["id"] in [r.id for r in by_name.rows]
    assert all(part in r.name for r in by_name.rows)
    tail = row["phone_masked"][-4:]
    by_phone = await list_page(people, PersonSearch(text=tail), limit=500)
    assert all(r.phone_masked and r.phone_masked.endswith(tail) for r in by_phone.rows)
    assert row["id"] in [r.id for r in by_phone.rows]


@pytest.mark.parametrize(
    "text",
    ["%", "_", "\\", "'", "%' OR '1'='1", "'; DROP TABLE person; --", "马%", "a_b", "\\%"],
)
async def test_hostile_search_text_matches_literally(people: asyncpg.Connection, text: str) -> None:
    page = await list_page(people, PersonSearch(text=text), limit=500)
    assert page.rows == []
    assert await people.fetchval("SELECT count(*) FROM person") == 300


async def test_scope_limits_rows(people: asyncpg.Connection) -> None:
    grid = await people.fetchval("SELECT org_code FROM person ORDER BY org_code LIMIT 1")
    page = await list_page(people, PersonSearch(scope=grid), limit=500)
    assert page.rows
    assert {r.org_code for r in page.rows} == {grid}
    assert len(page.rows) == await count_in_scope(people, grid)


async def test_filters_narrow_by_status_ethnicity_community_and_missing_fields(
    people: asyncpg.Connection,
) -> None:
    def ids(page: object) -> set[object]:
        return {r.id for r in page.rows}  # type: ignore[attr-defined]

    left = await list_page(people, PersonSearch(status="left_city"), limit=500)
    expected = await people.fetch("SELECT id FROM person WHERE status = 'left_city'")
    assert ids(left) == {r["id"] for r in expected}
    assert left.rows

    hui = await list_page(people, PersonSearch(ethnic_code="03"), limit=500)
    assert hui.rows
    assert {r.ethnic_name for r in hui.rows} == {"回族"}

    missing = await list_page(people, PersonSearch(missing_only=True), limit=500)
    expected = await people.fetch(
        "SELECT id FROM person WHERE origin_address = '' OR current_address = '' OR occupation = ''"
    )
    assert ids(missing) == {r["id"] for r in expected}
    assert missing.rows

    community = (await people.fetchval("SELECT min(org_code) FROM person"))[:12]
    inside = await list_page(people, PersonSearch(scope=community, ethnic_code="03"), limit=500)
    assert all(r.org_code.startswith(community) and r.ethnic_name == "回族" for r in inside.rows)
    communities = await communities_in(people, community[:6])
    assert community in [code for code, _ in communities]
    assert len(await ethnic_groups(people)) == 58
