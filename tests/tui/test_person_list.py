"""The person list under Pilot: loading, masking, search, paging, help, quitting, language."""

from __future__ import annotations

import re

import asyncpg
import pytest
from rich.cells import cell_len
from textual.pilot import Pilot
from textual.widgets import Input
from textual.widgets.data_table import ColumnKey

from db.keys.crypto import Keyring
from db.persons.pinyin import name_pinyin
from tests.tui.conftest import (
    list_screen,
    screen_text,
    settle,
    shown_names,
    shown_rows,
    start_on_list,
    type_ahead,
)
from tui.app import TongxinApp
from tui.dialogs.help import HelpScreen
from tui.widgets.person_table import PersonTable

SMALL = (80, 24)
LARGE = (120, 40)
PLAIN_ID = re.compile(r"\d{17}[\dXx]")


def make_app(dsn: str, keyring: Keyring, lang: str = "zh_CN") -> TongxinApp:
    return TongxinApp(dsn, lang=lang, keyring=keyring, user_label="测试")


async def search_for(pilot: Pilot[None], text: str) -> None:
    """Search the way a user does: `/`, clear the box, type `text`, Enter.

    ASCII is typed key by key; Chinese arrives whole, as an input method delivers it.
    """
    await settle(pilot)
    await pilot.press("slash", "ctrl+u")
    box = pilot.app.screen.query_one("#search", Input)
    assert box.has_focus
    if text.isascii():
        await pilot.press(*text)
    else:
        box.insert_text_at_cursor(text)
    assert box.value == text
    await pilot.press("enter")
    await settle(pilot)


async def test_list_loads_with_masked_identifiers_only(demo_dsn: str, keyring: Keyring) -> None:
    app = make_app(demo_dsn, keyring)
    async with app.run_test(size=SMALL) as pilot:
        await start_on_list(pilot)
        screen = list_screen(app)
        rows = shown_rows(app)
        assert len(rows) == screen._page_size() > 10
        assert all(re.fullmatch(r"(\d{4}\*{14})?", row[5]) for row in rows)
        assert any(row[5] for row in rows)
        assert not PLAIN_ID.search(" ".join(" ".join(row) for row in rows))
        text = screen_text(app)
        assert "**********" in text
        assert not PLAIN_ID.search(text)
        assert "辖区内共 200 人 · 第 1 页" in text
        assert "同心 · 少数民族流动人口服务管理" in text
        assert screen.focused is screen.query_one(PersonTable)


@pytest.mark.parametrize("size", [SMALL, LARGE])
async def test_wide_names_keep_the_columns_aligned(
    demo_dsn: str, keyring: Keyring, size: tuple[int, int]
) -> None:
    app = make_app(demo_dsn, keyring)
    async with app.run_test(size=size) as pilot:
        await search_for(pilot, "·")
        names = shown_names(app)
        assert names
        assert all("·" in name for name in names)
        lines = screen_text(app).splitlines()
        header = next(line for line in lines if "姓名" in line and "性别" in line)
        sex_column = cell_len(header[: header.index("性别")])
        id_column = cell_len(header[: header.index("身份证号")])
        for name in names:
            line = next(line for line in lines if name in line)
            after = line[line.index(name) + len(name) :]
            sex_at = len(line) - len(after.lstrip())
            assert cell_len(line[:sex_at]) == sex_column, line
            assert cell_len(line[: line.index("*" * 10) - 4]) == id_column, line


async def test_search_narrows_by_initials_name_and_phone_tail(
    demo_dsn: str, keyring: Keyring
) -> None:
    conn = await asyncpg.connect(demo_dsn)
    try:
        someone = await conn.fetchrow(
            "SELECT name, phone_masked FROM person WHERE phone_masked IS NOT NULL"
            " AND name LIKE '%·%' ORDER BY org_code, name_pinyin LIMIT 1"
        )
    finally:
        await conn.close()
    name, tail = someone["name"], someone["phone_masked"][-4:]
    initials = name_pinyin(name)[1]
    app = make_app(demo_dsn, keyring)
    async with app.run_test(size=SMALL) as pilot:
        await start_on_list(pilot)
        everyone = len(shown_rows(app))

        await search_for(pilot, initials)
        assert name in shown_names(app)
        assert all(name_pinyin(n)[1].startswith(initials) for n in shown_names(app))

        part = name.split("·")[-1]
        await search_for(pilot, part)
        assert name in shown_names(app)
        assert all(part in n for n in shown_names(app))
        assert len(shown_rows(app)) < everyone

        await search_for(pilot, tail)
        assert name in shown_names(app)
        assert all(row[6].endswith(tail) for row in shown_rows(app))
        assert f"“{tail}”" in screen_text(app)

        await search_for(pilot, "")
        assert len(shown_rows(app)) == everyone


