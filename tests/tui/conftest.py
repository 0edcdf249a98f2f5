"""Fixtures for the app under Pilot: demo data on a fresh database, and waiting without sleeps."""

from __future__ import annotations

import contextlib
from datetime import date

import asyncpg
import pytest
from textual.pilot import Pilot
from textual.widgets import Input
from textual.worker import WorkerFailed

from db.crypto import Keyring
from seeds.demo import seed_demo
from tests.tui.fixed_people import insert_fixed_people
from tui.app import TongxinApp
from tui.screens.person_list import PersonListScreen
from tui.widgets.person_table import PersonTable

TODAY = date(2026, 11, 1)
DEMO_PERSONS = 200
DEMO_SEED = 1


@pytest.fixture
async def demo_dsn(db_dsn: str, keyring: Keyring) -> str:
    """A fresh database with 200 deterministic demo persons (seed 1, today 2026-11-01)."""
    conn = await asyncpg.connect(db_dsn)
    try:
        await seed_demo(conn, keyring, persons=DEMO_PERSONS, seed=DEMO_SEED, today=TODAY)
    finally:
        await conn.close()
    return db_dsn


@pytest.fixture
async def fixed_dsn(db_dsn: str) -> str:
    """A fresh database with the 40 hand-written persons of fixed_people (for snapshots)."""
    conn = await asyncpg.connect(db_dsn)
    try:
        await insert_fixed_people(conn)
    finally:
        await conn.close()
    return db_dsn


async def settle(pilot: Pilot[object]) -> None:
    """Wait until no worker is running and every message is handled, twice in a row.

    A worker's result arrives as a message that may start the next worker (pool
    opened → list loads), so one wait is not enough; a bounded loop is.
    """
    app = pilot.app
    quiet = 0
    for _ in range(100):
        with contextlib.suppress(WorkerFailed):  # the app reports those; we only wait
            await app.workers.wait_for_complete()
        await pilot.pause()
        busy = any(not worker.is_finished for worker in app.workers)
        quiet = 0 if busy else quiet + 1
        if quiet == 2:
            for box in app.screen.query(Input):
                box.cursor_blink = False
            return
    raise AssertionError("the app did not settle")


def list_screen(app: TongxinApp) -> PersonListScreen:
    screen = app.screen
    assert isinstance(screen, PersonListScreen), f"expected the person list, got {screen!r}"
    return screen


def screen_text(app: TongxinApp) -> str:
    """What the terminal shows now, as plain text, one line per row."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)


def shown_rows(app: TongxinApp) -> list[list[str]]:
    """The cells of every row of the person table (including columns scrolled out of view)."""
    table = list_screen(app).query_one(PersonTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def shown_names(app: TongxinApp) -> list[str]:
    return [row[1] for row in shown_rows(app)]
