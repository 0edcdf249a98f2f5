"""The grid worker's day with the keyboard: find by pinyin initials, fix an address, log a
visit with two needs, submit it; the supervisor returns it; it is fixed and resubmitted."""

from __future__ import annotations

import asyncpg
from textual.widgets import Input, Static, TextArea

from db.keys.crypto import Keyring
from tests.tui.conftest import (
    add_app_user,
    fetch,
    screen_text,
    settle,
    start_on_list,
    type_ahead,
    type_text,
)
from tui.app import TongxinApp
from tui.dialogs.need import NeedModal
from tui.dialogs.person_picker import PersonPickerModal
from tui.screens.person_form import PersonFormScreen
from tui.screens.person_record import PersonRecordScreen
from tui.screens.review_queue import ReviewQueueScreen
from tui.screens.visit_form import VisitFormScreen
from tui.screens.work_list import WorkListScreen

SMALL = (80, 24)


async def _someone_in(dsn: str, grid: str) -> tuple[str, str]:
    rows = await fetch(
        dsn,
        "SELECT name, name_initials FROM person WHERE org_code = $1 AND status = 'registered' "
        "ORDER BY name_pinyin LIMIT 1",
        grid,
    )
    return rows[0]["name"], rows[0]["name_initials"]


async def _add_need(pilot, category_steps: int, what: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("ctrl+n")
    await settle(pilot)
    assert isinstance(pilot.app.screen, NeedModal)
    await pilot.press("tab", "enter", *(["down"] * category_steps), "enter", "tab")
    await type_text(pilot, what)
    await pilot.press("ctrl+s")
    await settle(pilot)
    assert isinstance(pilot.app.screen, VisitFormScreen), screen_text(pilot.app)


async def _open_visit_form(pilot) -> VisitFormScreen:  # type: ignore[no-untyped-def]
    """From the list: the first person's record, then a new visit for them."""
    await start_on_list(pilot)
    await pilot.press("o", "v")
    await settle(pilot)
    form = pilot.app.screen
    assert isinstance(form, VisitFormScreen)
    return form


async def test_find_fix_visit_submit_return_resubmit(demo_dsn: str, keyring: Keyring) -> None:
    worker = await add_app_user(demo_dsn)
    name, initials = await _someone_in(demo_dsn, worker.org_code)
    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=SMALL) as pilot:
        await start_on_list(pilot)
        await pilot.press("slash", *initials, "enter")
        await settle(pilot)
        assert name in screen_text(app)
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, PersonRecordScreen)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, PersonFormScreen)
        for _ in range(7):  # 姓名 → 暂住地址, in the paper form's order
            await pilot.press("tab")
        assert app.focused is app.screen.query_one("#box-current_address")
        await pilot.press("end", "ctrl+u")
        await type_text(pilot, "金水区经三路 18 号 3 单元")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, PersonRecordScreen)
        assert "金水区经三路 18 号 3 单元" in screen_text(app)

        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, VisitFormScreen)
        await pilot.press("tab", "tab", "tab", "tab")  # 方式 → 日期 → 地点 → 对象 → 情况记录
        assert isinstance(app.focused, TextArea)
        app.focused.insert("了解到想找工作，孩子需要转学。")
        await _add_need(pilot, 1, "想找餐饮方面的工作")  # 就业困难
        await _add_need(pilot, 4, "孩子转入附近小学")  # 子女入学
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert isinstance(app.screen, PersonRecordScreen), screen_text(app)
        await pilot.press("3")
        await settle(pilot)
        assert "已提交" in screen_text(app)

    visits = await fetch(demo_dsn, "SELECT id, status, notes, visited_on FROM visit")
    assert [v["status"] for v in visits] == ["submitted"]
    needs = await fetch(
        demo_dsn,
        "SELECT category, department_code, status FROM assistance_request ORDER BY category",
    )
    assert [tuple(n) for n in needs] == [
        ("employment", "human_resources", "open"),
        ("schooling", "education", "open"),
    ]
    stored = await fetch(
        demo_dsn, "SELECT current_address, version FROM person WHERE name = $1", name
    )
    assert [tuple(r) for r in stored] == [("金水区经三路 18 号 3 单元", 2)]

    supervisor = await add_app_user(demo_dsn, "supervisor", worker.org_code[:9])
    app = TongxinApp(demo_dsn, keyring=keyring, login=supervisor.name)
    async with app.run_test(size=SMALL) as pilot:
        await start_on_list(pilot)
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, ReviewQueueScreen)
        assert name in screen_text(app)
        await pilot.press("x")
        await settle(pilot)
        await type_text(pilot, "请写明孩子的年级")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReviewQueueScreen)
        assert app.screen.items == []  # nothing left to review
        # The visit's day (its form's today), not today now: the test may cross midnight.
        day = visits[0]["visited_on"].isoformat()
        assert f"已退回：{day} · {name} · " in screen_text(app)
    returned = await fetch(demo_dsn, "SELECT status, review_comment, reviewed_by FROM visit")
    assert [tuple(r) for r in returned] == [("returned", "请写明孩子的年级", supervisor.pg_role)]

    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=SMALL) as pilot:
        await start_on_list(pilot)
        await pilot.press("w")
        await settle(pilot)
        assert "请写明孩子的年级" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, VisitFormScreen)
        review = str(app.screen.query_one("#submission-review", Static).render())
        assert review == "退回意见：请写明孩子的年级"
        await pilot.press("tab", "tab", "tab", "tab")
        assert isinstance(app.focused, TextArea)
        await pilot.press("end")
        app.focused.insert("孩子上三年级。")
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert isinstance(app.screen, WorkListScreen)
    again = await fetch(demo_dsn, "SELECT status, notes FROM visit")
    assert [tuple(r) for r in again] == [
        ("submitted", "了解到想找工作，孩子需要转学。孩子上三年级。")
    ]
    assert len(await fetch(demo_dsn, "SELECT 1 FROM assistance_request")) == 2


