"""`tongxin demo` without --as: a first screen offers the four demo users, and the
choice logs in as that user exactly as --as would."""

from __future__ import annotations

from collections.abc import Callable

import asyncpg
import pytest
from textual.pilot import Pilot

from db.keys.crypto import Keyring
from seeds.bootstrap import DEMO_USER_NAMES, ensure_demo_users
from tests.tui.conftest import list_screen, screen_text, settle, start_on_list, type_ahead
from tui.app import TongxinApp
from tui.screens.dashboard import DashboardScreen
from tui.screens.home import HomeScreen
from tui.screens.person_list import PersonListScreen
from tui.screens.user_chooser import UserChooserScreen

SnapCompare = Callable[..., bool]

# Where each demo user lands once chosen.
FIRST_SCREENS: dict[str, type] = {
    "demo_grid": HomeScreen,
    "demo_supervisor": DashboardScreen,
    "demo_auditor": PersonListScreen,
    "demo_admin": PersonListScreen,
}


async def _with_demo_users(dsn: str) -> str:
    conn = await asyncpg.connect(dsn)
    try:
        await ensure_demo_users(conn)
    finally:
        await conn.close()
    return dsn


@pytest.fixture
async def demo_users_dsn(demo_dsn: str) -> str:
    return await _with_demo_users(demo_dsn)


@pytest.fixture
async def fixed_users_dsn(fixed_dsn: str) -> str:
    return await _with_demo_users(fixed_dsn)


def _chooser(dsn: str, keyring: Keyring, lang: str = "zh_CN") -> TongxinApp:
    return TongxinApp(dsn, lang=lang, keyring=keyring, choose_from=DEMO_USER_NAMES)


async def test_the_first_screen_offers_each_kind_in_chinese_and_english(
    demo_users_dsn: str, keyring: Keyring
) -> None:
    app = _chooser(demo_users_dsn, keyring)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, UserChooserScreen)
        text = screen_text(app)
        for role in ("网格员", "审核人", "审计员", "系统管理员"):
            assert role in text
        assert "登记人员，记录走访和电话联系，提交审核" in text
        assert text.index("demo_grid") < text.index("demo_supervisor")
        assert text.index("demo_supervisor") < text.index("demo_auditor")
        assert text.index("demo_auditor") < text.index("demo_admin")
        assert app.user is None
        assert app.session is None
        await pilot.press("ctrl+l")
        await settle(pilot)
        text = screen_text(app)
        for role in ("Grid worker", "Supervisor", "Auditor", "Administrator"):
            assert role in text
        assert "Reads the records and the audit trail; changes nothing" in text


async def test_its_keys_are_in_the_help(demo_users_dsn: str, keyring: Keyring) -> None:
    app = _chooser(demo_users_dsn, keyring)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        text = screen_text(app)
        assert "以该编号的用户身份进入" in text
        assert "以选中的用户身份进入" in text
        assert "1-4" in text


@pytest.mark.parametrize(
    ("keys", "chosen"),
    [
        (["1"], "demo_grid"),
        (["4"], "demo_admin"),
        (["down", "down", "enter"], "demo_auditor"),
        (["down", "down", "up", "enter"], "demo_supervisor"),
        (["enter"], "demo_grid"),
    ],
)
async def test_a_key_logs_in_as_the_chosen_user(
    demo_users_dsn: str, keyring: Keyring, keys: list[str], chosen: str
) -> None:
    app = _chooser(demo_users_dsn, keyring)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
        await settle(pilot)
        assert isinstance(app.screen, FIRST_SCREENS[chosen]), app.screen
        assert app.user is not None
        assert app.user.name == chosen
        assert app.session is not None
        assert app.session.user == app.user


async def _as_the_list_shows_it(app: TongxinApp, *keys: str) -> tuple[object, ...]:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
        await start_on_list(pilot)
        screen = list_screen(app)
        status = screen_text(app).splitlines()[-2]
        assert app.session is not None
        return app.user, screen.scope, app.sub_title, status, app.session.reviews


async def test_the_choice_works_as_the_as_option_does(
    demo_users_dsn: str, keyring: Keyring
) -> None:
    chosen = await _as_the_list_shows_it(_chooser(demo_users_dsn, keyring), "2")
    given = await _as_the_list_shows_it(
        TongxinApp(demo_users_dsn, keyring=keyring, login="demo_supervisor")
    )
    assert chosen == given
    assert "辖区内共" in str(chosen[3])


async def test_without_demo_users_it_says_so(demo_dsn: str, keyring: Keyring) -> None:
    app = _chooser(demo_dsn, keyring)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("1", "enter")
        await settle(pilot)
        assert isinstance(app.screen, UserChooserScreen)
        assert "这里没有演示用户" in screen_text(app)
        assert app.user is None


@pytest.mark.parametrize("lang", ["zh_CN", "en"], ids=["zh", "en"])
def test_chooser_80x24(
    snap_compare: SnapCompare, fixed_users_dsn: str, keyring: Keyring, lang: str
) -> None:
    async def chosen_second(pilot: Pilot[object]) -> None:
        await settle(pilot)
        await pilot.press("down")
        await settle(pilot)

    app = _chooser(fixed_users_dsn, keyring, lang)
    assert snap_compare(app, terminal_size=(80, 24), run_before=chosen_second)


async def test_a_number_typed_before_the_users_are_shown_chooses_from_them(
    demo_users_dsn: str, keyring: Keyring
) -> None:
    app = _chooser(demo_users_dsn, keyring)
    blocker = await asyncpg.connect(demo_users_dsn)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            async with blocker.transaction():
                await blocker.execute("LOCK TABLE app_user IN ACCESS EXCLUSIVE MODE")
                type_ahead(app, "down", "enter")  # while the app connects and the users load
                for _ in range(200):
                    if isinstance(app.screen, UserChooserScreen):
                        break
                    await pilot.pause()
                assert isinstance(app.screen, UserChooserScreen)
                assert app.user is None
            await settle(pilot)
            assert isinstance(app.screen, FIRST_SCREENS[DEMO_USER_NAMES[1]]), app.screen
            assert app.user is not None
            assert app.user.name == DEMO_USER_NAMES[1]
    finally:
        await blocker.close()
