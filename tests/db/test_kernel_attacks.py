"""Attacks on the protection kernel (sql/V010) that it withstands, kept as the
attacker's SQL so they stay withstood: group roles and the gateway on their own, the
bulk-load switch, the kernel's own functions called directly, children moved onto a
frozen visit, ON CONFLICT, and columns a role holds no grant for.
"""

from __future__ import annotations

import asyncpg
import pytest

from db.core.session import acting_as
from tests.db.kernel_fixtures import (
    Site,
    add_member,
    add_visit,
    attack,
    login,
    make_site,
)


@pytest.fixture
async def site(conn: asyncpg.Connection) -> Site:
    return await make_site(conn)


@pytest.mark.parametrize("group", ["tongxin_grid_worker", "tongxin_app"])
async def test_a_group_role_reads_and_writes_nothing(
    conn: asyncpg.Connection, db_dsn: str, site: Site, group: str
) -> None:
    visit = await add_visit(conn, site.grid, site.worker, [site.person])
    direct = await login(db_dsn, site.worker)
    try:
        await direct.execute(f"SET ROLE {group}")
        for table in ("person", "visit", "visit_person", "assistance_request", "form_draft"):
            assert await direct.fetchval(f"SELECT count(*) FROM {table}") == 0, table
        attacks = [
            ("INSERT INTO dispute_sweep (city_code, id, org_code, month) "
             "VALUES ($1, gen_random_uuid(), $2, '2026-11-01')", site.city, site.grid),
            ("SELECT tx_remove_children('visit_person', $1, $2, '{}')", site.city, visit),
            ("INSERT INTO audit_log (action, city_code, person_id, org_code, purpose, table_name) "
             "VALUES ('open', $1, $2, $3, '核实', 'person')", site.city, site.person, site.grid),
        ]  # fmt: skip
        for sql, *args in attacks:
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await direct.execute(sql, *args)
    finally:
        await direct.close()
    assert await conn.fetchval("SELECT count(*) FROM visit_person WHERE visit_id = $1", visit) == 1
    assert await conn.fetchval("SELECT count(*) FROM dispute_sweep") == 0


