"""The rules of meetings (sql/V014), each as the plain SQL of the role it binds: whose a
meeting is, what goes up for review, what freezes with approved minutes and what is
still followed up, and what an action item may point at."""

from __future__ import annotations

import uuid
from datetime import date

import asyncpg
import pytest

from db.core.session import acting_as
from tests.db.kernel_fixtures import (
    Site,
    add_case,
    add_meeting,
    add_need,
    attack,
    make_site,
    was_refused,
)

INSERT_MEETING = (
    "INSERT INTO meeting (city_code, id, org_code, kind, held_on, starts_at) "
    "VALUES ($1, $2, $3, 'member_joint', '2026-10-20', '09:00')"
)
LINK = (
    "INSERT INTO action_item_link (city_code, id, meeting_id, item_id, org_code, {column}) "
    "VALUES ($1, gen_random_uuid(), $2, $3, $4, $5)"
)


@pytest.fixture
async def site(conn: asyncpg.Connection) -> Site:
    return await make_site(conn)


async def test_a_meeting_is_written_by_whoever_holds_its_unit_in_scope(
    other: asyncpg.Connection, site: Site
) -> None:
    street = site.grid[:9]
    outcomes = {
        "worker, own grid": await attack(other, site.worker, INSERT_MEETING, site.city,
                                         uuid.uuid4(), site.grid),
        "worker, the street": await attack(other, site.worker, INSERT_MEETING, site.city,
                                           uuid.uuid4(), street),
        "worker, neighbour grid": await attack(other, site.worker, INSERT_MEETING, site.city,
                                               uuid.uuid4(), site.neighbour),
        "supervisor, the street": await attack(other, site.supervisor, INSERT_MEETING,
                                               site.city, uuid.uuid4(), street),
        "supervisor, the district": await attack(other, site.supervisor, INSERT_MEETING,
                                                 site.city, uuid.uuid4(), site.grid[:6]),
        "admin, the district": await attack(other, site.admin, INSERT_MEETING, site.city,
                                            uuid.uuid4(), site.grid[:6]),
        "auditor, the district": await attack(other, site.auditor, INSERT_MEETING, site.city,
                                              uuid.uuid4(), site.grid[:6]),
    }  # fmt: skip
    assert {who for who, outcome in outcomes.items() if not was_refused(outcome)} == {
        "worker, own grid", "supervisor, the street", "admin, the district",
    }  # fmt: skip


