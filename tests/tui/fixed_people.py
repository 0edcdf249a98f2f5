"""A fixed, hand-written set of persons for the snapshots.

The snapshots must change only when the screen does, not when the demo
generator (seeds/) learns new names, so they read these rows instead. They
cover what the layout must survive: ·-joined Uyghur and Kazakh names, a long
name, a missing phone, every status. Identifiers are stored masked only.
"""

from __future__ import annotations

import uuid
from datetime import date

import asyncpg

# name, name_pinyin (the registry's sort key), ethnic code, sex, birth, origin, occupation
PEOPLE: list[tuple[str, str, str, int, str, str, str]] = [
    ("买买提·艾力", "maimaitiaili", "05", 1, "1985-03-12", "653101", "烤肉摊主"),
    ("阿依古丽·买买提", "ayiguli maimaiti", "05", 2, "1990-07-01", "653101", "餐饮服务"),
    ("马小龙", "maxiaolong", "03", 1, "1979-11-23", "622901", "清真餐饮"),
    ("扎西顿珠", "zhaxidunzhu", "04", 1, "1996-02-14", "632521", "务工"),
    ("巴特尔", "bateer", "02", 1, "1988-09-09", "150402", "个体经营"),
    ("古丽娜尔·吐尔逊", "gulinaer tuerxun", "05", 2, "2001-05-30", "652801", "学生"),
    ("努尔兰·阿合买提江", "nuerlan aheimaitijiang", "17", 1, "1975-12-02", "654002", "运输"),
    ("田秀英", "tianxiuying", "15", 2, "1969-04-18", "433101", "保洁"),
    ("龙金花", "longjinhua", "06", 2, "1993-08-08", "433101", "服装加工"),
    (
        "阿西木·艾合买提·阿不都热合曼",
        "aximu aihemaiti abuduereheman",
        "05",
        1,
        "1982-01-27",
        "653101",
        "干果经营",
    ),
    ("马秀兰", "maxiulan", "03", 2, "1958-06-15", "640104", "退休"),
    ("韩建国", "hanjianguo", "35", 1, "1977-10-01", "632521", "拉面馆"),
    ("拉姆", "lamu", "04", 2, "1999-12-24", "632521", "酒店服务"),
    ("吉克阿依", "jikeayi", "07", 2, "1994-03-03", "513401", "快递"),
    ("苏日娜", "surina", "02", 2, "2003-07-07", "150402", "学生"),
    ("艾尔肯·吾守尔", "aierken wushouer", "05", 1, "1986-11-11", "652801", "网约车"),
    ("马志强", "mazhiqiang", "03", 1, "1991-02-28", "640302", "建筑工人"),
    ("杨光荣", "yangguangrong", "06", 1, "1972-09-19", "433101", "务工"),
    ("海丽其古丽·艾买提", "hailiqiguli aimaiti", "05", 2, "1980-05-05", "653101", "刺绣"),
    ("马燕", "mayan", "26", 2, "1997-04-21", "622901", "餐饮服务"),
]
STATUSES = ["registered", "registered", "registered", "moved_out", "left_city"]
FIRST_TWO_GRIDS = "SELECT code FROM org_unit WHERE level = 'grid' AND is_demo ORDER BY code LIMIT 2"


def _phone(n: int) -> str | None:
    return None if n % 7 == 3 else f"1{38 + n % 50}****{1000 + 37 * n:04d}"


