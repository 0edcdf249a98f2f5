"""Set-up for attacking the protection kernel: a grid of the demo org tree with its
neighbours, persons and users around it, records made by the operator, and the
attacker's own login.

Records are written as the operator (who keeps the stamps and states it loads), so a
test starts from exactly the state it names; the attack itself then runs as an app
user, through `acting_as` or a direct login as the user's role.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import asyncpg

from db.core.session import acting_as
from db.users import AppUser
from tests.db.access_fixtures import add_person, demo_grid_codes, new_user

# What the kernel raises when it refuses (grants and policies, or its own checks).
REFUSED = (
    asyncpg.InsufficientPrivilegeError,
    asyncpg.CheckViolationError,
    asyncpg.NotNullViolationError,
)


@dataclass(frozen=True)
class Site:
    """One grid and its surroundings, with a person and a user of every kind."""

    grid: str  # the attacker's grid
    neighbour: str  # another grid of the same community
    far: str  # a grid of another district of the same city
    other_city: str  # a grid of the other city
    person: uuid.UUID
    neighbour_person: uuid.UUID
    far_person: uuid.UUID
    worker: AppUser
    neighbour_worker: AppUser
    far_worker: AppUser
    supervisor: AppUser  # the grid's street
    admin: AppUser  # the grid's district
    auditor: AppUser  # the grid's district

    @property
    def city(self) -> str:
        return self.grid[:4]


async def make_site(conn: asyncpg.Connection) -> Site:
    codes = await demo_grid_codes(conn)
    grid = codes[0]
    neighbour = next(c for c in codes if c != grid and c[:12] == grid[:12])
    far = next(c for c in codes if c[:4] == grid[:4] and c[:6] != grid[:6])
    other_city = next(c for c in codes if c[:4] != grid[:4])
    return Site(
        grid=grid,
        neighbour=neighbour,
        far=far,
        other_city=other_city,
        person=await add_person(conn, grid, "马小龙"),
        neighbour_person=await add_person(conn, neighbour, "阿依古丽"),
        far_person=await add_person(conn, far, "古丽娜"),
        worker=await new_user(conn, "grid_worker", grid),
        neighbour_worker=await new_user(conn, "grid_worker", neighbour),
        far_worker=await new_user(conn, "grid_worker", far),
        supervisor=await new_user(conn, "supervisor", grid[:9]),
        admin=await new_user(conn, "admin", grid[:6]),
        auditor=await new_user(conn, "auditor", grid[:6]),
    )


async def add_visit(
    conn: asyncpg.Connection,
    org_code: str,
    author: AppUser,
    persons: Sequence[uuid.UUID],
    *,
    status: str = "draft",
    needs: int = 1,
    reviewer: AppUser | None = None,
) -> uuid.UUID:
    """A visit as the operator loads one: written by `author`, in `status`, with a
    need for its first person (`needs` of them)."""
    visit = uuid.uuid4()
    await conn.execute(
        "INSERT INTO visit (city_code, id, org_code, kind, visited_on, notes, status, "
        "review_comment, reviewed_by, created_by, updated_by) "
        "VALUES ($1, $2, $3, 'home_visit', '2026-11-02', '了解就业情况', $4, $5, $6, $7, $7)",
        org_code[:4], visit, org_code, status,
        "请补充地点" if status == "returned" else "",
        reviewer.pg_role if reviewer else None, author.pg_role,
    )  # fmt: skip
    for person in persons:
        await conn.execute(
            "INSERT INTO visit_person (city_code, visit_id, person_id, org_code) "
            "VALUES ($1, $2, $3, $4)",
            org_code[:4], visit, person, org_code,
        )  # fmt: skip
    for _ in range(needs):
        await add_need(conn, org_code, persons[0], visit, author)
    return visit


async def add_need(
    conn: asyncpg.Connection,
    org_code: str,
    person: uuid.UUID,
    visit: uuid.UUID | None,
    author: AppUser,
    status: str = "open",
) -> uuid.UUID:
    need = uuid.uuid4()
    await conn.execute(
        "INSERT INTO assistance_request (city_code, id, org_code, person_id, visit_id, "
        "category, description, status, raised_on, created_by, updated_by) "
        "VALUES ($1, $2, $3, $4, $5, 'employment', '想找餐饮工作', $6, '2026-11-02', $7, $7)",
        org_code[:4], need, org_code, person, visit, status, author.pg_role,
    )  # fmt: skip
    return need


async def add_case(
    conn: asyncpg.Connection, org_code: str, person: uuid.UUID, sweep: uuid.UUID | None = None
) -> uuid.UUID:
    """A dispute case with the person as its first party."""
    case = uuid.uuid4()
    await conn.execute(
        "INSERT INTO dispute_case (city_code, id, org_code, sweep_id, kind, summary, opened_on) "
        "VALUES ($1, $2, $3, $4, 'labour', '拖欠工资', '2026-11-03')",
        org_code[:4], case, org_code, sweep,
    )  # fmt: skip
    await conn.execute(
        "INSERT INTO dispute_party (city_code, case_id, seq, org_code, person_id, name) "
        "VALUES ($1, $2, 1, $3, $4, '马小龙')",
        org_code[:4], case, org_code, person,
    )  # fmt: skip
    return case


async def add_sweep(conn: asyncpg.Connection, org_code: str, month: date) -> uuid.UUID:
    """A draft sweep of the month by the community that `org_code` lies in (the unit that
    files, unless the city files by grid)."""
    sweep = uuid.uuid4()
    await conn.execute(
        "INSERT INTO dispute_sweep (city_code, id, org_code, month) VALUES ($1, $2, $3, $4)",
        org_code[:4], sweep, org_code[:12], month,
    )  # fmt: skip
    return sweep


async def add_member(conn: asyncpg.Connection, org_code: str, person: uuid.UUID) -> uuid.UUID:
    member = uuid.uuid4()
    await conn.execute(
        "INSERT INTO household_member (city_code, id, person_id, org_code, name, relation, sex, "
        "birth_date) VALUES ($1, $2, $3, $4, '马小花', 'child', 2, '2016-03-01')",
        org_code[:4], member, person, org_code,
    )  # fmt: skip
    return member


async def add_consent(conn: asyncpg.Connection, org_code: str, person: uuid.UUID) -> uuid.UUID:
    consent = uuid.uuid4()
    await conn.execute(
        "INSERT INTO consent_record (city_code, id, person_id, org_code, basis, scope, given_on) "
        "VALUES ($1, $2, $3, $4, 'consent', '登记', '2026-11-01')",
        org_code[:4], consent, person, org_code,
    )  # fmt: skip
    return consent


async def attack(conn: asyncpg.Connection, user: AppUser, sql: str, *args: object) -> str:
    """Run the attacker's statement as `user`; what it did ("UPDATE 0"), or how it was
    refused (the error's class name). Any other error is the test's own bug and raises."""
    try:
        async with acting_as(conn, user):
            return str(await conn.execute(sql, *args))
    except REFUSED as exc:
        return type(exc).__name__


def was_refused(outcome: str) -> bool:
    """A statement is refused when it raised or touched no row."""
    return outcome.endswith("Error") or outcome.split()[-1] == "0"


async def login(dsn: str, user: AppUser) -> asyncpg.Connection:
    """A direct login as the user's own role, as psql would make it."""
    return await asyncpg.connect(dsn, user=user.pg_role)
