"""Month sign-off (sql/V019), as the plain SQL of each role it binds: a supervisor of the
community's street signs off an ended month whose sweep is approved and which has nothing
under review; the month then locks for every app role, admins included, with the reason
in one line; reopening says why, once, and is audited."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import date, timedelta

import asyncpg
import pytest
from pydantic import ValidationError

from db import signoff
from db.core.clock import today
from db.core.session import acting_as
from db.signoff import Refusal, Reopen, SignOff, SignOffRefused, refusal_of
from db.users import AppUser, add_user
from tests.db.kernel_fixtures import Site, add_case, attack, make_site
from tests.db.signoff_fixtures import (
    add_approved_sweep,
    add_dated_visit,
    add_signer,
    last_ended_month,
    waits_for_a_lock,
)

MONTH = last_ended_month()
IN_MONTH = MONTH + timedelta(days=9)
EDIT = "UPDATE visit SET notes = '补记' WHERE id = $1"


@pytest.fixture
async def site(conn: asyncpg.Connection) -> Site:
    return await make_site(conn)


@pytest.fixture
async def signer(conn: asyncpg.Connection, site: Site) -> AppUser:
    return await add_signer(conn, site)


async def _community_name(conn: asyncpg.Connection, site: Site) -> str:
    return str(await conn.fetchval("SELECT name FROM org_unit WHERE code = $1", site.grid[:12]))


async def _sign(conn: asyncpg.Connection, user: AppUser, site: Site, month: date = MONTH) -> None:
    async with acting_as(conn, user):
        await signoff.sign_off(conn, SignOff(org_code=site.grid[:12], month=month))


async def _refusal(conn: asyncpg.Connection, user: AppUser, sql: str, *args: object) -> str:
    """The one line the database refuses a statement with, as `user`."""
    with pytest.raises(asyncpg.CheckViolationError) as refused:
        async with acting_as(conn, user):
            await conn.execute(sql, *args)
    return str(refused.value).splitlines()[0]  # its DETAIL follows, for the interface


async def _signed_month(conn: asyncpg.Connection, site: Site, signer: AppUser) -> uuid.UUID:
    """The site's community signed off for MONTH, with a draft visit of MONTH left."""
    await add_approved_sweep(conn, site.grid[:12], MONTH)
    await add_dated_visit(conn, site.grid, site.person, site.worker.pg_role, IN_MONTH)
    draft = await add_dated_visit(
        conn, site.grid, site.person, site.worker.pg_role, IN_MONTH, "draft"
    )
    await _sign(conn, signer, site)
    return draft


async def test_a_grid_workers_edit_of_a_signed_month_is_refused_with_the_reason(
    conn: asyncpg.Connection, site: Site, signer: AppUser
) -> None:
    draft = await _signed_month(conn, site, signer)
    name = await _community_name(conn, site)
    on = today().isoformat()
    expected = (
        f"{MONTH:%Y-%m} of {name} was signed off by 王审核 on {on}; ask a supervisor to reopen it"
    )
    assert await _refusal(conn, site.worker, EDIT, draft) == expected
    with pytest.raises(asyncpg.CheckViolationError) as refused:
        async with acting_as(conn, site.worker):
            await conn.execute(EDIT, draft)
    assert refusal_of(refused.value) == Refusal(
        code="month_signed_off",
        detail={"month": f"{MONTH:%Y-%m}", "unit": name, "by": "王审核", "on": on},
    )
    # A new visit dated in the month, or an edit that moves one into it, is refused too.
    outside = await add_dated_visit(
        conn, site.grid, site.person, site.worker.pg_role, today(), "draft"
    )
    move = "UPDATE visit SET visited_on = $2 WHERE id = $1"
    assert await _refusal(conn, site.worker, move, outside, IN_MONTH) == expected
    insert = (
        "INSERT INTO visit (city_code, id, org_code, kind, visited_on) "
        "VALUES ($1, gen_random_uuid(), $2, 'phone_call', $3)"
    )
    assert await _refusal(conn, site.worker, insert, site.city, site.grid, IN_MONTH) == expected
    # This month is not signed off: its visit is edited.
    assert await attack(conn, site.worker, EDIT, outside) == "UPDATE 1"
    assert await conn.fetchval("SELECT notes FROM visit WHERE id = $1", draft) == "了解就业情况"


async def test_admins_are_held_to_the_lock_too(
    conn: asyncpg.Connection, site: Site, signer: AppUser
) -> None:
    draft = await _signed_month(conn, site, signer)
    refusal = await _refusal(conn, site.admin, EDIT, draft)
    assert refusal.endswith(
        "was signed off by 王审核 on " + f"{today()}; ask a supervisor to reopen it"
    )
    sweep = "UPDATE dispute_sweep SET notes = '补充' WHERE org_code = $1 AND month = $2"
    assert "signed off by 王审核" in await _refusal(conn, site.admin, sweep, site.grid[:12], MONTH)


