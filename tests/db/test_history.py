"""History follows the person: after a hand-over the receiving grid sees the person's
earlier visits, needs and cases, read-only, and the grid that handed over sees none of
what comes after."""

from __future__ import annotations

import uuid
from datetime import date

import asyncpg

from db.core.session import acting_as
from db.persons.history import earlier_records
from db.persons.save import hand_over
from db.visits.form import NeedForm, VisitForm, VisitInput, VisitPerson
from db.visits.store import save_visit
from tests.db.access_fixtures import add_person, demo_grid_codes, new_user

TODAY = date(2026, 11, 1)


async def _visit_with_a_need(conn: asyncpg.Connection, city: str, person: uuid.UUID) -> uuid.UUID:
    visit = VisitInput.from_form(
        VisitForm(
            id=uuid.uuid4(), visited_on="2026-10-20", notes="想找工作",
            persons=[VisitPerson(city_code=city, id=person, name="马小龙")],
            needs=[NeedForm(id=uuid.uuid4(), person_id=person, category="employment",
                            description="找餐饮工作")],
        ),
        TODAY,
    )  # fmt: skip
    await save_visit(conn, visit, base_version=None, submit=True)
    return visit.id


async def test_the_receiving_grid_sees_the_earlier_records_and_the_sender_nothing_after(
    conn: asyncpg.Connection, other: asyncpg.Connection
) -> None:
    grids = await demo_grid_codes(conn)
    sender, receiver = grids[0], next(g for g in grids[1:] if g[:4] == grids[0][:4])
    city = sender[:4]
    from_worker = await new_user(conn, "grid_worker", sender)
    to_worker = await new_user(conn, "grid_worker", receiver)
    person = await add_person(conn, sender)
    case = uuid.uuid4()
    await conn.execute(
        "INSERT INTO dispute_case (city_code, id, org_code, kind, summary, opened_on) "
        "VALUES ($1, $2, $3, 'other', '工钱纠纷', '2026-10-01')",
        city, case, sender,
    )  # fmt: skip
    await conn.execute(
        "INSERT INTO dispute_party (city_code, case_id, seq, org_code, person_id, name) "
        "VALUES ($1, $2, 1, $3, $4, '马小龙')",
        city, case, sender, person,
    )  # fmt: skip
    async with acting_as(other, from_worker):
        earlier_visit = await _visit_with_a_need(other, city, person)
        version = await other.fetchval("SELECT version FROM person WHERE id = $1", person)
        await hand_over(other, city, person, version, receiver, TODAY)
    async with acting_as(other, to_worker):
        seen = {(r.what, r.grid_name) for r in await earlier_records(other, city, person)}
        through_tables = await other.fetchval("SELECT count(*) FROM visit")
        changed = await other.execute(
            "UPDATE visit SET notes = 'x' WHERE id = $1", earlier_visit
        )  # read-only: the table's policy does not reach it
        later_visit = await _visit_with_a_need(other, city, person)
    assert {what for what, _grid in seen} == {"visit", "need", "case"}
    assert through_tables == 0
    assert changed == "UPDATE 0"
    async with acting_as(other, from_worker):
        after = await earlier_records(other, city, person)  # no longer theirs to see
        theirs = {r["id"] for r in await other.fetch("SELECT id FROM visit")}
    assert after == []
    assert theirs == {earlier_visit}
    assert later_visit not in theirs


async def test_nobody_reads_the_history_of_someone_outside_their_scope(
    conn: asyncpg.Connection, other: asyncpg.Connection
) -> None:
    grids = await demo_grid_codes(conn)
    far = next(g for g in grids if g[:6] != grids[0][:6])
    person = await add_person(conn, grids[0])
    worker = await new_user(conn, "grid_worker", grids[0])
    async with acting_as(other, worker):
        await _visit_with_a_need(other, grids[0][:4], person)
    stranger = await new_user(conn, "grid_worker", far)
    async with acting_as(other, stranger):
        assert await earlier_records(other, grids[0][:4], person) == []
        direct = await other.fetch("SELECT * FROM tx_person_history($1, $2)", grids[0][:4], person)
    assert direct == []
