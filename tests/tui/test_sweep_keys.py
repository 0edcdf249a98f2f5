"""The keys of the dispute screens, in help as well as in the footer: a sweep form's
and a case form's own keys, and those of the submission form they are built on (ctrl+s,
ctrl+t, Esc); d on the person list opens the disputes."""

from __future__ import annotations

from db.keys.crypto import Keyring
from tests.tui.conftest import start_on_list
from tests.tui.test_sweep_flow import _press, _this_months_sweep, _worker, dispute_dsn
from tui.app import TongxinApp
from tui.dialogs.help import key_rows
from tui.screens.case_form import CaseFormScreen
from tui.screens.sweep_list import SweepListScreen

__all__ = ["dispute_dsn"]  # the fixture, for the tests here
SMALL = (80, 24)


async def test_help_lists_the_forms_own_keys_and_their_bases(
    dispute_dsn: str, keyring: Keyring
) -> None:
    worker = await _worker(dispute_dsn, 1)
    app = TongxinApp(dispute_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=SMALL) as pilot:
        await start_on_list(pilot)
        assert ("d", "每月矛盾纠纷排查和尚未办结的纠纷案件") in key_rows(app.screen)
        sweep = await _this_months_sweep(pilot)
        rows = dict(key_rows(sweep))
        assert (rows["^t"], rows["^s"], rows["Esc"], rows["^n"]) == (
            "提交审核",
            "保存为草稿",
            "离开表单，已填写的内容保存为草稿",
            "添加本月发现的纠纷",
        )
        await _press(pilot, "tab", "tab", "down", "ctrl+n")
        case = app.screen
        assert isinstance(case, CaseFormScreen)
        keys = " ".join(keys for keys, _text in key_rows(case))
        assert keys.split()[:3] == ["^t", "^s", "Esc"], keys
        assert all(key in keys.split() for key in ("^o", "^b", "^n", "^g")), keys
        assert "删除选中的当事人或新添加的进展" in dict((t, k) for k, t in key_rows(case))
        await _press(pilot, "escape", "escape")
        assert isinstance(app.screen, SweepListScreen)