async def test_search_by_resident_id_finds_one_and_echoes_it_masked(
    demo_dsn: str, keyring: Keyring
) -> None:
    conn = await asyncpg.connect(demo_dsn)
    try:
        row = await conn.fetchrow(
            "SELECT name, id_number_enc, id_number_masked FROM person"
            " ORDER BY org_code, name_pinyin DESC LIMIT 1"
        )
    finally:
        await conn.close()
    plain = keyring.decrypt("id_number", row["id_number_enc"])
    app = make_app(demo_dsn, keyring)
    async with app.run_test(size=SMALL) as pilot:
        await search_for(pilot, plain)
        assert shown_names(app) == [row["name"]]
        status = str(app.screen.query_one("#status").render())
        assert row["id_number_masked"] in status
        assert plain not in status


@pytest.mark.parametrize("text", ["'%_\\", "'; DROP TABLE person; --", "%", "_", "\\"])
async def test_hostile_search_finds_nothing_and_breaks_nothing(
    demo_dsn: str, keyring: Keyring, text: str
) -> None:
    app = make_app(demo_dsn, keyring)
    async with app.run_test(size=SMALL) as pilot:
        await search_for(pilot, text)
        screen = list_screen(app)
        assert shown_rows(app) == []
        assert screen.failure == ""
        assert not [n for n in app._notifications if n.severity == "error"]
        assert "没有符合" in screen_text(app)
    conn = await asyncpg.connect(demo_dsn)
    try:
        assert await conn.fetchval("SELECT count(*) FROM person") == 200
    finally:
        await conn.close()


async def test_paging_with_keys(demo_dsn: str, keyring: Keyring) -> None:
    app = make_app(demo_dsn, keyring)
    async with app.run_test(size=SMALL) as pilot:
        await start_on_list(pilot)
        first = shown_rows(app)
        await pilot.press("n")
        await settle(pilot)
        second = shown_rows(app)
        assert second
        assert not set(map(tuple, second)) & set(map(tuple, first))
        assert "第 2 页" in screen_text(app)
        await pilot.press("pagedown")
        await settle(pilot)
        third = shown_rows(app)
        assert third not in (first, second)
        await pilot.press("pageup")
        await settle(pilot)
        assert shown_rows(app) == second
        await pilot.press("p")
        await settle(pilot)
        assert shown_rows(app) == first
        assert "第 1 页" in screen_text(app)
        await pilot.press("n", "n")
        await settle(pilot)
        await pilot.press("g")
        await settle(pilot)
        assert shown_rows(app) == first


async def test_paging_reaches_the_end_and_stops(demo_dsn: str, keyring: Keyring) -> None:
    app = make_app(demo_dsn, keyring)
    async with app.run_test(size=LARGE) as pilot:
        await start_on_list(pilot)
        screen = list_screen(app)
        seen: list[list[str]] = []
        while True:
            seen += shown_rows(app)
            if not screen.page or not screen.page.has_after:
                break
            await pilot.press("n")
            await settle(pilot)
        assert len(seen) == 200
        assert len({tuple(row) for row in seen}) == len(seen)
        last = shown_rows(app)
        await pilot.press("n")  # disabled on the last page: nothing happens
        await settle(pilot)
        assert shown_rows(app) == last


