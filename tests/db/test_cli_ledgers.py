"""`tongxin ledger list` and `tongxin ledger export` against a real database: the lines
they print and their exit codes (0 done, 1 a user error in one line, 2 usage)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import asyncpg
import openpyxl
import pytest
from typer.testing import CliRunner, Result

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
        ["monthly", "stats_monthly"],
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
