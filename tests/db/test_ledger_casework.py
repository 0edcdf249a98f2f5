"""The casework ledgers (sql/R__ledgers.sql): sweeps filed, late, nil or missing; dispute
cases; needs followed up and the overdue per department; meetings with their open action
items; the 三必谈 of representatives; and the monthly dispute report with its rates,
subtotals and year to date, across a month and a year end. Each is checked against
figures worked out here, in Python, from the rows seeded, by V012's definitions: found
in the month's sweep (or taken in that month outside any sweep), mediated during the
month, resolved by agreement within it.
"""

from __future__ import annotations

import csv
import os
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import openpyxl
import pytest

from db.core.clock import today
from db.core.session import acting_as
from db.ledgers.catalogue import LEDGERS
from db.ledgers.export import LedgerExport, MonthNeeded, export_ledger
from db.ledgers.reads import ledger_page
from tests.db.access_fixtures import add_person, new_user
from tests.db.dispute_fixtures import load_case, load_sweep
from tests.db.kernel_fixtures import add_representative, add_representative_contact

OFFICE = ZoneInfo("Asia/Shanghai")
NOV, DEC, JAN, FEB = date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)
KINDS = ("marriage_family", "neighbours", "housing_land", "contract", "business", "damages",
         "labour", "consumer", "medical", "traffic", "property_management", "land_requisition",
         "ethnic_religious", "other")  # fmt: skip
CASEWORK_VIEWS = ("ledger_sweeps", "ledger_disputes", "ledger_assistance", "stats_overdue",
                  "ledger_meetings", "ledger_contacts", "report_disputes_monthly")  # fmt: skip


@dataclass
class Sweep:
    unit: str
    month: date
    status: str
    filed_at: datetime | None
    nil: bool


@dataclass
class Case:
    name: str
    org: str
    opened: date
    kind: str
    stage: str = "open"
    mediated: date | None = None
    closed: date | None = None
    sweep: tuple[str, date] | None = None  # (unit, month) of the sweep that found it
    review: str = "draft"
    parties: int = 1
    id: uuid.UUID | None = None


@dataclass
class Units:
    c1: str  # community of the first street
    c2: str  # another community of that street
    c3: str  # a community of another street, same district
    c4: str  # a community of another district, same city

    @property
    def district(self) -> str:
        return self.c1[:6]


async def _units(conn: asyncpg.Connection) -> Units:
    codes = [r[0] for r in await conn.fetch(
        "SELECT code FROM org_unit WHERE level = 'community' ORDER BY code")]  # fmt: skip
    c1 = codes[0]
    c2 = next(c for c in codes if c != c1 and c[:9] == c1[:9])
    c3 = next(c for c in codes if c[:6] == c1[:6] and c[:9] != c1[:9])
    c4 = next(c for c in codes if c[:4] == c1[:4] and c[:6] != c1[:6])
    return Units(c1, c2, c3, c4)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=OFFICE)


def _sweeps(u: Units) -> list[Sweep]:
    return [
        # December: on time; a nil return late on the due day (still on time in the
        # office's zone); filed half an hour after the due day (late, though the 20th in
        # UTC); nothing from the other district (missing).
        Sweep(u.c1, DEC, "approved", _at(date(2026, 1, 15), 10), False),
        Sweep(u.c2, DEC, "approved", _at(date(2026, 1, 20), 23, 30), True),
        Sweep(u.c3, DEC, "submitted", _at(date(2026, 1, 21), 0, 30), True),
        # January: late but approved; returned (filed, pending); a draft (missing); the
        # other district's, approved.
        Sweep(u.c1, JAN, "approved", _at(date(2026, 2, 25), 9), False),
        Sweep(u.c2, JAN, "returned", _at(date(2026, 2, 10), 9), False),
        Sweep(u.c3, JAN, "draft", None, True),
        Sweep(u.c4, JAN, "approved", _at(date(2026, 2, 1), 9), False),
        # February: a nil return of the first community, approved.
        Sweep(u.c1, FEB, "approved", _at(date(2026, 3, 2), 9), True),
    ]


