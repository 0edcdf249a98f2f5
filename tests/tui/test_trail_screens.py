"""The trail on screen, by key presses only: a person's trail from their record (for
supervisors, auditors and admins, not grid workers), and the auditor's trail of their
scope with its filters, pages and the city chain verified, clean or broken."""

from __future__ import annotations

import asyncpg
import pytest
from textual.message import Message
from textual.widgets import Static

from db.audit.chain import verify_chains
from db.keys.crypto import Keyring
from tests.tui.conftest import fetch, screen_text, settle, start_on_list, type_text
from tests.tui.trail_history import FIRST_NAME, ID_NUMBER, TrailCast, insert_trail_history
from tui.app import TongxinApp
from tui.dialogs.trail_filters import TrailFilterModal
from tui.messages import ChainProgress
from tui.screens.audit_trail import AuditTrailScreen
from tui.screens.person_record import PersonRecordScreen
from tui.screens.person_trail import PersonTrailScreen
from tui.widgets.trail_table import TrailTable


@pytest.fixture
async def cast(db_dsn: str, keyring: Keyring) -> TrailCast:
    conn = await asyncpg.connect(db_dsn)
    try:
        return await insert_trail_history(conn, keyring)
    finally:
        await conn.close()


def _app(dsn: str, keyring: Keyring, login: str, lang: str = "zh_CN") -> TongxinApp:
    return TongxinApp(dsn, keyring=keyring, login=login, lang=lang)


def _rows(app: TongxinApp) -> list[dict[str, str]]:
    """The cells of the trail table on screen, by column: when, who, what, person."""
    table = app.screen.query_one(TrailTable)
    return [
        dict(zip(table.shown, (str(cell) for cell in table.get_row_at(i)), strict=True))
        for i in range(table.row_count)
    ]


def _line(app: TongxinApp, widget_id: str) -> str:
    return str(app.screen.query_one(f"#{widget_id}", Static).render())


async def _readings(dsn: str, role: str) -> int:
    rows = await fetch(
        dsn, "SELECT count(*) FROM audit_log WHERE actor = $1 AND table_name = 'audit_log'", role
    )
    return int(rows[0][0])


async def test_a_supervisor_pages_through_the_persons_trail_from_the_record(
    db_dsn: str, keyring: Keyring, cast: TrailCast
) -> None:
    app = _app(db_dsn, keyring, cast.users["wang"].name, lang="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await start_on_list(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PersonRecordScreen)
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, PersonTrailScreen)
        assert f"Who saw and changed the record of {FIRST_NAME}" in screen_text(app)
        rows = _rows(app)
        assert len(rows) == 10
        # Newest first: reading this trail, then opening the record, both just now.
        assert (rows[0]["what"], rows[0]["who"]) == ("Viewed this trail", "王审核\nSupervisor")
        assert rows[2]["when"] == "2026-11-25\n13:14:15 +08:00"
        assert rows[2]["what"] == (
            "Looked up the ID number (duplicate check)\n"
            "Purpose: 登记查重 / duplicate check on registration"
        )
        assert rows[1]["what"] == "Opened the record"  # its routine purpose goes unsaid
        assert rows[2]["who"] == "李网格\nGrid worker"
        await pilot.press("n")
        await settle(pilot)
        rows = _rows(app)
        assert "page 2" in _line(app, "trail-status")
        assert [r["when"].split("\n")[0] for r in rows] == [
            "2026-10-08", "2026-09-15", "2026-09-03", "2026-09-03", "2026-09-01", "2026-09-01",
        ]  # fmt: skip
        assert rows[2]["what"] == "Changed record: Address here, Phone"  # names, never values
        assert (rows[4]["what"], rows[5]["what"]) == ("Added: legal basis", "Registered the person")
        await pilot.press("p")
        await settle(pilot)
        assert "page 1" in _line(app, "trail-status")
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, PersonRecordScreen)
    assert await _readings(db_dsn, cast.users["wang"].pg_role) == 1  # one look, two pages


