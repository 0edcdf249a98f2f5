"""`tongxin ledger list` and `tongxin ledger export` against a real database: the lines
they print and their exit codes (0 done, 1 a user error in one line, 2 usage)."""

from __future__ import annotations

import asyncio
import os
from datetime import date, datetime, time
from pathlib import Path

import asyncpg
import openpyxl
import pytest
from typer.testing import CliRunner, Result

from db.core.clock import OFFICE_TZ
from db.keys.crypto import Keyring
from seeds.demo import seed_demo
from seeds.demo_disputes import seed_disputes
from tests.db.ledger_world import World, pick_grids, plan, write
from tui.cli import app

runner = CliRunner()
PURPOSE = "街道月度报送"


@pytest.fixture
async def world(db_dsn: str, conn: asyncpg.Connection, monkeypatch: pytest.MonkeyPatch) -> World:
    monkeypatch.setenv("TONGXIN_DSN", db_dsn)
    world = plan(await pick_grids(conn), persons=30)
    await write(conn, world)
    return world


async def _invoke(*args: str) -> Result:
    # The commands call asyncio.run, so they run off this test's event loop.
    return await asyncio.to_thread(runner.invoke, app, list(args))


def _one_line(result: Result, code: int) -> str:
    assert result.exit_code == code, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output
    return lines[0]


def test_the_list_names_every_ledger_with_its_view_and_options() -> None:
    lines = runner.invoke(app, ["ledger", "list"]).output.splitlines()
    assert [line.split()[:2] for line in lines] == [
        ["registry", "ledger_registry"], ["visits", "ledger_visits"],
        ["quality", "ledger_quality"], ["ethnicity", "stats_ethnicity"],
        ["origin", "stats_origin"], ["occupation", "stats_occupation"],
        ["monthly", "stats_monthly"], ["sweeps", "ledger_sweeps"],
        ["disputes", "ledger_disputes"], ["assistance", "ledger_assistance"],
        ["overdue", "stats_overdue"], ["meetings", "ledger_meetings"],
        ["contacts", "ledger_contacts"], ["dispute_report", "report_disputes_monthly"],
    ]  # fmt: skip
    assert "--org --month" in lines[1]
    assert "--month" not in lines[0]


async def test_an_export_writes_the_file_says_so_in_one_line_and_is_audited(
    world: World, conn: asyncpg.Connection, tmp_path: Path
) -> None:
    street = world.grids[0][:9]
    target = tmp_path / "monthly.xlsx"
    line = _one_line(await _invoke(
        "ledger", "export", "monthly", "--org", street, "--month", "2025-04",
        "--format", "xlsx", "-o", str(target), "--purpose", PURPOSE,
    ), 0)  # fmt: skip
    assert line.startswith(f"wrote {target}: ")
    assert f"rows of stats_monthly for {street}; audit chain head {street[:4]}:" in line
    assert openpyxl.load_workbook(target).worksheets[0]["A1"].value.endswith("月度变动统计表")
    row = await conn.fetchrow(
        "SELECT purpose, org_code, table_name FROM audit_log WHERE action = 'export'"
    )
    assert tuple(row) == (PURPOSE, street, "stats_monthly 2025-04")


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["budget"], "no such ledger"),
        (["registry", "--month", "2025-04"], "--month"),
        (["visits", "--month", "2025-13"], "--month"),
        (["visits", "--month", "April"], "--month"),
        (["registry", "--org", "41x"], "--org"),
        (["registry", "--purpose", "  "], "--purpose"),
        (["dispute_report"], "--month"),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else "",
)
def test_a_bad_name_month_org_or_purpose_is_a_usage_error(
    args: list[str], named: str, tmp_path: Path
) -> None:
    command = ["ledger", "export", args[0], "--format", "csv", "-o", str(tmp_path / "x.csv"),
               "--purpose", PURPOSE, *args[1:]]  # fmt: skip
    assert named in _one_line(runner.invoke(app, command), 2)
    assert not (tmp_path / "x.csv").exists()


def test_a_format_other_than_xlsx_or_csv_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["ledger", "export", "registry", "--format", "pdf",
                                 "-o", str(tmp_path / "x.pdf"), "--purpose", PURPOSE])  # fmt: skip
    assert result.exit_code == 2
    assert "--format" in result.output


