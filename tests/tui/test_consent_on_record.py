"""The legal basis on a person's record, by keyboard: shown with its history, a new
consent and a withdrawal recorded in a dialog; a correction of the record adds none."""

from __future__ import annotations

from textual.widgets import Input, Static

from db.core.clock import today
from db.keys.crypto import Keyring
from tests.tui.conftest import (
    add_app_user,
    fetch,
    fill_boxes,
    screen_text,
    settle,
    start_on_list,
    type_text,
)
from tui.app import TongxinApp
from tui.dialogs.consent import ConsentModal
from tui.screens.person_form import PersonFormScreen
from tui.screens.person_record import PersonRecordScreen

SMALL = (80, 24)


async def _open_first_record(pilot, app: TongxinApp) -> PersonRecordScreen:  # type: ignore[no-untyped-def]
    await start_on_list(pilot)
    await pilot.press("o")
    await settle(pilot)
    assert isinstance(app.screen, PersonRecordScreen)
    return app.screen


async def _consents(dsn: str, record: PersonRecordScreen) -> list[tuple[object, ...]]:
    rows = await fetch(
        dsn,
        "SELECT basis, given_on, withdrawn_on, note, withdrawal_note, recorded_by "
        "FROM consent_record WHERE person_id = $1 ORDER BY created_at",
        record.person_id,
    )
    return [tuple(r) for r in rows]


async def test_the_record_shows_the_basis_and_records_a_consent_and_its_withdrawal(
    demo_dsn: str, keyring: Keyring
) -> None:
    worker = await add_app_user(demo_dsn)
    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    day = today().isoformat()
    async with app.run_test(size=SMALL) as pilot:
        record = await _open_first_record(pilot, app)
        (seeded,) = await _consents(demo_dsn, record)
        assert f"法定职责 · 自 {seeded[1].isoformat()} 起" in screen_text(app)

        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, ConsentModal)
        await pilot.press("tab", "tab")  # 本人单独同意, today
        await type_text(pilot, "本人签字同意")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is record
        assert f"单独同意 · 自 {day} 起" in screen_text(app)

        await pilot.press("c")
        await settle(pilot)
        await pilot.press("enter", "down", "down", "enter")  # 本人撤回同意
        await pilot.press("tab", "ctrl+u")
        await type_text(pilot, "2020-01-01")
        await pilot.press("ctrl+s")
        await settle(pilot)
        problem = str(app.screen.query_one("#consent-problem", Static).render())
        assert problem == f"日期：不能早于同意日期（{day}）"
        await pilot.press("ctrl+u")
        await type_text(pilot, day)
        await pilot.press("tab")
        await type_text(pilot, "本人来电撤回")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is record
        assert f"法定职责 · 自 {seeded[1].isoformat()} 起" in screen_text(app)
        await pilot.press("5")
        await settle(pilot)
        history = screen_text(app)
        assert "本人签字同意 · 本人来电撤回" in history
    consents = await _consents(demo_dsn, record)
    assert consents[1:] == [
        ("consent", today(), today(), "本人签字同意", "本人来电撤回", worker.pg_role)
    ]
    assert consents[0] == seeded


async def test_correcting_a_record_adds_no_consent_and_shows_no_basis_boxes(
    demo_dsn: str, keyring: Keyring
) -> None:
    worker = await add_app_user(demo_dsn)
    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=SMALL) as pilot:
        record = await _open_first_record(pilot, app)
        before = await _consents(demo_dsn, record)
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, PersonFormScreen)
        assert "处理依据" not in screen_text(app)
        await fill_boxes(pilot, {"occupation": "清真餐饮"})
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is record
        assert "清真餐饮" in screen_text(app)
    assert await _consents(demo_dsn, record) == before


async def test_a_supervisor_reads_the_basis_but_has_no_key_to_change_it(
    demo_dsn: str, keyring: Keyring
) -> None:
    grid = (await fetch(demo_dsn, "SELECT min(org_code) AS code FROM person"))[0]["code"]
    supervisor = await add_app_user(demo_dsn, "supervisor", grid[:9])
    app = TongxinApp(demo_dsn, keyring=keyring, login=supervisor.name)
    async with app.run_test(size=(120, 40)) as pilot:
        record = await _open_first_record(pilot, app)
        assert "处理依据" in screen_text(app)
        assert not record.check_action("consent", ())
        await pilot.press("c")
        await settle(pilot)
        assert app.screen is record
        assert not isinstance(app.focused, Input)
