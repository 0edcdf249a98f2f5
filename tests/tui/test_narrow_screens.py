"""At 80x24, the size of a thin client's SSH window: whole columns, and a footer that
keeps the language and quit keys on every screen."""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from textual.pilot import Pilot
from textual.widgets import TextArea

from db.keys.crypto import Keyring
from db.users import AppUser, RoleKind
from tests.tui.conftest import add_app_user, list_screen, screen_text, settle, start_on_list, tab_to
from tui.app import TongxinApp
from tui.screens.person_record import PersonRecordScreen
from tui.screens.review_queue import ReviewQueueScreen
from tui.screens.visit_form import VisitFormScreen
from tui.screens.work_list import WorkListScreen
from tui.widgets.person_table import PersonTable

SMALL = (80, 24)
LANGS = ["zh_CN", "en"]
NEEDED = {
    "zh_CN": ("姓名", "性别", "民族", "身份证号"),
    "en": ("Name", "Sex", "Ethnicity", "ID number"),
}
APP_KEYS = {"zh_CN": ("^l English", "q 退出"), "en": ("^l 中文", "q Quit")}


def _table_lines(app: TongxinApp, header: str) -> list[str]:
    lines = screen_text(app).splitlines()
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith(header))
    return lines[start:]


@pytest.mark.parametrize("lang", LANGS)
async def test_the_list_shows_only_whole_columns(
    fixed_dsn: str, keyring: Keyring, lang: str
) -> None:
    app = TongxinApp(fixed_dsn, lang=lang, keyring=keyring)
    async with app.run_test(size=SMALL) as pilot:
        await start_on_list(pilot)
        table = list_screen(app).query_one(PersonTable)
        headers = [str(column.label) for column in table.ordered_columns]
        assert set(NEEDED[lang]) <= set(headers)
        lines = _table_lines(app, headers[0])
        assert all(header in lines[0] for header in headers), lines[0]
        assert table.row_count > 10
        for row in range(table.row_count):
            line = lines[row + 1]
            for cell in table.get_row_at(row):
                assert str(cell) in line, (str(cell), line)
        assert any("阿西木·艾合买提·阿不都热合曼" in line for line in lines)


async def test_a_wider_terminal_shows_more_columns(fixed_dsn: str, keyring: Keyring) -> None:
    app = TongxinApp(fixed_dsn, keyring=keyring)
    async with app.run_test(size=SMALL) as pilot:
        await start_on_list(pilot)
        table = list_screen(app).query_one(PersonTable)
        narrow = [str(column.label) for column in table.ordered_columns]
        assert narrow == ["姓名", "性别", "民族", "身份证号", "电话"]
        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        wide = [str(column.label) for column in table.ordered_columns]
        assert set(narrow) < set(wide)
        assert "出生日期" in _table_lines(app, "网格")[0]


def _footer(app: TongxinApp) -> str:
    return screen_text(app).splitlines()[-1]


async def _press(pilot: Pilot[None], key: str) -> None:
    await pilot.press(key)
    await settle(pilot)


@pytest.mark.parametrize("lang", LANGS)
async def test_every_screen_keeps_the_language_and_quit_keys(
    fixed_dsn: str, keyring: Keyring, lang: str
) -> None:
    worker = await add_app_user(fixed_dsn)
    language, quit_key = APP_KEYS[lang]
    app = TongxinApp(fixed_dsn, lang=lang, keyring=keyring, login=worker.name)
    async with app.run_test(size=SMALL) as pilot:
        await start_on_list(pilot)
        footers = [_footer(app)]
        await _press(pilot, "o")
        assert isinstance(app.screen, PersonRecordScreen)
        footers.append(_footer(app))
        await _press(pilot, "v")
        assert isinstance(app.screen, VisitFormScreen)
        footers.append(_footer(app))
        await _press(pilot, "tab")  # into the date box, where q types a letter
        assert language in _footer(app)
        assert quit_key not in _footer(app)
        await _press(pilot, "escape")
        await _press(pilot, "b")
        await _press(pilot, "w")
        assert isinstance(app.screen, WorkListScreen)
        footers.append(_footer(app))
    for footer in footers:
        assert language in footer, footer
        assert quit_key in footer, footer


@pytest.mark.parametrize(("kind", "grid_column"), [("grid_worker", False), ("supervisor", True)])
async def test_the_grid_column_is_left_out_for_one_grid(
    fixed_dsn: str, keyring: Keyring, kind: RoleKind, grid_column: bool
) -> None:
    grid = (await add_app_user(fixed_dsn)).org_code
    user = await add_app_user(fixed_dsn, kind, grid if kind == "grid_worker" else grid[:9])
    app = TongxinApp(fixed_dsn, keyring=keyring, login=user.name)
    async with app.run_test(size=(120, 40)) as pilot:
        await start_on_list(pilot)
        shown = list_screen(app).query_one(PersonTable).shown
        assert ("grid" in shown) is grid_column
        assert {"name", "birth", "phone", "status"} <= set(shown)


async def test_a_restored_visit_draft_shows_the_long_name_whole(
    fixed_dsn: str, keyring: Keyring
) -> None:
    # The draft is restored from a dialog over the form: the persons table was drawn
    # before it measured its new row, and showed the name as 阿西.
    worker = await add_app_user(fixed_dsn)
    app = TongxinApp(fixed_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=SMALL) as pilot:
        await start_on_list(pilot)
        for key in ("down", "o", "v"):
            await _press(pilot, key)
        form = app.screen
        assert isinstance(form, VisitFormScreen)
        assert form.persons[0].name == "阿西木·艾合买提·阿不都热合曼"
        await tab_to(pilot, "box-notes")
        form.query_one("#box-notes", TextArea).insert("了解情况")
        for key in ("escape", "v", "enter"):  # leave keeping the draft, open, restore
            await _press(pilot, key)
        assert isinstance(app.screen, VisitFormScreen)
        assert app.screen.query_one("#box-notes", TextArea).text == "了解情况"
        assert "阿西木·艾合买提·阿不都热合曼" in screen_text(app)


def _from_cell(line: str, column: int) -> str:
    """What `line` shows from the cell `column` on (wide characters take two cells)."""
    at, out = 0, []
    for char in line:
        if at >= column:
            out.append(char)
        at += cell_len(char)
    return "".join(out)


async def test_the_review_queue_shows_grid_worker_and_the_whole_comment(
    fixed_dsn: str, keyring: Keyring, queue_supervisor: AppUser
) -> None:
    app = TongxinApp(fixed_dsn, keyring=keyring, login=queue_supervisor.name)
    async with app.run_test(size=SMALL) as pilot:
        await start_on_list(pilot)
        await _press(pilot, "w")
        assert isinstance(app.screen, ReviewQueueScreen)
        lines = _table_lines(app, "日期")
        header = lines[0]
        for title in ("涉及对象", "网格", "网格员", "审核意见"):
            assert title in header
        column = cell_len(header[: header.index("审核意见")])
        comment = "".join(_from_cell(line, column).strip() for line in lines[1:5])
        assert comment == "请写明孩子现在就读的学校和年级，以及想转入哪所学校"
        shown = "\n".join(lines)
        for cell in ("阿西木·艾合买提·阿不都热合曼", "阿依古丽·买买提", "买买提·艾力", "马小龙"):
            assert cell in shown
        for cell in ("第一网格  张网格", "第二网格  李网格"):
            assert cell in shown