def _cases(u: Units, grid_of_c1: str) -> list[Case]:
    d = date
    return [
        Case("a", u.c1, d(2025, 12, 5), "labour", "mediating", d(2025, 12, 6), sweep=(u.c1, DEC),
             parties=3),
        Case("b", grid_of_c1, d(2025, 12, 10), "neighbours", "resolved", d(2025, 12, 11),
             d(2025, 12, 20), review="approved"),
        Case("c", u.c1, d(2026, 1, 3), "marriage_family", "resolved", d(2026, 1, 4),
             d(2026, 1, 31), sweep=(u.c1, JAN), review="submitted"),
        # Dated in December, found in January's sweep: January's.
        Case("d", u.c1, d(2025, 12, 28), "contract", sweep=(u.c1, JAN)),
        Case("e", u.c2, d(2026, 1, 8), "labour", "closed", d(2026, 1, 9), d(2026, 1, 12),
             sweep=(u.c2, JAN)),
        Case("f", u.c4, d(2026, 1, 5), "other", sweep=(u.c4, JAN)),
        # Found in November (no sweep), mediated across the year end, resolved in January.
        Case("g", u.c1, d(2025, 11, 20), "damages", "resolved", d(2025, 11, 21), d(2026, 1, 5),
             review="approved"),
    ]  # fmt: skip


async def _seed(conn: asyncpg.Connection) -> tuple[Units, list[Sweep], list[Case]]:
    u = await _units(conn)
    grid_of_c1 = await conn.fetchval(
        "SELECT min(code) FROM org_unit WHERE parent_code = $1 AND level = 'grid'", u.c1
    )
    sweeps, cases = _sweeps(u), _cases(u, grid_of_c1)
    ids = {}
    for s in sweeps:
        ids[(s.unit, s.month)] = await load_sweep(
            conn, s.unit, s.month, status=s.status, nil_return=s.nil, filed_at=s.filed_at
        )
    for c in cases:
        c.id = await load_case(
            conn, c.org, c.opened, stage=c.stage, mediated_on=c.mediated, closed_on=c.closed,
            sweep=ids[c.sweep] if c.sweep else None, kind=c.kind,
        )  # fmt: skip
        for seq in range(2, c.parties + 1):
            await conn.execute(
                "INSERT INTO dispute_party (city_code, case_id, id, seq, org_code, name) "
                "VALUES ($1, $2, gen_random_uuid(), $3, $4, '另一方')",
                c.org[:4], c.id, seq, c.org,
            )  # fmt: skip
        if c.review != "draft":
            await conn.execute(
                "UPDATE dispute_case SET status = $2, submitted_at = now(), "
                "reviewed_at = CASE WHEN $2 = 'approved' THEN now() END, "
                "reviewed_by = CASE WHEN $2 = 'approved' THEN 'demo_reviewer' END WHERE id = $1",
                c.id, c.review,
            )  # fmt: skip
    return u, sweeps, cases


# V012's definitions, worked out again from the seeded rows ---------------------------------


