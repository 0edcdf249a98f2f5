"""Property: over random org trees and users at random levels, each user sees through
every protected table and every view exactly the rows of their scope (sql/V010).

The tables and views are found from the catalogue (row-level security, kernel_table,
pg_class), never from a list, so a table added later is judged too. Each example
fills every table in several grids (persons, households, consents, visits in every
state with persons and needs, needs followed up (notes, closes in every state), status
history, a dispute case with its party, minutes of community meetings in every state
with attendance, action items and their links, sweeps, hand-overs, drafts, users,
representatives and their contacts, sign-offs of months (one reopened), the audit
trail), reads each relation as each user,
compares with what the owner sees filtered by the user's scope, and rolls everything
back. A relation that cannot be judged by an org code fails the test; it is never skipped.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import asyncpg
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db.users import add_user
from tests.db.kernel_fixtures import (
    add_representative,
    add_representative_contact,
    add_sign_off,
    fill_referrals,
)

CITY = "9902"
KIND_LEVELS = {
    "grid_worker": ("grid", "community"),
    "supervisor": ("street", "district", "city"),
    "admin": ("city", "district"),
    "auditor": ("city", "district", "street"),
}
STATES = ("draft", "submitted", "returned", "approved")
# Relations whose reading rule is not "the scope column lies in the user's scope", and
# why; every other one is judged by its kernel_table scope column (a view: by org_code).
READ_RULES = {
    "org_unit": "all",  # the org tree is read whole, to name units and pick hand-over grids
    "sweep_setting": "all",  # a city's deadline and filing unit, which every sweep needs
    "sweep_rule": "all",  # the same, month by month
    "form_draft": "owner",  # a draft is its owner's alone
    "app_user": "self or scope",  # one's own row; supervisors, admins, auditors their users
    "person_move": "to or from",  # a hand-over stays visible to the grid that handed over
}
RULE_COLUMNS = {"all": [], "owner": ["owner"], "self or scope": ["pg_role", "org_code"],
                "to or from": ["to_org", "from_org"], "unreadable": []}  # fmt: skip
VIEW_KEY = ("kind", "city_code", "id", "person_id", "org_code")


@dataclass
class World:
    units: list[tuple[str, str, str | None]] = field(default_factory=list)  # code, level, parent
    persons: list[str] = field(default_factory=list)  # grid of each person
    moves: list[tuple[int, str]] = field(default_factory=list)  # person handed over to grid
    users: list[tuple[str, str]] = field(default_factory=list)  # kind, unit
    drafts: list[tuple[int, str]] = field(default_factory=list)  # user, grid of the draft

    def grids(self) -> list[str]:
        return [code for code, level, _ in self.units if level == "grid"]


@st.composite
def worlds(draw: st.DrawFn) -> World:
    world = World(units=[(CITY, "city", None)])
    for d in range(1, draw(st.integers(2, 3)) + 1):  # two districts at least: a hand-over
        district = f"{CITY}{d:02d}"
        world.units.append((district, "district", CITY))
        for s in range(1, draw(st.integers(1, 2)) + 1):
            street = f"{district}{s:03d}"
            world.units.append((street, "street", district))
            for c in range(1, draw(st.integers(1, 2)) + 1):
                community = f"{street}{c:03d}"
                world.units.append((community, "community", street))
                for g in range(1, draw(st.integers(1, 2)) + 1):
                    world.units.append((f"{community}{g:02d}", "grid", community))
    grids = world.grids()
    world.persons = draw(st.lists(st.sampled_from(grids), min_size=1, max_size=8))
    away = [(p, g) for p, home in enumerate(world.persons) for g in grids if g != home]
    world.moves = draw(st.lists(st.sampled_from(away), min_size=1, max_size=3))
    kinds = [*KIND_LEVELS, *draw(st.lists(st.sampled_from(list(KIND_LEVELS)), max_size=3))]
    for kind in kinds:
        fitting = [code for code, level, _ in world.units if level in KIND_LEVELS[kind]]
        world.users.append((kind, draw(st.sampled_from(fitting))))
    users = st.integers(0, len(world.users) - 1)
    world.drafts = draw(st.lists(st.tuples(users, st.sampled_from(grids)), min_size=1,
                                 max_size=6))  # fmt: skip
    return world


async def _check(dsn: str, world: World) -> None:
    conn = await asyncpg.connect(dsn)
    tx = conn.transaction()
    await tx.start()
    try:
        users = await _build(conn, world)
        relations = await _relations(conn)
        for name, relation in relations.items():
            empty = not relation.owner_rows and relation.rule != "unreadable"
            assert not empty, f"{name}: the example leaves it empty; fill it in _build"
        for user_kind, scope, role in users:
            for name, relation in relations.items():
                await _judge(conn, name, relation, user_kind, scope, role)
    finally:
        await tx.rollback()
        await conn.close()


@dataclass
class Relation:
    columns: list[str]  # what is read: the key, then what the rule needs
    rule: str  # "scope:<column>" or one of READ_RULES
    owner_rows: list[tuple[object, ...]]
    # Its community-level rows are also its grid workers' (kernel_table.community_shared,
    # or a view that reads such a table).
    shared: bool = False
    # For a view of several kinds of record (review_queue), the kinds whose table is
    # shared: only their community-level rows are the grid workers'.
    shared_kinds: frozenset[str] | None = None


async def _relations(conn: asyncpg.Connection) -> dict[str, Relation]:
    """Every table with row-level security, a kernel_table row or an org code column,
    and every view."""
    rows = await conn.fetch(
        "SELECT c.oid, c.relname, c.relkind::text FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm') "
        "AND (c.relkind IN ('v', 'm') OR c.relrowsecurity "
        "OR c.relname IN (SELECT table_name FROM kernel_table) "
        "OR EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid "
        "AND a.attname = 'org_code' AND NOT a.attisdropped)) ORDER BY c.relname"
    )
    declared = {r["table_name"]: r["scope_column"] for r in
                await conn.fetch("SELECT table_name, scope_column FROM kernel_table")}  # fmt: skip
    shared = await _shared(conn)
    relations = {}
    for oid, name, relkind in rows:
        columns = [r[0] for r in await conn.fetch(
            "SELECT attname FROM pg_attribute WHERE attrelid = $1 AND attnum > 0 "
            "AND NOT attisdropped ORDER BY attnum", oid)]  # fmt: skip
        key = [r[0] for r in await conn.fetch(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
            "AND a.attnum = ANY (i.indkey) WHERE i.indrelid = $1 AND i.indisprimary "
            "ORDER BY a.attnum", oid)] or [c for c in VIEW_KEY if c in columns]  # fmt: skip
        if name in READ_RULES:
            rule = READ_RULES[name]
        elif relkind == "r" and name in declared:
            rule = f"scope:{declared[name]}"
        elif "org_code" in columns:
            rule = "scope:org_code"
        elif relkind == "r" and not await _readable_by_any(conn, oid):
            rule = "unreadable"
        else:
            raise AssertionError(f"{name}: no org code column to judge its rows by")
        needed = RULE_COLUMNS[rule] if rule in RULE_COLUMNS else [rule.removeprefix("scope:")]
        read = key + [c for c in needed if c not in key]
        rows_ = await conn.fetch(f"SELECT {', '.join(read)} FROM {name}")
        relations[name] = Relation(read, rule, [tuple(r) for r in rows_], name in shared)
    relations["review_queue"].shared_kinds = frozenset(r[0] for r in await conn.fetch(
        "SELECT s.kind FROM submission_kind s JOIN kernel_table k USING (table_name) "
        "WHERE k.community_shared"))  # fmt: skip
    return relations


async def _shared(conn: asyncpg.Connection) -> set[str]:
    """The tables whose community-level rows the grid workers of its grids share, and the
    views that read them."""
    tables = {r[0] for r in await conn.fetch(
        "SELECT table_name FROM kernel_table WHERE community_shared")}  # fmt: skip
    views = await conn.fetch(
        "SELECT DISTINCT v.relname AS view, t.relname AS source FROM pg_depend d "
        "JOIN pg_rewrite w ON w.oid = d.objid JOIN pg_class v ON v.oid = w.ev_class "
        "JOIN pg_class t ON t.oid = d.refobjid "
        "WHERE d.classid = 'pg_rewrite'::regclass AND v.relkind IN ('v', 'm') AND t.oid <> v.oid"
    )
    return tables | {r["view"] for r in views if r["source"] in tables}


async def _readable_by_any(conn: asyncpg.Connection, oid: int) -> bool:
    return bool(await conn.fetchval(
        "SELECT bool_or(has_table_privilege(r, $1::oid, 'SELECT')) FROM unnest(ARRAY["
        "'tongxin_app', 'tongxin_grid_worker', 'tongxin_supervisor', 'tongxin_admin', "
        "'tongxin_auditor', 'tongxin_gateway']) r", oid))  # fmt: skip


async def _judge(
    conn: asyncpg.Connection, name: str, relation: Relation, kind: str, scope: str, role: str
) -> None:
    readable = await conn.fetchval("SELECT has_table_privilege($1, $2, 'SELECT')", role, name)
    seen: list[tuple[object, ...]] | None = None
    await conn.execute(f'SET ROLE "{role}"')
    try:
        async with conn.transaction():
            query = f"SELECT {', '.join(relation.columns)} FROM {name}"
            seen = [tuple(r) for r in await conn.fetch(query)]
    except asyncpg.InsufficientPrivilegeError:
        pass
    finally:
        await conn.execute("RESET ROLE")
    if not readable or relation.rule == "unreadable":
        assert not readable, f"{name}: {kind} holds a grant to read it, though no app role may"
        assert seen is None, f"{name}: {kind} holds no grant to read it, yet reads it"
        return
    assert seen is not None, f"{name}: {kind} holds a grant to read it, yet is refused"
    expected = [row for row in relation.owner_rows if _visible(relation, row, kind, scope, role)]
    assert Counter(seen) == Counter(expected), (name, kind, scope)


def _in(code: object, scope: str) -> bool:
    return isinstance(code, str) and code.startswith(scope)


def _visible(relation: Relation, row: tuple[object, ...], kind: str, scope: str, role: str) -> bool:
    values = dict(zip(relation.columns, row, strict=True))
    if relation.rule == "all":
        return True
    if relation.rule == "owner":
        return values["owner"] == role
    if relation.rule == "self or scope":
        return values["pg_role"] == role or (
            kind != "grid_worker" and _in(values["org_code"], scope)
        )
    if relation.rule == "to or from":
        return _in(values["to_org"], scope) or _in(values["from_org"], scope)
    code = values[relation.rule.removeprefix("scope:")]
    shared = relation.shared and (
        relation.shared_kinds is None or values.get("kind") in relation.shared_kinds
    )
    if shared and kind == "grid_worker" and len(scope) == 14 and code == scope[:12]:
        return True  # the community of the worker's grid
    return _in(code, scope)


async def _build(conn: asyncpg.Connection, world: World) -> list[tuple[str, str, str]]:
    await conn.executemany(
        "INSERT INTO org_unit (code, name, level, parent_code, is_demo) "
        "VALUES ($1, $1, $2, $3, true)",
        world.units,
    )
    users = []
    for kind, unit in world.users:
        user = await add_user(conn, f"k_{kind}_{uuid.uuid4().hex[:8]}", kind, unit)  # type: ignore[arg-type]
        users.append((kind, unit, user.pg_role))
    persons = [await _person(conn, grid, users[0][2]) for grid in world.persons]
    for person, grid in zip(persons, world.persons, strict=True):
        for state in STATES:
            await _visit(conn, grid, person, state, users[0][2])
        await _case(conn, grid, person)
        await fill_referrals(conn, grid, person, users[0][2])
        await add_representative(conn, grid, person)
        for state in STATES:
            await _meeting(conn, grid[:12], person, state, users[0][2])
    for grid in sorted(set(world.persons)):
        await add_representative_contact(conn, grid, await add_representative(conn, grid))
    await conn.execute(
        "INSERT INTO sweep_setting (city_code, org_code, deadline_day) VALUES ($1, $2, 25)",
        CITY,
        CITY,
    )
    communities = sorted({grid[:12] for grid in world.persons})
    for community in communities:
        await _sweep(conn, community)
        await add_sign_off(conn, community, users[0][2])
    for index, grid in world.moves:
        if world.persons[index] != grid:
            await conn.execute(
                "INSERT INTO person_move (city_code, person_id, from_org, to_org, moved_on, "
                "moved_by) VALUES ($1, $2, $3, $4, '2026-11-05', $5)",
                CITY, persons[index], world.persons[index], grid, users[0][2],
            )  # fmt: skip
    for user, grid in world.drafts:
        await conn.execute(
            "INSERT INTO form_draft (owner, form, subject, city_code, org_code, payload) "
            "VALUES ($1, 'visit', gen_random_uuid(), $2, $3, '\\x00')",
            users[user][2], CITY, grid,
        )  # fmt: skip
    return users


async def _person(conn: asyncpg.Connection, grid: str, author: str) -> uuid.UUID:
    person = uuid.uuid4()
    await conn.execute(
        "INSERT INTO person (city_code, id, org_code, name, sex, ethnic_code, birth_date, "
        "created_by) VALUES ($1, $2, $3, '马小龙', 1, '03', '1988-05-05', $4)",
        CITY, person, grid, author,
    )  # fmt: skip
    await conn.execute(
        "INSERT INTO household_member (city_code, id, person_id, org_code, name, relation, sex, "
        "birth_date) VALUES ($1, gen_random_uuid(), $2, $3, '马小花', 'child', 2, '2016-01-01')",
        CITY, person, grid,
    )  # fmt: skip
    await conn.execute(
        "INSERT INTO consent_record (city_code, id, person_id, org_code, basis, scope, given_on) "
        "VALUES ($1, gen_random_uuid(), $2, $3, 'consent', '登记', '2026-01-01')",
        CITY, person, grid,
    )  # fmt: skip
    return person


async def _visit(
    conn: asyncpg.Connection, grid: str, person: uuid.UUID, state: str, author: str
) -> None:
    """A visit taken to `state` step by step, so status_history holds each step."""
    visit = uuid.uuid4()
    await conn.execute(
        "INSERT INTO visit (city_code, id, org_code, kind, visited_on, created_by) "
        "VALUES ($1, $2, $3, 'home_visit', '2026-11-02', $4)",
        CITY, visit, grid, author,
    )  # fmt: skip
    await conn.execute(
        "INSERT INTO visit_person (city_code, visit_id, person_id, org_code) "
        "VALUES ($1, $2, $3, $4)",
        CITY, visit, person, grid,
    )  # fmt: skip
    await conn.execute(
        "INSERT INTO assistance_request (city_code, id, org_code, person_id, visit_id, category, "
        "description, raised_on) VALUES ($1, gen_random_uuid(), $2, $3, $4, 'employment', "
        "'想找工作', '2026-11-02')",
        CITY, grid, person, visit,
    )  # fmt: skip
    steps = {"draft": [], "submitted": ["submitted"], "returned": ["submitted", "returned"],
             "approved": ["submitted", "approved"]}[state]  # fmt: skip
    for step in steps:
        await conn.execute(
            "UPDATE visit SET status = $2, review_comment = $3 WHERE id = $1",
            visit, step, "请补充" if step == "returned" else "",
        )  # fmt: skip


async def _case(conn: asyncpg.Connection, org: str, person: uuid.UUID | None) -> uuid.UUID:
    """A case of a grid (or of a community, shared by its grid workers) with a party (a
    registered person, or a named outsider) and a dated note."""
    case = uuid.uuid4()
    await conn.execute(
        "INSERT INTO dispute_case (city_code, id, org_code, kind, summary, opened_on) "
        "VALUES ($1, $2, $3, 'neighbours', '邻里纠纷', '2026-10-03')",
        CITY, case, org,
    )  # fmt: skip
    await conn.execute(
        "INSERT INTO dispute_party (city_code, case_id, seq, org_code, person_id, name) "
        "VALUES ($1, $2, 1, $3, $4, '马小龙')",
        CITY, case, org, person,
    )  # fmt: skip
    await conn.execute(
        "INSERT INTO dispute_case_note (city_code, id, case_id, org_code, noted_on, stage, note) "
        "VALUES ($1, gen_random_uuid(), $2, $3, '2026-10-03', 'open', '双方各执一词')",
        CITY, case, org,
    )  # fmt: skip
    return case


async def _sweep(conn: asyncpg.Connection, community: str) -> None:
    """The community's sweep of the month, re-checking a community-level case."""
    sweep = uuid.uuid4()
    await conn.execute(
        "INSERT INTO dispute_sweep (city_code, id, org_code, month) VALUES ($1, $2, $3, "
        "'2026-11-01')",
        CITY, sweep, community,
    )  # fmt: skip
    case = await _case(conn, community, None)
    await conn.execute(
        "INSERT INTO dispute_sweep_recheck (city_code, sweep_id, case_id, org_code, checked_on, "
        "stage, note) VALUES ($1, $2, $3, $4, '2026-11-10', 'open', '仍在协商')",
        CITY, sweep, case, community,
    )  # fmt: skip


