"""Appointing and retiring representatives, and contacts with those appointed by name
(sql/V015), each rule as the plain SQL of the role it binds, as psql would send it."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import asyncpg
import pytest

from db.core.clock import today
from db.core.session import acting_as
from tests.db.kernel_fixtures import (
    Site,
    add_representative,
    add_representative_contact,
    attack,
    login,
    make_site,
    was_refused,
)

APPOINT_PERSON = (
    "INSERT INTO representative (city_code, id, org_code, person_id, standing, appointed_on) "
    "VALUES ($1, gen_random_uuid(), $2, $3, 'ethnic', '2026-01-05')"
)
APPOINT_NAMED = (
    "INSERT INTO representative (city_code, id, org_code, name, sex, ethnic_code, birth_date, "
    "standing, appointed_on) VALUES ($1, gen_random_uuid(), $2, '马阿訇', 1, '03', "
    "'1960-02-01', 'clergy', $3)"
)
CONTACT = (
    "INSERT INTO representative_contact (city_code, id, org_code, representative_id, kind, "
    "contacted_on, notes) VALUES ($1, gen_random_uuid(), $2, $3, 'phone_call', $4, '电话问候')"
)


@pytest.fixture
async def site(conn: asyncpg.Connection) -> Site:
    return await make_site(conn)


async def _reps(conn: asyncpg.Connection, person: uuid.UUID) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT org_code, created_by FROM representative WHERE person_id = $1", person
    )


async def test_a_grid_worker_appoints_a_person_they_see_kept_in_the_persons_grid(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    # The unit sent is the neighbour's; the row lies in the person's grid, stamped by them.
    outcome = await attack(other, site.worker, APPOINT_PERSON, site.city, site.neighbour,
                           site.person)  # fmt: skip
    assert outcome == "INSERT 0 1"
    assert [tuple(r) for r in await _reps(conn, site.person)] == [(site.grid, site.worker.pg_role)]


async def test_nobody_appoints_a_person_they_do_not_see(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    for user in (site.worker, site.far_worker):
        person = site.far_person if user is site.worker else site.person
        outcome = await attack(other, user, APPOINT_PERSON, site.city, user.org_code, person)
        assert was_refused(outcome), outcome
    assert await _reps(conn, site.far_person) == []
    assert await _reps(conn, site.person) == []


async def test_appointing_by_name_lies_in_the_writers_scope_and_needs_who_they_are(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    assert await attack(other, site.worker, APPOINT_NAMED, site.city, site.grid,
                        date(2026, 1, 5)) == "INSERT 0 1"  # fmt: skip
    assert was_refused(await attack(other, site.worker, APPOINT_NAMED, site.city, site.neighbour,
                                    date(2026, 1, 5)))  # fmt: skip
    nameless = APPOINT_NAMED.replace("'马阿訇', 1, '03', '1960-02-01'", "NULL, 1, '03', NULL")
    assert was_refused(await attack(other, site.worker, nameless, site.city, site.grid,
                                    date(2026, 1, 5)))  # fmt: skip
    # From the registry, who they are is the person's record, not a copy to diverge.
    named_person = APPOINT_PERSON.replace("person_id, standing", "person_id, name, standing")
    named_person = named_person.replace("$3, 'ethnic'", "$3, '别人', 'ethnic'")
    assert was_refused(await attack(other, site.worker, named_person, site.city, site.grid,
                                    site.person))  # fmt: skip


async def test_only_grid_workers_and_admins_appoint(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    day = date(2026, 1, 5)
    for user in (site.supervisor, site.auditor):
        assert was_refused(await attack(other, user, APPOINT_NAMED, site.city, site.grid, day))
    assert await attack(other, site.admin, APPOINT_NAMED, site.city, site.neighbour, day) == (
        "INSERT 0 1"
    )
    assert was_refused(await attack(other, site.admin, APPOINT_NAMED, site.city, site.far, day))


async def test_an_appointment_is_not_dated_ahead_nor_made_retired(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    ahead = today() + timedelta(days=30)
    assert was_refused(await attack(other, site.worker, APPOINT_NAMED, site.city, site.grid, ahead))
    retired = APPOINT_NAMED.replace("appointed_on)", "appointed_on, retired_on)").replace(
        "$3)", "$3, '2026-02-01')"
    )
    outcome = await attack(other, site.worker, retired, site.city, site.grid, date(2026, 1, 5))
    assert was_refused(outcome)


async def test_a_person_holds_one_appointment_at_a_time(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    await add_representative(conn, site.grid, site.person)
    with pytest.raises(asyncpg.UniqueViolationError):
        await attack(other, site.worker, APPOINT_PERSON, site.city, site.grid, site.person)
    # Once retired, they may be appointed anew.
    await conn.execute(
        "UPDATE representative SET retired_on = '2025-12-31', retirement_note = '换届' "
        "WHERE person_id = $1",
        site.person,
    )
    assert await attack(other, site.worker, APPOINT_PERSON, site.city, site.grid,
                        site.person) == "INSERT 0 1"  # fmt: skip


RETIRE = "UPDATE representative SET retired_on = $2, retirement_note = $3 WHERE id = $1"


async def test_a_retirement_is_written_once_by_a_writer_in_scope(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    rep = await add_representative(conn, site.grid)
    for user in (site.supervisor, site.auditor, site.neighbour_worker):
        assert was_refused(await attack(other, user, RETIRE, rep, date(2026, 6, 1), "离开"))
    assert was_refused(await attack(other, site.worker, RETIRE, rep, date(2024, 12, 1), "早于"))
    ahead = today() + timedelta(days=3)
    assert was_refused(await attack(other, site.worker, RETIRE, rep, ahead, "将来"))
    # A reason alone, which would lock the retirement out, is refused.
    assert was_refused(await attack(other, site.worker, RETIRE, rep, None, "只写原因"))
    assert await attack(other, site.worker, RETIRE, rep, date(2026, 6, 1), "换届") == "UPDATE 1"
    for day, note in ((date(2026, 7, 1), "换届"), (None, ""), (date(2026, 6, 1), "改原因")):
        assert was_refused(await attack(other, site.worker, RETIRE, rep, day, note)), (day, note)
    row = await conn.fetchrow(
        "SELECT retired_on, retirement_note, updated_by FROM representative WHERE id = $1", rep
    )
    assert tuple(row) == (date(2026, 6, 1), "换届", site.worker.pg_role)


async def test_what_the_app_does_not_edit_psql_does_not_either(
    conn: asyncpg.Connection, db_dsn: str, site: Site
) -> None:
    rep = await add_representative(conn, site.grid, site.person)
    before = await conn.fetchrow("SELECT * FROM representative WHERE id = $1", rep)
    psql = await login(db_dsn, site.worker)
    try:
        for change in (
            "standing = 'informant'",
            "post = '会长'",
            "appointed_on = '2020-01-01'",
            "person_id = NULL",
            "org_code = org_code",
            "created_by = 'someone'",
        ):
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await psql.execute(f"UPDATE representative SET {change} WHERE id = $1", rep)
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await psql.execute("DELETE FROM representative WHERE id = $1", rep)
    finally:
        await psql.close()
    assert await conn.fetchrow("SELECT * FROM representative WHERE id = $1", rep) == before


async def test_contact_rows_are_for_those_appointed_by_name_while_they_serve(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    named = await add_representative(conn, site.grid, appointed_on=date(2025, 3, 1))
    registered = await add_representative(conn, site.grid, site.person)
    retired = await add_representative(conn, site.grid, appointed_on=date(2025, 1, 6),
                                       retired_on=date(2025, 6, 30))  # fmt: skip
    neighbours = await add_representative(conn, site.neighbour)
    day = date(2026, 1, 5)
    # The unit sent is another's; the row takes its representative's.
    assert await attack(other, site.worker, CONTACT, site.city, site.neighbour, named,
                        day) == "INSERT 0 1"  # fmt: skip
    assert (
        await conn.fetchval(
            "SELECT org_code FROM representative_contact WHERE representative_id = $1", named
        )
        == site.grid
    )
    refused = {
        "a registered person's (visits)": (registered, day),
        "before the appointment": (named, date(2025, 2, 1)),
        "after the retirement": (retired, date(2025, 7, 1)),
        "ahead": (named, today() + timedelta(days=2)),
        "another grid's": (neighbours, day),
    }
    for why, (rep, on) in refused.items():
        outcome = await attack(other, site.worker, CONTACT, site.city, site.grid, rep, on)
        assert was_refused(outcome), why
    for user in (site.supervisor, site.auditor):
        assert was_refused(await attack(other, user, CONTACT, site.city, site.grid, named, day))
    contact = await add_representative_contact(conn, site.grid, named)
    moved = "UPDATE representative_contact SET contacted_on = '2026-01-01' WHERE id = $1"
    assert was_refused(await attack(other, site.worker, moved, contact))
    assert await conn.fetchval("SELECT count(*) FROM representative_contact") == 2


async def test_a_representative_handed_over_to_another_grid_is_kept_there(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    rep = await add_representative(conn, site.grid, site.person)
    async with acting_as(other, site.supervisor):
        version = await other.fetchval(
            "SELECT tx_hand_over($1, $2, 1, $3, '2026-10-01', '搬家')",
            site.city, site.person, site.neighbour,
        )  # fmt: skip
    assert version == 2
    assert await conn.fetchval("SELECT org_code FROM representative WHERE id = $1", rep) == (
        site.neighbour
    )
    async with acting_as(other, site.neighbour_worker):
        seen = await other.fetchval("SELECT count(*) FROM representative WHERE id = $1", rep)
    assert seen == 1
