"""Fixtures for the app under Pilot: demo data on a fresh database, and waiting without sleeps."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import date

import asyncpg
import pytest
from textual import events
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input, Select
from textual.worker import WorkerFailed

from db.keys.crypto import Keyring
from db.users import AppUser, RoleKind, add_user
from seeds.demo import seed_demo
from tests.conftest import copy_of, data_template
from tests.tui.fixed_people import FIRST_TWO_GRIDS, insert_fixed_people, insert_fixed_queue
from tui.app import TongxinApp
from tui.screens.first_lines import FirstScreen
from tui.screens.person_list import PersonListScreen
from tui.widgets.person_table import PersonTable

TODAY = date(2026, 11, 1)
DEMO_PERSONS = 200
DEMO_SEED = 1


@pytest.fixture(scope="session")
async def demo_template(pg_admin_dsn: str, template_dsn: str, keyring: Keyring) -> str:
    """The 200 deterministic demo persons (seed 1, today 2026-11-01), loaded once."""

    async def fill(conn: asyncpg.Connection) -> None:
        await seed_demo(conn, keyring, persons=DEMO_PERSONS, seed=DEMO_SEED, today=TODAY)

    return await data_template(pg_admin_dsn, "tongxin_demo_template", fill)


@pytest.fixture
async def demo_dsn(pg_admin_dsn: str, demo_template: str) -> AsyncIterator[str]:
    """A fresh database with the demo persons of `demo_template`."""
    async with copy_of(pg_admin_dsn, demo_template) as dsn:
        yield dsn


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
            # With no worker left, no screen may still keep the keys typed for it.
            keys = getattr(app, "keys", None)
            assert keys is None or not keys.waits(app.screen), f"{app.screen!r} keeps the keys"
            for box in app.screen.query("Input, TextArea"):
                box.cursor_blink = False  # type: ignore[attr-defined]
            return
    raise AssertionError("the app did not settle")


async def start_on_list(pilot: Pilot[object]) -> None:
    """Settle on the first screen, and from a grid worker's home or a supervisor's
    dashboard go on to the person list with `l`, as they would (others start there)."""
    await settle(pilot)
    if isinstance(pilot.app.screen, FirstScreen):
        await pilot.press("l")
        await settle(pilot)


def list_screen(app: TongxinApp) -> PersonListScreen:
    screen = app.screen
    assert isinstance(screen, PersonListScreen), f"expected the person list, got {screen!r}"
    return screen


def screen_text(app: TongxinApp) -> str:
    """What the terminal shows now, as plain text, one line per row."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)


def shown_rows(app: TongxinApp) -> list[list[str]]:
    """The cells of every row of the person table, in its COLUMNS order ("" for a column
    not shown at this width)."""
    table = list_screen(app).query_one(PersonTable)
    return [table.row_cells(i) for i in range(table.row_count)]


def shown_names(app: TongxinApp) -> list[str]:
    return [row[1] for row in shown_rows(app)]


async def add_app_user(
    dsn: str, kind: RoleKind = "grid_worker", org_code: str | None = None, display_name: str = ""
) -> AppUser:
    """A new app user (role names are cluster-wide, so each gets a fresh one); by default
    a grid worker of the grid that holds the first demo person."""
    conn = await asyncpg.connect(dsn)
    try:
        org = org_code or await conn.fetchval("SELECT min(org_code) FROM person")
        user = await add_user(conn, f"t_{uuid.uuid4().hex[:10]}", kind, org, display_name)
    finally:
        await conn.close()
    return user


def type_ahead(app: App[object], *keys: str) -> None:
    """Queue key presses all at once, as one read over SSH delivers them: none is
    handled before the next is queued. A key is a name ("enter") or one character."""
    for key in keys:
        character = {"slash": "/", "space": " "}.get(key, key if len(key) == 1 else None)
        app.post_message(events.Key(key, character))


async def type_text(pilot: Pilot[object], text: str) -> None:
    """Type into the focused box: ASCII key by key, Chinese whole, as an input method does."""
    if text.isascii():
        await pilot.press(*("space" if c == " " else c for c in text))
    else:
        focused = pilot.app.focused
        assert isinstance(focused, Input), f"typing needs a focused box, not {focused!r}"
        focused.insert_text_at_cursor(text)
    await pilot.pause()


async def tab_to(pilot: Pilot[object], box_id: str, limit: int = 30) -> None:
    """Press Tab until the box with `box_id` has the focus."""
    for _ in range(limit):
        focused = pilot.app.focused
        if focused is not None and focused.id == box_id:
            return
        await pilot.press("tab")
    raise AssertionError(f"Tab never reached #{box_id}")


async def fetch(dsn: str, query: str, *args: object) -> list[asyncpg.Record]:
    """Read the database as its owner, to check what the app stored."""
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetch(query, *args)
    finally:
        await conn.close()


def notices(app: TongxinApp) -> list[str]:
    """The messages of the notifications the app has shown (and not yet cleared)."""
    return [n.message for n in app._notifications]


async def fill_boxes(pilot: Pilot[object], boxes: dict[str, str]) -> None:
    """Type into each named box of a form, reached with Tab and cleared with ctrl+u;
    a choice box (Select) is opened with Enter and walked with ↓ to the option."""
    for name, text in boxes.items():
        await tab_to(pilot, f"box-{name}")
        box = pilot.app.focused
        if isinstance(box, Select):
            values = [value for _label, value in box._options]
            await pilot.press("enter", *(["down"] * values.index(text)), "enter")
            assert box.value == text, (name, box.value)
            continue
        await pilot.press("end", "ctrl+u")
        await type_text(pilot, text)


@pytest.fixture
async def queue_supervisor(fixed_dsn: str) -> AppUser:
    """A street supervisor with the fixed review queue (fixed_people.QUEUE) waiting: three
    visits by 张网格 and 李网格 of the first two grids, the first returned once before."""
    conn = await asyncpg.connect(fixed_dsn)
    try:
        grids = [r["code"] for r in await conn.fetch(FIRST_TWO_GRIDS)]
    finally:
        await conn.close()
    workers = [
        await add_app_user(fixed_dsn, org_code=grid, display_name=name)
        for grid, name in zip(grids, ("张网格", "李网格"), strict=True)
    ]
    conn = await asyncpg.connect(fixed_dsn)
    try:
        await insert_fixed_queue(conn, [worker.pg_role for worker in workers])
    finally:
        await conn.close()
    return await add_app_user(fixed_dsn, "supervisor", grids[0][:9], display_name="王审核")