def _next(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _flags(c: Case, unit: str, month: date) -> tuple[bool, bool, bool]:
    """Whether case `c` is found, mediated, resolved for `unit` in `month`."""
    if not c.org.startswith(unit):
        return False, False, False
    end = _next(month)
    found = c.sweep == (unit, month) if c.sweep else month <= c.opened < end
    mediated = (
        c.mediated is not None and c.mediated < end and (c.closed is None or c.closed >= month)
    )
    resolved = c.stage == "resolved" and c.closed is not None and month <= c.closed < end
    return found, mediated, resolved


def _state(sweeps: list[Sweep], unit: str, month: date, on: date) -> str:
    due = _next(month) + timedelta(days=19)
    s = next((s for s in sweeps if (s.unit, s.month) == (unit, month)), None)
    if s is not None and s.filed_at is not None:
        return "filed" if s.filed_at.astimezone(OFFICE).date() <= due else "late"
    return "missing" if on > due else "due"


def _approved(sweeps: list[Sweep], unit: str, month: date) -> bool:
    return any((s.unit, s.month, s.status) == (unit, month, "approved") for s in sweeps)


def _figures(cases: list[Case], sweeps: list[Sweep], unit: str, month: date) -> dict[str, Any]:
    flags = {c.name: _flags(c, unit, month) for c in cases}
    months = [m for m in _months(date(month.year, 1, 1), month)
              if m == month or _approved(sweeps, unit, m)]  # fmt: skip
    ytd = [set().union(*({c.name for c in cases if _flags(c, unit, m)[i]} for m in months))
           for i in range(3)]  # fmt: skip
    figures = {
        "found": sum(f[0] for f in flags.values()),
        "mediated": sum(f[1] for f in flags.values()),
        "resolved": sum(f[2] for f in flags.values()),
        "found_ytd": len(ytd[0]), "mediated_ytd": len(ytd[1]), "resolved_ytd": len(ytd[2]),
    }  # fmt: skip
    for kind in KINDS:
        figures[f"found_{kind}"] = sum(1 for c in cases if c.kind == kind and flags[c.name][0])
    return figures


def _months(first: date, last: date) -> list[date]:
    months = [first]
    while months[-1] < last:
        months.append(_next(months[-1]))
    return months


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _with_rates(f: dict[str, Any]) -> dict[str, Any]:
    return {
        **f,
        "mediation_rate": _rate(f["mediated"], f["found"]),
        "success_rate": _rate(f["resolved"], f["found"]),
        "mediation_rate_ytd": _rate(f["mediated_ytd"], f["found_ytd"]),
        "success_rate_ytd": _rate(f["resolved_ytd"], f["found_ytd"]),
    }


def _added(parts: list[dict[str, Any]]) -> dict[str, Any]:
    keys = [k for k in parts[0] if not k.endswith("rate") and not k.endswith("rate_ytd")]
    return _with_rates({k: sum(p[k] for p in parts) for k in keys})


async def _communities(conn: asyncpg.Connection, scope: str) -> list[str]:
    return [r[0] for r in await conn.fetch(
        "SELECT code FROM org_unit WHERE level = 'community' AND code LIKE $1 || '%' "
        "ORDER BY code", scope)]  # fmt: skip


async def _rows(conn: asyncpg.Connection, name: str, scope: str,
                month: date | None = None) -> list[dict[str, Any]]:  # fmt: skip
    return (await ledger_page(conn, name, scope, month, limit=100_000)).rows


# The tests -----------------------------------------------------------------------------------


async def test_every_community_and_month_is_filed_late_nil_or_missing(
    conn: asyncpg.Connection,
) -> None:
    u, sweeps, cases = await _seed(conn)
    on = today()
    words = {"filed": "按时上报", "late": "逾期上报", "missing": "未上报", "due": "未到期"}
    for month in (NOV, DEC, JAN, FEB, date(on.year, on.month, 1)):
        rows = await _rows(conn, "sweeps", u.district, month)
        communities = await _communities(conn, u.district)
        assert [r["org_code"] for r in rows] == communities, month
        for r in rows:
            state = _state(sweeps, r["org_code"], month, on)
            assert r["sweep_state"] == words[state], (month, r)
            assert r["month"] == month
            assert r["filing_due_on"] == _next(month) + timedelta(days=19)
            found = sum(_flags(c, r["org_code"], month)[0] for c in cases)
            assert r["found"] == found
    dec = {r["org_code"]: r for r in await _rows(conn, "sweeps", u.district, DEC)}
    assert [dec[c]["sweep_state"] for c in (u.c1, u.c2, u.c3)] == [
        "按时上报",
        "按时上报",
        "逾期上报",
    ]
    assert [dec[c]["return_kind"] for c in (u.c1, u.c2, u.c3)] == ["有新发现", "零报告", "零报告"]
    assert dec[u.c2]["filed_on"] == date(2026, 1, 20)
    assert [dec[c]["review_status"] for c in (u.c1, u.c3)] == ["已审核", "待审核"]
    jan = {r["org_code"]: r for r in await _rows(conn, "sweeps", u.c1[:4], JAN)}
    assert [jan[c]["sweep_state"] for c in (u.c1, u.c2, u.c3, u.c4)] == [
        "逾期上报", "按时上报", "未上报", "按时上报"]  # fmt: skip
    assert jan[u.c3]["return_kind"] is None
    assert jan[u.c3]["review_status"] == "未提交"
    # Every month from the city's first case (November) to this one, each community once.
    every = await _rows(conn, "sweeps", u.c1)
    assert [r["month"] for r in every] == _months(NOV, date(on.year, on.month, 1))


async def test_the_dispute_ledger_lists_cases_with_parties_and_unapproved_conclusions_apart(
    conn: asyncpg.Connection,
) -> None:
    u, _, cases = await _seed(conn)
    rows = await _rows(conn, "disputes", u.district)
    mine = [c for c in cases if c.org.startswith(u.district)]
    pending = {c.name for c in mine if c.closed is not None and c.review != "approved"}
    assert pending == {"c", "e"}
    by_id = {c.id: c for c in mine}
    assert sorted(r["id"] for r in rows) == sorted(by_id)
    assert [r["pending"] for r in rows] == sorted(r["pending"] for r in rows)  # apart, last
    for r in rows:
        c = by_id[r["id"]]
        assert r["pending"] == (c.name in pending)
        assert (r["parties"], r["opened_on"], r["closed_on"]) == (c.parties, c.opened, c.closed)
    a = next(r for r in rows if r["id"] == by_id_named(mine, "a"))
    assert (a["case_kind"], a["case_stage"], a["case_outcome"]) == ("劳动争议", "调处中", None)
    b = next(r for r in rows if r["id"] == by_id_named(mine, "b"))
    assert (b["case_stage"], b["case_outcome"], b["review_status"]) == (
        "调解成功", "达成协议", "已审核")  # fmt: skip
    assert b["grid"] is not None
    assert b["community"] is not None
    december = await _rows(conn, "disputes", u.district, DEC)
    assert sorted(r["id"] for r in december) == sorted(
        c.id for c in mine if DEC <= c.opened < JAN)  # fmt: skip


def by_id_named(cases: list[Case], name: str) -> uuid.UUID | None:
    return next(c.id for c in cases if c.name == name)


async def test_the_monthly_report_counts_approved_months_with_subtotals_and_the_year_to_date(
    conn: asyncpg.Connection,
) -> None:
    u, sweeps, cases = await _seed(conn)
    city = u.c1[:4]
    names = {r["code"]: r["name"] for r in await conn.fetch("SELECT code, name FROM org_unit")}
    figures = [
        "found", "mediated", "mediation_rate", "resolved", "success_rate", "found_ytd",
        "mediated_ytd", "mediation_rate_ytd", "resolved_ytd", "success_rate_ytd",
        *(f"found_{k}" for k in KINDS),
    ]  # fmt: skip
    for scope in (u.district, u.c1[:9], city):
        communities = await _communities(conn, scope)
        for month in (DEC, JAN, FEB):
            each = {c: _with_rates(_figures(cases, sweeps, c, month)) for c in communities}
            counted = [c for c in communities if _approved(sweeps, c, month)]
            expected: list[tuple[str, Any]] = []
            # Units below the scope, each followed by the subtotal of the unit above it.
            levels = [n for n in (len(scope), 6, 9, 12) if n >= len(scope)]
            groups = sorted({(c[:n], n) for c in counted for n in levels},
                            key=lambda g: g[0].ljust(15, "~"))  # fmt: skip
            for code, n in groups:
                parts = [each[c] for c in counted if c.startswith(code)]
                label = (
                    names[code]
                    if n == 12
                    else (f"{names[code]} 合计" if n == len(scope) else f"{names[code]} 小计")
                )
                expected.append((label, [_added(parts)[f] for f in figures]))
            expected += [(names[c], [each[c][f] for f in figures])
                         for c in communities if c not in counted]  # fmt: skip
            rows = await _rows(conn, "dispute_report", scope, month)
            assert [(r["unit"], [r[f] for f in figures]) for r in rows] == expected, (scope, month)
            assert [r["pending"] for r in rows] == [False] * len(groups) + [True] * (
                len(communities) - len(counted)
            )
    # By hand, the first community: December 2 found (a, b), 3 mediated (g across the
    # year end too), 1 resolved; in February the year to date counts a once.
    c1 = {m: next(r for r in await _rows(conn, "dispute_report", u.c1, m)) for m in (DEC, FEB)}
    assert [c1[DEC][f] for f in ("found", "mediated", "resolved", "mediation_rate")] == [
        2, 3, 1, 1.5]  # fmt: skip
    assert [
        c1[FEB][f]
        for f in (
            "found",
            "mediated",
            "found_ytd",
            "mediated_ytd",
            "resolved_ytd",
            "success_rate_ytd",
        )
    ] == [0, 1, 2, 3, 2, 1.0]
    # The returned January sweep of the second community is pending, with its figures.
    jan = await _rows(conn, "dispute_report", u.c1[:9], JAN)
    second = next(r for r in jan if r["unit"] == names[u.c2])
    assert second["pending"]
    assert (second["found"], second["mediated"], second["resolved"]) == (1, 1, 0)
    assert [r["unit"] for r in jan if not r["pending"]] == [
        names[u.c1], f"{names[u.c1[:9]]} 合计"]  # fmt: skip


async def _need(conn: asyncpg.Connection, grid: str, person: uuid.UUID, **kw: Any) -> uuid.UUID:
    need = uuid.uuid4()
    status = kw.get("status", "open")
    await conn.execute(
        "INSERT INTO assistance_request (city_code, id, org_code, person_id, visit_id, category, "
        "description, department_code, status, raised_on, due_on, channel, referred_on) "
        "VALUES ($1, $2, $3, $4, $5, 'employment', '想找工作', $6, $7, $8, $9, $10, $11)",
        grid[:4], need, grid, person, kw.get("visit"), kw.get("department"), status,
        kw["raised"], kw["due"], "visit" if kw.get("visit") else "walk_in",
        kw["raised"] if status == "referred" else None,
    )  # fmt: skip
    return need


async def test_needs_with_their_referral_and_the_overdue_per_department(
    conn: asyncpg.Connection,
) -> None:
    u = await _units(conn)
    grids = [r[0] for r in await conn.fetch(
        "SELECT code FROM org_unit WHERE level = 'grid' AND (code LIKE $1 || '%' OR code LIKE "
        "$2 || '%') ORDER BY code", u.c1, u.c3)]  # fmt: skip
    g1, g3 = grids[0], grids[-1]
    person1, person3 = await add_person(conn, g1), await add_person(conn, g3, "阿依古丽")
    depts = [r[0] for r in await conn.fetch("SELECT code FROM department ORDER BY sort, code")]
    names = {r[0]: r[1] for r in await conn.fetch("SELECT code, name_zh FROM department")}
    on = today()
    visit = uuid.uuid4()
    await conn.execute(
        "INSERT INTO visit (city_code, id, org_code, kind, visited_on, notes, status, created_by, "
        "updated_by) VALUES ($1, $2, $3, 'home_visit', $4, '了解情况', 'submitted', 'w', 'w')",
        g1[:4], visit, g1, on - timedelta(days=40),
    )  # fmt: skip
    plan = [  # grid, person, department, status, raised, due, on a visit not yet approved
        (g1, person1, depts[0], "referred", on - timedelta(days=30), on - timedelta(days=1), None),
        (g1, person1, depts[0], "referred", on - timedelta(days=30), on + timedelta(days=3), None),
        (g1, person1, depts[1], "referred", on - timedelta(days=30), on - timedelta(days=9), None),
        (g1, person1, None, "open", on - timedelta(days=20), on + timedelta(days=30), None),
        (g3, person3, depts[0], "referred", on - timedelta(days=60), on - timedelta(days=2), None),
        (g1, person1, depts[0], "open", on - timedelta(days=40), on - timedelta(days=5), visit),
    ]  # fmt: skip
    ids = []
    for grid, person, dept, status, raised, due, on_visit in plan:
        ids.append(await _need(conn, grid, person, department=dept, status=status,
                               raised=raised, due=due, visit=on_visit))  # fmt: skip
    rows = await _rows(conn, "assistance", u.district)
    assert sorted(r["id"] for r in rows) == sorted(ids)
    for r, (_, _, dept, _, raised, due, on_visit) in (
        (next(r for r in rows if r["id"] == i), p) for i, p in zip(ids, plan, strict=True)
    ):
        assert r["pending"] == (on_visit is not None)
        assert r["overdue_mark"] == ("逾期" if due < on else None)
        assert r["days_overdue"] == ((on - due).days if due < on else None)
        assert (r["due_on"], r["raised_on"]) == (due, raised)
        assert r["department"] == (names[dept] if dept else "未转办")
    assert [r["pending"] for r in rows][-1] is True
    # The overdue per department: counted needs only (not the one of the visit in review).
    expected: dict[str, list[int]] = {}
    for grid, _, dept, _, _, due, on_visit in plan:
        if on_visit is None and grid.startswith(u.district):
            counts = expected.setdefault(dept or "", [0, 0, 0])
            counts[0] += 1
            counts[1] += due < on
            counts[2] += on <= due < on + timedelta(days=7)
    stats = await _rows(conn, "overdue", u.district)
    assert {r["department_code"]: [r["open_needs"], r["overdue_needs"], r["due_soon_needs"]]
            for r in stats} == expected  # fmt: skip
    street = await _rows(conn, "overdue", u.c1[:9])
    assert sum(r["open_needs"] for r in street) == 4


async def test_meetings_with_their_open_action_items_and_pending_minutes_apart(
    conn: asyncpg.Connection,
) -> None:
    u = await _units(conn)
    depts = [r[0] for r in await conn.fetch("SELECT code FROM department ORDER BY sort, code")]
    plan = {"approved": (3, 2), "submitted": (1, 1), "returned": (2, 0), "draft": (1, 1)}
    ids = {}
    for n, (status, (items, still_open)) in enumerate(plan.items()):
        meeting = uuid.uuid4()
        ids[status] = meeting
        await conn.execute(
            "INSERT INTO meeting (city_code, id, org_code, kind, held_on, starts_at, chair, "
            "recorder, minutes, status, review_comment, created_by) VALUES ($1, $2, $3, "
            "'member_joint', $4, '09:00', '李主任', '王记录', '通报', $5, $6, 'w')",
            u.c1[:4], meeting, u.c1[:9], date(2026, 5, 1 + n), status,
            "请补充" if status == "returned" else "",
        )  # fmt: skip
        for seq in range(1, items + 1):
            done = seq > still_open
            await conn.execute(
                "INSERT INTO action_item (city_code, id, meeting_id, org_code, seq, text, "
                "department_code, due_on, status, done_on) VALUES ($1, gen_random_uuid(), $2, "
                "$3, $4, $5, $6, '2026-06-30', $7, $8)",
                u.c1[:4], meeting, u.c1[:9], seq, f"事项{seq}", depts[seq % len(depts)],
                "done" if done else "open", date(2026, 6, 1) if done else None,
            )  # fmt: skip
    rows = await _rows(conn, "meetings", u.c1[:9])
    assert [r["id"] for r in rows] == [ids["approved"], ids["submitted"], ids["returned"]]
    assert [(r["action_items"], r["open_items"], r["pending"]) for r in rows] == [
        (3, 2, False), (1, 1, True), (2, 0, True)]  # fmt: skip
    assert rows[0]["open_item_list"].count("2026-06-30前") == 2
    assert rows[2]["open_item_list"] is None
    assert await _rows(conn, "meetings", u.c1[:9], date(2026, 6, 1)) == []


async def test_the_contacts_ledger_is_the_rhythm_of_the_representatives_in_office(
    conn: asyncpg.Connection,
) -> None:
    u = await _units(conn)
    active = await add_representative(conn, u.c1)
    await add_representative(conn, u.c1, retired_on=date(2025, 6, 1))
    other = await add_representative(conn, u.c3)
    await add_representative_contact(conn, u.c1, active, "phone_call", today())
    rows = await _rows(conn, "contacts", u.district)
    rhythm = {r["id"]: r for r in await conn.fetch(
        "SELECT * FROM representative_rhythm($1)", today())}  # fmt: skip
    assert sorted(r["id"] for r in rows) == sorted([active, other])
    words = {"done": "已谈", "due": "待谈", "overdue": "逾期", "upcoming": "未到期", None: None}
    for r in rows:
        want = rhythm[r["id"]]
        assert (r["last_phone"], r["phone_state"], r["face_state"], r["rhythm_state"]) == (
            want["last_phone"], words[want["phone_state"]], words[want["face_state"]],
            words[want["state"]])  # fmt: skip
    mine = next(r for r in rows if r["id"] == active)
    assert (mine["last_phone"], mine["phone_state"]) == (today(), "已谈")
    assert mine["standing"] == "宗教界代表人士"


async def test_a_street_supervisor_sees_no_row_of_another_street_through_the_casework_views(
    conn: asyncpg.Connection, other: asyncpg.Connection
) -> None:
    u, _, _ = await _seed(conn)
    await load_case(conn, u.c3, date(2026, 3, 2))
    for community in (u.c1, u.c3):
        grid = await conn.fetchval(
            "SELECT min(code) FROM org_unit WHERE parent_code = $1 AND level = 'grid'", community
        )
        person = await add_person(conn, grid)
        await _need(conn, grid, person, department=None, status="open", raised=today(),
                    due=today() + timedelta(days=3))  # fmt: skip
        await add_representative(conn, community)
        await conn.execute(
            "INSERT INTO meeting (city_code, id, org_code, kind, held_on, starts_at, chair, "
            "recorder, minutes, status, created_by) VALUES ($1, gen_random_uuid(), $2, "
            "'working', '2026-05-01', '09:00', '李', '王', '通报', 'approved', 'w')",
            community[:4], community,
        )  # fmt: skip
    street = u.c1[:9]
    supervisor = await new_user(conn, "supervisor", street)
    for view in CASEWORK_VIEWS:
        everyone = [r[0] for r in await conn.fetch(f"SELECT org_code FROM {view}")]
        assert any(c.startswith(u.c3[:9]) for c in everyone), view  # the other street has rows
        async with acting_as(other, supervisor):
            seen = [r[0] for r in await other.fetch(f"SELECT org_code FROM {view}")]
        assert seen, view
        assert all(c.startswith(street) for c in seen), view
        assert sorted(seen) == sorted(c for c in everyone if c.startswith(street)), view


def _files(directory: Path) -> list[str]:
    return sorted(os.listdir(directory))


async def test_the_report_is_exported_only_for_a_month_named(
    conn: asyncpg.Connection, tmp_path: Path
) -> None:
    u = await _units(conn)
    request = LedgerExport(
        ledger="dispute_report",
        org=u.c1[:9],
        format="csv",
        output=tmp_path / "r.csv",
        purpose="月报",
        prepared_by="operator",
    )
    with pytest.raises(MonthNeeded, match="dispute_report"):
        await export_ledger(conn, request)
    assert _files(tmp_path) == []
    assert await conn.fetchval(
        "SELECT count(*) FROM audit_log WHERE action = 'export' AND table_name LIKE $1",
        "report_disputes_monthly%",
    ) == 0  # fmt: skip


async def test_the_report_exports_with_its_rates_as_percentages(
    conn: asyncpg.Connection, tmp_path: Path
) -> None:
    u, _, _ = await _seed(conn)
    sheet_path, csv_path = tmp_path / "report.xlsx", tmp_path / "report.csv"
    for path, kind in ((sheet_path, "xlsx"), (csv_path, "csv")):
        await export_ledger(conn, LedgerExport(
            ledger="dispute_report", org=u.c1, month=DEC, format=kind, output=path,
            purpose="月报", prepared_by="operator",
        ))  # fmt: skip
    sheet = openpyxl.load_workbook(sheet_path).worksheets[0]
    headers = [c.value for c in sheet[3]]
    assert headers[:7] == ["单位", "报送情况", "排查数", "调处数", "调处率", "成功数", "成功率"]
    assert headers[12:14] == ["婚姻家庭", "邻里纠纷"]
    first = [c.value for c in sheet[4]]
    assert first[2:7] == [2, 3, 1.5, 1, 0.5]
    assert sheet.cell(4, 5).number_format == "0.0%"
    with csv_path.open(encoding="utf-8-sig", newline="") as file:
        lines = list(csv.reader(file))
    assert lines[0] == headers
    assert lines[1][2:7] == ["2", "3", "150.0%", "1", "50.0%"]


async def test_every_casework_ledger_exports_to_excel_and_csv_as_the_paper_ledgers_do(
    conn: asyncpg.Connection, tmp_path: Path
) -> None:
    u, _, _ = await _seed(conn)
    grid = await conn.fetchval(
        "SELECT min(code) FROM org_unit WHERE parent_code = $1 AND level = 'grid'", u.c1
    )
    await _need(conn, grid, await add_person(conn, grid), department=None, status="open",
                raised=today(), due=today() + timedelta(days=3))  # fmt: skip
    rep = await add_representative(conn, u.c1)
    await add_representative_contact(conn, u.c1, rep, "phone_call", today())
    await conn.execute(
        "INSERT INTO meeting (city_code, id, org_code, kind, held_on, starts_at, chair, recorder, "
        "minutes, status, created_by) VALUES ($1, gen_random_uuid(), $2, 'working', "
        "'2025-12-03', '09:00', '李', '王', '通报', 'approved', 'w')",
        u.c1[:4], u.c1,
    )  # fmt: skip
    for name in ("sweeps", "disputes", "assistance", "overdue", "meetings", "contacts",
                 "dispute_report"):  # fmt: skip
        ledger = LEDGERS[name]
        month = DEC if ledger.month_needed else None
        rows = await _rows(conn, name, u.c1[:9], month)
        assert rows, name
        for kind in ("xlsx", "csv"):
            path = tmp_path / f"{name}.{kind}"
            done = await export_ledger(conn, LedgerExport(
                ledger=name, org=u.c1[:9], month=month, format=kind, output=path,
                purpose="台账报送", prepared_by="operator",
            ))  # fmt: skip
            assert done.rows == len(rows), name
        sheet = openpyxl.load_workbook(tmp_path / f"{name}.xlsx").worksheets[0]
        assert sheet.title == ledger.zh[:31]
        assert [c.value for c in sheet[3]] == [c.zh for c in ledger.shown], name
        assert (sheet.page_setup.orientation, sheet.page_setup.paperSize) == ("landscape", 9)
        assert sheet.print_title_rows == "$1:$3"
        assert sheet.oddFooter.center.text == "第 &P 页，共 &N 页"
        signature = [r[0].value for r in sheet.iter_rows(min_row=4) if r[0].value]
        assert str(signature[-1]).startswith("制表人：")
        with (tmp_path / f"{name}.csv").open(encoding="utf-8-sig", newline="") as file:
            lines = list(csv.reader(file))
        assert lines[0] == [c.zh for c in ledger.shown]
        assert len(lines) == 1 + len(rows), name