async def test_what_the_database_refuses_is_one_line_exit_1_and_no_audit_row(
    world: World, conn: asyncpg.Connection, tmp_path: Path
) -> None:
    def export(*more: str) -> list[str]:
        return ["ledger", "export", "registry", "--format", "csv", "--purpose", PURPOSE, *more]

    no_unit = _one_line(await _invoke(*export("--org", "4109", "-o", str(tmp_path / "a.csv"))), 1)
    assert no_unit == "tongxin: org 4109: no such org unit"
    # The reference data holds two cities: which one must be said.
    which = _one_line(await _invoke(*export("-o", str(tmp_path / "b.csv"))), 1)
    assert "1404" in which
    assert "4101" in which
    taken = tmp_path / "taken.csv"
    taken.write_text("")
    assert "exists" in _one_line(await _invoke(*export("-o", str(taken), "--org", "4101")), 1)
    blocked = tmp_path / "file" / "c.csv"
    (tmp_path / "file").write_text("")
    line = _one_line(await _invoke(*export("-o", str(blocked), "--org", world.grids[0])), 1)
    assert line.startswith(f"tongxin: cannot write {blocked}")
    assert await conn.fetchval("SELECT count(*) FROM audit_log WHERE action = 'export'") == 0
    assert sorted(os.listdir(tmp_path)) == ["file", "taken.csv"]


DEMO_DAY = date(2026, 11, 14)


def _naive(day: date) -> datetime:
    """A date as openpyxl reads a date cell back."""
    return datetime.combine(day, time())


SWEEP_WORDS = {"filed": "按时上报", "late": "逾期上报", "missing": "未上报"}


async def test_the_sweeps_of_a_month_from_the_demo_as_a_paper_ledger(
    db_dsn: str, conn: asyncpg.Connection, keyring: Keyring, monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:  # fmt: skip
    monkeypatch.setenv("TONGXIN_DSN", db_dsn)
    await seed_demo(conn, keyring, persons=300, seed=1, today=DEMO_DAY)
    await seed_disputes(conn, seed=7, today=DEMO_DAY)
    city = await conn.fetchval("SELECT min(left(code, 4)) FROM org_unit WHERE is_demo")
    target = tmp_path / "x.xlsx"
    line = _one_line(await _invoke(
        "ledger", "export", "sweeps", "--org", city, "--month", "2026-10", "--format", "xlsx",
        "-o", str(target), "--purpose", PURPOSE,
    ), 0)  # fmt: skip
    assert f"rows of ledger_sweeps for {city}" in line
    # Worked out here: every community of the city, October's sweep filed by 20 November
    # (office time), after it, or not at all (a draft is not filed).
    units = await conn.fetch(
        "SELECT c.code, c.name, s.name AS street FROM org_unit c "
        "JOIN org_unit s ON s.code = c.parent_code "
        "WHERE c.level = 'community' AND c.code LIKE $1 || '%' ORDER BY c.code", city,
    )  # fmt: skip
    sweeps = {r["org_code"]: r for r in await conn.fetch(
        "SELECT org_code, id, nil_return, filed_at, status FROM dispute_sweep "
        "WHERE month = '2026-10-01'")}  # fmt: skip
    cases = await conn.fetch("SELECT org_code, sweep_id, opened_on FROM dispute_case")
    due = date(2026, 11, 20)
    expected = []
    for n, unit in enumerate(units, start=1):
        sweep = sweeps.get(unit["code"])
        filed = (
            sweep["filed_at"].astimezone(OFFICE_TZ).date() if sweep and sweep["filed_at"] else None
        )
        state = "missing" if filed is None else ("filed" if filed <= due else "late")
        found = sum(
            1
            for c in cases
            if c["org_code"].startswith(unit["code"])
            and (
                c["sweep_id"] == sweep["id"]
                if c["sweep_id"] and sweep
                else c["sweep_id"] is None
                and date(2026, 10, 1) <= c["opened_on"] < date(2026, 11, 1)
            )
        )
        nil = None if filed is None else ("零报告" if sweep["nil_return"] else "有新发现")
        expected.append([
            n, _naive(date(2026, 10, 1)), unit["street"], unit["name"], _naive(due),
            SWEEP_WORDS[state], nil, _naive(filed) if filed else None, found,
        ])  # fmt: skip
    assert {e[5] for e in expected} >= {"按时上报", "未上报"}  # the demo has both
    sheet = openpyxl.load_workbook(target).worksheets[0]
    assert sheet.title == "矛盾纠纷排查报送台账"
    assert sheet["A1"].value.endswith("矛盾纠纷排查报送台账")
    assert "2026年10月" in sheet["A2"].value
    assert f"共 {len(units)} 条" in sheet["A2"].value
    assert [c.value for c in sheet[3]] == [
        "序号", "月份", "所属街道", "所属社区", "报送截止日", "报送情况", "报送类型", "上报日期",
        "审核状态", "审核日期", "排查数",
    ]  # fmt: skip
    rows = [[c.value for c in sheet[3 + n]] for n in range(1, len(units) + 1)]
    assert [r[:8] + r[10:] for r in rows] == expected
    assert sheet.cell(4, 2).number_format == 'yyyy"年"m"月"'
    assert sheet.cell(4 + len(units) + 1, 1).value.startswith("制表人：")
    setup = sheet.page_setup
    assert (setup.orientation, setup.paperSize) == ("landscape", 9)
    assert sheet.print_title_rows == "$1:$3"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.oddFooter.center.text == "第 &P 页，共 &N 页"
    assert sheet.oddFooter.right.text.startswith(f"审计链 {city}:")
