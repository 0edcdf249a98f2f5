"""A supervisor clears the review queue with the keyboard: an approval is confirmed and
then named in the status line; a return asks what to fix; the opened visit offers the
review keys, not the editing ones. The database is read back after each step."""

from __future__ import annotations

import uuid

from textual.pilot import Pilot
from textual.widgets import Static

from db.keys.crypto import Keyring
from db.users import AppUser
from tests.tui.conftest import fetch, screen_text, settle, start_on_list, type_text
from tui.app import TongxinApp
from tui.dialogs.notice import TextPromptModal
from tui.screens.review_queue import ReviewQueueScreen
from tui.screens.visit_form import VisitFormScreen

SMALL = (80, 24)
FIRST, SECOND, THIRD = (uuid.UUID(int=n) for n in (2001, 2002, 2003))


async def _press(pilot: Pilot[None], *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


async def _statuses(dsn: str) -> dict[uuid.UUID, tuple[str, str, str | None]]:
    rows = await fetch(dsn, "SELECT id, status, review_comment, reviewed_by FROM visit")
    return {r["id"]: (r["status"], r["review_comment"], r["reviewed_by"]) for r in rows}


def _status_line(app: TongxinApp) -> str:
    return str(app.screen.query_one("#queue-status", Static).render())


async def test_approving_is_confirmed_then_named_and_the_next_visit_is_chosen(
    fixed_dsn: str, keyring: Keyring, queue_supervisor: AppUser
) -> None:
    app = TongxinApp(fixed_dsn, keyring=keyring, login=queue_supervisor.name)
    async with app.run_test(size=SMALL) as pilot:
        await start_on_list(pilot)
        await _press(pilot, "w", "a")
        assert not isinstance(app.screen, ReviewQueueScreen)  # a dialog asks first
        shown = screen_text(app)
        assert "2026-11-18 · 入户走访" in shown
        assert "走访对象：阿西木·艾合买提·阿不都热合曼" in shown
        assert "网格员：张网格 · 第一网格" in shown
        await _press(pilot, "escape")  # not yet: nothing changes
        assert isinstance(app.screen, ReviewQueueScreen)
        assert {s for s, _c, _by in (await _statuses(fixed_dsn)).values()} == {"submitted"}

        await _press(pilot, "a", "enter")
        assert isinstance(app.screen, ReviewQueueScreen)
        line = _status_line(app)
        assert line == "已审核通过：2026-11-18 · 阿西木·艾合买提·阿不都热合曼 · 张网格"
        assert len(app.screen.items) == 2
        await _press(pilot, "a", "enter")  # the cursor is on the next one already
        assert _status_line(app).startswith("已审核通过：2026-11-20 · 阿依古丽·买买提、买买提·艾力")
    stored = await _statuses(fixed_dsn)
    role = queue_supervisor.pg_role
    assert stored[FIRST] == ("approved", "", role)
    assert stored[SECOND] == ("approved", "", role)
    assert stored[THIRD] == ("submitted", "", None)


async def test_the_opened_visit_offers_review_keys_and_returns_with_a_comment(
    fixed_dsn: str, keyring: Keyring, queue_supervisor: AppUser
) -> None:
    app = TongxinApp(fixed_dsn, keyring=keyring, login=queue_supervisor.name)
    async with app.run_test(size=SMALL) as pilot:
        await start_on_list(pilot)
        await _press(pilot, "w", "down", "down", "enter")
        assert isinstance(app.screen, VisitFormScreen)
        shown = screen_text(app)
        footer = shown.splitlines()[-1]
        assert "a 通过" in footer
        assert "x 退回" in footer
        assert "^s" not in footer
        assert "^t" not in footer
        assert "ctrl+o" not in shown
        assert "Del 删除" not in shown
        assert "马小龙" in shown

        await _press(pilot, "x")
        assert isinstance(app.screen, TextPromptModal)
        assert "网格员：李网格 · 第二网格" in screen_text(app)
        await _press(pilot, "enter")  # an empty comment is refused, in one line
        assert isinstance(app.screen, TextPromptModal)
        assert "审核意见：请写明需要修改的内容。" in screen_text(app)
        await type_text(pilot, "请写明谈话地点")
        await _press(pilot, "enter")
        assert isinstance(app.screen, ReviewQueueScreen)
        assert _status_line(app) == "已退回：2026-11-21 · 马小龙 · 李网格"
        assert [v.id for v in app.screen.items] == [FIRST, SECOND]
    stored = await _statuses(fixed_dsn)
    assert stored[THIRD] == ("returned", "请写明谈话地点", queue_supervisor.pg_role)
    assert stored[FIRST][0] == stored[SECOND][0] == "submitted"


async def test_approving_from_the_opened_visit_is_confirmed_too(
    fixed_dsn: str, keyring: Keyring, queue_supervisor: AppUser
) -> None:
    app = TongxinApp(fixed_dsn, keyring=keyring, login=queue_supervisor.name)
    async with app.run_test(size=SMALL) as pilot:
        await start_on_list(pilot)
        await _press(pilot, "w", "enter", "a")
        assert "审核通过后不能撤回" in screen_text(app)
        await _press(pilot, "n")  # no: back in the visit, nothing changed
        assert isinstance(app.screen, VisitFormScreen)
        assert (await _statuses(fixed_dsn))[FIRST][0] == "submitted"
        await _press(pilot, "a", "y")
        assert isinstance(app.screen, ReviewQueueScreen)
        assert _status_line(app).startswith("已审核通过：2026-11-18")
    assert (await _statuses(fixed_dsn))[FIRST][0] == "approved"
