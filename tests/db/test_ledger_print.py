"""Ledgers exported to Excel print as the paper 台账 do: the workbook rendered to PDF by
LibreOffice Calc and read back with poppler (pdfinfo, pdftotext). Every page A4
landscape and one page wide, with the title and the Chinese headers repeated and a
footer numbering it among all the pages; every row printed once, in order, its text
whole (wrapped, never cut off); the signature line after the last row."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import openpyxl
import pytest

from db.keys.crypto import Keyring
from seeds.demo import seed_demo
from seeds.demo_disputes import seed_disputes
from tests.db.test_cli_ledgers import DEMO_DAY, PURPOSE, _invoke, _one_line

A4_LANDSCAPE = (842.0, 595.0)  # points
RENDER_SECONDS = 180
SIGNATURE = re.compile(r"制表人：_+\s+审核人：_+\s+日期：_+年_+月_+日")


def _run(*args: str, timeout: float = 60) -> str:
    """A command's output; on a timeout its whole process group goes (soffice forks)."""
    process = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise
    assert process.returncode == 0, f"{args[0]} exited {process.returncode}: {err}"
    return out


@dataclass
class Sheet:
    """What the workbook holds, read with openpyxl, to compare the print with."""

    title: str
    headers: list[str]
    rows: list[list[Any]]  # the numbered rows, in order
    generated: str  # the footer's left part: who made it, when

    @classmethod
    def read(cls, path: Path) -> Sheet:
        sheet = openpyxl.load_workbook(path).worksheets[0]
        rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)
                if isinstance(row[0].value, int)]  # fmt: skip
        return cls(sheet["A1"].value, [c.value for c in sheet[3]], rows,
                   sheet.oddFooter.left.text)  # fmt: skip


@dataclass
class Printed:
    """The PDF LibreOffice Calc prints of a workbook: each page's size and text."""

    sizes: list[tuple[float, float]]
    pages: list[list[str]]  # each page's lines, as pdftotext -layout lays them out

    @classmethod
    def render(cls, workbook: Path, directory: Path) -> Printed:
        for tool in ("soffice", "pdfinfo", "pdftotext"):
            assert shutil.which(tool), f"{tool} is not installed (.ci/run installs it)"
        profile = directory / "libreoffice-profile"  # of this test alone
        out = directory / "pdf"
        _run(
            "soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless",
            "--convert-to", "pdf", "--outdir", str(out), str(workbook), timeout=RENDER_SECONDS,
        )  # fmt: skip
        pdf = out / f"{workbook.stem}.pdf"
        assert pdf.is_file(), f"LibreOffice wrote no {pdf.name}"
        count = re.search(r"^Pages:\s+(\d+)$", _run("pdfinfo", str(pdf)), re.M)
        assert count, f"pdfinfo found no pages in {pdf.name}"
        pages = int(count[1])
        sizes = re.findall(
            r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts",
            _run("pdfinfo", "-f", "1", "-l", str(pages), str(pdf)), re.M,
        )  # fmt: skip
        texts = [_run("pdftotext", "-layout", "-f", str(n), "-l", str(n), str(pdf), "-")
                 for n in range(1, pages + 1)]  # fmt: skip
        return cls([(float(w), float(h)) for w, h in sizes],
                   [text.splitlines() for text in texts])  # fmt: skip


def _printed_whole(value: str, lines: Sequence[str]) -> bool:
    """Whether the value is printed on these lines, from the first on: all of it on the
    first, or wrapped, each line holding the next piece of it."""
    rest = value
    for line in lines:
        taken = next((n for n in range(len(rest), 0, -1) if rest[:n] in line), 0)
        if taken == 0:
            return False
        rest = rest[taken:]
        if not rest:
            return True
    return False


