"""Visits through their review, as the roles that do each step (never as the owner)."""

from __future__ import annotations

import uuid
from datetime import date

import asyncpg
import pytest

from db.core.session import acting_as
from db.users import AppUser, add_user
from db.visits.form import NeedForm, VisitForm, VisitInput, VisitPerson
from db.visits.store import (
    VisitConflict,
    VisitNotEditable,
    load_visit,
    review_visit,
    save_visit,
    visits_with,
    work_list,
)
from tests.db.access_fixtures import add_person, demo_grid_codes, new_user

TODAY = date(2026, 11, 24)


@pytest.fixture
async def grid(conn: asyncpg.Connection) -> str:
    return (await demo_grid_codes(conn))[0]


@pytest.fixture
async def worker(conn: asyncpg.Connection, grid: str) -> AppUser:
    return await new_user(conn, "grid_worker", grid)


@pytest.fixture
async def supervisor(conn: asyncpg.Connection, grid: str) -> AppUser:
    return await new_user(conn, "supervisor", grid[:9])


@pytest.fixture
async def people(conn: asyncpg.Connection, grid: str) -> list[VisitPerson]:
    names = ["马小龙", "阿依古丽·买买提"]
    return [
        VisitPerson(city_code=grid[:4], id=await add_person(conn, grid, name), name=name)
        for name in names
    ]


def _visit(people: list[VisitPerson], **changes: object) -> VisitInput:
    form = VisitForm(
        id=uuid.uuid4(), kind="home_visit", visited_on="2026-11-20", notes="了解就业和子女上学情况",
        persons=people,
        needs=[
            NeedForm(id=uuid.uuid4(), person_id=people[0].id, category="employment",
                     description="想找餐饮工作"),
            NeedForm(id=uuid.uuid4(), person_id=people[1].id, category="schooling",
                     description="孩子转学", due_on="2026-12-31"),
        ],
    )  # fmt: skip
    return VisitInput.from_form(form.model_copy(update=changes), TODAY)


async def _needs(conn: asyncpg.Connection, visit_id: uuid.UUID) -> list[tuple[str, str, str]]:
    rows = await conn.fetch(
        "SELECT category, department_code, status FROM assistance_request "
        "WHERE visit_id = $1 ORDER BY category",
        visit_id,
    )
    return [tuple(r) for r in rows]


async def test_draft_then_submit_opens_the_needs_once(
    conn: asyncpg.Connection,
    other: asyncpg.Connection,
    worker: AppUser,
    people: list[VisitPerson],
) -> None:
    visit = _visit(people)
    async with acting_as(other, worker):
        draft = await save_visit(other, visit, base_version=None, submit=False)
    assert (draft.status, draft.version) == ("draft", 1)
    assert await _needs(conn, visit.id) == [
        ("employment", "human_resources", "pending"),
        ("schooling", "education", "pending"),
    ]
    async with acting_as(other, worker):
        sent = await save_visit(other, visit, base_version=1, submit=True)
    async with acting_as(other, worker):  # the same submit again: a retry after a lost reply
        again = await save_visit(other, visit, base_version=1, submit=True)
    assert (sent.status, again.status, again.version) == ("submitted", "submitted", 2)
    assert [s for _, _, s in await _needs(conn, visit.id)] == ["open", "open"]
    assert await conn.fetchval("SELECT count(*) FROM visit") == 1
    assert await conn.fetchval("SELECT count(*) FROM visit_person") == 2
    due = await conn.fetchval("SELECT due_on FROM assistance_request WHERE category = 'employment'")
    assert due == date(2026, 12, 20)  # thirty days after the visit when none is given


async def test_a_retried_create_stores_one_visit(
    conn: asyncpg.Connection,
    other: asyncpg.Connection,
    worker: AppUser,
    people: list[VisitPerson],
) -> None:
    visit = _visit(people)
    for _ in range(2):
        async with acting_as(other, worker):
            await save_visit(other, visit, base_version=None, submit=True)
    assert await conn.fetchval("SELECT count(*) FROM visit") == 1
    assert await conn.fetchval("SELECT count(*) FROM assistance_request") == 2


async def test_return_fix_resubmit_approve(
    conn: asyncpg.Connection,
    other: asyncpg.Connection,
    worker: AppUser,
    supervisor: AppUser,
    people: list[VisitPerson],
) -> None:
    visit = _visit(people)
    city = people[0].city_code
    async with acting_as(other, worker):
        await save_visit(other, visit, base_version=None, submit=True)
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        async with acting_as(other, worker):
            await review_visit(other, city, visit.id, 1, "approved")
    async with acting_as(other, supervisor):
        queue = await work_list(other, ["submitted"], mine=False)
        returned = await review_visit(other, city, visit.id, 1, "returned", "请补充工作单位")
    assert [v.id for v in queue] == [visit.id]
    assert returned.status == "returned"
    assert returned.reviewed_by == supervisor.pg_role
    async with acting_as(other, worker):
        mine = await work_list(other, ["draft", "returned"], mine=True)
        form, state = await load_visit(other, city, visit.id)
    assert [(v.status, v.review_comment) for v in mine] == [("returned", "请补充工作单位")]
    fixed = VisitInput.from_form(
        form.model_copy(update={"notes": form.notes + "；工作单位：某餐馆",
                                "needs": form.needs[:1]}),
        TODAY,
    )  # fmt: skip
    async with acting_as(other, worker):
        again = await save_visit(other, fixed, base_version=state.version, submit=True)
    assert again.status == "submitted"
    assert await _needs(conn, visit.id) == [("employment", "human_resources", "open")]
    async with acting_as(other, supervisor):
        approved = await review_visit(other, city, visit.id, again.version, "approved")
    assert approved.status == "approved"
    with pytest.raises(VisitNotEditable):
        async with acting_as(other, worker):
            await save_visit(other, fixed, base_version=approved.version, submit=False)