async def test_the_gateway_on_its_own_reads_and_calls_nothing(
    conn: asyncpg.Connection, db_dsn: str, site: Site
) -> None:
    visit = await add_visit(conn, site.grid, site.worker, [site.person])
    tables = [r[0] for r in await conn.fetch(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v') ORDER BY 1")]  # fmt: skip
    gateway = await asyncpg.connect(db_dsn, user="tongxin_gateway")
    try:
        for table in tables:
            if table == "schema_migrations":
                continue  # which migrations ran, readable by every role
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await gateway.fetch(f"SELECT * FROM {table} LIMIT 1")
        for call, *args in (
            ("SELECT tx_remove_children('visit_person', $1, $2, '{}')", site.city, visit),
            ("SELECT tx_hand_over($1, $2, 1, $3, '2026-11-01', '')", site.city, site.person,
             site.neighbour),
        ):  # fmt: skip
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await gateway.execute(call, *args)
    finally:
        await gateway.close()


async def test_bulk_load_is_for_operators(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    member = await add_member(conn, site.grid, site.person)
    for sql, *args in (
        ("INSERT INTO household_member (city_code, id, person_id, org_code, name, relation, sex, "
         "birth_date) VALUES ($1, gen_random_uuid(), $2, $3, '马小花', 'child', 2, '2016-03-01')",
         site.city, site.far_person, site.grid),
        ("UPDATE household_member SET person_id = $1 WHERE id = $2", site.far_person, member),
        ("INSERT INTO dispute_sweep (city_code, id, org_code, month) "
         "VALUES ($1, gen_random_uuid(), $2, '2026-11-01')", site.city, site.grid),
    ):  # fmt: skip
        outcome = await _with_bulk_load(other, site, sql, *args)
        assert "tongxin.bulk_load is for operators" in outcome, (sql, outcome)
    assert await conn.fetchval("SELECT person_id FROM household_member") == site.person
    assert await conn.fetchval("SELECT count(*) FROM dispute_sweep") == 0


async def _with_bulk_load(conn: asyncpg.Connection, site: Site, sql: str, *args: object) -> str:
    try:
        async with acting_as(conn, site.worker):
            await conn.execute("SET LOCAL tongxin.bulk_load = 'on'")
            return str(await conn.execute(sql, *args))
    except asyncpg.InsufficientPrivilegeError as exc:
        return str(exc)


async def test_a_need_is_not_moved_onto_or_off_an_approved_visit(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    draft = await add_visit(conn, site.grid, site.worker, [site.person])
    approved = await add_visit(conn, site.grid, site.worker, [site.person], status="approved",
                               reviewer=site.supervisor)  # fmt: skip
    loose = await conn.fetchval("SELECT id FROM assistance_request WHERE visit_id = $1", draft)
    kept = await conn.fetchval("SELECT id FROM assistance_request WHERE visit_id = $1", approved)
    for sql, *args in (
        ("UPDATE assistance_request SET visit_id = $1 WHERE id = $2", approved, loose),
        ("UPDATE assistance_request SET visit_id = $1 WHERE id = $2", draft, kept),
        # The proposed row belongs to the draft; the conflict lands on the approved one.
        ("INSERT INTO assistance_request (city_code, id, org_code, person_id, visit_id, category, "
         "description, raised_on) VALUES ($1, $2, $3, $4, $5, 'other', '没有诉求', '2026-11-02') "
         "ON CONFLICT (city_code, id) DO UPDATE SET description = EXCLUDED.description",
         site.city, kept, site.grid, site.person, draft),
    ):  # fmt: skip
        outcome = await attack(other, site.worker, sql, *args)
        assert outcome == "CheckViolationError", (sql, outcome)
    rows = await conn.fetch("SELECT id, visit_id, description FROM assistance_request")
    assert {(r["id"], r["visit_id"], r["description"]) for r in rows} == {
        (loose, draft, "想找餐饮工作"), (kept, approved, "想找餐饮工作"),
    }  # fmt: skip


async def test_children_are_removed_only_by_their_writers_in_scope_while_editable(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    mine = await add_visit(conn, site.grid, site.worker, [site.person])
    approved = await add_visit(conn, site.grid, site.worker, [site.person], status="approved",
                               reviewer=site.supervisor)  # fmt: skip
    remove = "SELECT tx_remove_children($1, $2, $3, '{}')"
    for user, table, visit, refusal in (
        (site.neighbour_worker, "visit_person", mine, "InsufficientPrivilegeError"),
        (site.far_worker, "assistance_request", mine, "InsufficientPrivilegeError"),
        (site.supervisor, "assistance_request", mine, "InsufficientPrivilegeError"),
        (site.auditor, "visit_person", mine, "InsufficientPrivilegeError"),
        (site.worker, "visit", mine, "InsufficientPrivilegeError"),
        (site.worker, "person", mine, "InsufficientPrivilegeError"),
        (site.worker, "visit_person", approved, "CheckViolationError"),
        (site.admin, "assistance_request", approved, "CheckViolationError"),
    ):
        outcome = await attack(other, user, remove, table, site.city, visit)
        assert outcome == refusal, (user.role_kind, table, outcome)
    assert await conn.fetchval("SELECT count(*) FROM visit_person") == 2
    assert await conn.fetchval("SELECT count(*) FROM assistance_request") == 2
    # The author may, while it is a draft.
    assert await attack(other, site.worker, remove, "assistance_request", site.city, mine) == (
        "SELECT 1"
    )
    assert await conn.fetchval("SELECT count(*) FROM assistance_request") == 1


async def test_a_writer_does_not_write_the_review_or_the_stamps(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    visit = await add_visit(conn, site.grid, site.worker, [site.person], status="returned",
                            reviewer=site.supervisor)  # fmt: skip
    outcome = await attack(
        other, site.worker, "UPDATE visit SET review_comment = '' WHERE id = $1", visit
    )
    assert outcome == "UPDATE 1"  # the comment stays the reviewer's
    assert await conn.fetchval("SELECT review_comment FROM visit WHERE id = $1", visit) == (
        "请补充地点"
    )
    for column, value in (
        ("reviewed_by", site.worker.pg_role), ("reviewed_at", None), ("submitted_at", None),
        ("created_by", site.neighbour_worker.pg_role), ("updated_by", site.supervisor.pg_role),
        ("org_code", site.neighbour),
    ):  # fmt: skip
        outcome = await attack(
            other, site.worker, f"UPDATE visit SET {column} = $2 WHERE id = $1", visit, value
        )
        assert outcome == "InsufficientPrivilegeError", (column, outcome)
    for column in ("anonymised_at", "created_at", "org_code"):
        outcome = await attack(
            other, site.worker, f"UPDATE person SET {column} = NULL WHERE id = $1", site.person
        )
        assert outcome == "InsufficientPrivilegeError", (column, outcome)


async def test_the_kernels_own_functions_do_nothing_for_an_app_user(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    far_visit = await add_visit(conn, site.far, site.far_worker, [site.far_person],
                                status="approved", reviewer=site.supervisor)  # fmt: skip
    outcome = await attack(other, site.admin, "SELECT tx_rebuild_review_queue()")
    assert outcome == "InsufficientPrivilegeError"
    # The declarations and the limits are the operator's, whatever their arguments.
    async with acting_as(other, site.admin):
        callable_ = await other.fetch(
            "SELECT p.oid::regprocedure::text FROM pg_proc p "
            "WHERE p.proname IN ('tx_protect', 'tx_submission', 'tx_limit_role') "
            "AND has_function_privilege(p.oid, 'EXECUTE')"
        )
        declared = await other.fetchval(
            "SELECT count(*) FROM pg_proc WHERE proname IN ('tx_protect', 'tx_submission')"
        )
    assert declared == 2
    assert [r[0] for r in callable_] == []
    # What lies beyond one's scope is not told: a visit not found has no org and is
    # not frozen.
    async with acting_as(other, site.worker):
        found = await other.fetchrow(
            "SELECT * FROM tx_parent_of('visit', $1, $2)", site.city, far_visit
        )
    assert (found["org"], found["frozen"]) == (None, None)
