"""Ledger exports read back: an Excel workbook with openpyxl and a CSV file with csv, cell
for cell against the view, with the paper ledger's print set-up; the audit row of an
export, and none for one that failed; memory that does not grow with the rows."""

from __future__ import annotations

import csv
import os
import tracemalloc
import uuid
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import asyncpg
import openpyxl
import pytest

from db.audit.chain import Anchor, verify_chains
from db.core.session import acting_as
from db.ledgers.catalogue import LEDGERS
from db.ledgers.export import LedgerExport, export_ledger
from db.ledgers.reads import ledger_page
from db.privacy.subject import ExportNotWritten
from tests.db.access_fixtures import new_user
from tests.db.kernel_fixtures import add_visit
from tests.db.ledger_world import World, pick_grids, plan, write

PURPOSE = "月度台账报送 / monthly ledger for the district"


@pytest.fixture
async def world(conn: asyncpg.Connection) -> World:
    world = plan(await pick_grids(conn))
    await write(conn, world)
    return world


async def _rows(conn: asyncpg.Connection, name: str, scope: str,
                month: date | None = None) -> list[dict[str, Any]]:  # fmt: skip
    page = await ledger_page(conn, name, scope, month, limit=100_000)
    return page.rows


def _names(directory: Path) -> list[str]:
    """Every file there, hidden ones (a left-over .part) included."""
    return sorted(os.listdir(directory))


def _request(path: Path, ledger: str, org: str, kind: str = "xlsx", **more: Any) -> LedgerExport:
    return LedgerExport(ledger=ledger, org=org, format=kind, output=path, purpose=PURPOSE,
                        prepared_by="operator", **more)  # fmt: skip


def _expected_cell(kind: str, value: Any) -> Any:
    if kind == "flag":
        return "缺" if value else None
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return datetime.combine(value, time())  # openpyxl reads dates as naive datetimes
    return value


async def test_the_registry_of_a_community_as_a_paper_ledger_in_excel(
    conn: asyncpg.Connection, world: World, tmp_path: Path
) -> None:
    community = world.grids[0][:12]
    target = tmp_path / "registry.xlsx"
    done = await export_ledger(conn, _request(target, "registry", community))
    expected = await _rows(conn, "registry", community)
    assert done.rows == len(expected) > 0
    assert target.stat().st_mode & 0o777 == 0o600
    assert _names(tmp_path) == ["registry.xlsx"]
    sheet = openpyxl.load_workbook(target).worksheets[0]
    ledger = LEDGERS["registry"]
    path = await conn.fetchval(
        "SELECT string_agg(name, '' ORDER BY length(code)) FROM org_unit "
        "WHERE code = left($1, length(code))", community,
    )  # fmt: skip
    assert sheet.title == "流动人口信息台账"
    assert sheet["A1"].value == f"{path} 流动人口信息台账"
    assert f"（{community}）" in sheet["A2"].value
    assert f"共 {len(expected)} 条" in sheet["A2"].value
    headers = [c.value for c in sheet[3]]
    assert headers[:6] == ["序号", "姓名", "性别", "民族", "出生日期", "公民身份号码"]
    assert headers == [c.zh for c in ledger.shown]
    for n, row in enumerate(expected, start=1):
        cells = [c.value for c in sheet[3 + n]]
        wanted = [n, *(_expected_cell(c.kind, row[c.name]) for c in ledger.shown[1:])]
        assert cells == wanted, n
    assert sheet.cell(4, 5).number_format == "yyyy-mm-dd"
    assert sheet.cell(4 + len(expected) + 1, 1).value.startswith("制表人：")
    assert "审核人：" in sheet.cell(4 + len(expected) + 1, 1).value
    setup = sheet.page_setup
    assert (setup.orientation, setup.paperSize) == ("landscape", 9)
    assert sheet.print_title_rows == "$1:$3"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert (setup.fitToWidth or 1, setup.fitToHeight) == (1, 0)  # None: Excel's default, 1
    footer = sheet.oddFooter
    head = done.chain_head
    assert head is not None
    assert footer.right.text == f"审计链 {head}"
    # The link before the export's own audit row, and one `audit verify` accepts.
    now = await conn.fetchval("SELECT tx_chain_head($1)", community[:4])
    assert int(now.split(":")[1]) == int(head.split(":")[1]) + 1
    await verify_chains(conn, community[:4], [Anchor.parse(head)])
    assert footer.center.text == "第 &P 页，共 &N 页"
    assert footer.left.text.startswith("tongxin 生成：operator，")
    widths = {c: d.width for d in sheet.column_dimensions.values()
              for c in range(d.min, d.max + 1)}  # fmt: skip
    for col, column in enumerate(ledger.shown, start=1):
        assert widths[col] >= column.width, column.name
    assert widths[2] >= max(len(r["name"]) for r in expected) * 2