async def test_a_need_due_before_the_visit_is_named_with_its_row(
    demo_dsn: str, keyring: Keyring
) -> None:
    worker = await add_app_user(demo_dsn)
    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=(120, 40)) as pilot:
        form = await _open_visit_form(pilot)
        await pilot.press("ctrl+t")  # nothing said yet: the notes are asked for
        await settle(pilot)
        assert app.focused is form.query_one("#box-notes")
        app.focused.insert("了解情况")
        await _add_need(pilot, 1, "找工作")
        await pilot.press("ctrl+n")
        await settle(pilot)
        await pilot.press("tab", "enter", "down", "down", "enter", "tab")
        await type_text(pilot, "办居住证")
        await pilot.press("tab", "tab")
        await type_text(pilot, "2020-01-01")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form  # the need dialog let it through: the date alone is fine
        await pilot.press("ctrl+t")
        await settle(pilot)
        problems = str(form.query_one("#problems", Static).render())
        assert problems.startswith("第 2 项诉求 · 办结期限：")
        needs = form.query_one("#visit-needs")
        assert app.focused is needs
        assert needs.cursor_row == 1
    assert await fetch(demo_dsn, "SELECT 1 FROM visit") == []


async def test_an_id_or_mobile_number_in_the_notes_or_a_need_warns_before_saving(
    demo_dsn: str, keyring: Keyring
) -> None:
    worker = await add_app_user(demo_dsn)
    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=(120, 40)) as pilot:
        form = await _open_visit_form(pilot)
        form.query_one("#box-notes", TextArea).insert("她说可以打 １３８ １２３４ ５６７８ 找她")
        await _add_need(pilot, 1, "找工作")
        await _add_need(pilot, 2, "补办身份证 65310119880203013X")
        await pilot.press("ctrl+s")
        await settle(pilot)
        warning = "似含身份证号或手机号，请填在专门栏目（加密保存）。再按 ctrl+s 仍然保存。"
        assert str(form.query_one("#problems", Static).render()).splitlines() == [
            f"情况记录：{warning}",
            f"第 2 项诉求 · 诉求内容：{warning}",
        ]
        assert app.screen is form
        assert app.focused is form.query_one("#box-notes")
        assert await fetch(demo_dsn, "SELECT 1 FROM visit") == []
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert str(form.query_one("#problems", Static).render()) == "已保存为草稿。"
    stored = await fetch(demo_dsn, "SELECT status, notes FROM visit")
    assert [tuple(r) for r in stored] == [("draft", "她说可以打 １３８ １２３４ ５６７８ 找她")]


async def test_the_need_dialog_names_a_missing_field_and_puts_the_cursor_there(
    demo_dsn: str, keyring: Keyring
) -> None:
    worker = await add_app_user(demo_dsn)
    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=SMALL) as pilot:
        await _open_visit_form(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, NeedModal)
        await pilot.press("ctrl+s")  # no category yet
        await settle(pilot)
        assert app.screen is dialog
        assert str(dialog.query_one("#need-problem", Static).render()).startswith("类别：")
        assert app.focused is dialog.query_one("#need-category")
        await pilot.press("enter", "down", "down", "enter", "ctrl+s")  # no description yet
        await settle(pilot)
        assert str(dialog.query_one("#need-problem", Static).render()).startswith("诉求内容：")
        assert app.focused is dialog.query_one("#need-description")
        await type_text(pilot, "办居住证")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, VisitFormScreen)


