"""Casework about a person follows the person's rights: retention scrubs what names or
describes them, and their subject-access export includes it."""

from __future__ import annotations

import uuid
from datetime import date

import asyncpg
import pytest

from db.keys.crypto import Keyring
from db.privacy.retention import ANONYMOUS_NAME, run_retention
from db.privacy.subject import subject_document
from tests.db.access_fixtures import add_person, demo_grid_codes

TODAY = date(2026, 11, 24)
GONE = date(2023, 5, 1)


@pytest.fixture
async def casework(conn: asyncpg.Connection) -> dict[str, object]:
    """One person who left long ago, one still here, and what was recorded about them."""
    grid = (await demo_grid_codes(conn))[0]
    city = grid[:4]
    gone = await add_person(conn, grid, "马木沙")
    here = await add_person(conn, grid, "马小龙")
    await conn.execute(
        "UPDATE person SET status = 'left_city', status_changed_on = $1 WHERE id = $2", GONE, gone
    )
    alone, together, case = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    for visit, people in ((alone, [gone]), (together, [gone, here])):
        await conn.execute(
            "INSERT INTO visit (city_code, id, org_code, kind, visited_on, place, notes, status) "
            "VALUES ($1, $2, $3, 'home_visit', '2023-03-01', '他家', '谈到他的生意', 'approved')",
            city, visit, grid,
        )  # fmt: skip
        for person in people:
            await conn.execute(
                "INSERT INTO visit_person VALUES ($1, $2, $3, $4)", city, visit, person, grid
            )
    await conn.execute(
        "INSERT INTO assistance_request (city_code, id, org_code, person_id, visit_id, category, "
        "description, status, raised_on, outcome) VALUES ($1, gen_random_uuid(), $2, $3, $4, "
        "'employment', '马木沙想找工作', 'resolved', '2023-03-01', '介绍到某餐馆')",
        city, grid, gone, alone,
    )  # fmt: skip
    await conn.execute(
        "INSERT INTO dispute_case (city_code, id, org_code, kind, summary, opened_on) "
        "VALUES ($1, $2, $3, 'labour', '工资拖欠', '2023-02-01')",
        city, case, grid,
    )  # fmt: skip
    await conn.execute(
        "INSERT INTO dispute_party VALUES ($1, $2, 1, $3, $4, '马木沙')", city, case, grid, gone
    )
    return {"city": city, "gone": gone, "alone": alone, "together": together, "case": case}


async def test_retention_scrubs_casework_text_and_keeps_the_counts(
    conn: asyncpg.Connection, casework: dict[str, object]
) -> None:
    done = await run_retention(conn, today=TODAY, months=24)
    assert done.anonymised == 1
    need = await conn.fetchrow(
        "SELECT category, description, outcome, status FROM assistance_request"
    )
    assert tuple(need) == ("employment", ANONYMOUS_NAME, "", "resolved")
    notes = {
        r["id"]: (r["notes"], r["place"])
        for r in await conn.fetch("SELECT id, notes, place FROM visit")
    }
    assert notes[casework["alone"]] == ("", "")
    assert notes[casework["together"]] == ("谈到他的生意", "他家")  # 马小龙 is still here
    party = await conn.fetchval("SELECT name FROM dispute_party")
    assert party == ANONYMOUS_NAME
    assert await conn.fetchval("SELECT count(*) FROM visit") == 2


async def test_subject_export_includes_visits_needs_and_disputes(
    conn: asyncpg.Connection, casework: dict[str, object], keyring: Keyring
) -> None:
    document = await subject_document(
        conn,
        keyring,
        str(casework["city"]),
        casework["gone"],  # type: ignore[arg-type]
    )
    assert {v["id"] for v in document["visit"]} == {
        str(casework["alone"]),
        str(casework["together"]),
    }
    assert [n["description"] for n in document["assistance_request"]] == ["马木沙想找工作"]
    assert [(c["kind"], c["party_name"]) for c in document["dispute_case"]] == [
        ("labour", "马木沙")
    ]
    assert document["person_move"] == []