async def test_a_case_of_the_month_goes_on_but_what_the_month_counted_of_it_stays(
    conn: asyncpg.Connection, site: Site, signer: AppUser
) -> None:
    await add_approved_sweep(conn, site.grid[:12], MONTH)
    case = await add_case(conn, site.grid, site.person)
    await conn.execute("UPDATE dispute_case SET opened_on = $2 WHERE id = $1", case, IN_MONTH)
    await _sign(conn, signer, site)
    taken_up = "UPDATE dispute_case SET stage = 'mediating', mediated_on = $2 WHERE id = $1"
    assert await attack(conn, site.worker, taken_up, case, today()) == "UPDATE 1"
    summary = "UPDATE dispute_case SET summary = '拖欠工资三个月' WHERE id = $1"
    assert "signed off" in await _refusal(conn, site.worker, summary, case)
    note = (
        "INSERT INTO dispute_case_note (city_code, id, case_id, org_code, noted_on, stage, note) "
        "VALUES ($1, gen_random_uuid(), $2, $3, $4, 'open', '补记')"
    )
    assert "signed off" in await _refusal(conn, site.worker, note, site.city, case, site.grid,
                                          IN_MONTH)  # fmt: skip


async def test_reopening_needs_a_reason_is_audited_and_stays(
    conn: asyncpg.Connection, site: Site, signer: AppUser
) -> None:
    draft = await _signed_month(conn, site, signer)
    reopen = "UPDATE month_sign_off SET reopen_reason = $1, version = version + 1"
    for empty in ("", "   "):
        refusal = await _refusal(conn, signer, reopen, empty)
        assert refusal == f"reopen_reason: say why {MONTH:%Y-%m} is reopened"
    with pytest.raises(ValidationError, match="say why the month is reopened"):
        Reopen(city_code=site.city, id=uuid.uuid4(), version=1, reason=" ")
    # The stamps are the database's: no role writes who reopened it, or when.
    forged = "UPDATE month_sign_off SET reopened_by = 'someone', reopened_at = now()"
    assert await attack(conn, signer, forged) == "InsufficientPrivilegeError"

    state = await _state(conn, signer, site)
    assert state.standing == "signed_off"
    assert state.id is not None
    assert state.version is not None
    async with acting_as(conn, signer):
        state = await signoff.reopen(
            conn, Reopen(city_code=site.city, id=state.id, version=state.version,
                         reason=" 补录漏报的走访 ")
        )  # fmt: skip
    assert (state.standing, state.reopen_reason, state.reopened_by_name) == (
        "reopened", "补录漏报的走访", "王审核",
    )  # fmt: skip
    audited = await conn.fetch(
        "SELECT action, actor, changes FROM audit_log WHERE table_name = 'month_sign_off' "
        "AND row_id = $1 ORDER BY id", state.id,
    )  # fmt: skip
    assert [(a["action"], a["actor"]) for a in audited] == [
        ("insert", signer.pg_role), ("update", signer.pg_role),
    ]  # fmt: skip
    assert {"reopen_reason", "reopened_at", "reopened_by"} <= set(json.loads(audited[1]["changes"]))
    # Written once: the reopen is not reworded or taken back, by anyone.
    again = "UPDATE month_sign_off SET reopen_reason = '改个说法'"
    assert "written once" in await _refusal(conn, site.admin, again)
    # The month is open again; signed off anew, the first signature stays as it was.
    assert await attack(conn, site.worker, EDIT, draft) == "UPDATE 1"
    await _sign(conn, signer, site)
    rows = await conn.fetch(
        "SELECT signed_by, reopened_at IS NULL AS in_force FROM month_sign_off ORDER BY signed_at"
    )
    assert [tuple(r) for r in rows] == [(signer.pg_role, False), (signer.pg_role, True)]


async def _state(conn: asyncpg.Connection, user: AppUser, site: Site) -> signoff.MonthState:
    async with acting_as(conn, user):
        state = await signoff.month_state(conn, site.grid[:12], MONTH)
    assert state is not None
    return state


