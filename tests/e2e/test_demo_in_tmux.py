"""`tongxin demo` in a real 80x24 terminal: first run builds the database, keys work."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import stop_cluster
from tests.e2e.tmux import Terminal

TONGXIN = str(Path(sys.executable).with_name("tongxin"))
MASKED_ID = re.compile(r"\d{4}\*{14}")


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    """The demo's data directory; the cluster the demo starts there is stopped after."""
    data = tmp_path / "data"
    yield data
    stop_cluster(data / "pgdata")


def _demo(data_dir: Path, *args: str) -> Terminal:
    data_dir.mkdir(exist_ok=True)
    return Terminal(
        ["env", "-u", "TONGXIN_DSN", "-u", "TONGXIN_KEY_FILE", f"TONGXIN_DATA_DIR={data_dir}",
         "LANG=C.UTF-8", TONGXIN, "demo", "--persons", "300", *args],
    )  # fmt: skip


def test_demo_opens_on_the_grid_workers_home_then_the_list_and_quits(data_dir: Path) -> None:
    term = _demo(data_dir, "--as", "demo_grid")
    try:
        term.wait_for(lambda s: "首页：我的待办" in s, timeout=120)
        term.keys("l")
        screen = term.wait_for(lambda s: bool(MASKED_ID.search(s)), timeout=60)
        assert "同心" in screen
        assert not re.search(r"\b\d{17}[\dX]\b", screen), "no full ID number on screen"
        term.keys("?")
        help_screen = term.wait_for(lambda s: "关闭" in s)
        assert "退出" in help_screen
        # Esc right before another key reads as Alt+key over a terminal; close with Enter.
        term.keys("Enter")
        term.wait_for(lambda s: "关闭" not in s)
        term.keys("q")
        term.wait_for(lambda s: not term.alive(), timeout=20)
    finally:
        term.close()
    assert (data_dir / "tongxin.key").stat().st_mode & 0o077 == 0


def test_demo_without_as_asks_whom_to_be_then_opens_as_that_user(data_dir: Path) -> None:
    term = _demo(data_dir)
    try:
        # The heading shows at once, the users once they are read from the database.
        chooser = term.wait_for(
            lambda s: "请选择以哪位演示用户的身份进入" in s and "demo_admin" in s, timeout=120
        )
        for role in ("网格员", "审核人", "审计员", "系统管理员"):
            assert role in chooser
        term.keys("2")
        screen = term.wait_for(lambda s: "辖区概览" in s)  # the supervisor's dashboard
        assert "demo_supervisor" in screen  # the header names who is working
        term.keys("q")
        term.wait_for(lambda s: not term.alive(), timeout=20)
    finally:
        term.close()