async def test_a_grid_worker_has_no_trail_on_the_record(
    db_dsn: str, keyring: Keyring, cast: TrailCast
) -> None:
    app = _app(db_dsn, keyring, cast.users["zhang"].name)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_on_list(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PersonRecordScreen)
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, PersonRecordScreen)
        assert "留痕" not in screen_text(app)
        await pilot.press("question_mark")
        await settle(pilot)
        assert "谁查看和修改过这份档案" not in screen_text(app)
    assert await _readings(db_dsn, cast.users["zhang"].pg_role) == 0


async def test_the_auditor_reads_the_scope_and_sees_the_chain_verified(
    db_dsn: str, keyring: Keyring, cast: TrailCast
) -> None:
    app = _app(db_dsn, keyring, cast.users["zhao"].name, lang="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await start_on_list(pilot)
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, AuditTrailScreen)
        rows = _rows(app)
        assert rows[0]["when"] == "2026-11-28\n11:00:00 +08:00"
        assert rows[0]["who"] == "李网格\nGrid worker"
        assert len(rows) == 10
        head = next(r for r in await verify_chains_of(db_dsn) if r.chain == cast.city)
        assert _line(app, "trail-chain") == (
            f"Audit chain {cast.city}: all 17 links verified; head {head.anchor}"
        )
        await pilot.press("n")
        await settle(pilot)
        assert len(_rows(app)) == 7
        assert "page 2" in _line(app, "trail-status")
        await pilot.press("g")
        await settle(pilot)
        assert "page 1" in _line(app, "trail-status")


