"""Row-level security and grants, tested as each role kind (never as the owner)."""

from __future__ import annotations

import asyncpg
import pytest

from db.core.session import NotAnAppUser, acting_as, login
from db.users import UserProblem, disable_user
from tests.db.access_fixtures import add_person, demo_grid_codes, new_user

PERSONAL_TABLES = ["person", "household_member", "consent_record"]


@pytest.fixture
async def grids(conn: asyncpg.Connection) -> list[str]:
    """Two grids in one community, one in another street, one in the other city."""
    codes = await demo_grid_codes(conn)
    zhengzhou = [c for c in codes if c.startswith("4101")]
    changzhi = [c for c in codes if c.startswith("1404")]
    far = next(c for c in zhengzhou if c[:9] != zhengzhou[0][:9])
    return [zhengzhou[0], zhengzhou[1], far, changzhi[0]]


@pytest.fixture
async def placed(conn: asyncpg.Connection, grids: list[str]) -> dict[str, list[object]]:
    placed: dict[str, list[object]] = {}
    for grid in grids:
        placed[grid] = [await add_person(conn, grid) for _ in range(3)]
    return placed


async def _visible(conn: asyncpg.Connection, user, table: str = "person") -> set[object]:  # type: ignore[no-untyped-def]
    async with acting_as(conn, user):
        return {r["id"] for r in await conn.fetch(f"SELECT id FROM {table}")}


async def test_grid_worker_sees_only_their_grid(
    conn: asyncpg.Connection, other: asyncpg.Connection, grids: list[str], placed: dict
) -> None:
    worker = await new_user(conn, "grid_worker", grids[0])
    assert await _visible(other, worker) == set(placed[grids[0]])


async def test_supervisor_sees_their_street_and_auditor_their_district(
    conn: asyncpg.Connection, other: asyncpg.Connection, grids: list[str], placed: dict
) -> None:
    street = grids[0][:9]
    supervisor = await new_user(conn, "supervisor", street)
    expected = {p for g in grids if g.startswith(street) for p in placed[g]}
    assert await _visible(other, supervisor) == expected
    auditor = await new_user(conn, "auditor", grids[0][:6])
    expected = {p for g in grids if g.startswith(grids[0][:6]) for p in placed[g]}
    assert await _visible(other, auditor) == expected


async def test_grid_worker_cannot_write_outside_their_grid(
    conn: asyncpg.Connection, other: asyncpg.Connection, grids: list[str], placed: dict
) -> None:
    worker = await new_user(conn, "grid_worker", grids[0])
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="row-level security"):
        async with acting_as(other, worker):
            await add_person(other, grids[1])
    async with acting_as(other, worker):
        result = await other.execute("UPDATE person SET notes = 'x' WHERE org_code = $1", grids[1])
        assert result == "UPDATE 0"
    # Moving a person to another grid is a hand-over (tx_hand_over), never an UPDATE.
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
        async with acting_as(other, worker):
            await other.execute(
                "UPDATE person SET org_code = $1 WHERE org_code = $2", grids[1], grids[0]
            )
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
        async with acting_as(other, worker):
            await other.execute("DELETE FROM person")
    unchanged = await conn.fetchval("SELECT count(*) FROM person WHERE notes = 'x'")
    assert unchanged == 0


async def test_grid_worker_writes_in_their_grid(
    conn: asyncpg.Connection, other: asyncpg.Connection, grids: list[str]
) -> None:
    worker = await new_user(conn, "grid_worker", grids[0])
    async with acting_as(other, worker):
        person = await add_person(other, grids[0], "阿依古丽·吐尔逊")
        await other.execute("UPDATE person SET notes = '已走访' WHERE id = $1", person)
    row = await conn.fetchrow(
        "SELECT notes, created_by, updated_by FROM person WHERE id = $1", person
    )
    assert row["notes"] == "已走访"
    assert row["created_by"] == row["updated_by"] == worker.pg_role


