"""The one review workflow (sql/V010 tx_workflow_guard), for every kind registered in
submission_kind: every transition, by every role kind and by the operator, allowed or
refused as the state machine says, and status_history holding exactly one row per
allowed transition, with its actor and comment.

draft → submitted → approved | returned → submitted. Writers (kernel_table.writers)
insert drafts or submitted records and submit them; reviewers (submission_kind.
reviewers) approve or return what was submitted, a return with a comment, changing
nothing else, and never their own work; nothing else moves. Operators are not held to
it (imports of older records), but a return still says what to fix.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import asyncpg
import pytest

from db.core.session import acting_as
from db.users import AppUser
from tests.db.access_fixtures import new_user
from tests.db.kernel_fixtures import REFUSED, Site, add_outcome, add_referred_need, make_site

COMMENT = "请补充走访地点"
OPERATOR = "operator"


@dataclass(frozen=True)
class Factory:
    """How the operator makes a record of a kind in a given state, how an app user
    inserts one, and a change of one of its own columns (which no review may make)."""

    make: Callable[[asyncpg.Connection, Site, str, str], Awaitable[uuid.UUID]]
    insert: str  # $1 city, $2 id, $3 org code, $4 status, $5 review comment
    other_change: str


async def _make_visit(conn: asyncpg.Connection, site: Site, author: str, status: str) -> uuid.UUID:
    visit = uuid.uuid4()
    await conn.execute(
        "INSERT INTO visit (city_code, id, org_code, kind, visited_on, notes, status, "
        "review_comment, created_by, updated_by) "
        "VALUES ($1, $2, $3, 'home_visit', '2026-11-02', '了解就业情况', $4, $5, $6, $6)",
        site.city, visit, site.grid, status, COMMENT if status == "returned" else "", author,
    )  # fmt: skip
    await conn.execute(
        "INSERT INTO visit_person (city_code, visit_id, person_id, org_code) "
        "VALUES ($1, $2, $3, $4)",
        site.city, visit, site.person, site.grid,
    )  # fmt: skip
    return visit


async def _make_outcome(
    conn: asyncpg.Connection, site: Site, author: str, status: str
) -> uuid.UUID:
    need = await add_referred_need(conn, site.grid, site.person, author)
    await add_outcome(conn, site.grid, need, author, status)
    return need


async def _make_minutes(
    conn: asyncpg.Connection, site: Site, author: str, status: str
) -> uuid.UUID:
    meeting = uuid.uuid4()
    await conn.execute(
        "INSERT INTO meeting (city_code, id, org_code, kind, held_on, starts_at, chair, recorder, "
        "minutes, status, review_comment, created_by, updated_by) VALUES ($1, $2, $3, "
        "'member_joint', '2026-10-20', '09:00', '李主任', '王记录', '通报情况', $4, $5, $6, $6)",
        site.city, meeting, site.grid, status, COMMENT if status == "returned" else "", author,
    )  # fmt: skip
    await conn.execute(
        "INSERT INTO action_item (city_code, id, meeting_id, org_code, seq, text, "
        "department_code) VALUES ($1, gen_random_uuid(), $2, $3, 1, '摸排就业需求', "
        "'human_resources')",
        site.city, meeting, site.grid,
    )  # fmt: skip
    return meeting


# Each sweep is the grid's community's, for a month no other sweep of it holds yet: the
# one before the earliest so far. Nil returns, so each may be submitted as it is.
_SWEEP_MONTH = (
    "(SELECT (coalesce(min(s.month), date '2026-10-01') - interval '1 month')::date "
    "FROM dispute_sweep s WHERE s.org_code = left($3, 12))"
)


async def _make_sweep(conn: asyncpg.Connection, site: Site, author: str, status: str) -> uuid.UUID:
    sweep = uuid.uuid4()
    await conn.execute(
        "INSERT INTO dispute_sweep (city_code, id, org_code, month, nil_return, status, "
        f"review_comment, created_by, updated_by) SELECT $1, $2, left($3, 12), {_SWEEP_MONTH}, "
        "true, $4, $5, $6, $6",
        site.city, sweep, site.grid, status, COMMENT if status == "returned" else "", author,
    )  # fmt: skip
    return sweep


# Cases are submitted once concluded: these are, and were taken in after the months the
# sweeps above cover, so they are no sweep's new or open cases.
_CASE_CONCLUDED = (
    "kind, summary, opened_on, stage, mediated_on, closed_on, outcome",
    "'labour', '拖欠工资', '2026-11-03', 'resolved', '2026-11-05', '2026-11-20', 'agreement'",
)


async def _make_case(conn: asyncpg.Connection, site: Site, author: str, status: str) -> uuid.UUID:
    case = uuid.uuid4()
    columns, values = _CASE_CONCLUDED
    await conn.execute(
        f"INSERT INTO dispute_case (city_code, id, org_code, {columns}, status, review_comment, "
        f"created_by, updated_by) VALUES ($1, $2, $3, {values}, $4, $5, $6, $6)",
        site.city, case, site.grid, status, COMMENT if status == "returned" else "", author,
    )  # fmt: skip
    await conn.execute(
        "INSERT INTO dispute_party (city_code, case_id, seq, org_code, person_id, name) "
        "VALUES ($1, $2, 1, $3, $4, '马小龙')",
        site.city, case, site.grid, site.person,
    )  # fmt: skip
    return case


FACTORIES = {
    "minutes": Factory(
        make=_make_minutes,
        insert="INSERT INTO meeting (city_code, id, org_code, kind, held_on, starts_at, chair, "
        "recorder, minutes, status, review_comment) VALUES ($1, $2, $3, 'working', '2026-10-20', "
        "'09:00', '李主任', '王记录', '通报情况', $4, $5)",
        other_change="decisions = '下次会议通报'",
    ),
    "visit": Factory(
        make=_make_visit,
        insert="INSERT INTO visit (city_code, id, org_code, kind, visited_on, status, "
        "review_comment) VALUES ($1, $2, $3, 'phone_call', '2026-11-02', $4, $5)",
        other_change="notes = '一切正常'",
    ),
    # The close of a need raised at the window; an app user inserting one raises the
    # need in the same statement (the outcome's id is its need's).
    "referral_outcome": Factory(
        make=_make_outcome,
        insert="WITH need AS (INSERT INTO assistance_request (city_code, id, org_code, "
        "person_id, channel, category, description, department_code, status, raised_on, "
        "referred_on) SELECT $1, $2, $3, p.id, 'walk_in', 'housing', '想申请公租房', 'housing', "
        "'referred', '2026-11-02', '2026-11-03' FROM person p WHERE p.org_code = $3 LIMIT 1 "
        "RETURNING city_code, id, org_code) "
        "INSERT INTO referral_outcome (city_code, id, org_code, result, reason, closed_on, "
        "status, review_comment) SELECT city_code, id, org_code, 'resolved', '已分配公租房', "
        "'2026-11-20', $4, $5 FROM need",
        other_change="reason = '未能解决'",
    ),
    "sweep": Factory(
        make=_make_sweep,
        insert="INSERT INTO dispute_sweep (city_code, id, org_code, month, nil_return, status, "
        f"review_comment) SELECT $1, $2, left($3, 12), {_SWEEP_MONTH}, true, $4, $5",
        other_change="notes = '本月无纠纷'",
    ),
    "dispute_case": Factory(
        make=_make_case,
        insert=f"INSERT INTO dispute_case (city_code, id, org_code, {_CASE_CONCLUDED[0]}, status, "
        f"review_comment) VALUES ($1, $2, $3, {_CASE_CONCLUDED[1]}, $4, $5)",
        other_change="summary = '已调解'",
    ),
}


@dataclass(frozen=True)
class Case:
    name: str
    start: str | None  # None: the record is inserted by the actor
    to: str
    comment: str = ""
    other_change: bool = False
    by_author: bool = False


CASES = [
    *(Case(f"insert as {s}", None, s, COMMENT if s == "returned" else "")
      for s in ("draft", "submitted", "approved", "returned")),
    Case("draft → submitted", "draft", "submitted"),
    Case("draft → approved", "draft", "approved"),
    Case("submitted → approved", "submitted", "approved"),
    Case("submitted → returned with a comment", "submitted", "returned", COMMENT),
    Case("submitted → returned without a comment", "submitted", "returned"),
    Case("returned → submitted", "returned", "submitted"),
    Case("approved → draft", "approved", "draft"),
    Case("approved → submitted", "approved", "submitted"),
    Case("approved → returned", "approved", "returned", COMMENT),
    Case("submitted → draft", "submitted", "draft"),
    Case("an approval that also changes the record", "submitted", "approved", other_change=True),
    Case("a return that also changes the record", "submitted", "returned", COMMENT,
         other_change=True),
    Case("an approval by the author", "submitted", "approved", by_author=True),
    Case("a return by the author", "submitted", "returned", COMMENT, by_author=True),
]  # fmt: skip


def allowed(case: Case, kind: str, writers: list[str], reviewers: list[str]) -> bool:
    """The state machine."""
    if case.to == "returned" and not case.comment:
        return False
    if kind == OPERATOR:
        return True
    if case.start is None:
        return kind in writers and case.to in ("draft", "submitted")
    if case.start in ("draft", "returned") and case.to == "submitted":
        return kind in writers
    if case.start == "submitted" and case.to in ("approved", "returned"):
        return kind in reviewers and not case.by_author and not case.other_change
    return False


@pytest.fixture
async def site(conn: asyncpg.Connection) -> Site:
    return await make_site(conn)


async def test_every_registered_kind_has_a_factory_here(conn: asyncpg.Connection) -> None:
    kinds = {r[0] for r in await conn.fetch("SELECT kind FROM submission_kind")}
    assert kinds
    assert kinds - set(FACTORIES) == set(), "a kind registered without a factory in this test"


async def test_every_transition_by_every_role_is_as_the_state_machine_says(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    # The author is the site's worker; the grid worker who acts is another in its grid.
    actors: dict[str, AppUser | None] = {
        "grid_worker": await new_user(conn, "grid_worker", site.grid),
        "supervisor": site.supervisor,
        "admin": site.admin,
        "auditor": site.auditor,
        OPERATOR: None,
    }
    operator = str(await conn.fetchval("SELECT session_user"))
    wrong = []
    for kind, table, reviewers in await conn.fetch(
        "SELECT kind, table_name, reviewers FROM submission_kind ORDER BY kind"
    ):
        factory = FACTORIES.get(kind)
        assert factory is not None, f"{kind}: registered without a factory in this test"
        writers = await conn.fetchval(
            "SELECT writers FROM kernel_table WHERE table_name = $1", table
        )
        for case in CASES:
            for actor_kind, actor in actors.items():
                name = actor.pg_role if actor else operator
                author = name if case.by_author else site.worker.pg_role
                step = await _step(conn, other, site, factory, table, case, actor, author)
                expected = allowed(case, actor_kind, writers, reviewers)
                problem = await _problem(conn, table, case, step, expected, name)
                if problem:
                    wrong.append(f"{kind}: {case.name} by {actor_kind}: {problem}")
    assert wrong == []


@dataclass(frozen=True)
class Step:
    record: uuid.UUID
    outcome: str  # the command tag, or the class of the refusal
    history_before: list[tuple[object, ...]]


async def _step(
    conn: asyncpg.Connection,
    other: asyncpg.Connection,
    site: Site,
    factory: Factory,
    table: str,
    case: Case,
    actor: AppUser | None,
    author: str,
) -> Step:
    """Make the record in its starting state as the operator, then take the step as
    the actor (the operator when `actor` is None)."""
    if case.start is None:
        record = uuid.uuid4()
        sql, args = factory.insert, [site.city, record, site.grid, case.to, case.comment]
    else:
        record = await factory.make(conn, site, author, case.start)
        sets = ["status = $3"]
        args = [site.city, record, case.to]
        if case.to in ("approved", "returned"):
            sets.append("review_comment = $4")
            args.append(case.comment)
        if case.other_change:
            sets.append(factory.other_change)
        sql = f"UPDATE {table} SET {', '.join(sets)} WHERE city_code = $1 AND id = $2"
    before = await _history(conn, record)
    try:
        if actor is None:
            async with conn.transaction():
                outcome = await conn.execute(sql, *args)
        else:
            async with acting_as(other, actor):
                outcome = await other.execute(sql, *args)
    except REFUSED as exc:
        outcome = type(exc).__name__
    return Step(record, str(outcome), before)


async def _history(conn: asyncpg.Connection, record: uuid.UUID) -> list[tuple[object, ...]]:
    rows = await conn.fetch(
        "SELECT from_status, to_status, actor, comment FROM status_history "
        "WHERE record_id = $1 ORDER BY id",
        record,
    )
    return [tuple(r) for r in rows]


async def _problem(
    conn: asyncpg.Connection,
    table: str,
    case: Case,
    step: Step,
    expected: bool,
    actor: str,
) -> str | None:
    """What is wrong with the step's outcome, its record and its history, if anything."""
    status = await conn.fetchval(f"SELECT status FROM {table} WHERE id = $1", step.record)
    new = (await _history(conn, step.record))[len(step.history_before) :]
    if expected:
        comment = case.comment if case.to in ("approved", "returned") else ""
        if step.outcome not in ("UPDATE 1", "INSERT 0 1") or status != case.to:
            return f"should be allowed, got {step.outcome} and status {status}"
        if new != [(case.start, case.to, actor, comment)]:
            return f"allowed, but status_history added {new}"
        return None
    if not (step.outcome.endswith("Error") or step.outcome == "UPDATE 0"):
        return f"should be refused, got {step.outcome} and status {status}"
    if status != case.start or new:
        return f"refused, yet status is {status} and status_history added {new}"
    return None


@pytest.mark.parametrize(
    ("status", "reason"),
    [("submitted", "it is not edited while it waits for review"),
     ("approved", "it is not edited any more")],
)  # fmt: skip
async def test_an_edit_of_a_submitted_or_approved_record_is_refused_in_those_words(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site, status: str, reason: str
) -> None:
    for kind, table in await conn.fetch(
        "SELECT kind, table_name FROM submission_kind ORDER BY kind"
    ):
        factory = FACTORIES[kind]
        record = await factory.make(conn, site, site.worker.pg_role, status)
        edit = f"UPDATE {table} SET {factory.other_change} WHERE city_code = $1 AND id = $2"
        with pytest.raises(asyncpg.CheckViolationError) as refused:
            async with acting_as(other, site.worker):
                await other.execute(edit, site.city, record)
        said = str(refused.value)
        if kind == "referral_outcome" and status == "approved":
            # Its need is resolved by then, and the need's own rule says so first.
            assert said.startswith("referral_outcome: its need is resolved"), said
        else:
            assert said == f"{kind}: it is {status}; {reason}"
