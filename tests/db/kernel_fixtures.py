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
from datetime import UTC, date, datetime

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


async def add_referred_need(
    conn: asyncpg.Connection, org_code: str, person: uuid.UUID, author: str
) -> uuid.UUID:
    """A need raised at the window and referred to the housing department, as the operator
    loads one, written by `author` (a role name)."""
    need = uuid.uuid4()
    await conn.execute(
        "INSERT INTO assistance_request (city_code, id, org_code, person_id, channel, category, "
        "description, department_code, status, raised_on, referred_on, due_on, created_by, "
        "updated_by) VALUES ($1, $2, $3, $4, 'walk_in', 'housing', '想申请公租房', 'housing', "
        "'referred', '2026-11-02', '2026-11-03', '2026-12-02', $5, $5)",
        org_code[:4], need, org_code, person, author,
    )  # fmt: skip
    return need


async def add_outcome(
    conn: asyncpg.Connection, org_code: str, need: uuid.UUID, author: str, status: str = "draft"
) -> None:
    """The close of `need` in `status`, as the operator loads it (an approved one closes
    the need)."""
    await conn.execute(
        "INSERT INTO referral_outcome (city_code, id, org_code, result, reason, closed_on, "
        "status, review_comment, created_by, updated_by) VALUES ($1, $2, $3, 'resolved', "
        "'已分配公租房', '2026-11-20', $4, $5, $6, $6)",
        org_code[:4], need, org_code, status, "请写明房源地址" if status == "returned" else "",
        author,
    )  # fmt: skip


async def fill_referrals(
    conn: asyncpg.Connection, org_code: str, person: uuid.UUID, author: str
) -> None:
    """A grid's follow-up in every state, for the tests that read every table: a need
    referred with a note and a close in each state of the review (the approved one closes
    its need), and one open with nothing yet."""
    for status in ("draft", "submitted", "returned", "approved"):
        need = await add_referred_need(conn, org_code, person, author)
        await conn.execute(
            "INSERT INTO referral_note (city_code, id, org_code, need_id, noted_on, note) "
            "VALUES ($1, gen_random_uuid(), $2, $3, '2026-11-05', '住建部门已受理')",
            org_code[:4], org_code, need,
        )  # fmt: skip
        await add_outcome(conn, org_code, need, author, status)
    await conn.execute(
        "INSERT INTO assistance_request (city_code, id, org_code, person_id, channel, category, "
        "description, status, raised_on, due_on) VALUES ($1, gen_random_uuid(), $2, $3, "
        "'hotline', 'legal_aid', '咨询劳动合同', 'open', '2026-11-06', '2026-12-06')",
        org_code[:4], org_code, person,
    )  # fmt: skip


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


async def add_representative(
    conn: asyncpg.Connection,
    org_code: str,
    person: uuid.UUID | None = None,
    *,
    appointed_on: date = date(2025, 1, 6),
    retired_on: date | None = None,
) -> uuid.UUID:
    """A representative appointed from the registry (`person`, kept in their grid) or, by
    default, by name in `org_code`."""
    rep = uuid.uuid4()
    named = ("阿卜杜拉", 1, "03", date(1968, 4, 2)) if person is None else (None,) * 4
    await conn.execute(
        "INSERT INTO representative (city_code, id, org_code, person_id, name, sex, ethnic_code, "
        "birth_date, standing, employer, post, appointed_on, retired_on, retirement_note) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'religious', '清真寺', '阿訇', $9, $10, $11)",
        org_code[:4], rep, org_code, person, *named, appointed_on, retired_on,
        "任期届满" if retired_on else "",
    )  # fmt: skip
    return rep


async def add_representative_contact(
    conn: asyncpg.Connection,
    org_code: str,
    rep: uuid.UUID,
    kind: str = "phone_call",
    on: date = date(2026, 11, 2),
) -> uuid.UUID:
    """A contact row with a representative appointed by name."""
    contact = uuid.uuid4()
    await conn.execute(
        "INSERT INTO representative_contact (city_code, id, org_code, representative_id, kind, "
        "contacted_on, notes) VALUES ($1, $2, $3, $4, $5, $6, '谈了寺里近况')",
        org_code[:4], contact, org_code, rep, kind, on,
    )  # fmt: skip
    return contact


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


async def add_meeting(
    conn: asyncpg.Connection,
    org_code: str,
    author: AppUser,
    *,
    kind: str = "member_joint",
    held_on: date = date(2026, 10, 20),
    status: str = "draft",
    items: int = 1,
    reviewer: AppUser | None = None,
) -> uuid.UUID:
    """Minutes as the operator loads them: held by `org_code`, written by `author`, in
    `status`, with `items` open action items owned by the human resources department."""
    meeting = uuid.uuid4()
    await conn.execute(
        "INSERT INTO meeting (city_code, id, org_code, kind, held_on, starts_at, chair, recorder, "
        "agenda, minutes, status, review_comment, reviewed_by, created_by, updated_by) "
        "VALUES ($1, $2, $3, $4, $5, '09:30', '李主任', '王记录', '就业帮扶', '通报了就业情况', "
        "$6, $7, $8, $9, $9)",
        org_code[:4], meeting, org_code, kind, held_on, status,
        "请补充出席单位" if status == "returned" else "",
        reviewer.pg_role if reviewer else None, author.pg_role,
    )  # fmt: skip
    for seq in range(1, items + 1):
        await add_action_item(conn, org_code, meeting, seq)
    return meeting


async def add_action_item(
    conn: asyncpg.Connection, org_code: str, meeting: uuid.UUID, seq: int = 1
) -> uuid.UUID:
    item = uuid.uuid4()
    await conn.execute(
        "INSERT INTO action_item (city_code, id, meeting_id, org_code, seq, text, "
        "department_code, due_on) VALUES ($1, $2, $3, $4, $5, $6, 'human_resources', "
        "'2026-12-31')",
        org_code[:4], item, meeting, org_code, seq, f"落实第{seq}项",
    )  # fmt: skip
    return item


async def add_sign_off(conn: asyncpg.Connection, community: str, signer: str) -> None:
    """The community's September signed off by `signer` (a role), reopened, and signed
    off again: the history of a month and the sign-off in force."""
    for reopened in (True, False):
        await conn.execute(
            "INSERT INTO month_sign_off (city_code, id, org_code, month, signed_by, reopened_by, "
            "reopened_at, reopen_reason) VALUES ($1, gen_random_uuid(), $2, '2026-09-01', $3, "
            "$4, $5, $6)",
            community[:4], community, signer, signer if reopened else None,
            datetime(2026, 10, 9, tzinfo=UTC) if reopened else None,
            "补录漏报的走访" if reopened else "",
        )  # fmt: skip
