"""The auditor's trail (db/audit/browse.py): the rows of their scope as row-level security
gives them, narrowed by user, person, action and office dates, paged by keys; and the
filter boxes read so that each wrong one is named."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

import asyncpg
import pytest
from pydantic import ValidationError

from db.audit.browse import (
    TrailFilterInput,
    TrailFilters,
    person_with_id_number,
    trail_page,
)
from db.audit.entries import TrailPerson
from db.audit.trail import AccessEvent, record_access
from db.core.clock import OFFICE_TZ
from db.core.problems import problems_of
from db.core.session import acting_as
from db.keys.crypto import Keyring
from db.users import AppUser
from tests.db.access_fixtures import add_person, demo_grid_codes, give_identifiers, new_user

ID_NUMBER = "410102199001011234"


async def _districts(conn: asyncpg.Connection) -> tuple[str, str]:
    grids = await demo_grid_codes(conn)
    return grids[0], next(g for g in grids if g[:4] == grids[0][:4] and g[:6] != grids[0][:6])


async def _registers(
    conn: asyncpg.Connection, other: asyncpg.Connection, grid: str
) -> tuple[AppUser, uuid.UUID]:
    """A worker of `grid` registers a person, corrects them and opens the record."""
    worker = await new_user(conn, "grid_worker", grid)
    async with acting_as(other, worker):
        person = await add_person(other, grid)
    async with acting_as(other, worker):
        await other.execute("UPDATE person SET occupation = '厨师' WHERE id = $1", person)
    async with acting_as(other, worker):
        await record_access(other, AccessEvent(
            action="open", purpose="走访前查看", org_code=grid, city_code=grid[:4],
            person_id=person, table_name="person",
        ))  # fmt: skip
    return worker, person


async def _page(
    other: asyncpg.Connection, reader: AppUser, filters: TrailFilters, limit: int = 20
) -> list[tuple[str, str | None, str | None]]:
    async with acting_as(other, reader):
        page = await trail_page(other, filters, limit=limit)
    return [(e.action, e.table_name, e.person_name) for e in page.entries]


async def test_an_auditor_reads_their_districts_rows_narrowed_by_each_filter(
    conn: asyncpg.Connection, other: asyncpg.Connection
) -> None:
    here, there = await _districts(conn)
    worker, person = await _registers(conn, other, here)
    await _registers(conn, other, there)
    auditor = await new_user(conn, "auditor", here[:6])
    everything = await _page(other, auditor, TrailFilters())
    # The users made in the district are in its trail too (by the operator, no person).
    assert everything == [("insert", "app_user", None), ("open", "person", "马小龙"),
                          ("update", "person", "马小龙"), ("insert", "person", "马小龙"),
                          ("insert", "app_user", None)]  # fmt: skip
    me = TrailPerson(city_code=here[:4], id=person, name="马小龙")
    assert await _page(other, auditor, TrailFilters(person=me, action="update")) == [
        ("update", "person", "马小龙")
    ]
    assert len(await _page(other, auditor, TrailFilters(user=worker.name))) == 3
    assert await _page(other, auditor, TrailFilters(user="nobody")) == []
    today = datetime.now(OFFICE_TZ).date()
    assert len(await _page(other, auditor, TrailFilters(since=today, until=today))) == 5
    assert await _page(other, auditor, TrailFilters(until=today - timedelta(days=1))) == []
    city_auditor = await new_user(conn, "auditor", here[:4])
    assert len(await _page(other, city_auditor, TrailFilters(action="insert"))) == 6


async def test_pages_follow_each_other_by_keys_newest_first(
    conn: asyncpg.Connection, other: asyncpg.Connection
) -> None:
    here, _ = await _districts(conn)
    for _ in range(3):
        await _registers(conn, other, here)
    auditor = await new_user(conn, "auditor", here[:9])
    async with acting_as(other, auditor):
        whole = (await trail_page(other, TrailFilters(), limit=50)).entries
    seen, key = [], None
    while True:
        async with acting_as(other, auditor):
            page = await trail_page(other, TrailFilters(), older_than=key, limit=4)
        seen += page.entries
        if not page.more:
            break
        key = page.entries[-1].key
    assert [e.id for e in seen] == [e.id for e in whole]
    assert len(seen) == 13  # three persons' three rows each, and four users made
    assert [e.key for e in whole] == sorted((e.key for e in whole),
                                            key=lambda k: (k.at, k.id), reverse=True)  # fmt: skip


async def test_the_person_is_found_by_id_number_only_in_the_readers_scope(
    conn: asyncpg.Connection, other: asyncpg.Connection, keyring: Keyring
) -> None:
    here, there = await _districts(conn)
    _, person = await _registers(conn, other, here)
    await give_identifiers(conn, keyring, person, ID_NUMBER, "13812345678")
    auditor = await new_user(conn, "auditor", here[:6])
    async with acting_as(other, auditor):
        found = await person_with_id_number(other, keyring, ID_NUMBER)
    assert found == TrailPerson(city_code=here[:4], id=person, name="马小龙")
    elsewhere = await new_user(conn, "auditor", there[:6])
    async with acting_as(other, elsewhere):
        assert await person_with_id_number(other, keyring, ID_NUMBER) is None


@pytest.mark.parametrize("kind", ["grid_worker", "supervisor"])
async def test_grid_workers_and_supervisors_read_no_trail_of_the_scope(
    conn: asyncpg.Connection, other: asyncpg.Connection, kind: str
) -> None:
    here, _ = await _districts(conn)
    await _registers(conn, other, here)
    user = await new_user(conn, kind, here if kind == "grid_worker" else here[:9])  # type: ignore[arg-type]
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
        async with acting_as(other, user):
            await trail_page(other, TrailFilters())
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
        async with acting_as(other, user):
            await other.fetch("SELECT * FROM tx_actors($1::text[])", [user.pg_role])


def test_the_boxes_are_read_and_each_wrong_one_named() -> None:
    typed = TrailFilterInput(user=" Demo_Grid ", id_number="41010219900101104x",
                             action="reveal", since="2026/3/1", until="")  # fmt: skip
    assert (typed.user, typed.id_number, typed.since, typed.until) == (
        "demo_grid", "41010219900101104X", date(2026, 3, 1), None)  # fmt: skip
    with pytest.raises(ValidationError) as wrong:
        TrailFilterInput(user="王 审核", id_number="410102199001011235", since="2026-02-30")
    assert [(p.field, p.msgid) for p in problems_of(wrong.value)] == [
        ("user", "a login name: lower-case letters, digits, _ . or -"),
        ("id_number", "the check character should be {expected}; a digit is mistyped"),
        ("since", "{value} is not a date on the calendar"),
    ]
    with pytest.raises(ValidationError) as backwards:
        TrailFilterInput(since="2026-03-02", until="2026-03-01")
    [problem] = problems_of(backwards.value)
    assert (problem.field, problem.params) == ("until", {"since": "2026-03-02"})


async def test_whoever_acted_in_the_scope_is_named_and_nobody_else(
    conn: asyncpg.Connection, other: asyncpg.Connection
) -> None:
    here, there = await _districts(conn)
    _, person = await _registers(conn, other, here)
    admin = await new_user(conn, "admin", here[:4])
    await conn.execute("UPDATE app_user SET display_name = '陈管理' WHERE name = $1", admin.name)
    async with acting_as(other, admin):
        await record_access(other, AccessEvent(
            action="export", purpose="个人信息查阅复制请求", org_code=here, city_code=here[:4],
            person_id=person, table_name="person",
        ))  # fmt: skip
    elsewhere, _ = await _registers(conn, other, there)
    auditor = await new_user(conn, "auditor", here[:6])
    async with acting_as(other, auditor):
        newest = (await trail_page(other, TrailFilters(action="export"))).entries[0]
        named = await other.fetch(
            "SELECT pg_role FROM tx_actors($1::text[])", [admin.pg_role, elsewhere.pg_role]
        )
    # The city admin lies outside the district auditor's scope, but acted in it.
    assert (newest.actor_name, newest.actor_kind) == ("陈管理", "admin")
    assert [r["pg_role"] for r in named] == [admin.pg_role]  # not the other district's worker
