"""The registration form's checks, by keyboard: one round of problems, the cursor named,
the ID box checked for a duplicate (and read for sex and birth date) as it is left."""

from __future__ import annotations

from datetime import date

from textual.widgets import Input, Select, Static

from db.keys.crypto import Keyring
from db.persons.idcard import make_id
from tests.tui.conftest import (
    add_app_user,
    fetch,
    fill_boxes,
    screen_text,
    settle,
    start_on_list,
    type_ahead,
    type_text,
)  # fmt: skip
from tui.app import TongxinApp
from tui.dialogs.notice import NoticeModal
from tui.screens.person_form import PersonFormScreen
from tui.screens.person_record import PersonRecordScreen

SMALL = (80, 24)
NEW_ID = make_id("653101", date(1990, 7, 1), 22)  # a woman from 喀什市


async def _open_form(pilot, app: TongxinApp) -> PersonFormScreen:  # type: ignore[no-untyped-def]
    await start_on_list(pilot)
    await pilot.press("a")
    await settle(pilot)
    assert isinstance(app.screen, PersonFormScreen)
    return app.screen


def _problems(form: PersonFormScreen) -> list[str]:
    return str(form.query_one("#problems", Static).render()).splitlines()


def _status(form: PersonFormScreen) -> str:
    return str(form.query_one("#draft-state", Static).render())


async def _held_number(dsn: str, keyring: Keyring, grid: str, *, inside: bool):  # type: ignore[no-untyped-def]
    """A person with an ID number, of `grid` (inside) or of some other grid."""
    rows = await fetch(
        dsn,
        "SELECT id, name, org_code, id_number_enc FROM person WHERE id_number_enc IS NOT NULL "
        "AND (org_code = $1) = $2 ORDER BY name_pinyin LIMIT 1",
        grid, inside,
    )  # fmt: skip
    return rows[0], keyring.decrypt("id_number", rows[0]["id_number_enc"])


async def test_one_save_names_every_problem_and_says_where_the_cursor_went(
    demo_dsn: str, keyring: Keyring
) -> None:
    worker = await add_app_user(demo_dsn)
    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=SMALL) as pilot:
        form = await _open_form(pilot, app)
        await type_text(pilot, "阿依古丽·吐尔逊")
        await pilot.press("tab", "enter", "down", "enter")  # 性别: 男, the ID says 女
        await pilot.press("tab", "0", "5", "tab")
        await type_text(pilot, "1990-07-02")  # the ID says 07-01
        await pilot.press("tab")
        await type_text(pilot, NEW_ID)
        await fill_boxes(pilot, {"phone": "1381234"})  # the ID box is left on the way
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert _problems(form) == [
            "性别：与身份证号不符（第 17 位为偶数，应为女）",
            "出生日期：与身份证号不符（身份证号中为 1990-07-01）",
            "电话：手机号为 11 位，以 13–19 开头（现为 1381234）",
            "处理依据：必填",
        ]
        assert app.focused is form.query_one("#box-sex")
        assert _status(form).startswith("光标在：性别")
        # What the user entered stays: the ID filled nothing that was not empty.
        assert form.query_one("#box-sex", Select).value == "1"
        assert form.query_one("#box-birth_date", Input).value == "1990-07-02"
        await pilot.press("tab")
        await settle(pilot)
        assert "光标在" not in _status(form)
    assert await fetch(demo_dsn, "SELECT 1 FROM person WHERE name = '阿依古丽·吐尔逊'") == []


async def test_more_problems_than_lines_are_counted_and_typing_goes_to_the_first(
    demo_dsn: str, keyring: Keyring
) -> None:
    worker = await add_app_user(demo_dsn)
    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=SMALL) as pilot:
        form = await _open_form(pilot, app)
        await pilot.press("tab", "tab", "tab", "ctrl+s")  # from 出生日期, nothing typed
        await settle(pilot)
        assert _problems(form) == ["姓名：必填", "性别：必填", "民族：必填", "…另有 2 处问题"]
        assert _status(form).startswith("光标在：姓名")
        await pilot.press("x")
        assert form.query_one("#box-name", Input).value == "x"
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert _status(form).startswith("Cursor in: Name")


async def test_leaving_the_id_box_fills_sex_and_birth_date_from_it(
    demo_dsn: str, keyring: Keyring
) -> None:
    worker = await add_app_user(demo_dsn)
    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=SMALL) as pilot:
        form = await _open_form(pilot, app)
        await type_text(pilot, "阿依古丽·吐尔逊")
        await pilot.press("tab", "tab", "0", "5", "tab", "tab")  # 性别, 出生日期 left empty
        await type_text(pilot, NEW_ID)
        await pilot.press("tab", "6", "5", "3", "1", "0", "1")  # typed on into 来源地
        await settle(pilot)
        assert form.query_one("#box-sex", Select).value == "2"
        assert form.query_one("#box-birth_date", Input).value == "1990-07-01"
        assert form.query_one("#box-origin", Input).value == "653101"
        assert app.focused is form.query_one("#box-origin")
        assert _problems(form) == []  # not registered anywhere