async def test_csv_has_a_byte_order_mark_the_headers_and_every_cell(
    conn: asyncpg.Connection, world: World, tmp_path: Path
) -> None:
    street = world.grids[0][:9]
    target = tmp_path / "quality.csv"
    await export_ledger(conn, _request(target, "quality", street, "csv"))
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")
    with target.open(encoding="utf-8-sig", newline="") as f:
        lines = list(csv.reader(f))
    ledger = LEDGERS["quality"]
    assert lines[0] == [c.zh for c in ledger.shown]
    expected = await _rows(conn, "quality", street)
    assert len(lines) == 1 + len(expected) > 1

    def text(kind: str, value: Any) -> str:
        if kind == "flag":
            return "缺" if value else ""
        return "" if value is None else value.isoformat() if isinstance(value, date) else str(value)

    for n, (line, row) in enumerate(zip(lines[1:], expected, strict=True), start=1):
        assert line == [str(n), *(text(c.kind, row[c.name]) for c in ledger.shown[1:])]


async def test_statistics_end_with_their_totals(
    conn: asyncpg.Connection, world: World, tmp_path: Path
) -> None:
    district = world.grids[0][:6]
    target = tmp_path / "ethnicity.xlsx"
    await export_ledger(conn, _request(target, "ethnicity", district))
    sheet = openpyxl.load_workbook(target).worksheets[0]
    expected = await _rows(conn, "ethnicity", district)
    assert [c.value for c in sheet[3]] == ["民族", "人数", "男", "女"]
    body = [[c.value for c in sheet[4 + i]] for i in range(len(expected))]
    assert body == [[r["ethnicity"], r["persons"], r["male"], r["female"]] for r in expected]
    total = [c.value for c in sheet[4 + len(expected)]]
    registered = sum(1 for p in world.now_registered(district))
    assert total == ["合计", registered, *(sum(r[k] for r in expected) for k in ("male", "female"))]


async def test_pending_visits_are_listed_apart_and_not_counted(
    conn: asyncpg.Connection, world: World, tmp_path: Path
) -> None:
    grid = world.grids[0]
    worker = await new_user(conn, "grid_worker", grid)
    reviewer = await new_user(conn, "supervisor", grid[:9])
    person = next(p.id for p in world.now_registered(grid))
    for status in ("approved", "submitted", "returned", "draft", "approved"):
        reviewed = reviewer if status in ("approved", "returned") else None
        await add_visit(conn, grid, worker, [person], status=status, reviewer=reviewed)
    target = tmp_path / "visits.xlsx"
    done = await export_ledger(conn, _request(target, "visits", grid[:12],
                                              month=date(2026, 11, 1)))  # fmt: skip
    assert done.rows == 4  # the draft is no one's but its author's
    sheet = openpyxl.load_workbook(target).worksheets[0]
    column = [c.zh for c in LEDGERS["visits"].shown].index("审核状态")
    listed = [[c.value for c in row] for row in sheet.iter_rows(min_row=4, max_row=8)]
    assert [r[0] for r in listed] == [1, 2, "以下待审核（已提交或已退回），不计入", 1, 2]
    assert [r[column] for r in listed[:2]] == ["已审核", "已审核"]
    assert sorted(r[column] for r in listed[3:]) == sorted(["待审核", "已退回"])
    assert "2026年11月" in sheet["A2"].value


