"""`tongxin demo` while the previous embedded server is still shutting down: it waits
for that server to be gone and starts a new one, or, if it takes too long, says so in
one line and exits 1; never pgserver's traceback (`assert ... status == 'ready'`).

Each test has a real cluster in a temporary TONGXIN_DATA_DIR, started by another
process as a previous run would, and keeps it shutting down: a smart shutdown
(SIGTERM) waits for the test's own client to leave.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest
from typer.testing import CliRunner

from db.core import stopping_server
from db.core.stopping_server import WAITING, live_postmaster
from tests.e2e.conftest import stop_cluster
from tui.cli import app

START = "from db.core.connect import embedded_dsn; print(embedded_dsn('postgres'), flush=True)"
runner = CliRunner()


@dataclass
class StoppingServer:
    """A data directory whose server shuts down until `client` leaves."""

    data_dir: Path
    pid: int
    client: asyncpg.Connection


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("TONGXIN_DSN", "TONGXIN_KEY_FILE")}
    return env | {"TONGXIN_DATA_DIR": str(data_dir)}


async def _python(code: str, data_dir: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-c", code, env=_env(data_dir),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


@pytest.fixture
async def stopping() -> AsyncIterator[StoppingServer]:
    root = Path(tempfile.mkdtemp(prefix="tongxin-stopping-"))
    data = root / "data"
    data.mkdir()
    try:
        started = await _python(START, data)
        out, err = await asyncio.wait_for(started.communicate(), 120)
        assert started.returncode == 0, err.decode()
        client = await asyncpg.connect(out.decode().strip())
        postmaster = live_postmaster(data / "pgdata")
        assert postmaster is not None
        assert postmaster.status == "ready"
        os.kill(postmaster.pid, signal.SIGTERM)
        for _ in range(200):
            postmaster = live_postmaster(data / "pgdata")
            if postmaster is not None and postmaster.status == "stopping":
                break
            await asyncio.sleep(0.05)  # another process's state: poll it
        assert postmaster is not None
        assert postmaster.status == "stopping"
        yield StoppingServer(data, postmaster.pid, client)
        await client.close()
    finally:
        await asyncio.to_thread(stop_cluster, data / "pgdata")
        shutil.rmtree(root, ignore_errors=True)


async def test_demo_waits_for_the_previous_server_then_starts_a_new_one(
    stopping: StoppingServer,
) -> None:
    # What `tongxin demo` runs first, with its way of saying that it waits.
    demo = await _python(
        "from db.core.connect import embedded_dsn; print(embedded_dsn(say=print), flush=True)",
        stopping.data_dir,
    )
    assert demo.stdout is not None
    first = await asyncio.wait_for(demo.stdout.readline(), 60)
    assert first.decode().strip() == WAITING
    await stopping.client.close()  # the last client leaves: the old server stops
    out, err = await asyncio.wait_for(demo.communicate(), 120)
    assert demo.returncode == 0, err.decode()
    postmaster = live_postmaster(stopping.data_dir / "pgdata")
    assert postmaster is not None
    assert postmaster.status == "ready"
    assert postmaster.pid != stopping.pid
    conn = await asyncpg.connect(out.decode().strip())
    try:
        assert await conn.fetchval("SELECT 1") == 1
    finally:
        await conn.close()


async def test_demo_says_in_one_line_that_the_previous_server_still_stops(
    stopping: StoppingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stopping_server, "STOP_WAIT_SECONDS", 1.0)
    monkeypatch.setenv("TONGXIN_DATA_DIR", str(stopping.data_dir))
    monkeypatch.delenv("TONGXIN_DSN", raising=False)
    monkeypatch.delenv("TONGXIN_KEY_FILE", raising=False)
    result = await asyncio.to_thread(runner.invoke, app, ["demo", "--persons", "0"])
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"tongxin: {WAITING}",
        f"tongxin: the previous database server (PID {stopping.pid}) is still shutting down "
        "after 1 s, probably waiting for its clients to leave; close them, or try again later",
    ]


async def test_db_stop_stops_the_embedded_server_and_says_so() -> None:
    root = Path(tempfile.mkdtemp(prefix="tongxin-stop-"))
    data = root / "data"
    data.mkdir()
    try:
        started = await _python(START, data)
        _out, err = await asyncio.wait_for(started.communicate(), 120)
        assert started.returncode == 0, err.decode()
        assert live_postmaster(data / "pgdata") is not None
        env = _env(data)
        result = await asyncio.to_thread(runner.invoke, app, ["db", "stop"], env=env)
        assert (result.exit_code, result.output) == (0, "stopped the embedded database server\n")
        assert live_postmaster(data / "pgdata") is None
        again = await asyncio.to_thread(runner.invoke, app, ["db", "stop"], env=env)
        assert again.output == "the embedded database server is not running\n"
        elsewhere = await asyncio.to_thread(
            runner.invoke, app, ["db", "stop"], env=env | {"TONGXIN_DSN": "postgresql:///x"}
        )
        assert elsewhere.exit_code == 1
        assert "TONGXIN_DSN is set" in elsewhere.output
    finally:
        await asyncio.to_thread(stop_cluster, data / "pgdata")
        shutil.rmtree(root, ignore_errors=True)
