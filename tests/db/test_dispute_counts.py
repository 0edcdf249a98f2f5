"""The monthly report's counts (sql/V012 dispute_month_cases, dispute_sweep_count): found
(new in the month's sweep), mediated (in mediation or beyond during the month), resolved
(concluded by agreement within the month), across a month and a year end."""

from __future__ import annotations

from datetime import date

import asyncpg

from db.core.session import acting_as
from db.disputes.months import sweep_counts
from tests.db.dispute_fixtures import load_case, load_sweep
from tests.db.kernel_fixtures import make_site

OCT, NOV, DEC = date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)


async def test_found_mediated_and_resolved_per_sweep(
    conn: asyncpg.Connection, other: asyncpg.Connection
) -> None:
    site = await make_site(conn)
    community, grid = site.grid[:12], site.grid
    sweeps = {m: await load_sweep(conn, community, m, nil_return=False) for m in (OCT, NOV, DEC)}
    d = date
    cases = {
        # Linked to November's sweep, still open.
        "A": await load_case(conn, community, d(2026, 11, 3), sweep=sweeps[NOV]),
        # Taken in during November in one of its grids, outside any sweep.
        "B": await load_case(conn, grid, d(2026, 11, 10)),
        "C": await load_case(conn, grid, d(2026, 10, 30)),
        # Mediated since September, still mediating.
        "D": await load_case(conn, grid, d(2026, 9, 1), stage="mediating",
                             mediated_on=d(2026, 9, 5)),
        # Mediated since September, resolved on November's last day.
        "E": await load_case(conn, grid, d(2026, 9, 1), stage="resolved",
                             mediated_on=d(2026, 9, 2), closed_on=d(2026, 11, 30)),
        # Resolved on October's last day: nothing in November.
        "F": await load_case(conn, grid, d(2026, 10, 1), stage="resolved",
                             mediated_on=d(2026, 10, 2), closed_on=d(2026, 10, 31)),
        # Taken in in November, referred straight on 1 December.
        "G": await load_case(conn, grid, d(2026, 11, 5), stage="referred",
                             mediated_on=d(2026, 12, 1), closed_on=d(2026, 12, 1)),
        # Mediated and closed without agreement within November.
        "H": await load_case(conn, community, d(2026, 11, 2), stage="closed",
                             mediated_on=d(2026, 11, 2), closed_on=d(2026, 11, 15)),
        # Found in October's sweep, though dated 1 November: October's.
        "J": await load_case(conn, community, d(2026, 11, 1), sweep=sweeps[OCT]),
        # Another district's: never this community's.
        "X": await load_case(conn, site.far, d(2026, 11, 3), stage="resolved",
                             mediated_on=d(2026, 11, 4), closed_on=d(2026, 11, 6)),
    }  # fmt: skip
    names = {v: k for k, v in cases.items()}

    async def flags(month: date) -> dict[str, str]:
        rows = await conn.fetch(
            "SELECT case_id, found, mediated, resolved FROM dispute_month_cases($1, $2)",
            community, month,
        )  # fmt: skip
        return {
            names[r["case_id"]]: "".join(f for f, on in zip("fmr", tuple(r)[1:], strict=True) if on)
            for r in rows
        }

    assert await flags(OCT) == {"C": "f", "D": "m", "E": "m", "F": "fmr", "J": "f"}
    assert await flags(NOV) == {"A": "f", "B": "f", "D": "m", "E": "mr", "G": "f", "H": "fm"}
    assert await flags(DEC) == {"D": "m", "G": "m"}

    async with acting_as(other, site.supervisor):
        counts = await sweep_counts(other, list(sweeps.values()))
    assert [(c.month, c.found, c.mediated, c.resolved) for c in counts] == [
        (OCT, 3, 3, 1), (NOV, 4, 3, 1), (DEC, 0, 2, 0),
    ]  # fmt: skip
    # A reader counts what they may see: another district's worker, nothing.
    async with acting_as(other, site.far_worker):
        assert await sweep_counts(other, list(sweeps.values())) == []
        assert await other.fetchval(
            "SELECT count(*) FROM dispute_month_cases($1, $2)", community, NOV
        ) == 0  # fmt: skip