async def test_the_unit_of_a_meeting_does_not_change(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    meeting = await add_meeting(conn, site.grid[:9], site.supervisor)
    for sql in (
        "UPDATE meeting SET org_code = $2 WHERE id = $1",
        "UPDATE meeting SET city_code = left($2, 4) WHERE id = $1",
    ):
        outcome = await attack(other, site.supervisor, sql, meeting, site.grid)
        assert outcome == "InsufficientPrivilegeError", sql


async def test_minutes_go_up_only_with_chair_recorder_and_minutes(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    meeting = uuid.uuid4()
    await attack(other, site.worker, INSERT_MEETING, site.city, meeting, site.grid)
    submit = "UPDATE meeting SET status = 'submitted' WHERE id = $1"
    assert await attack(other, site.worker, submit, meeting) == "CheckViolationError"
    filled = "UPDATE meeting SET chair = '李主任', recorder = '王记录', minutes = $2 WHERE id = $1"
    assert await attack(other, site.worker, filled, meeting, "通报就业帮扶情况") == "UPDATE 1"
    blank = "UPDATE meeting SET status = 'submitted', minutes = ' ' WHERE id = $1"
    assert await attack(other, site.worker, blank, meeting) == "CheckViolationError"
    assert await attack(other, site.worker, submit, meeting) == "UPDATE 1"
    assert await conn.fetchval("SELECT status FROM meeting WHERE id = $1", meeting) == "submitted"


async def test_approved_minutes_freeze_what_was_agreed_but_not_whether_it_was_done(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    unit = site.grid[:9]
    meeting = await add_meeting(conn, unit, site.supervisor, status="approved", items=1)
    item = await conn.fetchval("SELECT id FROM action_item WHERE meeting_id = $1", meeting)
    writer = site.supervisor
    frozen = {
        "item text": await attack(other, writer, "UPDATE action_item SET text = '改了' "
                                  "WHERE id = $1", item),
        "item due": await attack(other, writer, "UPDATE action_item SET due_on = '2027-06-30' "
                                 "WHERE id = $1", item),
        "new item": await attack(other, writer, "INSERT INTO action_item (city_code, id, "
                                 "meeting_id, org_code, seq, text, department_code) VALUES ($1, "
                                 "gen_random_uuid(), $2, $3, 9, '补一项', 'education')",
                                 site.city, meeting, unit),
        "new attendee": await attack(other, writer, "INSERT INTO meeting_attendee (city_code, "
                                     "id, meeting_id, org_code, seq, attendance, name) VALUES "
                                     "($1, gen_random_uuid(), $2, $3, 9, 'present', '补签')",
                                     site.city, meeting, unit),
        "new link": await attack(other, writer, LINK.format(column="person_id"), site.city,
                                 meeting, item, unit, site.person),
        "removed item": await attack(other, writer, "SELECT tx_remove_children('action_item', "
                                     "$1, $2, '{}')", site.city, meeting),
    }  # fmt: skip
    assert {what for what, outcome in frozen.items() if not was_refused(outcome)} == set()
    done = (
        "UPDATE action_item SET status = 'done', done_on = '2026-11-20', "
        "closing_note = '已安排培训', version = version + 1 WHERE id = $1"
    )
    assert await attack(other, writer, done, item) == "UPDATE 1"
    assert await conn.fetchval("SELECT text FROM action_item WHERE id = $1", item) == "落实第1项"


async def test_an_action_item_moves_by_its_steps(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    meeting = await add_meeting(conn, site.grid, site.worker, status="approved", items=1)
    item = await conn.fetchval("SELECT id FROM action_item WHERE meeting_id = $1", meeting)

    async def step(sets: str) -> str:
        return await attack(other, site.worker, f"UPDATE action_item SET {sets} WHERE id = $1",
                            item)  # fmt: skip

    assert await step("status = 'done'") == "CheckViolationError"  # done on which day?
    assert await step("status = 'done', done_on = '2026-11-02'") == "UPDATE 1"
    assert await step("status = 'dropped'") == "CheckViolationError"  # reopened first
    assert await step("status = 'open'") == "CheckViolationError"  # its date goes too
    assert await step("status = 'open', done_on = NULL") == "UPDATE 1"
    assert await step("status = 'dropped', done_on = '2026-11-03'") == "UPDATE 1"
    assert await step("status = 'finished'") == "CheckViolationError"


async def test_no_role_deletes_meetings_or_their_children(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    meeting = await add_meeting(conn, site.grid, site.worker, items=2)
    for table, column in (("meeting", "id"), ("action_item", "meeting_id"),
                          ("meeting_attendee", "meeting_id"),
                          ("action_item_link", "meeting_id")):  # fmt: skip
        for user in (site.worker, site.supervisor, site.admin):
            outcome = await attack(other, user, f"DELETE FROM {table} WHERE {column} = $1",
                                   meeting)  # fmt: skip
            assert outcome == "InsufficientPrivilegeError", (table, user.role_kind)
    assert await conn.fetchval("SELECT count(*) FROM action_item WHERE meeting_id = $1",
                               meeting) == 2  # fmt: skip
    # A draft's items go through the kernel's removal, by its writers in scope only.
    remove = "SELECT tx_remove_children('action_item', $1, $2, '{}')"
    assert await attack(other, site.neighbour_worker, remove, site.city, meeting) == (
        "InsufficientPrivilegeError"
    )
    assert await attack(other, site.worker, remove, site.city, meeting) == "SELECT 1"
    assert await conn.fetchval("SELECT count(*) FROM action_item WHERE meeting_id = $1",
                               meeting) == 0  # fmt: skip


async def test_what_an_item_concerns_lies_in_the_writers_scope(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    meeting = await add_meeting(conn, site.grid, site.worker, items=1)
    item = await conn.fetchval("SELECT id FROM action_item WHERE meeting_id = $1", meeting)
    far_need = await add_need(conn, site.far, site.far_person, None, site.far_worker)
    far_case = await add_case(conn, site.far, site.far_person)
    own_need = await add_need(conn, site.grid, site.person, None, site.worker)
    own_case = await add_case(conn, site.grid, site.person)
    outcomes = {
        (column, where): await attack(other, site.worker, LINK.format(column=column), site.city,
                                      meeting, item, site.grid, target)
        for column, where, target in (
            ("person_id", "far", site.far_person), ("need_id", "far", far_need),
            ("case_id", "far", far_case), ("need_id", "nowhere", uuid.uuid4()),
            ("person_id", "own", site.person), ("need_id", "own", own_need),
            ("case_id", "own", own_case),
        )
    }  # fmt: skip
    # Out of scope and not there at all are told apart by nothing.
    assert {k: v for k, v in outcomes.items() if k[1] != "own"} == {
        ("person_id", "far"): "InsufficientPrivilegeError",
        ("need_id", "far"): "InsufficientPrivilegeError",
        ("case_id", "far"): "InsufficientPrivilegeError",
        ("need_id", "nowhere"): "InsufficientPrivilegeError",
    }
    assert {outcomes[(c, "own")] for c in ("person_id", "need_id", "case_id")} == {"INSERT 0 1"}
    two = LINK.format(column="person_id, need_id").replace("$5)", "$5, $6)")
    outcome = await attack(other, site.worker, two, site.city, meeting, item, site.grid,
                           site.person, own_need)  # fmt: skip
    assert outcome == "CheckViolationError"  # one thing a link


async def test_an_item_is_closed_only_at_a_meeting_the_writer_sees(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    meeting = await add_meeting(conn, site.grid, site.worker, status="approved", items=1)
    item = await conn.fetchval("SELECT id FROM action_item WHERE meeting_id = $1", meeting)
    far = await add_meeting(conn, site.far, site.far_worker)
    own = await add_meeting(conn, site.grid, site.worker, held_on=date(2026, 11, 20))
    close = (
        "UPDATE action_item SET status = 'done', done_on = '2026-11-20', closed_in = $2 "
        "WHERE id = $1"
    )
    assert await attack(other, site.worker, close, item, far) == "InsufficientPrivilegeError"
    assert await attack(other, site.worker, close, item, own) == "UPDATE 1"


async def test_the_rhythm_and_the_reference_declaration_are_the_operators(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    for user in (site.worker, site.supervisor, site.admin):
        outcome = await attack(other, user, "UPDATE meeting_rhythm SET months = 24")
        assert outcome == "InsufficientPrivilegeError", user.role_kind
        outcome = await attack(other, user, "SELECT tx_reference('meeting', 'id', 'person')")
        assert outcome == "InsufficientPrivilegeError", user.role_kind
    assert await conn.fetchval("SELECT months FROM meeting_rhythm WHERE kind = 'member_joint'") == 6


async def test_writes_to_meetings_are_audited_and_stamped_by_the_database(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    meeting = uuid.uuid4()
    async with acting_as(other, site.worker):
        await other.execute(
            "INSERT INTO meeting (city_code, id, org_code, kind, held_on, starts_at, created_by) "
            "VALUES ($1, $2, $3, 'working', '2026-10-20', '09:00', 'someone_else')",
            site.city, meeting, site.grid,
        )  # fmt: skip
        await add_item_as_writer(other, site, meeting)
    stamped = await conn.fetchval("SELECT created_by FROM meeting WHERE id = $1", meeting)
    assert stamped == site.worker.pg_role
    audited = await conn.fetch(
        "SELECT table_name FROM audit_log WHERE actor = $1 AND action = 'insert' ORDER BY id",
        site.worker.pg_role,
    )
    assert [r[0] for r in audited] == ["meeting", "action_item"]


async def add_item_as_writer(conn: asyncpg.Connection, site: Site, meeting: uuid.UUID) -> None:
    await conn.execute(
        "INSERT INTO action_item (city_code, id, meeting_id, org_code, seq, text, "
        "department_code) VALUES ($1, gen_random_uuid(), $2, $3, 1, '摸排', 'education')",
        site.city, meeting, site.neighbour,  # the org code is the meeting's, whatever is sent
    )  # fmt: skip
    assert (
        await conn.fetchval("SELECT org_code FROM action_item WHERE meeting_id = $1", meeting)
        == site.grid
    )