async def test_leaving_the_id_box_says_at_once_whom_to_contact_when_registered_elsewhere(
    demo_dsn: str, keyring: Keyring
) -> None:
    worker = await add_app_user(demo_dsn)
    held, number = await _held_number(demo_dsn, keyring, worker.org_code, inside=False)
    await add_app_user(demo_dsn, org_code=held["org_code"], display_name="艾尔肯")
    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=SMALL) as pilot:
        form = await _open_form(pilot, app)
        await fill_boxes(pilot, {"id_number": number})
        await pilot.press("tab", "6")
        await settle(pilot)
        await pilot.press("shift+tab", "tab")
        await settle(pilot)
        assert app.screen is form  # no dialog takes the keys typed on
        assert form.query_one("#box-origin", Input).value == "6"
        lines = _problems(form)
        assert lines[0].startswith("身份证号：已在")
        assert lines[0].endswith("登记")
        assert "艾尔肯" in lines[1]
        assert held["name"] not in screen_text(app)
    looked_up = await fetch(
        demo_dsn, "SELECT person_id, org_code FROM audit_log WHERE actor = $1 "
        "AND action = 'reveal' ORDER BY id", worker.pg_role,
    )  # fmt: skip
    # Once, though left twice: under the worker's org, and under the holder's.
    assert [tuple(r) for r in looked_up] == [
        (None, worker.org_code), (held["id"], held["org_code"]),
    ]  # fmt: skip


async def test_an_id_of_the_users_area_found_on_leaving_the_box_opens_with_ctrl_s(
    demo_dsn: str, keyring: Keyring
) -> None:
    worker = await add_app_user(demo_dsn)
    held, number = await _held_number(demo_dsn, keyring, worker.org_code, inside=True)
    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=SMALL) as pilot:
        form = await _open_form(pilot, app)
        await fill_boxes(pilot, {"id_number": number})
        await pilot.press("tab")
        await settle(pilot)
        assert _problems(form) == ["身份证号：已在你的辖区登记，按 ctrl+s 打开该记录"]
        await pilot.press("ctrl+s")  # the other boxes are still empty
        await settle(pilot)
        assert isinstance(app.screen, PersonRecordScreen)
        assert app.screen.person_id == held["id"]


async def test_saving_checks_the_id_again_for_a_registration_made_meanwhile(
    demo_dsn: str, keyring: Keyring
) -> None:
    worker = await add_app_user(demo_dsn)
    other_grid = (await fetch(
        demo_dsn, "SELECT max(org_code) AS code FROM person WHERE org_code <> $1", worker.org_code
    ))[0]["code"]  # fmt: skip
    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=(120, 40)) as pilot:
        form = await _open_form(pilot, app)
        await fill_boxes(pilot, {
            "name": "阿依古丽·吐尔逊", "ethnic": "05", "id_number": NEW_ID, "origin": "653101",
            "origin_address": "某村 2 号", "current_address": "某路 1 号", "occupation": "务工",
            "basis": "statutory_duty",
        })  # fmt: skip
        await settle(pilot)
        assert _problems(form) == []
        # Another registrar stores the same number in their grid now.
        await fetch(
            demo_dsn,
            "UPDATE person SET id_number_hmac = $1 WHERE id = "
            "(SELECT id FROM person WHERE org_code = $2 LIMIT 1)",
            keyring.blind_index("id_number", NEW_ID), other_grid,
        )  # fmt: skip
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, NoticeModal)
        await pilot.press("enter")
        await settle(pilot)
        assert _problems(form)[0].startswith("身份证号：已在")
        assert app.focused is form.query_one("#box-id_number")
        assert _status(form).startswith("光标在：身份证号")
    assert await fetch(demo_dsn, "SELECT 1 FROM person WHERE name = '阿依古丽·吐尔逊'") == []


async def test_a_duplicate_found_while_saving_joins_the_problems_listed(
    demo_dsn: str, keyring: Keyring
) -> None:
    # "…ID, Tab, ctrl+s" in one read: the save lists its problems before the lookup answers.
    worker = await add_app_user(demo_dsn)
    held, number = await _held_number(demo_dsn, keyring, worker.org_code, inside=False)
    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=(120, 40)) as pilot:
        form = await _open_form(pilot, app)
        await fill_boxes(pilot, {
            "name": "某某", "sex": "1" if int(number[16]) % 2 else "2", "ethnic": "01",
            "birth_date": f"{number[6:10]}-{number[10:12]}-{number[12:14]}",
        })  # fmt: skip
        await pilot.press("tab")
        await type_text(pilot, number)
        type_ahead(app, "tab", "ctrl+s")
        await settle(pilot)
        lines = _problems(form)
        assert len(lines) == 2
        assert lines[0].startswith("身份证号：已在")
        assert lines[1] == "处理依据：必填"
    assert await fetch(demo_dsn, "SELECT 1 FROM person WHERE name = '某某'") == []