async def test_help_lists_the_keys_and_closes(demo_dsn: str, keyring: Keyring) -> None:
    app = make_app(demo_dsn, keyring)
    async with app.run_test(size=SMALL) as pilot:
        await start_on_list(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        assert re.search(r"\bq\b.*退出", text)
        assert re.search(r"n / pgdn +下一页", text)
        assert re.search(r"\^l +切换语言", text)
        assert "Focus" not in text  # Textual's own screen keys are not ours to list
        assert not re.search(r"\br +重试", text)  # only after a failed connection
        await pilot.press("q")  # closes the help, does not quit
        await pilot.pause()
        list_screen(app)
        for opener, closer in [("f1", "escape"), ("question_mark", "enter"), ("f1", "f1")]:
            await pilot.press(opener)
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            await pilot.press(closer)
            await pilot.pause()
            list_screen(app)


async def test_q_quits_but_is_a_letter_in_the_search_box(demo_dsn: str, keyring: Keyring) -> None:
    app = make_app(demo_dsn, keyring)
    async with app.run_test(size=SMALL) as pilot:
        await start_on_list(pilot)
        await pilot.press("slash", "q")
        await pilot.pause()
        assert app.is_running
        assert app.screen.query_one("#search", Input).value == "q"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.focused is app.screen.query_one(PersonTable)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
    assert not app.is_running
    assert app.pool is not None
    assert app.pool.is_closing()  # closed on the way out, not left to the server


async def test_ctrl_q_quits_while_typing(demo_dsn: str, keyring: Keyring) -> None:
    app = make_app(demo_dsn, keyring)
    async with app.run_test(size=SMALL) as pilot:
        await start_on_list(pilot)
        await pilot.press("slash", "a", "ctrl+q")
        await pilot.pause()
    assert not app.is_running


def _label(app: TongxinApp, key: str) -> str:
    """A column's header as shown now (the table is renewed when the language changes)."""
    return str(list_screen(app).query_one(PersonTable).columns[ColumnKey(key)].label)


async def test_language_toggles_at_run_time(demo_dsn: str, keyring: Keyring) -> None:
    app = make_app(demo_dsn, keyring)
    async with app.run_test(size=SMALL) as pilot:
        await start_on_list(pilot)
        rows = shown_rows(app)
        assert _label(app, "name") == "姓名"
        assert "q 退出" in screen_text(app)

        await pilot.press("ctrl+l")
        await settle(pilot)
        assert _label(app, "name") == "Name"
        assert app.title == "Tongxin · Service records for minority residents"
        text = screen_text(app)
        assert "n Next" in text
        assert "q Quit" in text
        assert "200 persons in scope · page 1" in text
        relabelled = shown_rows(app)
        assert [row[1] for row in relabelled] == [row[1] for row in rows]  # same people
        assert {row[2] for row in relabelled} <= {"Male", "Female"}
        # The columns fit the relabelled cells: nothing cut to the new, shorter headers.
        lines = text.splitlines()
        header = next(i for i, line in enumerate(lines) if line.lstrip().startswith("Grid"))
        first = lines[header + 1]
        assert rows[0][0] in first
        assert rows[0][1] in first
        assert relabelled[0][2] in first

        await pilot.press("question_mark", "ctrl+l")  # an open help follows too
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        assert re.search(r"q / \^q +退出", screen_text(app))
        await pilot.press("escape")
        await settle(pilot)
        assert _label(app, "name") == "姓名"
        assert shown_rows(app) == rows

        await pilot.press("slash", "ctrl+l")  # works while typing, and types nothing
        await settle(pilot)
        assert _label(app, "name") == "Name"
        assert app.screen.query_one("#search", Input).value == ""


async def test_english_from_the_start(demo_dsn: str, keyring: Keyring) -> None:
    app = make_app(demo_dsn, keyring, lang="en")
    async with app.run_test(size=SMALL) as pilot:
        await start_on_list(pilot)
        assert str(app.screen.query_one(PersonTable).columns["grid"].label) == "Grid"
        assert "200 persons in scope · page 1" in screen_text(app)


async def test_unreachable_database_is_one_line_not_a_traceback() -> None:
    app = TongxinApp("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2")
    async with app.run_test(size=SMALL) as pilot:
        await start_on_list(pilot)
        assert app.is_running
        errors = [n for n in app._notifications if n.severity == "error"]
        assert len(errors) == 1
        assert "\n" not in errors[0].message
        assert "Traceback" not in errors[0].message
        assert "cannot connect" in errors[0].message
        assert "无法连接数据库" in screen_text(app)
        assert "r 重试" in screen_text(app)
        await pilot.press("r")  # retrying fails the same way, still without a traceback
        await settle(pilot)
        assert len([n for n in app._notifications if n.severity == "error"]) == 2
        assert app.is_running
        assert app.pool is None


async def test_keys_typed_ahead_after_slash_reach_the_search_box(
    demo_dsn: str, keyring: Keyring
) -> None:
    # Over SSH "/" and the letters after it often arrive in one read: none of them may
    # fire the list's own keys (n, p, f, o ...) before the box has the focus.
    app = make_app(demo_dsn, keyring)
    async with app.run_test(size=SMALL) as pilot:
        await start_on_list(pilot)
        type_ahead(app, "slash", *"nfo")
        await settle(pilot)
        box = app.screen.query_one("#search", Input)
        assert box.value == "nfo"
        assert isinstance(app.screen, type(list_screen(app)))


async def test_keys_typed_ahead_after_enter_reach_the_list(demo_dsn: str, keyring: Keyring) -> None:
    # "zs", Enter and "o" may arrive in one read: Enter takes the focus back to the list
    # before the "o" is handled, so the "o" is the list's key, not a letter in the box.
    app = make_app(demo_dsn, keyring)
    async with app.run_test(size=SMALL) as pilot:
        await start_on_list(pilot)
        first = shown_names(app)[0]
        initials = name_pinyin(first)[1]
        type_ahead(app, "slash", *initials, "enter", "n")
        await settle(pilot)
        screen = list_screen(app)
        assert screen.query_one("#search", Input).value == initials
        assert screen.query_one(PersonTable).has_focus
        assert first in shown_names(app)


async def test_esc_from_an_unchanged_search_box_keeps_the_page(
    demo_dsn: str, keyring: Keyring
) -> None:
    app = make_app(demo_dsn, keyring)
    async with app.run_test(size=SMALL) as pilot:
        await start_on_list(pilot)
        await pilot.press("n")
        await settle(pilot)
        second = shown_names(app)
        await pilot.press("slash", "escape")
        await settle(pilot)
        assert list_screen(app).number == 2
        assert shown_names(app) == second
        assert list_screen(app).query_one(PersonTable).has_focus
        await pilot.press("slash", *name_pinyin(second[0])[1], "escape")  # changed: searched
        await settle(pilot)
        assert list_screen(app).number == 1
        assert second[0] in shown_names(app)
        assert list_screen(app).query_one(PersonTable).has_focus