async def test_the_verification_tells_how_far_it_has_come(
    db_dsn: str, keyring: Keyring, cast: TrailCast, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(AuditTrailScreen, "VERIFY_BATCH", 5)
    seen: list[ChainProgress] = []

    def hook(message: Message) -> None:
        # Each message is seen by the screen, then by the app: count it once.
        if isinstance(message, ChainProgress) and all(m is not message for m in seen):
            seen.append(message)

    def told() -> list[tuple[int, int]]:
        return [(m.checked, m.links) for m in seen]

    app = _app(db_dsn, keyring, cast.users["zhao"].name)
    async with app.run_test(size=(80, 24), message_hook=hook) as pilot:
        await start_on_list(pilot)
        await pilot.press("h")
        await settle(pilot)
        assert told() == [(5, 17), (10, 17), (15, 17), (17, 17)]
        assert _line(app, "trail-chain").startswith(f"审计链 {cast.city}：17 环全部校验通过")
        seen.clear()
        await pilot.press("v")  # again
        await settle(pilot)
        assert told() == [(5, 17), (10, 17), (15, 17), (17, 17)]


async def verify_chains_of(dsn: str):  # type: ignore[no-untyped-def]
    conn = await asyncpg.connect(dsn)
    try:
        return await verify_chains(conn)
    finally:
        await conn.close()


async def _filter(  # type: ignore[no-untyped-def]
    pilot, boxes: dict[str, str], action_downs: int | None = None, apply: str = "ctrl+s"
) -> None:
    """Open the filters (f), type into the boxes reached with Tab, choose an action with ↓
    (after Any), apply with ctrl+s (or Enter in the last box typed into)."""
    await pilot.press("f")
    await settle(pilot)
    assert isinstance(pilot.app.screen, TrailFilterModal)
    for box, text in boxes.items():
        while pilot.app.focused is None or pilot.app.focused.id != f"box-{box}":
            await pilot.press("tab")
        await pilot.press("end", "ctrl+u")
        await type_text(pilot, text)
    if action_downs is not None:
        while pilot.app.focused is None or pilot.app.focused.id != "box-action":
            await pilot.press("tab")
        await pilot.press("enter", *["down"] * action_downs, "enter")
    await pilot.press(apply)
    await settle(pilot)


async def test_the_auditor_narrows_the_trail_by_user_person_action_and_dates(
    db_dsn: str, keyring: Keyring, cast: TrailCast
) -> None:
    app = _app(db_dsn, keyring, cast.users["zhao"].name, lang="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await start_on_list(pilot)
        await pilot.press("h")
        await settle(pilot)
        await _filter(pilot, {"user": "trail_wang"})
        assert isinstance(app.screen, AuditTrailScreen)
        assert [r["who"] for r in _rows(app)] == ["王审核\nSupervisor"] * 3
        assert "user trail_wang" in _line(app, "trail-filters-line")
        await _filter(pilot, {"user": "", "id_number": ID_NUMBER}, action_downs=2)  # reveal
        assert {r["person"] for r in _rows(app)} == {FIRST_NAME}
        assert [r["what"].split("\n")[0] for r in _rows(app)] == [
            "Looked up the ID number (duplicate check)", "Showed the full phone number",
            "Showed the full ID number",
        ]  # fmt: skip
        assert f"person {FIRST_NAME}" in _line(app, "trail-filters-line")
        await _filter(pilot, {"since": "2026-10-01", "until": "2026/11/20"})
        assert [r["when"].split("\n")[0] for r in _rows(app)] == ["2026-10-20"]
        assert "2026-10-01 – 2026-11-20" in _line(app, "trail-filters-line")


async def test_a_wrong_box_is_named_and_changes_nothing(
    db_dsn: str, keyring: Keyring, cast: TrailCast
) -> None:
    app = _app(db_dsn, keyring, cast.users["zhao"].name)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_on_list(pilot)
        await pilot.press("h")
        await settle(pilot)
        before = _rows(app)
        await _filter(pilot, {"since": "2026-02-30"})
        assert isinstance(app.screen, TrailFilterModal)
        assert _line(app, "trail-filter-problems") == "起始日期：2026-02-30 不是日历上存在的日期"
        assert app.focused is not None
        assert app.focused.id == "box-since"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, AuditTrailScreen)
        assert _rows(app) == before
        # A valid ID number of nobody in the auditor's scope: said once, filters kept.
        await _filter(pilot, {"id_number": "11010519491231002X"}, apply="enter")
        assert "身份证号：您的辖区内没有此号码的人员；筛选条件未变" in _line(app, "trail-status")
        assert _rows(app) == before
        assert "f 筛选" in _line(app, "trail-filters-line")


async def test_a_broken_chain_is_shown_as_broken(
    db_dsn: str, keyring: Keyring, cast: TrailCast
) -> None:
    conn = await asyncpg.connect(db_dsn)
    try:
        changed = await conn.fetchval(
            "SELECT id FROM audit_log WHERE city_code = $1 ORDER BY id OFFSET 4 LIMIT 1", cast.city
        )
        async with conn.transaction():
            await conn.execute("SET LOCAL session_replication_role = replica")
            await conn.execute("ALTER TABLE audit_log DISABLE TRIGGER USER")
            await conn.execute("UPDATE audit_log SET purpose = '走访' WHERE id = $1", changed)
    finally:
        await conn.close()
    app = _app(db_dsn, keyring, cast.users["zhao"].name)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_on_list(pilot)
        await pilot.press("h")
        await settle(pilot)
        line = app.screen.query_one("#trail-chain", Static)
        assert str(line.render()) == (
            f"审计链 {cast.city} 在第 5 环断裂：审计记录 {changed} 与其哈希不符（封链后被改动）"
        )
        assert line.has_class("broken")


async def test_from_a_record_the_auditor_opens_the_trail_narrowed_to_that_person(
    db_dsn: str, keyring: Keyring, cast: TrailCast
) -> None:
    app = _app(db_dsn, keyring, cast.users["zhao"].name, lang="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await start_on_list(pilot)
        for key in ("enter", "h", "f"):
            await pilot.press(key)
            await settle(pilot)
        assert isinstance(app.screen, AuditTrailScreen)
        assert f"person {FIRST_NAME}" in _line(app, "trail-filters-line")
        assert {r["person"] for r in _rows(app)} == {FIRST_NAME}
        # Dropping the person in the filters widens it to the scope again.
        await pilot.press("f")
        await settle(pilot)
        while app.focused is None or app.focused.id != "box-keep-person":
            await pilot.press("tab")
        await pilot.press("space", "ctrl+s")
        await settle(pilot)
        assert len({r["person"] for r in _rows(app)}) > 1
