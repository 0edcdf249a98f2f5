"""The holes the protection kernel closes, each as the attacker's SQL run as the
attacker's role (sql/V010). Every test here passed the attack before the kernel.

Hole numbers are the issue's ("One protection and workflow kernel for every record").
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import asyncpg
import pytest

from db.core.session import acting_as
from tests.db.access_fixtures import add_person
from tests.db.kernel_fixtures import (
    Site,
    add_case,
    add_consent,
    add_member,
    add_visit,
    attack,
    login,
    make_site,
    was_refused,
)


@pytest.fixture
async def site(conn: asyncpg.Connection) -> Site:
    return await make_site(conn)


# 2: child rows pointing at a person of another district ------------------------------------

# Each attack gets $1 = the far person and $2 = the row it goes for; the check counts the
# rows that point at the far person afterwards.
CHILD_LINKS = {
    "household member insert": (
        "INSERT INTO household_member (city_code, id, person_id, org_code, name, relation, sex, "
        "birth_date) SELECT city_code, gen_random_uuid(), $1, org_code, '马小花', 'child', 2, "
        "'2016-03-01' FROM household_member WHERE id = $2",
        "SELECT count(*) FROM household_member WHERE person_id = $1",
    ),
    "household member update": (
        "UPDATE household_member SET person_id = $1 WHERE id = $2",
        "SELECT count(*) FROM household_member WHERE person_id = $1",
    ),
    "need insert": (
        "INSERT INTO assistance_request (city_code, id, org_code, person_id, category, "
        "description, raised_on) SELECT city_code, gen_random_uuid(), org_code, $1, 'housing', "
        "'租房', '2026-11-02' FROM assistance_request WHERE id = $2",
        "SELECT count(*) FROM assistance_request WHERE person_id = $1",
    ),
    "need update": (
        "UPDATE assistance_request SET person_id = $1 WHERE id = $2",
        "SELECT count(*) FROM assistance_request WHERE person_id = $1",
    ),
    "visit person insert": (
        "INSERT INTO visit_person (city_code, visit_id, person_id, org_code) "
        "SELECT city_code, id, $1, org_code FROM visit WHERE id = $2",
        "SELECT count(*) FROM visit_person WHERE person_id = $1",
    ),
    "visit person update": (
        "UPDATE visit_person SET person_id = $1 WHERE visit_id = $2",
        "SELECT count(*) FROM visit_person WHERE person_id = $1",
    ),
    "dispute party insert": (
        "INSERT INTO dispute_party (city_code, case_id, seq, org_code, person_id, name) "
        "SELECT city_code, id, 2, org_code, $1, '古丽娜' FROM dispute_case WHERE id = $2",
        "SELECT count(*) FROM dispute_party WHERE person_id = $1",
    ),
    "dispute party update": (
        "UPDATE dispute_party SET person_id = $1 WHERE case_id = $2",
        "SELECT count(*) FROM dispute_party WHERE person_id = $1",
    ),
}


@pytest.mark.parametrize("link", list(CHILD_LINKS))
async def test_child_rows_point_only_at_persons_in_scope(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site, link: str
) -> None:
    rows = {
        "household member": await add_member(conn, site.grid, site.person),
        "visit": await add_visit(conn, site.grid, site.worker, [site.person]),
        "dispute": await add_case(conn, site.grid, site.person),
    }
    rows["need"] = await conn.fetchval(
        "SELECT id FROM assistance_request WHERE visit_id = $1", rows["visit"]
    )
    rows["visit person"] = rows["visit"]
    rows["dispute party"] = rows["dispute"]
    target = next(v for k, v in rows.items() if link.startswith(k))
    sql, check = CHILD_LINKS[link]
    outcome = await attack(other, site.worker, sql, site.far_person, target)
    assert was_refused(outcome), outcome
    assert await conn.fetchval(check, site.far_person) == 0


async def test_a_consent_is_not_turned_into_a_statutory_duty(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    consent = await add_consent(conn, site.grid, site.person)
    before = await conn.fetchrow("SELECT * FROM consent_record WHERE id = $1", consent)
    for change in ("basis = 'statutory_duty'", "scope = '全部信息'", "given_on = '2020-01-01'"):
        outcome = await attack(
            other, site.worker, f"UPDATE consent_record SET {change} WHERE id = $1", consent
        )
        assert was_refused(outcome), (change, outcome)
    assert await conn.fetchrow("SELECT * FROM consent_record WHERE id = $1", consent) == before


# 3: an approved visit changed through its children -------------------------------------------


async def test_an_approved_visits_persons_and_needs_stay_as_approved(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    second = await add_person(conn, site.grid, "马小虎")
    visit = await add_visit(conn, site.grid, site.worker, [site.person], status="approved",
                            reviewer=site.supervisor)  # fmt: skip
    need = await conn.fetchval("SELECT id FROM assistance_request WHERE visit_id = $1", visit)
    before = await _visit_children(conn, visit, need)
    attacks = [
        ("INSERT INTO visit_person (city_code, visit_id, person_id, org_code) "
         "SELECT city_code, id, $2, org_code FROM visit WHERE id = $1", visit, second),
        ("UPDATE visit_person SET person_id = $2 WHERE visit_id = $1", visit, second),
        ("DELETE FROM visit_person WHERE visit_id = $1", visit),
        ("INSERT INTO assistance_request (city_code, id, org_code, person_id, visit_id, category, "
         "description, status, raised_on, resolved_on, outcome) SELECT city_code, "
         "gen_random_uuid(), org_code, $2, id, 'relief', '已解决', 'resolved', visited_on, "
         "visited_on, '已办结' FROM visit WHERE id = $1", visit, second),
        ("UPDATE assistance_request SET description = '没有诉求', category = 'other' "
         "WHERE id = $1", need),
        ("UPDATE assistance_request SET visit_id = NULL WHERE id = $1", need),
        ("DELETE FROM assistance_request WHERE id = $1", need),
    ]  # fmt: skip
    for sql, *args in attacks:
        for user in (site.worker, site.admin):
            outcome = await attack(other, user, sql, *args)
            assert was_refused(outcome), (sql, user.role_kind, outcome)
    assert await _visit_children(conn, visit, need) == before


async def _visit_children(
    conn: asyncpg.Connection, visit: uuid.UUID, need: uuid.UUID
) -> tuple[object, ...]:
    """The visit's persons and needs, and the need it was approved with wherever it went."""
    persons = await conn.fetch(
        "SELECT person_id FROM visit_person WHERE visit_id = $1 ORDER BY 1", visit
    )
    needs = await conn.fetch(
        "SELECT id, person_id, category, description, status, visit_id FROM assistance_request "
        "WHERE visit_id = $1 OR id = $2 ORDER BY id",
        visit, need,
    )  # fmt: skip
    return tuple(tuple(r) for r in persons), tuple(tuple(r) for r in needs)


