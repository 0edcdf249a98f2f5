"""The database stops under an open form and comes back: a one-line banner says so
(no errno text anywhere), what was typed stays in the boxes, and once the server
answers again the banner goes and the draft is stored.

The test owns its cluster (not the session-wide one of tests/conftest.py), so it
can stop PostgreSQL (a fast shutdown, as `pg_ctl stop` does) and start it again.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import signal
import tempfile
import warnings
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import psutil
import pytest

from db.core.connect import embedded_dsn
from db.core.migrate import migrate
from db.core.stopping_server import live_postmaster
from db.keys.crypto import Keyring
from seeds.demo import seed_demo
from seeds.reference import load_reference
from tests.tui.conftest import (
    DEMO_PERSONS,
    DEMO_SEED,
    TODAY,
    add_app_user,
    fetch,
    fill_boxes,
    screen_text,
    settle,
    start_on_list,
)
from tui.app import TongxinApp
from tui.screens.home import HomeScreen
from tui.screens.person_form import PersonFormScreen

BANNER_ZH = "数据库连接中断，正在重试；已输入的内容不会丢失"
BANNER_EN = "Database unreachable, retrying; nothing typed is lost"


@dataclass
class Cluster:
    """A PostgreSQL cluster of this test's own, and the demo database in it."""

    pgdata: Path
    socket_dir: str
    system_user: str | None
    dsn: str

    def stop(self) -> None:
        """Fast shutdown: clients are cut off, the socket goes; wait until it is down."""
        postmaster = live_postmaster(self.pgdata)
        if postmaster is None:
            return
        process = psutil.Process(postmaster.pid)
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)

    def start(self) -> None:
        """Start it again on the same socket, as pgserver first did."""
        import pgserver

        pgserver.pg_ctl(
            ["-w", "-o", '-h ""', "-o", f"-k {self.socket_dir}",
             "-l", str(self.pgdata / "log"), "start"],
            pgdata=self.pgdata, user=self.system_user, timeout=60,
        )  # fmt: skip


@pytest.fixture
async def own_cluster(keyring: Keyring) -> AsyncIterator[Cluster]:
    root = Path(tempfile.mkdtemp(prefix="tongxin-restart-"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver

        server = pgserver.get_server(str(root / "pgdata"), cleanup_mode=None)
    dsn = embedded_dsn("tongxin", root=root)
    cluster = Cluster(root / "pgdata", dsn.split("host=", 1)[1], server.system_user, dsn)
    try:
        conn = await asyncpg.connect(dsn)
        try:
            await migrate(conn)
            await load_reference(conn)
            await seed_demo(conn, keyring, persons=DEMO_PERSONS, seed=DEMO_SEED, today=TODAY)
        finally:
            await conn.close()
        yield cluster
    finally:
        await asyncio.to_thread(cluster.stop)
        shutil.rmtree(root, ignore_errors=True)


async def _stored_names(dsn: str, keyring: Keyring) -> list[str]:
    rows = await fetch(dsn, "SELECT payload FROM form_draft WHERE form = 'person'")
    return [json.loads(keyring.decrypt("draft", r["payload"]))["form"]["name"] for r in rows]


async def test_a_stopped_database_shows_a_banner_and_the_draft_is_stored_when_it_is_back(
    own_cluster: Cluster, keyring: Keyring
) -> None:
    worker = await add_app_user(own_cluster.dsn)
    app = TongxinApp(own_cluster.dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_on_list(pilot)
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, PersonFormScreen)
        assert BANNER_ZH not in screen_text(app)

        await asyncio.to_thread(own_cluster.stop)
        await fill_boxes(pilot, {"name": "古丽娜尔"})
        form.autosave()  # the timer's tick: the save cannot reach the server
        await settle(pilot)
        text = screen_text(app)
        assert BANNER_ZH in text
        assert "草稿未能保存：数据库无法连接" in text
        assert "Errno" not in text
        assert "No such file" not in text

        app.retry_database()  # a retry while it is still down: the banner stays
        await settle(pilot)
        await fill_boxes(pilot, {"name": "古丽娜尔·吐尔逊"})  # typing goes on meanwhile
        form.autosave()
        await settle(pilot)
        assert BANNER_ZH in screen_text(app)
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert BANNER_EN in screen_text(app)
        await pilot.press("ctrl+l")
        await settle(pilot)
        await pilot.press("f1")  # a dialog over the form: the form's banner stays beneath
        await settle(pilot)
        assert "按键" in screen_text(app)
        assert BANNER_ZH in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)

        await asyncio.to_thread(own_cluster.start)
        app.retry_database()  # the backoff timer's next tick: it answers
        await settle(pilot)
        text = screen_text(app)
        assert BANNER_ZH not in text
        assert "草稿已于" in text  # stored at once on the way back
        assert form.current_form().name == "古丽娜尔·吐尔逊"
    assert await _stored_names(own_cluster.dsn, keyring) == ["古丽娜尔·吐尔逊"]


async def test_the_home_screen_says_the_database_is_away_and_reads_again_once_it_is_back(
    own_cluster: Cluster, keyring: Keyring
) -> None:
    worker = await add_app_user(own_cluster.dsn)
    app = TongxinApp(own_cluster.dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        await asyncio.to_thread(own_cluster.stop)
        await pilot.press("r")
        await settle(pilot)
        text = screen_text(app)
        assert BANNER_ZH in text
        assert "无法加载列表: 数据库无法连接" in text
        assert "Errno" not in text

        await asyncio.to_thread(own_cluster.start)
        app.retry_database()  # the backoff timer's next tick: it answers
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        text = screen_text(app)
        assert BANNER_ZH not in text
        assert "无法加载列表" not in text
        assert "需联系的代表人士" in text