async def test_a_month_with_records_under_review_or_returned_is_not_signed_off(
    conn: asyncpg.Connection, site: Site, signer: AppUser
) -> None:
    await add_approved_sweep(conn, site.grid[:12], MONTH)
    for status in ("submitted", "submitted", "returned"):
        await add_dated_visit(conn, site.grid, site.person, site.worker.pg_role, IN_MONTH, status)
    name = await _community_name(conn, site)
    with pytest.raises(SignOffRefused) as refused:
        await _sign(conn, signer, site)
    assert str(refused.value) == (
        f"sign-off: {MONTH:%Y-%m} of {name} still has records under review or returned for a "
        "fix (visit: 2 waiting, 1 returned); finish them first"
    )
    assert refused.value.refusal == Refusal(
        code="sign_off_pending",
        detail={"month": f"{MONTH:%Y-%m}", "unit": name,
                "kinds": [{"kind": "visit", "waiting": 2, "returned": 1}]},
    )  # fmt: skip
    insert = (
        "INSERT INTO month_sign_off (city_code, id, org_code, month) "
        "VALUES ($1, gen_random_uuid(), $2, $3)"
    )
    assert "under review" in await _refusal(conn, site.admin, insert, site.city, site.grid[:12],
                                            MONTH)  # fmt: skip
    assert await conn.fetchval("SELECT count(*) FROM month_sign_off") == 0


async def test_only_a_supervisor_whose_scope_holds_the_community_signs_an_ended_reviewed_month(
    conn: asyncpg.Connection, site: Site, signer: AppUser
) -> None:
    insert = (
        "INSERT INTO month_sign_off (city_code, id, org_code, month) "
        "VALUES ($1, gen_random_uuid(), $2, $3)"
    )
    community = site.grid[:12]
    elsewhere = await add_user(conn, f"s_{uuid.uuid4().hex[:8]}", "supervisor", site.far[:9])
    await add_approved_sweep(conn, community, MONTH)
    for user in (elsewhere, site.worker, site.auditor):
        assert await attack(conn, user, insert, site.city, community, MONTH) == (
            "InsufficientPrivilegeError"
        )
    with pytest.raises(SignOffRefused, match="not in your scope"):
        await _sign(conn, elsewhere, site)
    this_month = today().replace(day=1)
    with pytest.raises(SignOffRefused, match=f"{this_month:%Y-%m} has not ended yet"):
        await _sign(conn, signer, site, this_month)
    earlier = (MONTH - timedelta(days=1)).replace(day=1)
    with pytest.raises(SignOffRefused, match=f"the sweep of {earlier:%Y-%m} of .* is not approved"):
        await _sign(conn, signer, site, earlier)
    grid = await attack(conn, signer, insert, site.city, site.grid, MONTH)
    assert grid == "CheckViolationError"  # months are signed off by community
    await _sign(conn, signer, site)
    with pytest.raises(SignOffRefused, match="was signed off already, by 王审核"):
        await _sign(conn, site.admin, site)
    assert await conn.fetchval("SELECT count(*) FROM month_sign_off") == 1
    # The grid workers of the community read it; another street's supervisor does not.
    seen = "SELECT count(*) FROM month_sign_off"
    async with acting_as(conn, site.worker):
        assert await conn.fetchval(seen) == 1
    async with acting_as(conn, elsewhere):
        assert await conn.fetchval(seen) == 0


async def test_a_sign_off_waits_for_a_submit_in_flight_and_then_sees_it(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site, signer: AppUser
) -> None:
    await add_approved_sweep(conn, site.grid[:12], MONTH)
    draft = await add_dated_visit(
        conn, site.grid, site.person, site.worker.pg_role, IN_MONTH, "draft"
    )
    async with acting_as(other, site.worker):
        await other.execute("UPDATE visit SET status = 'submitted' WHERE id = $1", draft)
        signing = asyncio.ensure_future(_sign(conn, signer, site))
        await waits_for_a_lock(other, signing)  # the sign-off waits for the submit
        assert not signing.done()
    with pytest.raises(SignOffRefused, match=r"\(visit: 1 waiting, 0 returned\)"):
        await signing
    assert await conn.fetchval("SELECT count(*) FROM month_sign_off") == 0


async def test_psql_tells_nobody_who_signed_off_the_months_of_communities_they_do_not_see(
    conn: asyncpg.Connection, site: Site, signer: AppUser
) -> None:
    await _signed_month(conn, site, signer)
    ask = "SELECT tx_month_lock_refusal($1, $2)"
    async with acting_as(conn, site.far_worker):
        assert await conn.fetchval(ask, site.grid, IN_MONTH) is None
    async with acting_as(conn, site.neighbour_worker):  # another grid of the community
        assert await conn.fetchval(ask, site.grid, IN_MONTH) is not None


async def test_the_home_screen_lists_the_communities_whose_last_month_is_not_signed_off(
    conn: asyncpg.Connection, site: Site, signer: AppUser
) -> None:
    async with acting_as(conn, signer):
        before = await signoff.months_to_sign_off(conn, signer.org_code, today())
    assert site.grid[:12] in {m.org_code for m in before}
    assert {m.month for m in before} == {MONTH}
    await _signed_month(conn, site, signer)
    async with acting_as(conn, signer):
        after = await signoff.months_to_sign_off(conn, signer.org_code, today())
    assert {m.org_code for m in before} - {m.org_code for m in after} == {site.grid[:12]}