async def test_the_record_lists_the_needs_of_a_submitted_visit(
    demo_dsn: str, keyring: Keyring
) -> None:
    worker = await add_app_user(demo_dsn)
    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=SMALL) as pilot:
        form = await _open_visit_form(pilot)
        form.query_one("#box-notes", TextArea).insert("了解情况")
        await _add_need(pilot, 1, "找工作")
        await _add_need(pilot, 2, "办居住证")
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert isinstance(app.screen, PersonRecordScreen)
        await pilot.press("4")
        await settle(pilot)
        shown = screen_text(app)
        assert "找工作" in shown, shown
        assert "办居住证" in shown
        assert shown.count("待办") >= 2  # both needs await help
        await pilot.press("3")
        await settle(pilot)
        assert "已提交" in screen_text(app)


async def test_a_visit_for_two_persons_picked_by_name(demo_dsn: str, keyring: Keyring) -> None:
    worker = await add_app_user(demo_dsn)
    other = (
        await fetch(
            demo_dsn,
            "SELECT name FROM person WHERE org_code = $1 AND status = 'registered' "
            "GROUP BY name HAVING count(*) = 1 ORDER BY max(name_pinyin) DESC LIMIT 1",
            worker.org_code,
        )
    )[0]["name"]
    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=SMALL) as pilot:
        form = await _open_visit_form(pilot)
        first = form.persons[0].name
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert isinstance(app.screen, PersonPickerModal)
        # The name, Enter to search and Enter to take the row, all in one read: the
        # second Enter takes the search's first hit, not a row of the list before it.
        type_ahead(app, *other, "enter", "enter")
        await settle(pilot)
        assert app.screen is form, screen_text(app)
        assert [p.name for p in form.persons] == [first, other]

        await pilot.press("tab", "tab", "tab")  # 方式 → 日期 → 地点 → 对象
        assert app.focused is form.query_one("#visit-persons")
        await pilot.press("down", "delete")
        assert [p.name for p in form.persons] == [first]
        await pilot.press("ctrl+o")
        await settle(pilot)
        await type_text(pilot, other)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert [p.name for p in form.persons] == [first, other]
        await pilot.press("tab")
        assert isinstance(app.focused, TextArea)
        app.focused.insert("两家一起走访")
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert isinstance(app.screen, PersonRecordScreen), screen_text(app)
    stored = await fetch(
        demo_dsn,
        "SELECT p.name FROM visit_person w JOIN person p ON p.id = w.person_id ORDER BY p.name",
    )
    assert sorted([r["name"] for r in stored]) == sorted([first, other])


async def test_letters_typed_right_after_tab_go_to_the_next_box(
    demo_dsn: str, keyring: Keyring
) -> None:
    # Tab and the letters after it in one read: the focus moves as the Tab arrives,
    # so the letters land in the box Tab went to.
    worker = await add_app_user(demo_dsn)
    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=SMALL) as pilot:
        form = await _open_visit_form(pilot)
        type_ahead(app, "tab", "tab", *"xyz", "tab", "tab", *"abc")  # 地点, then 情况记录
        await settle(pilot)
        assert form.query_one("#box-place", Input).value == "xyz"
        assert form.query_one("#box-notes", TextArea).text == "abc"


async def test_what_is_typed_before_a_new_visit_has_loaded_stays(
    demo_dsn: str, keyring: Keyring
) -> None:
    # The form's load waits on a lock another session holds: what the user types
    # meanwhile is still there when the load arrives.
    worker = await add_app_user(demo_dsn)
    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    blocker = await asyncpg.connect(demo_dsn)
    try:
        async with app.run_test(size=SMALL) as pilot:
            await start_on_list(pilot)
            await pilot.press("o")
            await settle(pilot)
            lock = blocker.transaction()
            await lock.start()
            await blocker.execute("LOCK TABLE department IN ACCESS EXCLUSIVE MODE")
            await pilot.press("v", "tab", "tab", *"xyz")
            form = app.screen
            assert isinstance(form, VisitFormScreen)
            assert not form.ready  # still loading
            await lock.rollback()
            await settle(pilot)
            assert form.ready
            assert form.query_one("#box-place", Input).value == "xyz"
    finally:
        await blocker.close()
