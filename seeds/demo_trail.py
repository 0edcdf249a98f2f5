"""A deterministic history of who looked at the demo persons, for the trail's screens.

Writes to persons leave their own audit rows when they happen; what leaves no trace but
the trail is looking: opening a record, showing a full number with a purpose, exporting
a record for its person, reading a person's trail. This seed writes such accesses by
the demo users, as the operator, over the 36 months before `today` (office hours, in
the office's zone), each about a person the user may see and under that person's grid,
as the app and tx_person_trail() write them. It writes no changes and no anonymisation:
those rows belong to real writes (and retention), which the demo makes elsewhere.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from db.audit.person_trail import TRAIL_PURPOSE
from db.core.clock import OFFICE_TZ
from db.core.connect import Connection
from db.persons.records import OPEN_PURPOSE
from seeds.bootstrap import DEMO_USER_NAMES, ensure_demo_users

MONTHS = 36
SUBJECT_ACCESS = "个人信息查阅复制请求 / subject access request (PIPL Art. 45)"
# What each kind of demo user does when they look, with how often (weights).
ACCESSES: dict[str, list[tuple[int, str, str, tuple[str, ...]]]] = {
    "grid_worker": [
        (12, "open", "person", (OPEN_PURPOSE,)),
        (3, "reveal", "person.phone",
         ("电话回访走访情况", "联系本人预约上门走访", "通知办理居住证")),
        (2, "reveal", "person.id_number",
         ("核实身份，办理居住证", "协助办理就业登记", "协助子女入学")),
    ],
    "supervisor": [
        (6, "open", "person", (OPEN_PURPOSE,)),
        (2, "reveal", "person.phone", ("核实走访记录", "电话核实诉求办理情况")),
        (2, "open", "audit_log", (TRAIL_PURPOSE,)),
    ],
    "auditor": [
        (4, "open", "person", (OPEN_PURPOSE,)),
        (3, "open", "audit_log", (TRAIL_PURPOSE,)),
    ],
    "admin": [
        (3, "open", "person", (OPEN_PURPOSE,)),
        (1, "reveal", "person.id_number", ("更正身份证号录入错误",)),
        (1, "export", "person", (SUBJECT_ACCESS,)),
        (1, "open", "audit_log", (TRAIL_PURPOSE,)),
    ],
}  # fmt: skip
# How often each demo user looks, against the others.
LOOKS = {"grid_worker": 5, "supervisor": 3, "auditor": 1, "admin": 1}
PERSONS_EACH = 200  # the persons of each user's scope the history is about


@dataclass(frozen=True, slots=True)
class TrailSeeded:
    """How many access rows were written, by action and table (e.g. "reveal person.phone")."""

    rows: int
    by_kind: dict[str, int]


_USERS = """
SELECT pg_role, role_kind, org_code FROM app_user WHERE name = ANY($1::text[]) ORDER BY name
"""
_PERSONS = """
SELECT city_code, id, org_code FROM person
 WHERE org_code >= $1 AND org_code < $1 || ':' ORDER BY id LIMIT $2
"""
_INSERT = """
INSERT INTO audit_log (at, actor, action, table_name, city_code, person_id, org_code, purpose)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
"""


async def seed_trail(conn: Connection, *, seed: int, today: date) -> TrailSeeded:
    """Write the history (the demo users are made first where absent); returns counts."""
    await ensure_demo_users(conn)
    users = [dict(r) for r in await conn.fetch(_USERS, list(DEMO_USER_NAMES))]
    seen = {u["pg_role"]: await conn.fetch(_PERSONS, u["org_code"], PERSONS_EACH) for u in users}
    users = [u for u in users if seen[u["pg_role"]]]
    if not users:
        return TrailSeeded(0, {})
    rows = _history(random.Random(seed), users, seen, today)
    async with conn.transaction():
        await conn.executemany(_INSERT, rows)
    return TrailSeeded(len(rows), dict(Counter(f"{r[2]} {r[3]}" for r in rows)))


def _history(
    rng: random.Random,
    users: list[dict[str, Any]],
    seen: dict[str, list[Any]],
    today: date,
) -> list[tuple[Any, ...]]:
    rows = []
    for day in _days(today):
        for _ in range(rng.choices((0, 1, 2, 3), (3, 4, 2, 1))[0]):
            user = rng.choices(users, [LOOKS[u["role_kind"]] for u in users])[0]
            person = rng.choice(seen[user["pg_role"]])
            choices = ACCESSES[user["role_kind"]]
            _, action, table, purposes = rng.choices(choices, [c[0] for c in choices])[0]
            at = datetime.combine(day, time(8, 30), OFFICE_TZ) + timedelta(
                seconds=rng.randrange(9 * 3600)
            )
            rows.append((at, user["pg_role"], action, table, person["city_code"], person["id"],
                         person["org_code"], rng.choice(purposes)))  # fmt: skip
    rows.sort(key=lambda r: r[0])
    return rows


def _days(today: date) -> list[date]:
    """The working days of the 36 months before `today` (not today itself)."""
    first = date(today.year - MONTHS // 12, today.month, 1)
    days = (first + timedelta(days=n) for n in range((today - first).days))
    return [d for d in days if d.weekday() < 5]