async def test_auditor_and_supervisor_cannot_insert(
    conn: asyncpg.Connection, other: asyncpg.Connection, grids: list[str], placed: dict
) -> None:
    for kind, org in (("auditor", grids[0][:6]), ("supervisor", grids[0][:9])):
        user = await new_user(conn, kind, org)
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            async with acting_as(other, user):
                await add_person(other, grids[0])
    auditor = await new_user(conn, "auditor", grids[0][:6])
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
        async with acting_as(other, auditor):
            await other.execute("UPDATE person SET notes = 'x'")


async def test_direct_login_as_the_role_sees_what_the_app_sees(
    conn: asyncpg.Connection, other: asyncpg.Connection, db_dsn: str, grids: list[str], placed: dict
) -> None:
    worker = await new_user(conn, "grid_worker", grids[0])
    direct = await asyncpg.connect(db_dsn, user=worker.pg_role)
    try:
        for table in PERSONAL_TABLES + ["app_user"]:
            as_psql = {r[0] for r in await direct.fetch(f"SELECT * FROM {table}")}
            async with acting_as(other, worker):
                in_app = {r[0] for r in await other.fetch(f"SELECT * FROM {table}")}
            assert as_psql == in_app
        assert await direct.fetchval("SELECT count(*) FROM person") == 3
    finally:
        await direct.close()


async def test_login_refuses_unknown_and_disabled_users(
    conn: asyncpg.Connection, grids: list[str]
) -> None:
    with pytest.raises(NotAnAppUser, match="not a tongxin user"):
        await login(conn, "nobody_here")
    worker = await new_user(conn, "grid_worker", grids[0])
    assert (await login(conn, worker.name)).org_code == grids[0]
    await disable_user(conn, worker.name)
    with pytest.raises(NotAnAppUser, match="disabled"):
        await login(conn, worker.name)


async def test_disabled_user_sees_nothing(
    conn: asyncpg.Connection, other: asyncpg.Connection, grids: list[str], placed: dict
) -> None:
    worker = await new_user(conn, "grid_worker", grids[0])
    await disable_user(conn, worker.name)
    assert await _visible(other, worker) == set()


async def test_users_see_their_own_row_and_admins_their_subtree(
    conn: asyncpg.Connection, other: asyncpg.Connection, grids: list[str]
) -> None:
    worker = await new_user(conn, "grid_worker", grids[0])
    far_worker = await new_user(conn, "grid_worker", grids[3])
    admin = await new_user(conn, "admin", grids[0][:4])
    async with acting_as(other, worker):
        names = {r["name"] for r in await other.fetch("SELECT name FROM app_user")}
    assert names == {worker.name}
    async with acting_as(other, admin):
        names = {r["name"] for r in await other.fetch("SELECT name FROM app_user")}
    assert {worker.name, admin.name} <= names
    assert far_worker.name not in names


async def test_scope_must_fit_the_role_kind(conn: asyncpg.Connection, grids: list[str]) -> None:
    with pytest.raises(UserProblem, match="needs a"):
        await new_user(conn, "grid_worker", grids[0][:4])
    with pytest.raises(UserProblem, match="no such org unit"):
        await new_user(conn, "auditor", "999999")


async def test_gateway_can_become_users_and_read_nothing_itself(
    conn: asyncpg.Connection, db_dsn: str, grids: list[str], placed: dict
) -> None:
    worker = await new_user(conn, "grid_worker", grids[0])
    gateway = await asyncpg.connect(db_dsn, user="tongxin_gateway")
    try:
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await gateway.fetch("SELECT id FROM person")
        user = await login(gateway, worker.name)
        assert await _visible(gateway, user) == set(placed[grids[0]])
        # The role is local to the transaction: the next statement is the gateway again.
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await gateway.fetch("SELECT id FROM person")
    finally:
        await gateway.close()
