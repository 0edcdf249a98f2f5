"""A need's follow-up follows the person's rights: retention scrubs its notes and the
outcome of its close, and the subject-access export includes both."""

from __future__ import annotations

from datetime import date

import asyncpg

from db.keys.crypto import Keyring
from db.privacy.retention import ANONYMOUS_NAME, run_retention
from db.privacy.subject import subject_document
from tests.db.access_fixtures import add_person, demo_grid_codes
from tests.db.kernel_fixtures import fill_referrals

TODAY = date(2026, 11, 24)


async def test_retention_scrubs_the_follow_up_and_the_export_holds_it(
    conn: asyncpg.Connection, keyring: Keyring
) -> None:
    grid = (await demo_grid_codes(conn))[0]
    gone = await add_person(conn, grid, "马木沙")
    here = await add_person(conn, grid, "马小龙")
    for person in (gone, here):
        await fill_referrals(conn, grid, person, "operator")
    document = await subject_document(conn, keyring, grid[:4], gone)
    assert [n["note"] for n in document["referral_note"]] == ["住建部门已受理"] * 4
    assert sorted(o["status"] for o in document["referral_outcome"]) == [
        "approved", "draft", "returned", "submitted",
    ]  # fmt: skip
    await conn.execute(
        "UPDATE person SET status = 'left_city', status_changed_on = '2023-05-01' WHERE id = $1",
        gone,
    )
    assert (await run_retention(conn, today=TODAY, months=24)).anonymised == 1
    texts = await conn.fetch(
        "SELECT a.person_id, n.note, o.reason FROM assistance_request a "
        "JOIN referral_note n ON n.city_code = a.city_code AND n.need_id = a.id "
        "JOIN referral_outcome o ON o.city_code = a.city_code AND o.id = a.id"
    )
    assert {(r["person_id"], r["note"], r["reason"]) for r in texts} == {
        (gone, ANONYMOUS_NAME, ANONYMOUS_NAME),
        (here, "住建部门已受理", "已分配公租房"),
    }
