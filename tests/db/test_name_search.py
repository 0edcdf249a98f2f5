"""Search by part of a name and by pinyin prefix: the same rows, order and pages as a scan.

`list_page` finds name parts through `person_name_suffix` and reading prefixes
through the letter and pair indexes of `person` (sql/V006). Every result here is compared with a
plain scan of `person` with the search's own predicate (`strpos`, `starts_with`),
in the registry order, page by page in both directions.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import date

import asyncpg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db.core.session import acting_as
from db.keys.crypto import Keyring
from db.persons.models import PageKey, PersonSearch, PersonSummary
from db.persons.pinyin import name_pinyin
from db.persons.search import list_page
from db.privacy.retention import run_retention
from db.users import AppUser
from seeds.demo import seed_demo
from tests.db.access_fixtures import demo_grid_codes, new_user

TODAY = date(2026, 11, 1)

# Names a demo population does not have: Latin letters, characters a pattern
# would treat specially, repeats, the largest code points, a 60-character name.
ODD_NAMES = [
    "买买提·艾力",
    "阿依古丽·买买提",
    "买买买提",
    "马小龙",
    "小龙女",
    "Ali·Khan",
    "Tom Lee",
    "tom lee",
    "百分%之_一",
    "O'Brien·李",
    "反\\斜杠",
    "下划_线",
    "龙\U0010ffff尾",
    "龙\U0010ffff\U0010ffff",
    "x\ud7ff乙",
    "阿" * 29 + "·" + "提" * 30,
]
# Readings that db.persons.pinyin would not produce, stored as they are by some writer.
ODD_READINGS = [("测试", "", "qq"), ("测验", "abc", "xyz"), ("考察", "kaocha", "")]

HOSTILE = ["%", "_", "'", "\\", "%' OR '1'='1", "'; DROP TABLE person; --", "马%", "a_b", "\\%"]

_SCAN = {
    "name": "strpos(name, $2) > 0",
    "initials": "(starts_with(name_initials, $2) OR starts_with(name_pinyin, $2))",
}


async def _populate(conn: asyncpg.Connection, keyring: Keyring) -> None:
    await seed_demo(conn, keyring, persons=400, seed=5, today=TODAY)
    grids = await demo_grid_codes(conn)
    rows = [(name, *name_pinyin(name)) for name in ODD_NAMES] + ODD_READINGS
    for i, (name, reading, initials) in enumerate(rows):
        grid = grids[i % 3] if i % 2 else grids[-1 - i % 3]
        await conn.execute(
            "INSERT INTO person (city_code, id, org_code, name, name_pinyin, name_initials, sex, "
            "ethnic_code, birth_date) VALUES ($1, $2, $3, $4, $5, $6, 1, '03', '1990-01-01')",
            grid[:4], uuid.uuid4(), grid, name, reading, initials,
        )  # fmt: skip


@pytest.fixture
async def people(conn: asyncpg.Connection, keyring: Keyring) -> asyncpg.Connection:
    await _populate(conn, keyring)
    return conn


async def _scan(conn: asyncpg.Connection, search: PersonSearch) -> list[uuid.UUID]:
    """The search as a plain scan of person: what the index must reproduce."""
    value = search.text.lower() if search.kind == "initials" else search.text
    rows = await conn.fetch(
        "SELECT id FROM person WHERE org_code >= $1 AND org_code < $1 || ':' AND "
        + _SCAN[search.kind]
        + " ORDER BY org_code, name_pinyin, id",
        search.scope,
        value,
    )
    return [r["id"] for r in rows]


async def _paged(conn: asyncpg.Connection, search: PersonSearch, limit: int) -> list[list[PageKey]]:
    pages: list[list[PageKey]] = []
    after = None
    while True:
        page = await list_page(conn, search, after=after, limit=limit)
        assert page.has_before == bool(pages)
        pages.append([r.key for r in page.rows])
        if not page.has_after:
            return pages
        after = page.rows[-1].key


async def _check(conn: asyncpg.Connection, search: PersonSearch, limit: int = 7) -> int:
    """Forward and backward pages equal the scan; returns how many rows matched."""
    expected = await _scan(conn, search)
    unpaged = await list_page(conn, search, limit=len(expected) + 1)
    assert [r.id for r in unpaged.rows] == expected, search
    assert not unpaged.has_after
    pages = await _paged(conn, search, limit)
    assert [k.id for page in pages for k in page] == expected, search
    for earlier, later in zip(pages, pages[1:], strict=False):
        back = await list_page(conn, search, before=later[0], limit=limit)
        assert [r.key for r in back.rows] == earlier, search
        assert back.has_before == (earlier is not pages[0])
    return len(expected)


def _search(text: str, scope: str = "") -> PersonSearch:
    search = PersonSearch(text=text, scope=scope)
    assert search.kind in _SCAN, (text, search.kind)
    return search


@pytest.mark.parametrize(
    "text",
    [
        "马",  # the commonest surname of the demo's Hui and Dongxiang
        "阿",
        "·",
        "买买",
        "买买提·艾力",
        "提·艾",
        "小龙",
        "龙\U0010ffff",
        "龙\U0010ffff\U0010ffff",
        "x\ud7ff",
        "Tom L",
        "m L",
        "阿" * 20,
        "鬼鬼",
        *HOSTILE,
    ],
)
async def test_name_parts_match_a_scan(people: asyncpg.Connection, text: str) -> None:
    await _check(people, _search(text))


@pytest.mark.parametrize(
    "text",
    [
        *("m", "M", "mx", "mmt", "MMTAL", "ma", "maimaiti", "alikhan", "ali", "tom"),
        *("q", "qq", "x", "xyz", "abc", "kao", "a" * 12, "zzzz"),
    ],
)
async def test_reading_prefixes_match_a_scan(people: asyncpg.Connection, text: str) -> None:
    await _check(people, _search(text))


async def test_scopes_and_the_demo_names_match_a_scan(people: asyncpg.Connection) -> None:
    grid = await people.fetchval("SELECT min(org_code) FROM person")
    names = [r["name"] for r in await people.fetch("SELECT name FROM person ORDER BY id LIMIT 40")]
    checked = 0
    for scope in ("", grid[:4], grid[:6], grid[:9], grid[:12], grid):
        for name in names[::8]:
            texts = {name[:1], name[1:3], name[-2:], name, name_pinyin(name)[1][:2]}
            for text in texts:
                search = PersonSearch(text=text, scope=scope)
                if search.kind in _SCAN:
                    checked += await _check(people, search, limit=5)
    assert checked > 100


@pytest.mark.parametrize("kind", ["grid_worker", "supervisor"])
async def test_rls_still_scopes_the_search(
    people: asyncpg.Connection, other: asyncpg.Connection, kind: str
) -> None:
    grid = await people.fetchval(
        "SELECT org_code FROM person WHERE strpos(name, '马') > 0 GROUP BY 1 ORDER BY count(*) DESC"
    )
    scope = grid if kind == "grid_worker" else grid[:9]
    user = await new_user(people, kind, scope)  # type: ignore[arg-type]
    found = 0
    for text in ("马", "买买", "ma", "m", "mx"):
        expected = await _scan(people, _search(text, scope))
        found += len(expected)
        async with acting_as(other, user):
            # Asking for everything, or for a unit outside the scope, still gives the scope.
            assert await _scan(other, _search(text)) == expected
            assert [r.id for r in (await _all(other, _search(text)))] == expected
            outside = "1404" if scope.startswith("4101") else "4101"
            assert await _all(other, _search(text, outside)) == []
            await _check(other, _search(text, scope), limit=4)
    assert found


async def _all(conn: asyncpg.Connection, search: PersonSearch) -> list[PersonSummary]:
    return list((await list_page(conn, search, limit=10_000)).rows)


async def test_roles_read_only_their_scope_of_suffixes_and_write_none(
    people: asyncpg.Connection, other: asyncpg.Connection
) -> None:
    grid = await people.fetchval("SELECT min(org_code) FROM person")
    for kind in ("grid_worker", "supervisor", "admin", "auditor"):
        scope = grid if kind == "grid_worker" else grid[:6]
        user: AppUser = await new_user(people, kind, scope)  # type: ignore[arg-type]
        async with acting_as(other, user):
            seen = await other.fetch("SELECT DISTINCT org_code FROM person_name_suffix")
            assert seen
            assert all(r["org_code"].startswith(scope) for r in seen)
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            async with acting_as(other, user):
                await other.execute(
                    "INSERT INTO person_name_suffix SELECT * FROM person_name_suffix LIMIT 1"
                )


_DRIFT = """
SELECT count(*) FROM (
    (SELECT city_code, id, org_code, name_pinyin, head, tail FROM person_name_suffix
     EXCEPT ALL
     SELECT p.city_code, p.id, p.org_code, p.name_pinyin, s.head, s.tail
       FROM person p, person_name_suffixes(p.name) s)
    UNION ALL
    (SELECT p.city_code, p.id, p.org_code, p.name_pinyin, s.head, s.tail
       FROM person p, person_name_suffixes(p.name) s
     EXCEPT ALL
     SELECT city_code, id, org_code, name_pinyin, head, tail FROM person_name_suffix)
) AS drift
"""


async def _ids(conn: asyncpg.Connection, text: str, scope: str = "") -> list[uuid.UUID]:
    return [r.id for r in await _all(conn, _search(text, scope))]


async def _in_step(conn: asyncpg.Connection) -> None:
    assert await conn.fetchval(_DRIFT) == 0


async def test_every_write_path_keeps_the_suffixes_in_step(
    people: asyncpg.Connection, other: asyncpg.Connection
) -> None:
    await _in_step(people)  # after the demo's COPY, with row triggers off
    grids = await demo_grid_codes(people)
    worker = await new_user(people, "grid_worker", grids[0])
    person = uuid.uuid4()
    insert = (
        "INSERT INTO person (city_code, id, org_code, name, name_pinyin, name_initials, sex, "
        "ethnic_code, birth_date) VALUES ($1, $2, $3, '海燕·古丽', 'haiyanguli', 'hygl', 2, "
        "'03', '1991-01-01') ON CONFLICT (city_code, id) DO NOTHING"
    )
    async with acting_as(other, worker):
        for _ in range(2):  # a retried submit stores the person once
            await other.execute(insert, grids[0][:4], person, grids[0])
        assert person in await _ids(other, "燕·古")
        await other.execute("UPDATE person SET notes = '已走访' WHERE id = $1", person)
        await other.execute(
            "UPDATE person SET name = '海霞', name_pinyin = 'haixia', name_initials = 'hx' "
            "WHERE id = $1",
            person,
        )
        assert person not in await _ids(other, "燕·古")
        assert person in await _ids(other, "海霞")
        assert person in await _ids(other, "hx")
    await _in_step(people)

    moved = grids[1] if grids[1][:4] == grids[0][:4] else grids[-1]
    await people.execute("UPDATE person SET org_code = $1 WHERE id = $2", moved, person)
    await _in_step(people)
    assert person in await _ids(people, "海霞", moved)

    await people.execute(
        "UPDATE person SET status = 'left_city', status_changed_on = '2020-01-01' WHERE id = $1",
        person,
    )
    await run_retention(people, today=TODAY)
    await _in_step(people)
    assert person not in await _ids(people, "海霞")
    assert person in await _ids(people, "匿名")

    await people.execute("DELETE FROM person WHERE id = $1", person)
    await _in_step(people)
    await people.execute("TRUNCATE person CASCADE")
    assert await people.fetchval("SELECT count(*) FROM person_name_suffix") == 0


async def _property_check(dsn: str, text: str, scope_length: int, limit: int) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        grid = await conn.fetchval("SELECT max(org_code) FROM person")
        await _check(conn, PersonSearch(text=text, scope=grid[:scope_length]), limit=limit)
    finally:
        await conn.close()


_NAME_CHARS = "马阿买提·艾力古丽小龙海燕王李%_'\\ AaLlTo"


@st.composite
def _texts(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        name = draw(st.sampled_from(ODD_NAMES + ["马海龙", "李小红", "阿布都·热合曼"]))
        start = draw(st.integers(0, len(name) - 1))
        text = name[start : start + draw(st.integers(1, 6))]
    else:
        text = draw(st.text(alphabet=_NAME_CHARS, min_size=1, max_size=5))
    if draw(st.booleans()):
        text = name_pinyin(text)[draw(st.integers(0, 1))][: draw(st.integers(1, 6))] or text
    return text


@pytest.fixture
async def populated_dsn(db_dsn: str, keyring: Keyring) -> str:
    conn = await asyncpg.connect(db_dsn)
    try:
        await _populate(conn, keyring)
    finally:
        await conn.close()
    return db_dsn


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=_texts(), scope_length=st.sampled_from([0, 4, 6, 14]), limit=st.integers(1, 12))
def test_any_text_matches_a_scan(
    populated_dsn: str, text: str, scope_length: int, limit: int
) -> None:
    search = PersonSearch(text=text)
    if search.kind not in _SCAN:
        return
    asyncio.run(_property_check(populated_dsn, search.text, scope_length, limit))


async def test_a_search_leaves_the_planner_settings_as_they_were(
    people: asyncpg.Connection,
) -> None:
    async with people.transaction():
        await people.execute("SET LOCAL enable_sort = off")
        await list_page(people, _search("马"))
        assert await people.fetchval("SELECT current_setting('enable_sort')") == "off"
    async with people.transaction():
        await list_page(people, _search("mx"))
        assert await people.fetchval("SELECT current_setting('enable_sort')") == "on"
    await list_page(people, _search("马"))
    assert await people.fetchval("SELECT current_setting('enable_sort')") == "on"
