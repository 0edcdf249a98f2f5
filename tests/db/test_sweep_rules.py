"""The sweep's rules, each as the plain SQL of the role it binds (sql/V012): one sweep per
community and month, filed by the community's grid workers (of any of its grids) at the
city's filing level, for a month begun; a nil return is said, never assumed; every case
still open is re-checked before filing, and only cases of the sweep's own community."""

from __future__ import annotations

from datetime import date

import asyncpg
import pytest

from db.core.session import acting_as
from tests.db.access_fixtures import new_user
from tests.db.dispute_fixtures import load_case, load_sweep, set_city
from tests.db.kernel_fixtures import Site, attack, make_site, was_refused

INSERT_SWEEP = (
    "INSERT INTO dispute_sweep (city_code, id, org_code, month, nil_return, status) "
    "VALUES ($1, gen_random_uuid(), $2, $3, $4, $5) RETURNING id"
)
OCTOBER = date(2026, 10, 1)
NOVEMBER = date(2026, 11, 1)


@pytest.fixture
async def site(conn: asyncpg.Connection) -> Site:
    return await make_site(conn)


async def _sweep_as(
    conn: asyncpg.Connection, user: object, site: Site, unit: str, month: date,
    *, nil: bool = True, status: str = "draft",
) -> str:  # fmt: skip
    return await attack(conn, user, INSERT_SWEEP.removesuffix(" RETURNING id"), site.city, unit,
                        month, nil, status)  # type: ignore[arg-type]  # fmt: skip


