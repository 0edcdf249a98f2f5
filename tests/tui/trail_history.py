"""A fixed audit history for the trail's screens and snapshots.

Every audit row of the city is written here, at fixed times, by users with fixed names,
so the rows shown and the city chain's head are the same in every run: the persons are
loaded and the users made as a bulk load (one row of no city, which no auditor sees),
then the history is inserted as the owner. Only what the app writes while a test runs
(an open, a reading of the trail) carries the time of the run.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime

import asyncpg

from db.core.clock import OFFICE_TZ
from db.keys.check import ensure_keyring
from db.keys.crypto import Keyring
from db.persons.idcard import mask_id
from db.users import AppUser, RoleKind, add_user
from tests.tui.fixed_people import FIRST_TWO_GRIDS, insert_fixed_people

# The person the history is about, first in the supervisor's list; the ID number is
# stored encrypted with its blind index, so the auditor can filter by it.
FIRST = uuid.UUID(int=9001)
FIRST_NAME = "阿不都·热合曼"
ID_NUMBER = "650102198503121230"
# name, kind, scope (org code length around the first grid; the second grid for "li"),
# display name
USERS: list[tuple[str, RoleKind, int, str]] = [
    ("trail_zhang", "grid_worker", 14, "张网格"),
    ("trail_li", "grid_worker", 14, "李网格"),
    ("trail_wang", "supervisor", 9, "王审核"),
    ("trail_zhao", "auditor", 6, "赵审计"),
    ("trail_chen", "admin", 4, "陈管理"),
]
OPEN = "查看档案 / viewing the record"
# at (office time), user, action, table, whose (first, second person, other grid's),
# changed columns, purpose
HISTORY: list[tuple[str, str, str, str, str, list[str] | None, str | None]] = [
    ("2026-09-01 09:12:05", "zhang", "insert", "person", "first", None, None),
    ("2026-09-01 09:12:05", "zhang", "insert", "consent_record", "first", None, None),
    ("2026-09-03 10:02:11", "zhang", "open", "person", "first", None, OPEN),
    ("2026-09-03 10:05:40", "zhang", "update", "person", "first",
     ["current_address", "phone_enc", "phone_hmac", "phone_masked"], None),
    ("2026-09-15 14:20:00", "zhang", "reveal", "person.id_number", "first", None,
     "核实身份，办理居住证"),
    ("2026-10-08 11:00:00", "zhang", "insert", "household_member", "first", None, None),
    ("2026-10-20 16:45:30", "wang", "open", "person", "first", None, OPEN),
    ("2026-10-20 16:47:02", "wang", "reveal", "person.phone", "first", None,
     "联系本人核实走访情况"),
    ("2026-11-02 09:30:00", "zhang", "insert", "visit_person", "first", None, None),
    ("2026-11-02 09:31:10", "zhang", "insert", "assistance_request", "first", None, None),
    ("2026-11-05 15:00:00", "wang", "update", "assistance_request", "first",
     ["department_code", "status"], None),
    ("2026-11-12 10:10:10", "chen", "export", "person", "first", None,
     "个人信息查阅复制请求 / subject access request (PIPL Art. 45)"),
    ("2026-11-20 08:55:00", "zhao", "open", "person", "first", None, OPEN),
    ("2026-11-25 13:14:15", "li", "reveal", "person.registered_where", "first", None,
     "登记查重 / duplicate check on registration"),
    ("2026-11-26 09:00:00", "zhang", "open", "person", "second", None, OPEN),
    ("2026-11-27 10:00:00", "zhang", "update", "person", "second", ["occupation"], None),
    ("2026-11-28 11:00:00", "li", "open", "person", "other", None, OPEN),
]  # fmt: skip


@dataclass(frozen=True)
class TrailCast:
    """The users of the history, by short name, and the persons it is about."""

    users: dict[str, AppUser]
    first: tuple[uuid.UUID, str]  # the person the supervisor's list starts with, and name
    city: str


async def insert_trail_history(conn: asyncpg.Connection, keyring: Keyring) -> TrailCast:
    grids = [r["code"] for r in await conn.fetch(FIRST_TWO_GRIDS)]
    await ensure_keyring(conn, keyring)  # the app opens only with the database's key
    async with conn.transaction():
        await conn.execute("SELECT set_config('tongxin.bulk_load', 'on', true)")
        await insert_fixed_people(conn)
        await conn.execute(
            "INSERT INTO person (city_code, id, org_code, name, name_pinyin, sex, ethnic_code, "
            "birth_date, id_number_enc, id_number_hmac, id_number_masked, origin_division_code, "
            "occupation) VALUES ($1, $2, $3, $4, 'abudu reheman', 1, '05', $5, $6, $7, $8, "
            "'650102', '干果经营')",
            grids[0][:4], FIRST, grids[0], FIRST_NAME, date(1985, 3, 12),
            keyring.encrypt("id_number", ID_NUMBER), keyring.blind_index("id_number", ID_NUMBER),
            mask_id(ID_NUMBER),
        )  # fmt: skip
        users = {}
        for name, kind, scope, display in USERS:
            grid = grids[1] if name == "trail_li" else grids[0]
            users[name.removeprefix("trail_")] = await add_user(
                conn, name, kind, grid[:scope], display
            )
    whose = {}
    for key, grid, offset in (("first", grids[0], 0), ("second", grids[0], 1),
                              ("other", grids[1], 0)):  # fmt: skip
        whose[key] = await conn.fetchrow(
            "SELECT id, name, org_code FROM person WHERE org_code = $1 "
            "ORDER BY name_pinyin, id OFFSET $2 LIMIT 1",
            grid, offset,
        )  # fmt: skip
    async with conn.transaction():
        for at, user, action, table, person, changes, purpose in HISTORY:
            row = whose[person]
            await conn.execute(
                "INSERT INTO audit_log (at, actor, action, table_name, city_code, row_id, "
                "person_id, org_code, changes, purpose) "
                "VALUES ($1::timestamptz, $2, $3, $4, $5, $6, $6, $7, $8::jsonb, $9)",
                _office(at), users[user].pg_role, action, table, grids[0][:4], row["id"],
                row["org_code"], None if changes is None else json.dumps(changes), purpose,
            )  # fmt: skip
    return TrailCast(users, (whose["first"]["id"], whose["first"]["name"]), grids[0][:4])


def _office(at: str) -> datetime:
    return datetime.fromisoformat(at).replace(tzinfo=OFFICE_TZ)
