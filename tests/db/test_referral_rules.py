"""The rules of a need's follow-up (sql/V013), as the attacker's plain SQL as the role the
rule binds: a need closes only by the approval of its outcome, a close goes for review
only whole, a closed need and its follow-up no longer change, follow-up is written only
while the need is open, a need raised without a visit names its channel, and a need being
followed up is not removed from its visit."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from db.core.session import acting_as
from tests.db.kernel_fixtures import (
    Site,
    add_need,
    add_outcome,
    add_referred_need,
    add_visit,
    attack,
    make_site,
    was_refused,
)


@pytest.fixture
async def site(conn: asyncpg.Connection) -> Site:
    return await make_site(conn)


async def _need(conn: asyncpg.Connection, need: uuid.UUID) -> tuple[object, ...]:
    row = await conn.fetchrow(
        "SELECT status, outcome, resolved_on, department_code, due_on, version "
        "FROM assistance_request WHERE id = $1",
        need,
    )
    return tuple(row)


CLOSING_BY_HAND = [
    "UPDATE assistance_request SET status = 'resolved' WHERE id = $1",
    "UPDATE assistance_request SET status = 'closed', outcome = '无法帮助', "
    "resolved_on = '2026-11-20' WHERE id = $1",
    "UPDATE assistance_request SET outcome = '已办结' WHERE id = $1",
    "UPDATE assistance_request SET resolved_on = '2026-11-20' WHERE id = $1",
]


@pytest.mark.parametrize("sql", CLOSING_BY_HAND)
async def test_no_role_closes_a_need_by_hand(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site, sql: str
) -> None:
    need = await add_referred_need(conn, site.grid, site.person, site.worker.pg_role)
    before = await _need(conn, need)
    for user in (site.worker, site.admin, site.supervisor, site.auditor):
        outcome = await attack(other, user, sql, need)
        assert was_refused(outcome), (user.role_kind, outcome)
    assert await _need(conn, need) == before


async def test_no_role_raises_a_need_closed_already(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    for status, outcome_text in (("resolved", "已办结"), ("closed", ""), ("open", "已办结")):
        outcome = await attack(
            other, site.worker,
            "INSERT INTO assistance_request (city_code, id, org_code, person_id, channel, "
            "category, description, status, raised_on, outcome) VALUES ($1, gen_random_uuid(), "
            "$2, $3, 'walk_in', 'relief', '临时困难', $4, '2026-11-02', $5)",
            site.city, site.grid, site.person, status, outcome_text,
        )  # fmt: skip
        assert outcome == "CheckViolationError", (status, outcome)
    assert await conn.fetchval("SELECT count(*) FROM assistance_request") == 0


async def test_a_close_goes_for_review_only_whole(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    need = await add_referred_need(conn, site.grid, site.person, site.worker.pg_role)
    await conn.execute(
        "INSERT INTO referral_outcome (city_code, id, org_code, created_by, updated_by) "
        "VALUES ($1, $2, $3, $4, $4)",
        site.city, need, site.grid, site.worker.pg_role,
    )  # fmt: skip
    submit = "UPDATE referral_outcome SET status = 'submitted' WHERE id = $1"
    for change in ("", "result = 'resolved', ", "result = 'unable', reason = '不符合条件', "):
        sql = submit.replace("SET ", f"SET {change}")
        assert await attack(other, site.worker, sql, need) == "CheckViolationError", change
    insert = await attack(
        other, site.worker,
        "WITH n AS (INSERT INTO assistance_request (city_code, id, org_code, person_id, channel, "
        "category, description, status, raised_on) VALUES ($1, gen_random_uuid(), $2, $3, "
        "'hotline', 'legal_aid', '咨询', 'open', '2026-11-02') RETURNING city_code, id, org_code) "
        "INSERT INTO referral_outcome (city_code, id, org_code, result, status) "
        "SELECT city_code, id, org_code, 'resolved', 'submitted' FROM n",
        site.city, site.grid, site.person,
    )  # fmt: skip
    assert insert == "CheckViolationError"
    assert await conn.fetchval("SELECT status FROM referral_outcome WHERE id = $1", need) == "draft"


@pytest.mark.parametrize(("result", "closes_as"), [("resolved", "resolved"), ("unable", "closed")])
async def test_the_approval_of_its_outcome_closes_the_need(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site, result: str, closes_as: str
) -> None:
    need = await add_referred_need(conn, site.grid, site.person, site.worker.pg_role)
    await add_outcome(conn, site.grid, need, site.worker.pg_role, "submitted")
    await conn.execute(
        "UPDATE referral_outcome SET result = $2, reason = '不符合申请条件' WHERE id = $1",
        need, result,
    )  # fmt: skip
    async with acting_as(other, site.supervisor):
        await other.execute("UPDATE referral_outcome SET status = 'approved' WHERE id = $1", need)
    row = await conn.fetchrow(
        "SELECT status, outcome, resolved_on::text, updated_by FROM assistance_request "
        "WHERE id = $1",
        need,
    )
    assert tuple(row) == (closes_as, "不符合申请条件", "2026-11-20", site.supervisor.pg_role)
    trail = await conn.fetch(
        "SELECT actor, changes FROM audit_log WHERE table_name = 'assistance_request' "
        "AND row_id = $1 AND action = 'update'",
        need,
    )
    assert [r["actor"] for r in trail] == [site.supervisor.pg_role]


async def test_a_closed_need_and_its_follow_up_no_longer_change(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    need = await add_referred_need(conn, site.grid, site.person, site.worker.pg_role)
    await add_outcome(conn, site.grid, need, site.worker.pg_role, "approved")
    assert await conn.fetchval("SELECT status FROM assistance_request WHERE id = $1", need) == (
        "resolved"
    )
    before = await _need(conn, need)
    attacks = [
        "UPDATE assistance_request SET due_on = '2027-01-31', version = version + 1 WHERE id = $1",
        "UPDATE assistance_request SET department_code = 'civil_affairs' WHERE id = $1",
        "INSERT INTO referral_note (city_code, id, org_code, need_id, noted_on, note) "
        "SELECT city_code, gen_random_uuid(), org_code, id, '2026-11-25', '又来电询问' "
        "FROM assistance_request WHERE id = $1",
        "UPDATE referral_outcome SET reason = '另行处理' WHERE id = $1",
    ]
    for sql in attacks:
        for user in (site.worker, site.admin):
            outcome = await attack(other, user, sql, need)
            assert was_refused(outcome), (sql, user.role_kind, outcome)
    assert await _need(conn, need) == before
    assert await conn.fetchval("SELECT count(*) FROM referral_note") == 0


async def test_follow_up_is_written_while_the_need_is_open_and_dated_within_its_life(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    draft_visit = await add_visit(conn, site.grid, site.worker, [site.person], needs=0)
    pending = await add_need(conn, site.grid, site.person, draft_visit, site.worker, "pending")
    referred = await add_referred_need(conn, site.grid, site.person, site.worker.pg_role)
    note = (
        "INSERT INTO referral_note (city_code, id, org_code, need_id, noted_on, note) "
        "SELECT city_code, gen_random_uuid(), org_code, id, $2::text::date, '部门已受理' "
        "FROM assistance_request WHERE id = $1"
    )
    refused = [(pending, "2026-11-05"), (referred, "2026-11-01"), (referred, "2099-01-01")]
    for need, day in refused:
        outcome = await attack(other, site.worker, note, need, day)
        assert outcome == "CheckViolationError", (need, day, outcome)
    assert await attack(other, site.worker, note, referred, "2026-11-05") == "INSERT 0 1"
    assert await attack(other, site.worker, note, referred, "2026-11-02") == "INSERT 0 1"
    outsider = await attack(other, site.neighbour_worker, note, referred, "2026-11-05")
    assert was_refused(outsider)
    assert await conn.fetchval("SELECT count(*) FROM referral_note") == 2
    rewrite = "UPDATE referral_note SET note = '改写' WHERE need_id = $1"
    assert was_refused(await attack(other, site.worker, rewrite, referred))


async def test_a_need_raised_without_a_visit_names_its_channel(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    raise_need = (
        "INSERT INTO assistance_request (city_code, id, org_code, person_id, channel, category, "
        "description, status, raised_on) VALUES ($1, gen_random_uuid(), $2, $3, $4, 'relief', "
        "'临时困难', $5, '2026-11-02')"
    )
    for channel, status in (("visit", "open"), ("walk_in", "pending")):
        outcome = await attack(other, site.worker, raise_need, site.city, site.grid, site.person,
                               channel, status)  # fmt: skip
        assert outcome == "CheckViolationError", (channel, status)
    outcome = await attack(other, site.worker, raise_need, site.city, site.grid, site.person,
                           "hotline", "open")  # fmt: skip
    assert outcome == "INSERT 0 1"
    visit = await add_visit(conn, site.grid, site.worker, [site.person], needs=1)
    moved = await attack(other, site.worker, "UPDATE assistance_request SET channel = 'walk_in' "
                         "WHERE visit_id = $1", visit)  # fmt: skip
    assert moved == "CheckViolationError"


async def test_a_need_being_followed_up_is_not_removed_from_its_visit(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    visit = await add_visit(conn, site.grid, site.worker, [site.person], status="returned",
                            needs=3)  # fmt: skip
    noted, referred, plain = [
        r["id"] for r in await conn.fetch(
            "SELECT id FROM assistance_request WHERE visit_id = $1 ORDER BY id", visit)
    ]  # fmt: skip
    await conn.execute(
        "INSERT INTO referral_note (city_code, id, org_code, need_id, noted_on, note) "
        "VALUES ($1, gen_random_uuid(), $2, $3, '2026-11-05', '已联系人社局')",
        site.city, site.grid, noted,
    )  # fmt: skip
    await conn.execute(
        "UPDATE assistance_request SET status = 'referred', department_code = 'housing', "
        "referred_on = '2026-11-03' WHERE id = $1",
        referred,
    )
    async with acting_as(other, site.worker):
        removed = await other.fetchval(
            "SELECT tx_remove_children('assistance_request', $1, $2, '{}')", site.city, visit
        )
    assert removed == 1
    left = {r["id"] for r in await conn.fetch("SELECT id FROM assistance_request")}
    assert left == {noted, referred}
    assert plain not in left
