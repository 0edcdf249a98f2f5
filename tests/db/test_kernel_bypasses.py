"""Ways around the protection kernel (sql/V010) found by attacking it with plain SQL as
an app user's own role, beyond the holes the issue lists (test_kernel_holes.py).

Each test is the attacker's SQL; it asserts what the kernel's rules say must hold.
"""

from __future__ import annotations

import uuid
from datetime import date

import asyncpg
import pytest

from db.core.session import acting_as
from tests.db.access_fixtures import add_person
from tests.db.kernel_fixtures import (
    REFUSED,
    Site,
    add_case,
    add_consent,
    add_member,
    add_sweep,
    add_visit,
    attack,
    login,
    make_site,
    was_refused,
)


@pytest.fixture
async def site(conn: asyncpg.Connection) -> Site:
    return await make_site(conn)


async def _children(conn: asyncpg.Connection, visit: uuid.UUID) -> tuple[object, ...]:
    persons = await conn.fetch(
        "SELECT person_id FROM visit_person WHERE visit_id = $1 ORDER BY 1", visit
    )
    needs = await conn.fetch(
        "SELECT id, person_id, description FROM assistance_request WHERE visit_id = $1 ORDER BY id",
        visit,
    )
    return tuple(tuple(r) for r in persons), tuple(tuple(r) for r in needs)


# A temporary table of the same name as what the kernel's checks read ---------------------
# The guards run as the caller, with the caller's search_path, in which the session's
# temporary schema comes first (before pg_catalog, for tables): a grid worker who makes
# a temporary `pg_roles`, `person`, `visit`, `submission_kind` or `kernel_table` answers
# the kernel's questions themselves.


async def _shadowed(dsn: str, site: Site, setup: list[str], sql: str, *args: object) -> str:
    """Run `setup` and then the attack in one transaction of the worker's own login."""
    direct = await login(dsn, site.worker)
    try:
        async with direct.transaction():
            for statement in setup:
                await direct.execute(statement)
            return str(await direct.execute(sql, *args))
    except REFUSED as exc:
        return type(exc).__name__
    finally:
        await direct.close()


async def test_a_temporary_pg_roles_does_not_make_a_grid_worker_an_operator(
    conn: asyncpg.Connection, db_dsn: str, site: Site
) -> None:
    visit = await add_visit(conn, site.grid, site.worker, [site.person])
    setup = [
        "CREATE TEMP TABLE pg_roles AS "
        "SELECT current_user::name AS rolname, true AS rolsuper, true AS rolbypassrls"
    ]
    approve = "UPDATE visit SET status = 'approved' WHERE id = $1"
    outcome = await _shadowed(db_dsn, site, setup, approve, visit)
    assert was_refused(outcome), outcome
    assert await conn.fetchval("SELECT status FROM visit WHERE id = $1", visit) == "draft"


async def test_a_temporary_person_table_does_not_let_a_child_row_reach_another_district(
    conn: asyncpg.Connection, db_dsn: str, site: Site
) -> None:
    setup = [
        "CREATE TEMP TABLE person (city_code char(4), id uuid, org_code text)",
        f"INSERT INTO person VALUES ('{site.city}', '{site.far_person}', '{site.grid}')",
    ]
    outcome = await _shadowed(
        db_dsn, site, setup,
        "INSERT INTO household_member (city_code, id, person_id, org_code, name, relation, sex, "
        "birth_date) VALUES ($1, gen_random_uuid(), $2, $3, '马小花', 'child', 2, '2016-03-01')",
        site.city, site.far_person, site.grid,
    )  # fmt: skip
    assert was_refused(outcome), outcome
    far = await conn.fetchval(
        "SELECT count(*) FROM household_member WHERE person_id = $1", site.far_person
    )
    assert far == 0


