"""Registering a person with the keyboard alone: the form, its checks, duplicates."""

from __future__ import annotations

from datetime import date

from textual.widgets import Select, Static

from db.keys.crypto import Keyring
from db.persons.idcard import make_id
from tests.tui.conftest import (
    add_app_user,
    fetch,
    fill_boxes,
    notices,
    screen_text,
    settle,
    start_on_list,
    type_text,
)  # fmt: skip
from tui.app import TongxinApp
from tui.dialogs.notice import DraftOfferModal, NoticeModal
from tui.screens.person_form import PersonFormScreen
from tui.screens.person_record import PersonRecordScreen

SMALL = (80, 24)
NEW_ID = make_id("653101", date(1990, 7, 1), 22)  # a woman from 喀什市
CONSENTED = {"basis": "consent", "given_on": "2024-05-06"}


async def _open_form(pilot, app: TongxinApp) -> PersonFormScreen:  # type: ignore[no-untyped-def]
    await start_on_list(pilot)
    await pilot.press("a")
    await settle(pilot)
    assert isinstance(app.screen, PersonFormScreen)
    return app.screen


async def _fill_in_paper_order(pilot, id_number: str) -> None:  # type: ignore[no-untyped-def]
    """Every box, reached with Tab alone: the order is the paper form's."""
    await type_text(pilot, "阿依古丽·吐尔逊")
    await pilot.press("tab", "enter", "down", "down", "enter")  # 性别: 女
    await pilot.press("tab")
    await type_text(pilot, "05")
    await pilot.press("tab")
    await type_text(pilot, "1990-07-01")
    await pilot.press("tab")
    await type_text(pilot, id_number)
    await pilot.press("tab")
    await type_text(pilot, "653101")
    await pilot.press("tab")
    await type_text(pilot, "喀什市色满路 8 号")
    await pilot.press("tab")
    await type_text(pilot, "金水区经三路 18 号")
    await pilot.press("tab")
    await type_text(pilot, "餐饮服务")
    await pilot.press("tab", "tab")  # 工作单位 left empty
    await type_text(pilot, "13812345678")


async def test_register_a_person_with_the_keyboard(demo_dsn: str, keyring: Keyring) -> None:
    worker = await add_app_user(demo_dsn)
    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=SMALL) as pilot:
        form = await _open_form(pilot, app)
        assert app.focused is form.query_one("#box-name")
        await _fill_in_paper_order(pilot, NEW_ID)
        assert form.query_one("#box-sex", Select).value == "2"
        assert app.focused is form.query_one("#box-phone")
        await fill_boxes(pilot, CONSENTED)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, PersonRecordScreen), screen_text(app)
        text = screen_text(app)
        assert "阿依古丽·吐尔逊" in text
        assert "6531" + "*" * 14 in text
        assert NEW_ID not in text
    rows = await fetch(
        demo_dsn,
        "SELECT org_code, sex, ethnic_code, current_address, created_by, id_number_hmac "
        "FROM person WHERE name = '阿依古丽·吐尔逊'",
    )
    assert len(rows) == 1
    assert (rows[0]["org_code"], rows[0]["sex"], rows[0]["ethnic_code"]) == (
        worker.org_code, 2, "05",
    )  # fmt: skip
    assert rows[0]["current_address"] == "金水区经三路 18 号"
    assert rows[0]["created_by"] == worker.pg_role
    assert rows[0]["id_number_hmac"] == keyring.blind_index("id_number", NEW_ID)
    assert await fetch(demo_dsn, "SELECT 1 FROM form_draft") == []
    consents = await fetch(
        demo_dsn,
        "SELECT c.basis, c.given_on, c.org_code, c.recorded_by FROM consent_record c "
        "JOIN person p ON p.city_code = c.city_code AND p.id = c.person_id "
        "WHERE p.name = '阿依古丽·吐尔逊'",
    )
    assert [tuple(c) for c in consents] == [
        ("consent", date(2024, 5, 6), worker.org_code, worker.pg_role)
    ]


async def test_a_bad_id_number_is_named_and_nothing_is_saved(
    demo_dsn: str, keyring: Keyring
) -> None:
    worker = await add_app_user(demo_dsn)
    before = len(await fetch(demo_dsn, "SELECT 1 FROM person"))
    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=SMALL) as pilot:
        form = await _open_form(pilot, app)
        wrong = NEW_ID[:-1] + ("0" if NEW_ID[-1] != "0" else "1")
        await _fill_in_paper_order(pilot, wrong)
        await fill_boxes(pilot, CONSENTED)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        problems = str(form.query_one("#problems", Static).render())
        assert problems == f"身份证号：校验码应为 {NEW_ID[-1]}，有数字输错了"
        assert app.focused is form.query_one("#box-id_number")
    assert len(await fetch(demo_dsn, "SELECT 1 FROM person")) == before