async def _meeting(
    conn: asyncpg.Connection, unit: str, person: uuid.UUID, state: str, author: str
) -> None:
    """Minutes in `state` held by `unit`, with a person present and an action item that
    concerns them, closed at the next one."""
    meeting, later, item = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    for held_on, record in (("2026-05-01", meeting), ("2026-11-01", later)):
        await conn.execute(
            "INSERT INTO meeting (city_code, id, org_code, kind, held_on, starts_at, chair, "
            "recorder, minutes, status, review_comment, created_by) VALUES ($1, $2, $3, "
            "'member_joint', $4, '09:00', '李主任', '王记录', '通报', $5, $6, $7)",
            CITY, record, unit, date.fromisoformat(held_on), state,
            "请补充" if state == "returned" else "", author,
        )  # fmt: skip
    await conn.execute(
        "INSERT INTO meeting_attendee (city_code, id, meeting_id, org_code, seq, attendance, "
        "person_id) VALUES ($1, gen_random_uuid(), $2, $3, 1, 'present', $4)",
        CITY, meeting, unit, person,
    )  # fmt: skip
    await conn.execute(
        "INSERT INTO action_item (city_code, id, meeting_id, org_code, seq, text, "
        "department_code, status, done_on, closed_in) VALUES ($1, $2, $3, $4, 1, '落实就业', "
        "'human_resources', 'done', '2026-11-01', $5)",
        CITY, item, meeting, unit, later,
    )  # fmt: skip
    await conn.execute(
        "INSERT INTO action_item_link (city_code, id, meeting_id, item_id, org_code, person_id) "
        "VALUES ($1, gen_random_uuid(), $2, $3, $4, $5)",
        CITY, meeting, item, unit, person,
    )  # fmt: skip


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=worlds())
def test_every_user_sees_exactly_their_scope_through_every_table_and_view(
    db_dsn: str, world: World
) -> None:
    asyncio.run(_check(db_dsn, world))