# 4: an admin approving their own visit, rewriting it in the same UPDATE --------------------


async def test_an_admin_does_not_approve_their_own_visit(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    visit = await add_visit(conn, site.grid, site.admin, [site.person], status="submitted")
    for sql in (
        "UPDATE visit SET status = 'approved', notes = '一切正常', visited_on = '2026-10-01' "
        "WHERE id = $1",
        "UPDATE visit SET status = 'approved' WHERE id = $1",
    ):
        outcome = await attack(other, site.admin, sql, visit)
        assert was_refused(outcome), (sql, outcome)
    row = await conn.fetchrow("SELECT status, notes, visited_on, reviewed_by FROM visit "
                              "WHERE id = $1", visit)  # fmt: skip
    assert (row["status"], row["notes"], row["reviewed_by"]) == ("submitted", "了解就业情况", None)


# 5: stamps taken as the client sent them ------------------------------------------------------

STAMPED_INSERTS = {
    "person": "INSERT INTO person (city_code, id, org_code, name, sex, ethnic_code, birth_date, "
    "created_by, created_at, updated_by, updated_at) VALUES ($1, gen_random_uuid(), $2, '马小虎', "
    "1, '03', '1990-01-01', $3, $4, $3, $4) RETURNING id",
    "visit": "INSERT INTO visit (city_code, id, org_code, kind, visited_on, created_by, "
    "created_at, updated_by, updated_at) VALUES ($1, gen_random_uuid(), $2, 'phone_call', "
    "'2026-11-02', $3, $4, $3, $4) RETURNING id",
    "dispute_case": "INSERT INTO dispute_case (city_code, id, org_code, kind, summary, opened_on, "
    "created_by, created_at, updated_by, updated_at) VALUES ($1, gen_random_uuid(), $2, "
    "'business', '摊位纠纷', '2026-11-02', $3, $4, $3, $4) RETURNING id",
}


@pytest.mark.parametrize("table", list(STAMPED_INSERTS))
async def test_who_and_when_are_the_databases_not_the_clients(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site, table: str
) -> None:
    forged_at = datetime(2020, 1, 1, tzinfo=UTC)
    started = await conn.fetchval("SELECT clock_timestamp()")
    async with acting_as(other, site.worker):
        row_id = await other.fetchval(STAMPED_INSERTS[table], site.city, site.grid,
                                      site.neighbour_worker.pg_role, forged_at)  # fmt: skip
    row = await conn.fetchrow(
        f"SELECT created_by, created_at, updated_by, updated_at FROM {table} WHERE id = $1", row_id
    )
    assert row["created_by"] == row["updated_by"] == site.worker.pg_role
    assert row["created_at"] >= started
    assert row["updated_at"] >= started


async def test_a_need_and_a_household_member_carry_the_writers_stamps(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    visit = await add_visit(conn, site.grid, site.worker, [site.person], needs=0)
    started = await conn.fetchval("SELECT clock_timestamp()")
    async with acting_as(other, site.worker):
        await other.execute(
            "INSERT INTO assistance_request (city_code, id, org_code, person_id, visit_id, "
            "category, description, raised_on, created_by, created_at) VALUES ($1, "
            "gen_random_uuid(), $2, $3, $4, 'housing', '租房', '2026-11-02', $5, '2020-01-01')",
            site.city, site.grid, site.person, visit, site.neighbour_worker.pg_role,
        )  # fmt: skip
        await other.execute(
            "INSERT INTO household_member (city_code, id, person_id, org_code, name, relation, "
            "sex, birth_date, created_by, created_at) VALUES ($1, gen_random_uuid(), $2, $3, "
            "'马小花', 'child', 2, '2016-03-01', $4, '2020-01-01')",
            site.city, site.person, site.grid, site.neighbour_worker.pg_role,
        )  # fmt: skip
    for table in ("assistance_request", "household_member"):
        row = await conn.fetchrow(f"SELECT created_by, created_at FROM {table}")
        assert row["created_by"] == site.worker.pg_role, table
        assert row["created_at"] >= started, table


# 6: supervisors rewriting personal data --------------------------------------------------------


async def test_a_supervisor_does_not_rewrite_personal_data(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    member = await add_member(conn, site.grid, site.person)
    for sql, row in (
        ("UPDATE person SET name = '改名', id_number_hmac = NULL, id_number_enc = NULL "
         "WHERE id = $1", site.person),
        ("UPDATE person SET name = '改名' WHERE id = $1", site.person),
        ("UPDATE household_member SET name = '改名', birth_date = '2000-01-01' WHERE id = $1",
         member),
    ):  # fmt: skip
        outcome = await attack(other, site.supervisor, sql, row)
        assert was_refused(outcome), (sql, outcome)
    assert await conn.fetchval("SELECT count(*) FROM person WHERE name = '改名'") == 0
    assert await conn.fetchval("SELECT count(*) FROM household_member WHERE name = '改名'") == 0
    # What they do record: that someone left.
    left = "UPDATE person SET status = 'left_city', status_changed_on = '2026-11-20' WHERE id = $1"
    outcome = await attack(other, site.supervisor, left, site.person)
    assert outcome == "UPDATE 1"


# 7: an admin changing a user's kind, scope or role ------------------------------------------


@pytest.mark.parametrize(
    "change",
    ["role_kind = 'supervisor'", "org_code = left(org_code, 6)", "pg_role = 'tongxin_gateway'"],
)
async def test_an_admin_does_not_change_what_a_user_is(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site, change: str
) -> None:
    before = await conn.fetchrow("SELECT * FROM app_user WHERE name = $1", site.worker.name)
    outcome = await attack(
        other, site.admin, f"UPDATE app_user SET {change} WHERE name = $1", site.worker.name
    )
    assert was_refused(outcome), outcome
    assert await conn.fetchrow("SELECT * FROM app_user WHERE name = $1", site.worker.name) == before


async def test_an_admins_change_of_a_user_is_audited(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    outcome = await attack(other, site.admin, "UPDATE app_user SET display_name = '马网格' "
                           "WHERE name = $1", site.worker.name)  # fmt: skip
    assert outcome == "UPDATE 1"
    assert await _audit_rows(conn, site.admin.pg_role, "app_user") == [("update", site.grid)]


# 8: an admin renaming another city's units and the national names ---------------------------


async def test_an_admin_renames_only_units_in_scope_and_no_national_names(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    names = await conn.fetch("SELECT code, name FROM org_unit ORDER BY code")
    groups = await conn.fetch("SELECT code, name_zh FROM ethnic_group ORDER BY code")
    for sql, arg in (
        ("UPDATE org_unit SET name = name || '改' WHERE code = $1", site.other_city[:4]),
        ("UPDATE org_unit SET name = name || '改' WHERE code = $1", site.far),
        ("UPDATE ethnic_group SET name_zh = name_zh || '改' WHERE code = $1", "03"),
    ):
        outcome = await attack(other, site.admin, sql, arg)
        assert was_refused(outcome), (sql, arg, outcome)
    assert await conn.fetch("SELECT code, name FROM org_unit ORDER BY code") == names
    assert await conn.fetch("SELECT code, name_zh FROM ethnic_group ORDER BY code") == groups
    # In their own scope the rename is theirs to make, and it is audited.
    outcome = await attack(other, site.admin, "UPDATE org_unit SET name = '幸福网格' "
                           "WHERE code = $1", site.grid)  # fmt: skip
    assert outcome == "UPDATE 1"
    assert await _audit_rows(conn, site.admin.pg_role, "org_unit") == [("update", site.grid)]


# 9: writes that left no audit row -----------------------------------------------------------------


async def test_a_sweep_is_audited(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    community = site.grid[:12]  # who files: the grid's community
    async with acting_as(other, site.worker):
        sweep = await other.fetchval(
            "INSERT INTO dispute_sweep (city_code, id, org_code, month, nil_return) "
            "VALUES ($1, gen_random_uuid(), $2, '2026-11-01', true) RETURNING id",
            site.city, community,
        )  # fmt: skip
        await other.execute("UPDATE dispute_sweep SET notes = '本月无纠纷' WHERE id = $1", sweep)
    assert await _audit_rows(conn, site.worker.pg_role, "dispute_sweep") == [
        ("insert", community), ("update", community),
    ]  # fmt: skip


async def _audit_rows(conn: asyncpg.Connection, actor: str, table: str) -> list[tuple[str, str]]:
    rows = await conn.fetch(
        "SELECT action, org_code FROM audit_log WHERE actor = $1 AND table_name = $2 ORDER BY id",
        actor, table,
    )  # fmt: skip
    return [(r["action"], r["org_code"]) for r in rows]


# 12: one role stalling the city ---------------------------------------------------------------

STRONG_LOCKS = ["SHARE UPDATE EXCLUSIVE", "SHARE", "SHARE ROW EXCLUSIVE", "EXCLUSIVE",
                "ACCESS EXCLUSIVE"]  # fmt: skip


async def test_no_app_role_locks_a_table_against_others(
    conn: asyncpg.Connection, db_dsn: str, site: Site
) -> None:
    tables = [r[0] for r in await conn.fetch(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 1")]  # fmt: skip
    locked = []
    for user in (site.worker, site.supervisor, site.admin, site.auditor):
        direct = await login(db_dsn, user)
        try:
            for table in tables:
                for mode in STRONG_LOCKS:
                    try:
                        async with direct.transaction():
                            await direct.execute(f"LOCK TABLE {table} IN {mode} MODE NOWAIT")
                        locked.append((user.role_kind, table, mode))
                    except asyncpg.InsufficientPrivilegeError:
                        pass
        finally:
            await direct.close()
    assert locked == []


async def test_an_app_users_session_has_limits(
    conn: asyncpg.Connection, db_dsn: str, site: Site
) -> None:
    sessions = [await login(db_dsn, site.worker)]
    try:
        direct = sessions[0]
        for setting in ("statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout"):
            assert await direct.fetchval(f"SELECT current_setting('{setting}')") != "0", setting
        work_mem_kb = await direct.fetchval(
            "SELECT setting::bigint FROM pg_settings WHERE name = 'work_mem'"
        )
        assert work_mem_kb <= 64 * 1024
        limit = await conn.fetchval(
            "SELECT rolconnlimit FROM pg_roles WHERE rolname = $1", site.worker.pg_role
        )
        assert limit > 0
        while len(sessions) < limit:
            sessions.append(await login(db_dsn, site.worker))
        with pytest.raises(asyncpg.TooManyConnectionsError):
            sessions.append(await login(db_dsn, site.worker))
    finally:
        for session in sessions:
            await session.close()


async def test_the_gateways_sessions_have_timeouts(db_dsn: str) -> None:
    gateway = await asyncpg.connect(db_dsn, user="tongxin_gateway")
    try:
        for setting in ("statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout"):
            assert await gateway.fetchval(f"SELECT current_setting('{setting}')") != "0", setting
    finally:
        await gateway.close()