def _check_print(printed: Printed, sheet: Sheet, chain: str) -> None:
    """Every page A4 landscape with the headings and the footer; every row once, whole,
    in order; the signature line on the last page, after the last row."""
    pages = printed.pages
    assert len(printed.sizes) == len(pages)
    for n, (width, height) in enumerate(printed.sizes, start=1):
        assert abs(width - A4_LANDSCAPE[0]) <= 1, n
        assert abs(height - A4_LANDSCAPE[1]) <= 1, n
    # The headers on one printed line, first to last: one page wide, none left over for
    # a page of its own.
    header_line = re.compile(r"\s+".join(map(re.escape, sheet.headers)))
    number = 0  # the last row found
    last_row_line = -1
    for n, lines in enumerate(pages, start=1):
        assert any(ln.strip() == sheet.title for ln in lines), n
        assert any(header_line.search(ln) for ln in lines), n
        footer = [ln for ln in lines if ln.strip()][-1]  # the page's last line of print
        assert f"第 {n} 页，共 {len(pages)} 页" in footer, n
        assert sheet.generated in footer, n
        assert chain in footer, n
        for i, ln in enumerate(lines):
            if ln.split(maxsplit=1)[:1] != [str(number + 1)]:
                continue
            number, last_row_line = number + 1, i
            # The row's lines: this one, and those its wrapped cells go on to.
            block = [ln]
            for more in lines[i + 1 :]:
                if not more.strip() or more.split(maxsplit=1)[0] == str(number + 1):
                    break
                block.append(more)
            for value in sheet.rows[number - 1][1:]:
                if isinstance(value, str):
                    assert _printed_whole(value, block), (n, number, value, block)
    assert number == len(sheet.rows)
    *before, last = pages
    signed = [i for i, ln in enumerate(last) if SIGNATURE.search(ln)]
    assert len(signed) == 1
    assert signed[0] > last_row_line
    assert not any("制表人" in ln for page in before for ln in page)


@pytest.fixture
async def city(
    db_dsn: str, conn: asyncpg.Connection, keyring: Keyring, monkeypatch: pytest.MonkeyPatch
) -> str:
    """The demo's first city, its sweeps and cases as of the demo's day."""
    monkeypatch.setenv("TONGXIN_DSN", db_dsn)
    await seed_demo(conn, keyring, persons=300, seed=1, today=DEMO_DAY)
    await seed_disputes(conn, seed=7, today=DEMO_DAY)
    return str(await conn.fetchval("SELECT min(left(code, 4)) FROM org_unit WHERE is_demo"))


async def _export(tmp_path: Path, *args: str) -> tuple[Path, str]:
    """The workbook `tongxin ledger export` writes, and its footer's audit chain text."""
    target = tmp_path / "x.xlsx"
    line = _one_line(await _invoke("ledger", "export", *args, "--format", "xlsx",
                                   "-o", str(target), "--purpose", PURPOSE), 0)  # fmt: skip
    return target, "审计链 " + line.rsplit("audit chain head ", 1)[1]


async def test_the_sweeps_of_a_month_print_on_pages_each_headed_numbered_and_one_wide(
    city: str, tmp_path: Path
) -> None:
    target, chain = await _export(tmp_path, "sweeps", "--org", city, "--month", "2026-10")
    sheet = Sheet.read(target)
    printed = await asyncio.to_thread(Printed.render, target, tmp_path)
    assert len(printed.pages) >= 3
    assert sheet.headers[0] == "序号"
    assert sheet.headers[-1] == "排查数"
    _check_print(printed, sheet, chain)


async def test_the_registry_prints_every_address_whole(city: str, tmp_path: Path) -> None:
    target, chain = await _export(tmp_path, "registry", "--org", city)
    sheet = Sheet.read(target)
    address = sheet.headers.index("户籍地详址")
    assert max(len(row[address] or "") for row in sheet.rows) > 20  # wider than its column
    printed = await asyncio.to_thread(Printed.render, target, tmp_path)
    _check_print(printed, sheet, chain)
