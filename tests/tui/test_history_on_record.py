"""History follows the person on screen: after a hand-over, the receiving grid's worker
sees on the record's visits tab what the grid that handed over kept, read-only, named
by that grid; a person who never moved shows no such list."""

from __future__ import annotations

import uuid
from datetime import date

import asyncpg

from db.core.session import acting_as
from db.keys.crypto import Keyring
from db.persons.save import hand_over
from db.visits.form import NeedForm, VisitForm, VisitInput, VisitPerson
from db.visits.store import save_visit
from tests.tui.conftest import add_app_user, screen_text, settle, start_on_list
from tui.app import TongxinApp
from tui.screens.person_record import PersonRecordScreen

TODAY = date(2026, 11, 1)


async def _moved_person(dsn: str) -> tuple[str, str]:
    """A demo person of the first grid, renamed to be found, visited there about a need and
    handed over to another grid of the city; the name of a worker of that grid."""
    sender = await add_app_user(dsn)
    conn = await asyncpg.connect(dsn)
    try:
        receiving = await conn.fetchval(
            "SELECT min(code) FROM org_unit WHERE level = 'grid' AND is_demo "
            "AND code <> $1 AND left(code, 4) = left($1, 4)",
            sender.org_code,
        )
        city, person = await conn.fetchrow(
            "UPDATE person SET name = '乌兰托娅', name_pinyin = 'wulantuoya', "
            "name_initials = 'wlty' WHERE id = (SELECT id FROM person WHERE org_code = $1 "
            "AND status = 'registered' ORDER BY id LIMIT 1) RETURNING city_code, id",
            sender.org_code,
        )
        visit = VisitInput.from_form(
            VisitForm(
                id=uuid.uuid4(), visited_on="2026-10-20", notes="家访谈就业",
                persons=[VisitPerson(city_code=city, id=person, name="乌兰托娅")],
                needs=[NeedForm(id=uuid.uuid4(), person_id=person, category="employment",
                                description="找餐饮工作")],
            ),
            TODAY,
        )  # fmt: skip
        async with acting_as(conn, sender):
            await save_visit(conn, visit, base_version=None, submit=True)
            version = await conn.fetchval("SELECT version FROM person WHERE id = $1", person)
            await hand_over(conn, city, person, version, receiving, TODAY)
        grid_name = await conn.fetchval(
            "SELECT name FROM org_unit WHERE code = $1", sender.org_code
        )
    finally:
        await conn.close()
    receiver = await add_app_user(dsn, org_code=receiving)
    return receiver.name, grid_name


async def test_the_receiving_grid_reads_the_earlier_visit_and_need(
    demo_dsn: str, keyring: Keyring
) -> None:
    login, earlier_grid = await _moved_person(demo_dsn)
    app = TongxinApp(demo_dsn, keyring=keyring, login=login)
    async with app.run_test(size=(100, 30)) as pilot:
        await start_on_list(pilot)
        for key in ("slash", "w", "l", "t", "y", "enter", "o", "3"):
            await pilot.press(key if key != "slash" else "/")
            await settle(pilot)
        assert isinstance(app.screen, PersonRecordScreen)
        text = screen_text(app)
        assert "以前所在网格的记录（只读）" in text
        assert "家访谈就业" in text  # the visit's notes
        assert "找餐饮工作" in text  # the need's description
        assert earlier_grid in text
        earlier = app.screen.query_one("#earlier-list")
        assert earlier.display
        assert earlier.row_count == 2  # type: ignore[attr-defined]


async def test_a_person_who_never_moved_has_no_earlier_list(
    demo_dsn: str, keyring: Keyring
) -> None:
    worker = await add_app_user(demo_dsn)
    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=(100, 30)) as pilot:
        await start_on_list(pilot)
        await pilot.press("o", "3")
        await settle(pilot)
        assert isinstance(app.screen, PersonRecordScreen)
        assert "以前所在网格的记录" not in screen_text(app)
        assert not app.screen.query_one("#earlier-list").display