async def test_missing_three_must_know_fields_warn_before_saving(
    demo_dsn: str, keyring: Keyring
) -> None:
    worker = await add_app_user(demo_dsn)
    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=SMALL) as pilot:
        form = await _open_form(pilot, app)
        await type_text(pilot, "扎西顿珠")
        await pilot.press("tab", "enter", "down", "enter", "tab")  # 男
        await type_text(pilot, "藏族")
        await pilot.press("tab")
        await type_text(pilot, "1996-02-14")
        await fill_boxes(pilot, {"basis": "statutory_duty"})
        await pilot.press("ctrl+s")
        await settle(pilot)
        warning = str(form.query_one("#problems", Static).render())
        assert warning.startswith("三必清：缺少来源地地址、暂住地址、职业")
        assert app.screen is form
        assert await fetch(demo_dsn, "SELECT 1 FROM person WHERE name = '扎西顿珠'") == []
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, PersonRecordScreen)
    assert len(await fetch(demo_dsn, "SELECT 1 FROM person WHERE name = '扎西顿珠'")) == 1


async def test_notes_holding_an_id_number_warn_before_saving(
    demo_dsn: str, keyring: Keyring
) -> None:
    worker = await add_app_user(demo_dsn)
    boxes = _boxes_for(NEW_ID, "阿依古丽·吐尔逊")
    basis = boxes.pop("basis")
    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=SMALL) as pilot:
        form = await _open_form(pilot, app)
        notes = "哥哥的身份证号 " + make_id("653101", date(1988, 2, 3), 13)
        await fill_boxes(pilot, {**boxes, "notes": notes, "basis": basis})
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert str(form.query_one("#problems", Static).render()) == (
            "备注：似含身份证号或手机号，请填在专门栏目（加密保存）。再按 ctrl+s 仍然保存。"
        )
        assert await fetch(demo_dsn, "SELECT 1 FROM person WHERE name = '阿依古丽·吐尔逊'") == []
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, PersonRecordScreen), screen_text(app)
    stored = await fetch(demo_dsn, "SELECT notes FROM person WHERE name = '阿依古丽·吐尔逊'")
    assert [r["notes"] for r in stored] == [notes]


async def _an_existing_id(dsn: str, keyring: Keyring, *, inside: str | None, outside: str | None):  # type: ignore[no-untyped-def]
    rows = await fetch(
        dsn,
        "SELECT id, name, org_code, id_number_enc FROM person WHERE id_number_enc IS NOT NULL "
        "AND ($1::text IS NULL OR org_code = $1) AND ($2::text IS NULL OR org_code <> $2) "
        "ORDER BY name_pinyin LIMIT 1",
        inside, outside,
    )  # fmt: skip
    row = rows[0]
    return row, keyring.decrypt("id_number", row["id_number_enc"])


def _boxes_for(number: str, name: str) -> dict[str, str]:
    """A form whose name, sex, birth date and ID agree; 三必清 fields filled."""
    return {
        "name": name, "sex": "1" if int(number[16]) % 2 else "2", "ethnic": "01",
        "birth_date": f"{number[6:10]}-{number[10:12]}-{number[12:14]}", "id_number": number,
        "origin": "653101", "origin_address": "某村 2 号", "current_address": "某路 1 号",
        "occupation": "务工", "basis": "statutory_duty",
    }  # fmt: skip


async def test_an_id_registered_in_the_grid_opens_that_record(
    demo_dsn: str, keyring: Keyring
) -> None:
    worker = await add_app_user(demo_dsn)
    held, number = await _an_existing_id(demo_dsn, keyring, inside=worker.org_code, outside=None)
    before = len(await fetch(demo_dsn, "SELECT 1 FROM person"))
    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_form(pilot, app)
        await fill_boxes(pilot, _boxes_for(number, "另一个名字"))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, PersonRecordScreen)
        assert app.screen.person_id == held["id"]
        assert "此身份证号已登记，已为你打开该记录。" in notices(app)
    assert len(await fetch(demo_dsn, "SELECT 1 FROM person")) == before


async def test_an_id_registered_in_another_grid_says_whom_to_contact(
    demo_dsn: str, keyring: Keyring
) -> None:
    worker = await add_app_user(demo_dsn)
    held, number = await _an_existing_id(demo_dsn, keyring, inside=None, outside=worker.org_code)
    await add_app_user(demo_dsn, org_code=held["org_code"], display_name="艾尔肯")
    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=(120, 40)) as pilot:
        form = await _open_form(pilot, app)
        await fill_boxes(pilot, _boxes_for(number, "某某"))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, NoticeModal)
        text = screen_text(app)
        assert "已登记" in text
        assert "艾尔肯" in text
        assert held["name"] not in text
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is form
        assert str(form.query_one("#problems", Static).render()).startswith("身份证号：已在")
    assert await fetch(demo_dsn, "SELECT 1 FROM person WHERE name = '某某'") == []


async def test_a_draft_keeps_the_legal_basis_chosen(demo_dsn: str, keyring: Keyring) -> None:
    worker = await add_app_user(demo_dsn)
    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=SMALL) as pilot:
        await _open_form(pilot, app)
        await fill_boxes(pilot, {"name": "古丽娜尔·吐尔逊", **CONSENTED})
        app.hang_up()  # what SIGHUP runs when the SSH line drops
        await settle(pilot)
    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=SMALL) as pilot:
        await start_on_list(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, DraftOfferModal)
        await pilot.press("enter")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, PersonFormScreen)
        kept = form.current_basis()
        assert (kept.basis, kept.given_on) == (CONSENTED["basis"], CONSENTED["given_on"])
