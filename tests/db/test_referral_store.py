"""A need's referral through db/referrals, as the roles that do each step: raised at the
window, referred with the category's defaults, acknowledged, noted, closed with an
outcome, reviewed; saved twice after a lost reply, or over someone else's save."""

from __future__ import annotations

import uuid
from datetime import date

import asyncpg
import pytest

from db import workflow
from db.core.session import acting_as
from db.persons.identifiers import NotVisible
from db.referrals.form import ReferralForm, ReferralInput
from db.referrals.intake import IntakeForm, IntakeInput
from db.referrals.store import KIND, load_referral, raise_need, save_referral
from db.visits.form import NeedForm, VisitForm, VisitInput, VisitPerson
from db.visits.store import save_visit
from db.workflow import Conflict
from tests.db.kernel_fixtures import Site, make_site

TODAY = date(2026, 11, 24)


@pytest.fixture
async def site(conn: asyncpg.Connection) -> Site:
    return await make_site(conn)


def _intake(site: Site, **changes: str) -> IntakeInput:
    values = {"city_code": site.city, "id": uuid.uuid4(), "person_id": site.person,
              "channel": "hotline", "category": "schooling", "description": "孩子想转入附近小学",
              "raised_on": "2026-11-10", **changes}  # fmt: skip
    return IntakeInput.from_form(IntakeForm.model_validate(values), TODAY)


async def _raised(other: asyncpg.Connection, site: Site, **changes: str) -> IntakeInput:
    need = _intake(site, **changes)
    async with acting_as(other, site.worker):
        await raise_need(other, need)
    return need


async def test_a_need_raised_on_the_hotline_is_open_with_its_categorys_defaults(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    need = await _raised(other, site)
    async with acting_as(other, site.worker):
        await raise_need(other, need)  # retried after a lost reply: stored once
    rows = await conn.fetch(
        "SELECT org_code, channel, visit_id, status, department_code, due_on, created_by "
        "FROM assistance_request"
    )
    assert [tuple(r) for r in rows] == [
        (site.grid, "hotline", None, "open", "education", date(2026, 12, 10), site.worker.pg_role)
    ]


async def test_a_need_is_raised_only_for_a_person_in_scope(
    other: asyncpg.Connection, site: Site
) -> None:
    need = _intake(site, person_id=str(site.far_person))
    async with acting_as(other, site.worker):
        with pytest.raises(NotVisible):
            await raise_need(other, need)


async def test_defaults_come_from_the_category_table_for_visits_and_walk_ins(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    await conn.execute(
        "UPDATE need_category SET due_days = 45, department_code = 'civil_affairs' "
        "WHERE code = 'schooling'"
    )
    walk_in = await _raised(other, site, channel="walk_in")
    given = await _raised(other, site, department="education", due_on="2026-12-01")
    person = VisitPerson(city_code=site.city, id=site.person, name="马小龙")
    visit = VisitInput.from_form(VisitForm(
        id=uuid.uuid4(), visited_on="2026-11-20", notes="了解子女上学情况", persons=[person],
        needs=[NeedForm(id=uuid.uuid4(), person_id=site.person, category="schooling",
                        description="孩子转学")],
    ), TODAY)  # fmt: skip
    async with acting_as(other, site.worker):
        await save_visit(other, visit, base_version=None, submit=True)
    found = {
        r["id"]: (r["department_code"], r["due_on"])
        for r in await conn.fetch("SELECT id, department_code, due_on FROM assistance_request")
    }
    assert found == {
        walk_in.id: ("civil_affairs", date(2026, 12, 25)),
        given.id: ("education", date(2026, 12, 1)),
        visit.needs[0].id: ("civil_affairs", date(2027, 1, 4)),  # 45 days after the visit
    }


def _referral(opened_form: ReferralForm, dates: object, **changes: str) -> ReferralInput:
    form = opened_form.model_copy(update=changes)
    return ReferralInput.from_form(form, dates)  # type: ignore[arg-type]


async def test_refer_acknowledge_note_close_and_approve(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    need = await _raised(other, site)
    async with acting_as(other, site.worker):
        opened = await load_referral(other, site.city, need.id)
        assert opened.state is None
        assert opened.form.department == "education"
        data = _referral(opened.form, opened.need.dates(TODAY), referred_on="2026-11-11",
                         acknowledged_by="教育局 王老师", acknowledged_on="2026-11-12",
                         noted_on="2026-11-13", note="学校已同意接收")  # fmt: skip
        saved = await save_referral(other, opened.need, data, need_version=1, base_version=None,
                                    submit=False)  # fmt: skip
    assert (saved.state.status, saved.state.version, saved.need_version) == ("draft", 1, 2)
    row = await conn.fetchrow(
        "SELECT status, referred_on, acknowledged_by, acknowledged_on FROM assistance_request"
    )
    assert tuple(row) == ("referred", date(2026, 11, 11), "教育局 王老师", date(2026, 11, 12))
    async with acting_as(other, site.worker):
        again = await load_referral(other, site.city, need.id)
        assert [(n.noted_on, n.note) for n in again.notes] == [
            (date(2026, 11, 13), "学校已同意接收")
        ]
        assert again.form.note == ""
        assert again.form.referred_on == "2026-11-11"
        close = _referral(again.form, again.need.dates(TODAY), result="resolved",
                          reason="已转入附近小学三年级", closed_on="2026-11-20")  # fmt: skip
        assert close.submit_problems() == []
        sent = await save_referral(other, again.need, close, need_version=2, base_version=1,
                                   submit=True)  # fmt: skip
        retried = await save_referral(other, again.need, close, need_version=2, base_version=1,
                                      submit=True)  # fmt: skip
    assert (sent.state.status, retried.state.status, retried.state.version) == (
        "submitted", "submitted", 2,
    )  # fmt: skip
    assert await conn.fetchval("SELECT status FROM assistance_request") == "referred"
    waiting = [w for w in await _queue(other, site) if w.kind == KIND]
    assert [(w.id, w.title, w.detail, w.day) for w in waiting] == [
        (need.id, "马小龙", "resolved", date(2026, 11, 20))
    ]
    async with acting_as(other, site.supervisor):
        await workflow.review(other, KIND, site.city, need.id, 2, "approved")
    row = await conn.fetchrow("SELECT status, outcome, resolved_on FROM assistance_request")
    assert tuple(row) == ("resolved", "已转入附近小学三年级", date(2026, 11, 20))
    assert await conn.fetchval("SELECT count(*) FROM referral_note") == 1


async def _queue(other: asyncpg.Connection, site: Site) -> list[workflow.Waiting]:
    async with acting_as(other, site.supervisor):
        return await workflow.queue(other)


async def test_a_save_over_someone_elses_is_a_conflict_and_changes_nothing(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    need = await _raised(other, site)
    async with acting_as(other, site.worker):
        opened = await load_referral(other, site.city, need.id)
    # Someone else's save meanwhile: a new due date.
    await conn.execute("UPDATE assistance_request SET due_on = '2026-12-31', version = 2")
    data = _referral(opened.form, opened.need.dates(TODAY), referred_on="2026-11-11",
                     noted_on="2026-11-13", note="已电话联系")  # fmt: skip
    async with acting_as(other, site.worker):
        with pytest.raises(Conflict):
            await save_referral(other, opened.need, data, need_version=1, base_version=None,
                                submit=False)  # fmt: skip
    assert await conn.fetchval("SELECT count(*) FROM referral_note") == 0
    assert await conn.fetchval("SELECT count(*) FROM referral_outcome") == 0
    assert await conn.fetchval("SELECT status FROM assistance_request") == "open"