async def test_one_sweep_per_community_and_month_by_any_of_its_grid_workers(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    community = site.grid[:12]
    assert await _sweep_as(other, site.worker, site, community, OCTOBER) == "INSERT 0 1"
    # The grid worker of the community's other grid sees it, and files no second one.
    async with acting_as(other, site.neighbour_worker):
        assert await other.fetchval("SELECT count(*) FROM dispute_sweep") == 1
    with pytest.raises(asyncpg.UniqueViolationError):
        async with acting_as(other, site.neighbour_worker):
            await other.execute(INSERT_SWEEP, site.city, community, OCTOBER, True, "draft")
    assert await _sweep_as(other, site.neighbour_worker, site, community, NOVEMBER) == "INSERT 0 1"
    assert await conn.fetchval("SELECT count(*) FROM dispute_sweep") == 2


async def test_another_communitys_grid_worker_neither_sees_nor_files_it(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    community = site.grid[:12]
    sweep = await load_sweep(conn, community, OCTOBER)
    async with acting_as(other, site.far_worker):
        assert await other.fetchval("SELECT count(*) FROM dispute_sweep") == 0
    assert was_refused(await _sweep_as(other, site.far_worker, site, community, NOVEMBER))
    outcome = await attack(
        other, site.far_worker, "UPDATE dispute_sweep SET notes = '无' WHERE id = $1", sweep
    )
    assert was_refused(outcome)
    # Supervisors and auditors read it and write none.
    for user in (site.supervisor, site.auditor):
        assert was_refused(await _sweep_as(other, user, site, community, NOVEMBER))
        async with acting_as(other, user):
            assert await other.fetchval("SELECT count(*) FROM dispute_sweep") == 1


async def test_the_unit_is_of_the_citys_filing_level(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    assert await _sweep_as(other, site.worker, site, site.grid, OCTOBER) == "CheckViolationError"
    assert await _sweep_as(other, site.worker, site, site.grid[:9], OCTOBER) != "INSERT 0 1"
    await set_city(conn, site.city, filing_unit="grid")
    assert await _sweep_as(other, site.worker, site, site.grid, OCTOBER) == "INSERT 0 1"
    assert await _sweep_as(other, site.worker, site, site.grid[:12], NOVEMBER) == (
        "CheckViolationError"
    )  # fmt: skip
    # Filing by grid, a grid worker files their own grid's only.
    assert was_refused(await _sweep_as(other, site.worker, site, site.neighbour, OCTOBER))


async def test_a_month_not_begun_is_not_swept(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    this_month = await conn.fetchval(
        "SELECT date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai')::date"
    )
    next_month = date(this_month.year + this_month.month // 12, this_month.month % 12 + 1, 1)
    assert await _sweep_as(other, site.worker, site, site.grid[:12], next_month) == (
        "CheckViolationError"
    )  # fmt: skip
    assert await _sweep_as(other, site.worker, site, site.grid[:12], this_month) == "INSERT 0 1"


@pytest.mark.parametrize("status", ["draft", "submitted"])
async def test_a_nil_return_is_said_never_assumed(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site, status: str
) -> None:
    community = site.grid[:12]
    # Submitted as it is inserted, or submitted after: without cases, only a nil return.
    if status == "draft":
        sweep = await load_sweep(conn, community, OCTOBER, nil_return=False)
        outcome = await attack(
            other, site.worker, "UPDATE dispute_sweep SET status = 'submitted' WHERE id = $1", sweep
        )
    else:
        outcome = await _sweep_as(other, site.worker, site, community, OCTOBER, nil=False,
                                  status="submitted")  # fmt: skip
    assert outcome == "CheckViolationError"
    assert await _sweep_as(other, site.worker, site, community, NOVEMBER, status="submitted") == (
        "INSERT 0 1"
    )  # fmt: skip


async def test_a_nil_return_lists_no_new_case(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    community = site.grid[:12]
    sweep = await load_sweep(conn, community, OCTOBER, nil_return=True)
    # Found this month: taken in in October outside any sweep, in one of its grids.
    await load_case(conn, site.grid, date(2026, 10, 12))
    submit = "UPDATE dispute_sweep SET status = 'submitted' WHERE id = $1"
    assert await attack(other, site.worker, submit, sweep) == "CheckViolationError"
    outcome = await attack(other, site.worker,
                           "UPDATE dispute_sweep SET nil_return = false, status = 'submitted' "
                           "WHERE id = $1", sweep)  # fmt: skip
    assert outcome == "UPDATE 1"


async def test_open_cases_come_back_until_re_checked(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    community = site.grid[:12]
    october = await load_sweep(conn, community, OCTOBER, nil_return=False)
    carried = await load_case(conn, community, date(2026, 10, 5), sweep=october)
    mediating = await load_case(conn, site.grid, date(2026, 9, 20), stage="mediating")
    await load_case(conn, site.grid, date(2026, 9, 21), stage="resolved")  # concluded: not
    await load_case(conn, site.far[:12], date(2026, 9, 22))  # another district's: not
    await load_case(conn, community, date(2026, 12, 1))  # taken in after November: not
    november = await load_sweep(conn, community, NOVEMBER, nil_return=True)
    submit = "UPDATE dispute_sweep SET status = 'submitted' WHERE id = $1"
    assert await attack(other, site.worker, submit, november) == "CheckViolationError"
    recheck = (
        "INSERT INTO dispute_sweep_recheck (city_code, sweep_id, case_id, org_code, checked_on, "
        "stage, note) VALUES ($1, $2, $3, $4, '2026-11-10', 'mediating', '双方同意调解')"
    )
    for case in (carried, mediating):
        # The org code is the sweep's, whatever is sent.
        assert await attack(other, site.worker, recheck, site.city, november, case,
                            site.grid) == "INSERT 0 1"  # fmt: skip
    assert await attack(other, site.worker, submit, november) == "UPDATE 1"
    assert await conn.fetchval(
        "SELECT count(*) FROM dispute_sweep_recheck WHERE sweep_id = $1 AND org_code = $2",
        november, community,
    ) == 2  # fmt: skip


async def test_a_re_check_names_only_a_case_of_the_sweeps_community(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    november = await load_sweep(conn, site.grid[:12], NOVEMBER)
    far_case = await load_case(conn, site.far[:12], date(2026, 10, 2))
    other_city_case = await load_case(conn, site.other_city[:12], date(2026, 10, 2))
    neighbour_community = await conn.fetchval(
        "SELECT code FROM org_unit WHERE level = 'community' AND parent_code = $1 AND code <> $2 "
        "ORDER BY code LIMIT 1",
        site.grid[:9], site.grid[:12],
    )  # fmt: skip
    street_case = await load_case(conn, neighbour_community, date(2026, 10, 2))
    own = await load_case(conn, site.grid, date(2026, 10, 2))
    recheck = (
        "INSERT INTO dispute_sweep_recheck (city_code, sweep_id, case_id, org_code, checked_on, "
        "stage, note) VALUES ($1, $2, $3, $4, '2026-11-10', 'open', '仍在了解')"
    )
    for user, case in ((site.worker, far_case), (site.worker, other_city_case),
                       (site.admin, street_case), (site.supervisor, own)):  # fmt: skip
        outcome = await attack(other, user, recheck, site.city, november, case, site.grid[:12])
        assert was_refused(outcome), (user.role_kind, outcome)
    check = await conn.fetchval("SELECT count(*) FROM dispute_sweep_recheck")
    assert check == 0
    # Moved onto another case afterwards, just the same.
    await attack(other, site.worker, recheck, site.city, november, own, site.grid[:12])
    outcome = await attack(other, site.worker,
                           "UPDATE dispute_sweep_recheck SET case_id = $1 WHERE sweep_id = $2",
                           street_case, november)  # fmt: skip
    assert was_refused(outcome), outcome


async def test_a_filed_sweep_and_its_re_checks_no_longer_change(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    community = site.grid[:12]
    case = await load_case(conn, site.grid, date(2026, 9, 1))
    november = await load_sweep(conn, community, NOVEMBER)
    await conn.execute(
        "INSERT INTO dispute_sweep_recheck (city_code, sweep_id, case_id, org_code, checked_on, "
        "stage, note) VALUES ($1, $2, $3, $4, '2026-11-10', 'open', '仍在了解')",
        site.city, november, case, community,
    )  # fmt: skip
    submit = "UPDATE dispute_sweep SET status = 'submitted' WHERE id = $1"
    assert await attack(other, site.worker, submit, november) == "UPDATE 1"
    for sql in ("UPDATE dispute_sweep_recheck SET note = '已调解' WHERE sweep_id = $1",
                "SELECT tx_remove_children('dispute_sweep_recheck', '{city}', $1, '{{}}')",
                "UPDATE dispute_sweep SET notes = '补充' WHERE id = $1"):  # fmt: skip
        outcome = await attack(other, site.worker, sql.format(city=site.city), november)
        assert was_refused(outcome), (sql, outcome)
    # A new case found after filing is not added to the sweep filed.
    outcome = await attack(
        other, site.worker,
        "INSERT INTO dispute_case (city_code, id, org_code, sweep_id, kind, summary, opened_on) "
        "VALUES ($1, gen_random_uuid(), $2, $3, 'labour', '欠薪', '2026-11-20')",
        site.city, community, november,
    )  # fmt: skip
    assert was_refused(outcome), outcome


async def test_filing_is_stamped_once_and_a_return_keeps_it(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    sweep = await load_sweep(conn, site.grid[:12], OCTOBER)
    submit = "UPDATE dispute_sweep SET status = 'submitted' WHERE id = $1"
    assert await attack(other, site.worker, submit, sweep) == "UPDATE 1"
    first = await conn.fetchrow("SELECT filed_at, filed_by FROM dispute_sweep WHERE id = $1", sweep)
    outcome = await attack(other, site.supervisor,
                           "UPDATE dispute_sweep SET status = 'returned', review_comment = '请补充'"
                           " WHERE id = $1", sweep)  # fmt: skip
    assert outcome == "UPDATE 1"
    assert await attack(other, site.neighbour_worker, submit, sweep) == "UPDATE 1"
    again = await conn.fetchrow("SELECT filed_at, filed_by FROM dispute_sweep WHERE id = $1", sweep)
    assert tuple(again) == tuple(first)
    assert first["filed_by"] == site.worker.pg_role


async def test_a_grid_worker_of_the_community_removes_a_partys_row_of_its_case(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    community = site.grid[:12]
    case = await load_case(conn, community, date(2026, 10, 2))
    far_worker_removal = "SELECT tx_remove_children('dispute_party', $1, $2, '{}')"
    assert was_refused(await attack(other, site.far_worker, far_worker_removal, site.city, case))
    assert await attack(other, site.worker, far_worker_removal, site.city, case) == "SELECT 1"
    assert await conn.fetchval("SELECT count(*) FROM dispute_party WHERE case_id = $1", case) == 0


async def test_a_grid_worker_scoped_to_a_community_shares_nothing_beyond_it(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    worker = await new_user(conn, "grid_worker", site.grid[:12])
    street_sweep = await load_sweep(
        conn,
        await conn.fetchval(
            "SELECT code FROM org_unit WHERE level = 'community' AND parent_code = $1 "
            "AND code <> $2 ORDER BY code LIMIT 1", site.grid[:9], site.grid[:12]),
        OCTOBER,
    )  # fmt: skip
    async with acting_as(other, worker):
        seen = await other.fetch("SELECT id FROM dispute_sweep")
    assert street_sweep not in [r["id"] for r in seen]