@pytest.mark.parametrize("shadow", ["visit", "submission_kind"])
async def test_a_temporary_table_does_not_unfreeze_an_approved_visit(
    conn: asyncpg.Connection, db_dsn: str, site: Site, shadow: str
) -> None:
    visit = await add_visit(conn, site.grid, site.worker, [site.person], status="approved",
                            reviewer=site.supervisor)  # fmt: skip
    before = await _children(conn, visit)
    setup = {
        "visit": [
            "CREATE TEMP TABLE visit (city_code char(4), id uuid, org_code text, status text)",
            f"INSERT INTO visit VALUES ('{site.city}', '{visit}', '{site.grid}', 'draft')",
        ],
        "submission_kind": ["CREATE TEMP TABLE submission_kind (kind text, table_name text)"],
    }[shadow]
    outcome = await _shadowed(
        db_dsn, site, setup,
        "INSERT INTO assistance_request (city_code, id, org_code, person_id, visit_id, category, "
        "description, status, raised_on) VALUES ($1, gen_random_uuid(), $2, $3, $4, 'relief', "
        "'已解决', 'resolved', '2026-11-02')",
        site.city, site.grid, site.person, visit,
    )  # fmt: skip
    assert was_refused(outcome), outcome
    assert await _children(conn, visit) == before


async def test_a_temporary_kernel_table_does_not_drop_the_check_of_a_visits_persons(
    conn: asyncpg.Connection, db_dsn: str, site: Site
) -> None:
    visit = await add_visit(conn, site.grid, site.worker, [site.person])
    setup = [
        "CREATE TEMP TABLE kernel_table (LIKE public.kernel_table)",
        "INSERT INTO kernel_table SELECT * FROM public.kernel_table",
        "UPDATE kernel_table SET person_column = NULL WHERE table_name = 'visit_person'",
    ]
    outcome = await _shadowed(
        db_dsn, site, setup,
        "INSERT INTO visit_person (city_code, visit_id, person_id, org_code) "
        "VALUES ($1, $2, $3, $4)",
        site.city, visit, site.far_person, site.grid,
    )  # fmt: skip
    assert was_refused(outcome), outcome
    assert await conn.fetchval(
        "SELECT count(*) FROM visit_person WHERE person_id = $1", site.far_person
    ) == 0  # fmt: skip


# tongxin.bulk_load switched on in the middle of a statement ---------------------------------
# tx_bulk_guard refuses an app user's statement when the setting is on as it starts;
# the row triggers skip their work when it is on as they fire. A statement that turns
# it on in its own WHERE clause passes the first and skips the second.

BULK_MIDWAY = "set_config('tongxin.bulk_load', 'on', true) = 'on'"


