"""App start to the first usable screen, and resident memory, against a bare Textual app.

Targets (DESIGN.md): start ≤ 1.5 × a bare Textual app started the same way; resident
memory per session ≤ 64 MB. Both programs run with this interpreter in a detached
80x24 tmux pane; the clock runs from `tmux new-session` until the pane shows the
status line of a loaded first page ("第 1 页"), polling `tmux capture-pane`. The app
is `tongxin tui` as a grid worker on TONGXIN_DSN (the deployed path: no embedded
server in the app's process); memory is the app process's RSS once the list is up,
again after a record was opened and closed, and after its edit form and a new
visit's form were.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import asyncpg
import psutil

from bench.cluster import bench_dsn, machine, seeded
from db.keys.crypto import DataKey, Keyring, save_keyring
from db.users import add_user
from tests.e2e.tmux import Terminal

TODAY = date(2026, 11, 1)
READY = "第 1 页"
TONGXIN = str(Path(sys.executable).with_name("tongxin"))
BARE = [sys.executable, str(Path(__file__).with_name("bare_app.py"))]


@dataclass(frozen=True)
class Run:
    seconds: float
    rss_mb: float
    rss_after_record_mb: float | None
    rss_after_forms_mb: float | None


class Pane(Terminal):
    """The tmux driver of the end-to-end tests, polling often enough to time a start."""

    POLL = 0.01

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        super().__init__(["env", *(f"{k}={v}" for k, v in env.items()), *command])

    def step(self, key: str, shown: str) -> None:
        """Press `key`, then wait until the pane shows `shown`."""
        self.keys(key)
        self.wait_for(lambda s: shown in s)

    def settled_rss_mb(self) -> float:
        time.sleep(1.0)  # let the last frame's work finish before reading memory
        return self.rss_mb()

    def rss_mb(self) -> float:
        pid = subprocess.run(
            [*self.tmux, "display-message", "-p", "-t", self.name, "#{pane_pid}"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        process = psutil.Process(int(pid))
        tree = [process, *process.children(recursive=True)]
        return max(p.memory_info().rss for p in tree) / 2**20


def _measure(command: list[str], env: dict[str, str], *, open_record: bool) -> Run:
    started = time.perf_counter()
    pane = Pane(command, env)
    try:
        pane.wait_for(lambda s: READY in s)
        seconds = time.perf_counter() - started
        rss = pane.settled_rss_mb()
        after_record = after_forms = None
        if open_record:
            pane.step("o", "基本信息")
            pane.step("Escape", READY)
            after_record = pane.settled_rss_mb()
            # The edit form unseals the ID and phone (the cipher library comes in), then
            # a new visit's form.
            pane.step("o", "基本信息")
            pane.step("e", "的信息")  # the title "修改 … 的信息"
            pane.step("Escape", "基本信息")
            pane.step("v", "情况记录")
            pane.step("Escape", "基本信息")
            pane.step("Escape", READY)
            after_forms = pane.settled_rss_mb()
        return Run(seconds, rss, after_record, after_forms)
    finally:
        pane.close()


async def _prepare(dsn: str, persons: int, key_file: Path) -> str:
    key = DataKey.generate()
    keys = Keyring([key], key.key_id)
    save_keyring(keys, key_file)
    conn = await asyncpg.connect(dsn)
    try:
        await seeded(conn, keys, persons, TODAY)
        grid = await conn.fetchval(
            "SELECT org_code FROM person GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
        )
        await add_user(conn, "bench_grid", "grid_worker", grid)
        return str(grid)
    finally:
        await conn.close()


def _summary(label: str, runs: list[Run]) -> tuple[float, float]:
    seconds = statistics.median(r.seconds for r in runs)
    rss = statistics.median(r.rss_mb for r in runs)
    times = ", ".join(f"{r.seconds:.2f}" for r in runs)
    print(f"{label:28} start median {seconds:5.2f} s ({times})  RSS median {rss:5.1f} MB")
    return seconds, rss


def main(persons: int = 20_000, runs: int = 5) -> None:
    with bench_dsn() as dsn, tempfile.TemporaryDirectory(prefix="tongxin-bench-") as tmp:
        key_file = Path(tmp) / "keys.json"
        grid = asyncio.run(_prepare(dsn, persons, key_file))
        env = {"LANG": "C.UTF-8", "TERM": os.environ.get("TERM", "xterm-256color")}
        app_env = env | {"TONGXIN_DSN": dsn, "TONGXIN_KEY_FILE": str(key_file)}
        print(f"machine: {machine()}")
        print(f"persons: {persons:,}; grid {grid}; {runs} runs each, alternating")
        # A session that outlives the runs: killing the last session stops the tmux
        # server, and a new session started at that moment fails.
        holder = Pane(["sleep", "3600"], env)
        try:
            app: list[Run] = []
            bare: list[Run] = []
            _measure(BARE, env, open_record=False)  # warm the interpreter's file cache
            # Alternate the two so that a busy moment on the machine hits both alike.
            for _ in range(runs):
                bare.append(_measure(BARE, env, open_record=False))
                command = [TONGXIN, "tui", "--as", "bench_grid"]
                app.append(_measure(command, app_env, open_record=True))
        finally:
            holder.close()
        bare_s, bare_mb = _summary("bare Textual app, a table", bare)
        app_s, app_mb = _summary("tongxin, grid worker list", app)
        record = statistics.median(r.rss_after_record_mb or 0.0 for r in app)
        forms = statistics.median(r.rss_after_forms_mb or 0.0 for r in app)
        print(f"tongxin RSS after a record was opened and closed: median {record:.1f} MB")
        print(f"tongxin RSS after its edit form and a visit form: median {forms:.1f} MB")
        print(f"start ratio {app_s / bare_s:.2f} (target ≤ 1.5); "
              f"RSS ratio {app_mb / bare_mb:.2f}; RSS at most {max(app_mb, record, forms):.1f} MB "
              f"(target ≤ 64 MB)")  # fmt: skip