async def test_the_queue_names_the_grid_and_the_worker(
    conn: asyncpg.Connection,
    other: asyncpg.Connection,
    supervisor: AppUser,
    people: list[VisitPerson],
    grid: str,
) -> None:
    named = await add_user(conn, f"w_{uuid.uuid4().hex[:8]}", "grid_worker", grid, "张网格")
    visit = _visit(people)
    async with acting_as(other, named):
        await save_visit(other, visit, base_version=None, submit=True)
        mine = await work_list(other, ["submitted"], mine=True)
    async with acting_as(other, supervisor):
        queue = await work_list(other, ["submitted"], mine=False)
    grid_name = await conn.fetchval("SELECT name FROM org_unit WHERE code = $1", grid)
    for listed in (mine, queue):
        assert [(v.grid_name, v.worker) for v in listed] == [(grid_name, "张网格")]
    assert sorted(queue[0].person_names) == sorted(p.name for p in people)  # one name each


async def test_an_approval_is_final_even_for_its_approver(
    other: asyncpg.Connection,
    worker: AppUser,
    supervisor: AppUser,
    people: list[VisitPerson],
) -> None:
    # So the app asks before it approves: there is no way back to "submitted".
    visit = _visit(people)
    city = people[0].city_code
    async with acting_as(other, worker):
        await save_visit(other, visit, base_version=None, submit=True)
    async with acting_as(other, supervisor):
        await review_visit(other, city, visit.id, 1, "approved")
    for status in ("submitted", "returned"):
        with pytest.raises(asyncpg.CheckViolationError, match="it is approved; it cannot become"):
            async with acting_as(other, supervisor):
                await other.execute(
                    "UPDATE visit SET status = $1, review_comment = 'x' WHERE id = $2",
                    status, visit.id,
                )  # fmt: skip


async def test_supervisor_cannot_change_what_was_written(
    conn: asyncpg.Connection,
    other: asyncpg.Connection,
    worker: AppUser,
    supervisor: AppUser,
    people: list[VisitPerson],
) -> None:
    visit = _visit(people)
    async with acting_as(other, worker):
        await save_visit(other, visit, base_version=None, submit=True)
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        async with acting_as(other, supervisor):
            await other.execute("UPDATE visit SET notes = 'changed'")
    with pytest.raises(asyncpg.CheckViolationError):
        async with acting_as(other, supervisor):
            await other.execute("UPDATE visit SET status = 'returned', version = version + 1")


async def test_stale_version_is_a_conflict(
    conn: asyncpg.Connection,
    other: asyncpg.Connection,
    worker: AppUser,
    people: list[VisitPerson],
) -> None:
    visit = _visit(people)
    async with acting_as(other, worker):
        await save_visit(other, visit, base_version=None, submit=False)
        await save_visit(other, visit, base_version=1, submit=False)
    with pytest.raises(VisitConflict):
        async with acting_as(other, worker):
            await save_visit(other, visit, base_version=1, submit=False)


async def test_other_grids_see_nothing_and_history_lists_the_visit(
    conn: asyncpg.Connection,
    other: asyncpg.Connection,
    worker: AppUser,
    people: list[VisitPerson],
    grid: str,
) -> None:
    visit = _visit(people)
    async with acting_as(other, worker):
        await save_visit(other, visit, base_version=None, submit=True)
        history = await visits_with(other, people[1].city_code, people[1].id)
    assert [(v.id, v.needs) for v in history] == [(visit.id, 2)]
    assert set(history[0].persons.split("、")) == {"马小龙", "阿依古丽·买买提"}
    far = next(c for c in await demo_grid_codes(conn) if c[:9] != grid[:9])
    stranger = await new_user(conn, "grid_worker", far)
    async with acting_as(other, stranger):
        for table in ("visit", "visit_person", "assistance_request"):
            assert await other.fetchval(f"SELECT count(*) FROM {table}") == 0


async def test_cannot_visit_a_person_outside_the_scope(
    conn: asyncpg.Connection, other: asyncpg.Connection, people: list[VisitPerson], grid: str
) -> None:
    far = next(c for c in await demo_grid_codes(conn) if c[:9] != grid[:9])
    stranger = await new_user(conn, "grid_worker", far)
    with pytest.raises(Exception, match="scope|row-level"):
        async with acting_as(other, stranger):
            await save_visit(other, _visit(people), base_version=None, submit=False)
    assert await conn.fetchval("SELECT count(*) FROM visit") == 0


async def test_who_submitted_a_visit_does_not_review_it_though_who_returned_it_may(
    conn: asyncpg.Connection,
    other: asyncpg.Connection,
    worker: AppUser,
    supervisor: AppUser,
    grid: str,
    people: list[VisitPerson],
) -> None:
    admin = await new_user(conn, "admin", grid[:6])
    visit = _visit(people)
    city = people[0].city_code
    async with acting_as(other, worker):
        draft = await save_visit(other, visit, base_version=None, submit=False)
    async with acting_as(other, admin):  # submits a worker's draft, changing nothing
        submitted = await save_visit(other, visit, base_version=draft.version, submit=True)
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="their own work"):
        async with acting_as(other, admin):
            await review_visit(other, city, visit.id, submitted.version, "approved")
    async with acting_as(other, supervisor):
        returned = await review_visit(other, city, visit.id, submitted.version, "returned", "补充")
    async with acting_as(other, worker):
        again = await save_visit(other, visit, base_version=returned.version, submit=True)
    async with acting_as(other, supervisor):  # a return is a review, not a part in the work
        approved = await review_visit(other, city, visit.id, again.version, "approved")
    assert approved.status == "approved"
