"""The app acts as the logged-in app user: row-level security decides what the list shows."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from db.keys.crypto import DataKey, Keyring
from db.users import add_user
from tests.tui.conftest import list_screen, screen_text, settle, shown_rows, start_on_list
from tui.app import TongxinApp


async def _grid_worker(dsn: str) -> tuple[str, str, int]:
    """A new grid worker in the first demo grid: (login, grid code, persons in that grid)."""
    conn = await asyncpg.connect(dsn)
    try:
        grid = await conn.fetchval(
            "SELECT org_code FROM person GROUP BY org_code ORDER BY org_code LIMIT 1"
        )
        in_grid = await conn.fetchval("SELECT count(*) FROM person WHERE org_code = $1", grid)
        name = f"wang_{uuid.uuid4().hex[:8]}"  # roles are cluster-wide
        await add_user(conn, name, "grid_worker", grid, "王芳")
    finally:
        await conn.close()
    return name, grid, in_grid


@pytest.mark.parametrize("wider", [False, True])
async def test_a_grid_worker_sees_only_their_grid(
    demo_dsn: str, keyring: Keyring, wider: bool
) -> None:
    login, grid, in_grid = await _grid_worker(demo_dsn)
    assert 0 < in_grid < 200
    # Asking for the whole city changes nothing: the database, not the screen, limits the rows.
    scope = grid[:4] if wider else ""
    app = TongxinApp(demo_dsn, keyring=keyring, login=login, scope=scope)
    async with app.run_test(size=(120, 40)) as pilot:
        await start_on_list(pilot)
        screen = list_screen(app)
        assert screen.scope == (scope or grid)
        assert f"辖区内共 {in_grid} 人" in screen_text(app)
        assert login in screen_text(app)  # the header names who is working
        seen, grids = [], set()
        while True:
            seen += shown_rows(app)
            assert screen.page is not None
            grids |= {row.org_code for row in screen.page.rows}
            if not screen.page.has_after:
                break
            await pilot.press("n")
            await settle(pilot)
        assert len(seen) == in_grid
        assert grids == {grid}


async def test_an_unknown_login_is_refused_in_one_line(demo_dsn: str, keyring: Keyring) -> None:
    app = TongxinApp(demo_dsn, keyring=keyring, login="nobody_here")
    async with app.run_test(size=(80, 24)) as pilot:
        await start_on_list(pilot)
        errors = [n.message for n in app._notifications if n.severity == "error"]
        assert errors == [errors[0]]
        assert "nobody_here is not a tongxin user here" in errors[0]
        assert "\n" not in errors[0]
        assert app.pool is None
        assert "无法连接数据库" in screen_text(app)


async def test_a_key_file_that_is_not_the_databases_is_refused_in_one_line(
    demo_dsn: str, keyring: Keyring
) -> None:
    login, _grid, _in_grid = await _grid_worker(demo_dsn)
    stranger = DataKey.generate()  # a new key, as a lost key file would be replaced by
    app = TongxinApp(demo_dsn, keyring=Keyring([stranger], stranger.key_id), login=login)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_on_list(pilot)
        errors = [n.message for n in app._notifications if n.severity == "error"]
        assert len(errors) == 1, errors
        assert f"lacks key {keyring.active.key_id}" in errors[0]
        assert "\n" not in errors[0]
        assert app.pool is None
        assert app.session is None
        assert "无法连接数据库" in screen_text(app)
