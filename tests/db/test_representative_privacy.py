"""A registered representative's appointment is data about their person: the subject
export includes it, and retention, when they left the city long ago, retires them (from
the day they left) and scrubs their employer and posts, keeping standing and dates."""

from __future__ import annotations

from datetime import date

import asyncpg

from db.keys.crypto import Keyring
from db.privacy.retention import run_retention
from db.privacy.subject import subject_document
from tests.db.access_fixtures import add_person, demo_grid_codes
from tests.db.kernel_fixtures import add_representative

TODAY = date(2026, 11, 24)


async def test_the_export_holds_it_and_retention_retires_and_scrubs_it(
    conn: asyncpg.Connection, keyring: Keyring
) -> None:
    grid = (await demo_grid_codes(conn))[0]
    gone = await add_person(conn, grid, "马木沙")
    rep = await add_representative(conn, grid, gone, appointed_on=date(2022, 3, 1))
    await conn.execute("UPDATE representative SET social_posts = '区政协委员' WHERE id = $1", rep)
    document = await subject_document(conn, keyring, grid[:4], gone)
    assert [(r["id"], r["post"], r["social_posts"]) for r in document["representative"]] == [
        (str(rep), "阿訇", "区政协委员")
    ]
    await conn.execute(
        "UPDATE person SET status = 'left_city', status_changed_on = '2023-05-01' WHERE id = $1",
        gone,
    )
    assert (await run_retention(conn, today=TODAY, months=24)).anonymised == 1
    row = await conn.fetchrow(
        "SELECT standing, employer, post, social_posts, appointed_on, retired_on, "
        "retirement_note FROM representative WHERE id = $1",
        rep,
    )
    assert tuple(row) == ("religious", "", "", "", date(2022, 3, 1), date(2023, 5, 1), "")