async def insert_fixed_people(conn: asyncpg.Connection, copies: int = 2) -> int:
    """Put PEOPLE into the first two demo grids (`copies` times over); return how many."""
    grids = await conn.fetch(FIRST_TWO_GRIDS)
    rows = []
    for n in range(len(PEOPLE) * copies):
        name, reading, ethnic, sex, born, origin, job = PEOPLE[n % len(PEOPLE)]
        # The second copy of a name goes to the other grid: no grid holds a name twice.
        grid = grids[(n + n // len(PEOPLE)) % len(grids)]["code"]
        rows.append(
            (
                grid[:4], uuid.UUID(int=n + 1), grid, name, reading, sex, ethnic,
                date.fromisoformat(born), origin[:4] + "*" * 14,
                _phone(n), origin, job, STATUSES[n % len(STATUSES)],
            )
        )  # fmt: skip
    await conn.copy_records_to_table(
        "person",
        records=rows,
        columns=[
            "city_code", "id", "org_code", "name", "name_pinyin", "sex",
            "ethnic_code", "birth_date", "id_number_masked", "phone_masked",
            "origin_division_code", "occupation", "status",
        ],
    )  # fmt: skip
    return len(rows)


async def insert_fixed_visit(conn: asyncpg.Connection) -> None:
    """A returned home visit with two needs awaiting help, to the person the first
    grid's list starts with."""
    grid, person = await conn.fetchrow(
        "SELECT org_code, id FROM person WHERE org_code = (SELECT min(org_code) FROM person) "
        "ORDER BY name_pinyin, id LIMIT 1"
    )
    visit = uuid.UUID(int=1001)
    await conn.execute(
        "INSERT INTO visit (city_code, id, org_code, kind, visited_on, place, notes, status, "
        "review_comment) VALUES ($1, $2, $3, 'home_visit', '2026-11-20', '家中', "
        "'想给孩子转学，另需办理居住证。', 'returned', '请写明孩子现在就读的学校')",
        grid[:4], visit, grid,
    )  # fmt: skip
    await conn.execute(
        "INSERT INTO visit_person (city_code, visit_id, person_id, org_code) "
        "VALUES ($1, $2, $3, $4)",
        grid[:4], visit, person, grid,
    )  # fmt: skip
    needs = [
        (1002, "schooling", "孩子转学到附近小学", "education", "2026-12-20"),
        (1003, "paperwork", "办理居住证", "public_security", "2026-12-05"),
    ]
    for n, category, description, department, due in needs:
        await conn.execute(
            "INSERT INTO assistance_request (city_code, id, org_code, person_id, visit_id, "
            "category, description, department_code, status, raised_on, due_on) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', '2026-11-20', $9)",
            grid[:4], uuid.UUID(int=n), grid, person, visit, category, description,
            department, date.fromisoformat(due),
        )  # fmt: skip


# visit number, grid (0 or 1), visited on, kind, persons, comment of an earlier return
QUEUE = [
    (2001, 0, "2026-11-18", "home_visit", ["阿西木·艾合买提·阿不都热合曼"],
     "请写明孩子现在就读的学校和年级，以及想转入哪所学校"),
    (2002, 0, "2026-11-20", "phone_call", ["买买提·艾力", "阿依古丽·买买提"], ""),
    (2003, 1, "2026-11-21", "face_to_face", ["马小龙"], ""),
]  # fmt: skip


async def insert_fixed_queue(conn: asyncpg.Connection, workers: list[str]) -> None:
    """Three submitted visits awaiting review, written by `workers` (the PostgreSQL roles
    of a grid worker of each of the first two grids), the longest waiting first; the
    first was returned once and keeps the reviewer's comment."""
    grids = await conn.fetch(FIRST_TWO_GRIDS)
    for number, (n, grid_index, day, kind, names, comment) in enumerate(QUEUE):
        grid = grids[grid_index]["code"]
        visit = uuid.UUID(int=n)
        await conn.execute(
            "INSERT INTO visit (city_code, id, org_code, kind, visited_on, notes, status, "
            "review_comment, created_by, updated_at) VALUES ($1, $2, $3, $4, $5, '了解近况', "
            "'submitted', $6, $7, timestamptz '2026-11-22 09:00+08' + $8 * interval '1 hour')",
            grid[:4], visit, grid, kind, date.fromisoformat(day), comment,
            workers[grid_index], number,
        )  # fmt: skip
        await conn.execute(
            "INSERT INTO visit_person (city_code, visit_id, person_id, org_code) "
            "SELECT city_code, $1, id, org_code FROM person WHERE org_code = $2 "
            "AND name = ANY($3::text[])",
            visit, grid, names,
        )  # fmt: skip