async def test_bulk_load_turned_on_mid_statement_does_not_skip_the_child_check(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    member = await add_member(conn, site.grid, site.person)
    outcome = await attack(
        other, site.worker,
        f"UPDATE household_member SET person_id = $1 WHERE id = $2 AND {BULK_MIDWAY}",
        site.far_person, member,
    )  # fmt: skip
    assert was_refused(outcome), outcome
    assert await conn.fetchval("SELECT person_id FROM household_member") == site.person


async def test_bulk_load_turned_on_mid_statement_does_not_unfreeze_an_approved_visit(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    visit = await add_visit(conn, site.grid, site.worker, [site.person], status="approved",
                            reviewer=site.supervisor)  # fmt: skip
    before = await _children(conn, visit)
    second = await add_person(conn, site.grid, "马小虎")
    outcome = await attack(
        other, site.worker,
        "INSERT INTO visit_person (city_code, visit_id, person_id, org_code) "
        f"SELECT $1, $2, $3, $4 WHERE {BULK_MIDWAY}",
        site.city, visit, second, site.grid,
    )  # fmt: skip
    assert was_refused(outcome), outcome
    assert await _children(conn, visit) == before


async def test_bulk_load_turned_on_mid_statement_does_not_keep_forged_stamps(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    async with acting_as(other, site.worker):
        person = await other.fetchval(
            "INSERT INTO person (city_code, id, org_code, name, sex, ethnic_code, birth_date, "
            "created_by, created_at) SELECT $1, gen_random_uuid(), $2, '马小虎', 1, '03', "
            f"'1990-01-01', $3, '2020-01-01' WHERE {BULK_MIDWAY} RETURNING id",
            site.city, site.grid, site.neighbour_worker.pg_role,
        )  # fmt: skip
    row = await conn.fetchrow("SELECT created_by, created_at FROM person WHERE id = $1", person)
    assert row["created_by"] == site.worker.pg_role
    assert row["created_at"].year != 2020


async def test_bulk_load_turned_on_and_off_within_a_statement_leaves_the_insert_audited(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    # On as the row is written (no row audit queued), off again by the time the
    # statement's audit of bulk inserts looks.
    async with acting_as(other, site.worker):
        sweep = await other.fetchval(
            "INSERT INTO dispute_sweep (city_code, id, org_code, month) "
            f"SELECT $1, gen_random_uuid(), $2, '2026-11-01' WHERE {BULK_MIDWAY} "
            "RETURNING id, set_config('tongxin.bulk_load', 'off', true)",
            site.city, site.grid[:12],
        )  # fmt: skip
    audited = await conn.fetchval(
        "SELECT count(*) FROM audit_log WHERE table_name = 'dispute_sweep' AND row_id = $1", sweep
    )
    assert audited == 1


# Nobody reviews their own work: an admin's rewrite of someone else's draft ------------------


async def test_an_admin_does_not_approve_a_visit_they_rewrote_and_submitted(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    visit = await add_visit(conn, site.grid, site.worker, [site.person])
    outcome = await attack(
        other, site.admin,
        "UPDATE visit SET notes = '一切正常', visited_on = '2026-10-01', status = 'submitted' "
        "WHERE id = $1",
        visit,
    )  # fmt: skip
    assert outcome == "UPDATE 1"  # admins write visits too
    outcome = await attack(other, site.admin, "UPDATE visit SET status = 'approved' WHERE id = $1",
                           visit)  # fmt: skip
    assert was_refused(outcome), outcome
    assert await conn.fetchval("SELECT status FROM visit WHERE id = $1", visit) == "submitted"


# Stamps under other names -----------------------------------------------------------------------


async def test_a_consent_is_recorded_by_whoever_records_it_and_when(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    started = await conn.fetchval("SELECT clock_timestamp()")
    async with acting_as(other, site.worker):
        consent = await other.fetchval(
            "INSERT INTO consent_record (city_code, id, person_id, org_code, basis, scope, "
            "given_on, recorded_by, created_at) VALUES ($1, gen_random_uuid(), $2, $3, 'consent', "
            "'登记', '2026-11-01', $4, '2020-01-01') RETURNING id",
            site.city, site.person, site.grid, site.neighbour_worker.pg_role,
        )  # fmt: skip
    row = await conn.fetchrow(
        "SELECT recorded_by, created_at FROM consent_record WHERE id = $1", consent
    )
    assert row["recorded_by"] == site.worker.pg_role
    assert row["created_at"] >= started


async def test_a_sweep_is_filed_by_whoever_files_it_and_when(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    # A draft is not filed, whatever the client says; its submission files it.
    started = await conn.fetchval("SELECT clock_timestamp()")
    async with acting_as(other, site.worker):
        sweep = await other.fetchval(
            "INSERT INTO dispute_sweep (city_code, id, org_code, month, nil_return, filed_by, "
            "filed_at) VALUES ($1, gen_random_uuid(), $2, '2026-11-01', true, $3, '2020-01-01') "
            "RETURNING id",
            site.city, site.grid[:12], site.neighbour_worker.pg_role,
        )  # fmt: skip
    row = await conn.fetchrow("SELECT filed_by, filed_at FROM dispute_sweep WHERE id = $1", sweep)
    assert tuple(row) == (None, None)
    outcome = await attack(
        other, site.worker,
        "UPDATE dispute_sweep SET status = 'submitted', filed_by = $2, filed_at = '2020-01-01' "
        "WHERE id = $1",
        sweep, site.neighbour_worker.pg_role,
    )  # fmt: skip
    assert was_refused(outcome), outcome
    outcome = await attack(
        other, site.worker, "UPDATE dispute_sweep SET status = 'submitted' WHERE id = $1", sweep
    )
    assert outcome == "UPDATE 1"
    row = await conn.fetchrow("SELECT filed_by, filed_at FROM dispute_sweep WHERE id = $1", sweep)
    assert row["filed_by"] == site.worker.pg_role
    assert row["filed_at"] >= started


# A withdrawal stays ---------------------------------------------------------------------------


async def test_a_withdrawn_consent_is_not_reinstated_or_redated(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    consent = await add_consent(conn, site.grid, site.person)
    outcome = await attack(
        other, site.worker,
        "UPDATE consent_record SET withdrawn_on = '2026-11-10', withdrawal_note = '本人撤回' "
        "WHERE id = $1",
        consent,
    )  # fmt: skip
    assert outcome == "UPDATE 1"
    for change in ("withdrawn_on = NULL, withdrawal_note = ''", "withdrawn_on = '2026-11-30'"):
        outcome = await attack(
            other, site.worker, f"UPDATE consent_record SET {change} WHERE id = $1", consent
        )
        assert was_refused(outcome), (change, outcome)
    row = await conn.fetchrow(
        "SELECT withdrawn_on::text, withdrawal_note FROM consent_record WHERE id = $1", consent
    )
    assert tuple(row) == ("2026-11-10", "本人撤回")


# A case filed into another district's sweep ---------------------------------------------------


@pytest.mark.parametrize("how", ["insert", "update"])
async def test_a_dispute_case_joins_only_a_sweep_in_scope(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site, how: str
) -> None:
    far_sweep = await add_sweep(conn, site.far, date(2026, 11, 1))
    case = await add_case(conn, site.grid, site.person)
    sql = {
        "insert": "INSERT INTO dispute_case (city_code, id, org_code, sweep_id, kind, summary, "
        "opened_on) SELECT city_code, gen_random_uuid(), org_code, $1, 'business', '摊位纠纷', "
        "opened_on FROM dispute_case WHERE id = $2",
        "update": "UPDATE dispute_case SET sweep_id = $1 WHERE id = $2",
    }[how]
    outcome = await attack(other, site.worker, sql, far_sweep, case)
    assert was_refused(outcome), outcome
    assert await conn.fetchval(
        "SELECT count(*) FROM dispute_case WHERE sweep_id = $1", far_sweep
    ) == 0  # fmt: skip


# Children written while their visit is submitted and approved ---------------------------------
# The child check reads the visit's status without locking it, so a child written in a
# transaction that is still open when the visit is submitted and approved lands in the
# approved visit after its reviewer saw it.

CHILD_WRITES = ["person added", "person removed", "need added"]


@pytest.mark.parametrize("write", CHILD_WRITES)
async def test_an_approved_visit_keeps_the_children_its_reviewer_saw(
    conn: asyncpg.Connection, db_dsn: str, site: Site, write: str
) -> None:
    visit = await add_visit(conn, site.grid, site.worker, [site.person], needs=0)
    second = await add_person(conn, site.grid, "马小虎")
    writer, submitter, reviewer = [await asyncpg.connect(db_dsn) for _ in range(3)]
    seen: tuple[object, ...] | None = None
    try:
        async with acting_as(writer, site.worker):
            await _write_child(writer, write, site, visit, second)
            seen = await _submit_and_approve(submitter, reviewer, site, visit)
    except REFUSED:
        pass  # refused when it commits: the visit stays as its reviewer saw it
    finally:
        for connection in (writer, submitter, reviewer):
            await connection.close()
    if seen is not None:
        assert await _children(conn, visit) == seen


async def _write_child(
    conn: asyncpg.Connection, write: str, site: Site, visit: uuid.UUID, person: uuid.UUID
) -> None:
    if write == "person added":
        await conn.execute(
            "INSERT INTO visit_person (city_code, visit_id, person_id, org_code) "
            "VALUES ($1, $2, $3, $4)",
            site.city, visit, person, site.grid,
        )  # fmt: skip
    elif write == "person removed":
        await conn.execute(
            "SELECT tx_remove_children('visit_person', $1, $2, '{}')", site.city, visit
        )
    else:
        await conn.execute(
            "INSERT INTO assistance_request (city_code, id, org_code, person_id, visit_id, "
            "category, description, raised_on) VALUES ($1, gen_random_uuid(), $2, $3, $4, "
            "'relief', '临时救助', '2026-11-02')",
            site.city, site.grid, person, visit,
        )  # fmt: skip


async def _submit_and_approve(
    submitter: asyncpg.Connection, reviewer: asyncpg.Connection, site: Site, visit: uuid.UUID
) -> tuple[object, ...] | None:
    """The author submits, then the supervisor approves, each in a transaction of their
    own; what the supervisor saw of the visit's children as they approved it, or None
    when the submit had to wait for the open write (then nothing is approved)."""
    try:
        async with acting_as(submitter, site.worker):
            await submitter.execute("SET LOCAL lock_timeout = '200ms'")
            await submitter.execute("UPDATE visit SET status = 'submitted' WHERE id = $1", visit)
    except asyncpg.LockNotAvailableError:
        return None
    async with acting_as(reviewer, site.supervisor):
        seen = await _children(reviewer, visit)
        await reviewer.execute("UPDATE visit SET status = 'approved' WHERE id = $1", visit)
    return seen