async def test_the_export_is_audited_with_its_purpose_unit_ledger_and_rows(
    conn: asyncpg.Connection, other: asyncpg.Connection, world: World, tmp_path: Path
) -> None:
    street = world.grids[0][:9]
    supervisor = await new_user(conn, "supervisor", street)
    target = tmp_path / "monthly.csv"
    async with acting_as(other, supervisor):
        done = await export_ledger(other, _request(target, "monthly", street, "csv",
                                                   month=date(2025, 4, 1)))  # fmt: skip
    assert done.chain_head is not None
    row = await conn.fetchrow(
        "SELECT actor, action, purpose, org_code, city_code, table_name, row_count "
        "FROM audit_log WHERE action = 'export'"
    )
    assert dict(row) == {
        "actor": supervisor.pg_role, "action": "export", "purpose": PURPOSE,
        "org_code": street, "city_code": street[:4], "table_name": "stats_monthly 2025-04",
        "row_count": done.rows,
    }  # fmt: skip


async def test_a_failed_export_leaves_no_file_and_no_audit_row(
    conn: asyncpg.Connection, world: World, tmp_path: Path
) -> None:
    not_a_directory = tmp_path / "a file"
    not_a_directory.write_text("")
    with pytest.raises(ExportNotWritten, match="cannot write"):
        await export_ledger(conn, _request(not_a_directory / "r.xlsx", "registry", world.grids[0]))
    with pytest.raises(ExportNotWritten, match="No such file"):
        await export_ledger(conn, _request(tmp_path / "nowhere" / "r.csv", "registry", "4101"))
    taken = tmp_path / "taken.csv"
    taken.write_text("mine")
    with pytest.raises(ExportNotWritten, match="exists"):
        await export_ledger(conn, _request(taken, "registry", world.grids[0], "csv"))
    assert taken.read_text() == "mine"
    assert _names(tmp_path) == ["a file", "taken.csv"]
    assert await conn.fetchval("SELECT count(*) FROM audit_log WHERE action = 'export'") == 0


async def test_an_export_that_cannot_be_audited_leaves_no_file(
    conn: asyncpg.Connection, other: asyncpg.Connection, world: World, tmp_path: Path
) -> None:
    worker = await new_user(conn, "grid_worker", world.grids[0])
    target = tmp_path / "far.xlsx"
    # Another district's unit: the worker reads none of its rows, and may not file an
    # export of it in the trail, so the written file is taken away again.
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        async with acting_as(other, worker):
            await export_ledger(other, _request(target, "registry", world.grids[3]))
    assert _names(tmp_path) == []
    assert await conn.fetchval("SELECT count(*) FROM audit_log WHERE action = 'export'") == 0


async def _persons(conn: asyncpg.Connection, grid: str, n: int) -> None:
    await conn.copy_records_to_table(
        "person",
        columns=["city_code", "id", "org_code", "name", "name_pinyin", "sex", "ethnic_code",
                 "birth_date", "id_number_masked", "current_address", "occupation"],
        records=[(grid[:4], uuid.uuid4(), grid, f"马{i:06d}", f"ma{i:06d}", 1 + i % 2, "03",
                  date(1990, 1, 1), "4101**************", "金水路1号院2号楼301", "餐饮")
                 for i in range(n)],
    )  # fmt: skip


async def _peak(conn: asyncpg.Connection, target: Path, grid: str) -> int:
    tracemalloc.start()
    try:
        await export_ledger(conn, _request(target, "registry", grid))
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


async def test_memory_stays_bounded_as_the_rows_grow(
    conn: asyncpg.Connection, tmp_path: Path
) -> None:
    grids = await pick_grids(conn)
    await _persons(conn, grids[0], 2_000)
    await _persons(conn, grids[3], 20_000)
    small = await _peak(conn, tmp_path / "small.xlsx", grids[0])
    large = await _peak(conn, tmp_path / "large.xlsx", grids[3])
    sheet = openpyxl.load_workbook(tmp_path / "large.xlsx", read_only=True).worksheets[0]
    assert sheet.max_row == 3 + 20_000 + 2
    assert large < small * 1.5, (small, large)
