"""Load or refresh the reference data: ethnic groups, divisions, org units, departments,
the categories of needs with their default department and days, the dates of Eid al-Adha.

Every load is an upsert, so running it again changes nothing, and each source's
edition and checksum is recorded in `reference_source`.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from importlib import resources
from typing import Any

from db.core.connect import Connection
from seeds.departments import DEPARTMENTS
from seeds.need_categories import NEED_CATEGORIES

ETHNIC_FILE = "ethnic_groups_gbt3304.csv"
DIVISION_FILE = "divisions_gbt2260_mca_2025-12-31.csv"
STAT_CODE_FILE = "statistical_codes_2023_zhengzhou_changzhi.csv"
EID_FILE = "eid_al_adha_china_2015_2035.csv"
# The representatives' yearly symposium is held at Eid al-Adha (古尔邦节), whose day
# follows the moon: the days Chinese Muslims keep, as the Islamic Association of China
# announces them each year in its calendar (公历、农历、伊斯兰教历对照表); years not yet
# announced hold the Umm al-Qura day, marked expected, to be replaced when announced.
EID_EDITION = (
    "中国伊斯兰教协会 三历对照表: 2015–2025 已公布; 2026–2035 按乌姆库拉历预计, 待公布后更新"
)

# Common extension rows beside the 56 groups of GB/T 3304.
ETHNIC_EXTENSIONS = [
    ("97", "其他", "Other", "QT"),
    ("98", "外国血统中国籍人士", "Chinese citizens of foreign origin", "WG"),
]
# The Ministry's table gives Taiwan no numeric code; GB/T 2260 does.
TAIWAN = ("710000", "台湾省", 1, None)
# The statistical table starts at the county; the cities are its roots.
CITIES = [("4101", "郑州市"), ("1404", "长治市")]

STAT_LEVEL = {3: "district", 4: "street", 5: "community"}
CODE_LENGTH = {"district": 6, "street": 9, "community": 12}

DEMO_DISTRICTS_PER_CITY = 4
DEMO_STREETS_PER_DISTRICT = 3
DEMO_COMMUNITIES_PER_STREET = 3
DEMO_GRID_NAMES = ["第一网格", "第二网格"]


@dataclass(frozen=True, slots=True)
class SourceLoaded:
    """What one reference source put into the database."""

    name: str
    edition: str
    rows: int


def _columns(rows: Sequence[tuple[Any, ...]], width: int) -> list[list[Any]]:
    """Rows as one list per column, for INSERT … SELECT FROM unnest(...): one statement."""
    return [[row[i] for row in rows] for i in range(width)]


def _read(name: str) -> tuple[list[dict[str, str]], str]:
    raw = resources.files("seeds.data").joinpath(name).read_bytes()
    text = raw.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text))), hashlib.sha256(raw).hexdigest()


async def _record_source(
    conn: Connection, name: str, edition: str, rows: int, checksum: str
) -> SourceLoaded:
    await conn.execute(
        """
        INSERT INTO reference_source (name, edition, row_count, checksum)
        VALUES ($1, $2, $3, $4)
        ON CONFLICT (name) DO UPDATE
           SET edition = EXCLUDED.edition, row_count = EXCLUDED.row_count,
               checksum = EXCLUDED.checksum, loaded_at = now()
        """,
        name,
        edition,
        rows,
        checksum,
    )
    return SourceLoaded(name, edition, rows)


async def load_ethnic_groups(conn: Connection) -> SourceLoaded:
    """The 56 groups of GB/T 3304 plus the two customary extension rows."""
    rows, checksum = _read(ETHNIC_FILE)
    records = [(r["code"], r["name_zh"], r["romanised"], r["letter_code"], False) for r in rows]
    records += [(*ext, True) for ext in ETHNIC_EXTENSIONS]
    await conn.execute(
        """
        INSERT INTO ethnic_group (code, name_zh, romanised, letter_code, is_extension)
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::boolean[])
        ON CONFLICT (code) DO UPDATE
           SET name_zh = EXCLUDED.name_zh, romanised = EXCLUDED.romanised,
               letter_code = EXCLUDED.letter_code, is_extension = EXCLUDED.is_extension
         WHERE (ethnic_group.name_zh, ethnic_group.romanised, ethnic_group.letter_code,
                ethnic_group.is_extension)
               IS DISTINCT FROM (EXCLUDED.name_zh, EXCLUDED.romanised, EXCLUDED.letter_code,
                                 EXCLUDED.is_extension)
        """,
        *_columns(records, 5),
    )
    return await _record_source(conn, "ethnic_group", "GB/T 3304-1991", len(records), checksum)


async def load_divisions(conn: Connection) -> SourceLoaded:
    """GB/T 2260 provinces, prefectures and counties, parents before children."""
    rows, checksum = _read(DIVISION_FILE)
    records: list[tuple[str, str, int, str | None]] = [
        (r["code"], r["name"], int(r["level"]), r["parent_code"] or None) for r in rows
    ]
    if all(code != TAIWAN[0] for code, *_ in records):
        records.append(TAIWAN)
    records.sort(key=lambda r: (r[2], r[0]))
    await conn.execute(
        """
        INSERT INTO division (code, name, level, parent_code)
        SELECT * FROM unnest($1::text[], $2::text[], $3::smallint[], $4::text[])
        ON CONFLICT (code) DO UPDATE
           SET name = EXCLUDED.name, level = EXCLUDED.level, parent_code = EXCLUDED.parent_code
         WHERE (division.name, division.level, division.parent_code)
               IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.level, EXCLUDED.parent_code)
        """,
        *_columns(records, 4),
    )
    return await _record_source(
        conn, "division", "GB/T 2260, 民政部 2025-12-31", len(records), checksum
    )


def org_units_from_stat_codes(rows: list[dict[str, str]]) -> list[tuple[str, str, str, str, str]]:
    """(code, name, level, parent_code, stat_code) for cities, districts, streets, communities."""
    units = [(code, name, "city", "", code.ljust(12, "0")) for code, name in CITIES]
    cities = {code for code, _ in CITIES}
    for r in rows:
        level = STAT_LEVEL[int(r["level"])]
        code = r["code12"][: CODE_LENGTH[level]]
        if code[:4] not in cities:
            continue
        parent_level = {"district": 4, "street": 6, "community": 9}[level]
        units.append((code, r["name"], level, code[:parent_level], r["code12"]))
    order = {"city": 0, "district": 1, "street": 2, "community": 3}
    units.sort(key=lambda u: (order[u[2]], u[0]))
    return units


def demo_grids(units: list[tuple[str, str, str, str, str]]) -> Iterator[tuple[str, str, str]]:
    """(code, name, parent_code) of demo grids under a few urban communities per city."""
    children: dict[str, list[tuple[str, str, str, str, str]]] = {}
    for unit in units:
        children.setdefault(unit[3], []).append(unit)
    for city_code, _ in CITIES:
        districts = [u for u in children.get(city_code, []) if u[1].endswith("区")]
        for district in districts[:DEMO_DISTRICTS_PER_CITY]:
            streets = [u for u in children.get(district[0], []) if u[1].endswith("街道")]
            for street in streets[:DEMO_STREETS_PER_DISTRICT]:
                for community in children.get(street[0], [])[:DEMO_COMMUNITIES_PER_STREET]:
                    for n, grid_name in enumerate(DEMO_GRID_NAMES, start=1):
                        yield f"{community[0]}{n:02d}", grid_name, community[0]


async def load_org_units(conn: Connection) -> SourceLoaded:
    """Real org units from the statistical codes, and demo grids (marked) under some."""
    rows, checksum = _read(STAT_CODE_FILE)
    units = org_units_from_stat_codes(rows)
    await conn.execute(
        """
        INSERT INTO org_unit (code, name, level, parent_code, stat_code)
        SELECT code, name, level, NULLIF(parent_code, ''), stat_code
          FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
               AS u(code, name, level, parent_code, stat_code)
        ON CONFLICT (code) DO UPDATE
           SET name = EXCLUDED.name, level = EXCLUDED.level,
               parent_code = EXCLUDED.parent_code, stat_code = EXCLUDED.stat_code
         WHERE (org_unit.name, org_unit.level, org_unit.parent_code, org_unit.stat_code)
               IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.level, EXCLUDED.parent_code,
                                 EXCLUDED.stat_code)
        """,
        *_columns(units, 5),
    )
    grids = list(demo_grids(units))
    await conn.execute(
        """
        INSERT INTO org_unit (code, name, level, parent_code, is_demo)
        SELECT code, name, 'grid', parent_code, true
          FROM unnest($1::text[], $2::text[], $3::text[]) AS g(code, name, parent_code)
        ON CONFLICT (code) DO NOTHING
        """,
        *_columns(grids, 3),
    )
    return await _record_source(
        conn, "org_unit", "统计用区划代码 2023 (郑州, 长治)", len(units), checksum
    )


async def load_departments(conn: Connection) -> SourceLoaded:
    """The member departments of the joint-meeting system."""
    await conn.execute(
        """
        INSERT INTO department (code, name_zh, name_en, sort)
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::smallint[])
        ON CONFLICT (code) DO UPDATE
           SET name_zh = EXCLUDED.name_zh, name_en = EXCLUDED.name_en, sort = EXCLUDED.sort
         WHERE (department.name_zh, department.name_en, department.sort)
               IS DISTINCT FROM (EXCLUDED.name_zh, EXCLUDED.name_en, EXCLUDED.sort)
        """,
        *_columns([(code, zh, en, i) for i, (code, zh, en) in enumerate(DEPARTMENTS, 1)], 4),
    )
    checksum = hashlib.sha256(repr(DEPARTMENTS).encode()).hexdigest()
    return await _record_source(
        conn, "department", "成员单位职责分工 (郑州 2015)", len(DEPARTMENTS), checksum
    )


async def load_eid_al_adha(conn: Connection) -> SourceLoaded:
    """The days of Eid al-Adha, one a year; a day announced later replaces the expected one."""
    rows, checksum = _read(EID_FILE)
    records = [(int(r["year"]), date.fromisoformat(r["day"]), r["basis"]) for r in rows]
    await conn.execute(
        """
        INSERT INTO eid_al_adha (year, day, basis)
        SELECT * FROM unnest($1::smallint[], $2::date[], $3::text[])
        ON CONFLICT (year) DO UPDATE SET day = EXCLUDED.day, basis = EXCLUDED.basis
         WHERE (eid_al_adha.day, eid_al_adha.basis) IS DISTINCT FROM (EXCLUDED.day, EXCLUDED.basis)
        """,
        *_columns(records, 3),
    )
    return await _record_source(conn, "eid_al_adha", EID_EDITION, len(records), checksum)


async def load_need_categories(conn: Connection) -> SourceLoaded:
    """The categories of needs, each with its default department and days to the due date."""
    rows = [(*c, i) for i, c in enumerate(NEED_CATEGORIES, 1)]
    await conn.execute(
        """
        INSERT INTO need_category (code, name_zh, name_en, department_code, due_days, must_help,
                                   sort)
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::smallint[],
                             $6::boolean[], $7::smallint[])
        ON CONFLICT (code) DO UPDATE
           SET name_zh = EXCLUDED.name_zh, name_en = EXCLUDED.name_en,
               department_code = EXCLUDED.department_code, due_days = EXCLUDED.due_days,
               must_help = EXCLUDED.must_help, sort = EXCLUDED.sort
         WHERE (need_category.name_zh, need_category.name_en, need_category.department_code,
                need_category.due_days, need_category.must_help, need_category.sort)
               IS DISTINCT FROM (EXCLUDED.name_zh, EXCLUDED.name_en, EXCLUDED.department_code,
                                 EXCLUDED.due_days, EXCLUDED.must_help, EXCLUDED.sort)
        """,
        *_columns(rows, 7),
    )
    checksum = hashlib.sha256(repr(NEED_CATEGORIES).encode()).hexdigest()
    return await _record_source(
        conn, "need_category", "诉求类别与默认转办 (本系统)", len(rows), checksum
    )


async def load_reference(conn: Connection) -> list[SourceLoaded]:
    """Every reference source, in one transaction; the audit trail gets one row per
    table and statement (a bulk load), and one per org unit renamed."""
    async with conn.transaction():
        await conn.execute("SELECT set_config('tongxin.bulk_load', 'on', true)")
        await conn.execute(
            "SELECT set_config('tongxin.bulk_purpose', $1, true)", "参考数据 / seed reference"
        )
        return [
            await load_ethnic_groups(conn),
            await load_divisions(conn),
            await load_org_units(conn),
            await load_departments(conn),
            await load_eid_al_adha(conn),
            await load_need_categories(conn),
        ]
