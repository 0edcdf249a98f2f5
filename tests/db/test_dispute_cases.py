"""Dispute cases through db/disputes (and their rules as plain SQL): parties, the dated
history of their status, a conclusion reviewed by a supervisor, an escalation made
once; and sweeps that re-check them, whose filing takes each re-check into its case."""

from __future__ import annotations

import uuid
from datetime import date

import asyncpg
import pytest
from pydantic import ValidationError

from db.core.problems import problems_of
from db.core.session import acting_as
from db.disputes.case_form import CaseForm, CaseInput, CaseStanding, PartyForm
from db.disputes.cases import escalated_cases, load_case, review_case, save_case
from db.disputes.steps import StepForm
from db.disputes.sweep_form import SweepInput, SweepRules
from db.disputes.sweeps import SweepTaken, open_sweep, save_sweep
from db.workflow import NotEditable
from tests.db import dispute_fixtures
from tests.db.kernel_fixtures import Site, attack, make_site, was_refused

TODAY = date(2026, 11, 20)


@pytest.fixture
async def site(conn: asyncpg.Connection) -> Site:
    return await make_site(conn)


def _form(site: Site, **changes: object) -> CaseForm:
    values: dict[str, object] = {
        "id": uuid.uuid4(), "city_code": site.city, "org_code": site.grid[:12],
        "kind": "labour", "opened_on": "2026-11-02", "summary": "餐馆拖欠三个月工资",
        "mediation_plan": "约双方到社区调解室面谈", "department": "human_resources",
        "responsible_person": "王调解",
        "parties": [
            PartyForm(id=uuid.uuid4(), person_id=site.person, name="马小龙", role="applicant"),
            PartyForm(id=uuid.uuid4(), name="李老板", role="respondent", detail="某餐馆经营者"),
        ],
    }  # fmt: skip
    values.update(changes)
    return CaseForm.model_validate(values)


def _step(day: str, stage: str, note: str, outcome: str = "") -> StepForm:
    return StepForm(id=str(uuid.uuid4()), on=day, stage=stage, note=note, outcome=outcome)


async def test_a_case_is_saved_with_its_parties_and_history_and_read_back(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    form = _form(site, steps=[_step("2026-11-05", "mediating", "双方同意调解")])
    case = CaseInput.from_form(form, TODAY, CaseStanding())
    async with acting_as(other, site.worker):
        state = await save_case(other, case, base_version=None, submit=False)
        again = await save_case(other, case, base_version=None, submit=False)  # a retry
        view = await load_case(other, site.city, form.id)
    assert (state.status, state.version, again.version) == ("draft", 1, 2)
    assert await conn.fetchval("SELECT count(*) FROM dispute_case") == 1
    assert [(p.name, p.role) for p in view.form.parties] == [
        ("马小龙", "applicant"), ("李老板", "respondent"),
    ]  # fmt: skip
    assert view.standing.stage == "mediating"
    assert view.standing.mediated_on == date(2026, 11, 5)
    assert [(h.day, h.stage, h.note) for h in view.history] == [
        (date(2026, 11, 5), "mediating", "双方同意调解"),
    ]  # fmt: skip
    # The community's case: its org code is the community's, its parties carry it.
    assert await conn.fetchval(
        "SELECT count(*) FROM dispute_party WHERE case_id = $1 AND org_code = $2",
        form.id, site.grid[:12],
    ) == 2  # fmt: skip


async def test_only_a_concluded_case_is_submitted_and_its_conclusion_is_reviewed(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    form = _form(site)
    case = CaseInput.from_form(form, TODAY, CaseStanding())
    assert case.submit_problem() is not None
    async with acting_as(other, site.worker):
        await save_case(other, case, base_version=None, submit=False)
    # As plain SQL, too: an open case is not submitted.
    submit = "UPDATE dispute_case SET status = 'submitted' WHERE id = $1"
    assert await attack(other, site.worker, submit, form.id) == "CheckViolationError"
    async with acting_as(other, site.worker):
        view = await load_case(other, site.city, form.id)
    steps = [_step("2026-11-06", "mediating", "调解中"),
             _step("2026-11-18", "resolved", "签订还款协议", "agreement")]  # fmt: skip
    concluded = CaseInput.from_form(view.form.model_copy(update={"steps": steps}), TODAY,
                                    view.standing)  # fmt: skip
    assert concluded.submit_problem() is None
    async with acting_as(other, site.neighbour_worker):  # any grid worker of the community
        state = await save_case(other, concluded, base_version=1, submit=True)
    assert state.status == "submitted"
    row = await conn.fetchrow(
        "SELECT stage, mediated_on, closed_on, outcome FROM dispute_case WHERE id = $1", form.id
    )
    assert tuple(row) == ("resolved", date(2026, 11, 6), date(2026, 11, 18), "agreement")
    async with acting_as(other, site.supervisor):
        approved = await review_case(other, site.city, form.id, state.version, "approved")
    assert approved.status == "approved"
    # Approved, the case, its parties and its history no longer change.
    for sql in ("UPDATE dispute_case SET summary = '改' WHERE id = $1",
                "UPDATE dispute_party SET role = 'other' WHERE case_id = $1",
                "INSERT INTO dispute_case_note (city_code, id, case_id, org_code, noted_on, stage, "
                "note) SELECT city_code, gen_random_uuid(), id, org_code, '2026-11-19', "
                "'mediating', '再议' FROM dispute_case WHERE id = $1"):  # fmt: skip
        assert was_refused(await attack(other, site.worker, sql, form.id)), sql
    with pytest.raises(NotEditable):
        async with acting_as(other, site.worker):
            await save_case(other, concluded, base_version=approved.version, submit=False)


async def test_a_returned_conclusion_is_reopened_and_concluded_otherwise(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    steps = [_step("2026-11-06", "resolved", "口头和解", "agreement")]
    form = _form(site, steps=steps)
    async with acting_as(other, site.worker):
        state = await save_case(other, CaseInput.from_form(form, TODAY, CaseStanding()),
                                base_version=None, submit=True)  # fmt: skip
    async with acting_as(other, site.supervisor):
        state = await review_case(other, site.city, form.id, state.version, "returned",
                                  "口头和解未见书面协议")  # fmt: skip
    async with acting_as(other, site.worker):
        view = await load_case(other, site.city, form.id)
        steps = [_step("2026-11-10", "mediating", "对方反悔"),
                 _step("2026-11-12", "referred", "移交劳动仲裁", "no_agreement")]  # fmt: skip
        case = CaseInput.from_form(view.form.model_copy(update={"steps": steps}), TODAY,
                                   view.standing)  # fmt: skip
        state = await save_case(other, case, base_version=state.version, submit=True)
    row = await conn.fetchrow(
        "SELECT stage, mediated_on, closed_on, outcome, status FROM dispute_case WHERE id = $1",
        form.id,
    )
    assert tuple(row) == ("referred", date(2026, 11, 6), date(2026, 11, 12), "no_agreement",
                          "submitted")  # fmt: skip
    # As plain SQL the steps hold: a concluded case goes back to mediation only.
    case_id = await dispute_fixtures.load_case(conn, site.grid, date(2026, 11, 1), stage="closed")
    outcome = await attack(other, site.worker,
                           "UPDATE dispute_case SET stage = 'open', mediated_on = NULL, "
                           "closed_on = NULL, outcome = NULL WHERE id = $1", case_id)  # fmt: skip
    assert outcome == "CheckViolationError"


def test_steps_follow_each_other_and_are_dated_in_order(site: Site) -> None:
    standing = CaseStanding(stage="mediating", mediated_on=date(2026, 11, 5),
                            last_step_on=date(2026, 11, 5))  # fmt: skip
    steps = [
        _step("2026-11-04", "resolved", "和解", "agreement"),  # before the last step
        _step("2026-11-08", "open", "重新受理"),  # mediation does not go back to open
        _step("2026-11-09", "resolved", "和解", "no_agreement"),  # resolved means agreed
        _step("2026-11-10", "closed", ""),  # a step says what happened
    ]
    with pytest.raises(ValidationError) as raised:
        CaseInput.from_form(_form(site, steps=steps), TODAY, standing)
    found = [(p.field, p.row, p.msgid) for p in problems_of(raised.value)]
    assert found == [
        ("on", 1, "before {day}"),
        ("stage", 2, "not a step from the case's status now"),
        ("outcome", 3, "a resolved dispute ended in an agreement"),
        ("note", 4, "required"),
    ]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"parties": []}, "parties"),
        ({"escalated_on": "2026-11-03"}, "escalation_note"),
        ({"escalation_note": "人数众多"}, "escalation_note"),
    ],
)
def test_a_case_has_a_party_and_an_escalation_has_its_day_and_reason(
    site: Site, changes: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        CaseInput.from_form(_form(site, **changes), TODAY, CaseStanding())
    assert [p.field for p in problems_of(raised.value)] == [field]


async def test_an_escalation_reaches_the_supervisor_and_stays_as_made(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    form = _form(site, escalated_on="2026-11-03", escalation_note="涉及二十余名务工人员")
    async with acting_as(other, site.worker):
        await save_case(other, CaseInput.from_form(form, TODAY, CaseStanding()),
                        base_version=None, submit=False)  # fmt: skip
    async with acting_as(other, site.supervisor):
        listed = await escalated_cases(other)
    assert [(c.id, c.party_names) for c in listed] == [(form.id, "马小龙、李老板")]
    for change in ("escalated_on = NULL, escalation_note = ''", "escalated_on = '2026-11-10'",
                   "escalation_note = '已平息'"):  # fmt: skip
        outcome = await attack(
            other, site.worker, f"UPDATE dispute_case SET {change} WHERE id = $1", form.id
        )
        assert outcome == "CheckViolationError", change
    async with acting_as(other, site.far_worker):
        assert await escalated_cases(other) == []


async def test_filing_a_sweep_takes_its_re_checks_into_the_cases(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    community = site.grid[:12]
    october = await dispute_fixtures.load_sweep(conn, community, date(2026, 10, 1),
                                                nil_return=False)  # fmt: skip
    carried = await dispute_fixtures.load_case(conn, community, date(2026, 10, 5), sweep=october)
    mediating = await dispute_fixtures.load_case(conn, site.grid, date(2026, 9, 20),
                                                 stage="mediating")  # fmt: skip
    async with acting_as(other, site.worker):
        view = await open_sweep(other, site.city, community, date(2026, 11, 1))
    assert view.state is None
    assert view.due_on == date(2026, 12, 20)
    assert [c.id for c in view.open_cases] == [mediating, carried]
    assert view.new_cases == []
    rechecks = [
        _step("2026-11-10", "resolved", "已达成还款协议", "agreement").model_copy(
            update={"id": str(mediating)}),
        _step("2026-11-12", "mediating", "约定下周再谈").model_copy(update={"id": str(carried)}),
    ]  # fmt: skip
    form = view.form.model_copy(update={"nil_return": True, "rechecks": rechecks})
    sweep = SweepInput.from_form(form, SweepRules(TODAY, view.open_cases))
    assert sweep.submit_problems(view.open_cases, len(view.new_cases)) == []
    async with acting_as(other, site.worker):
        state = await save_sweep(other, sweep, base_version=None, submit=True)
    assert state.status == "submitted"
    rows = await conn.fetch(
        "SELECT id, stage, mediated_on, closed_on, outcome, outcome_note FROM dispute_case "
        "WHERE id = ANY($1::uuid[])", [mediating, carried],
    )  # fmt: skip
    assert {r["id"]: tuple(r)[1:] for r in rows} == {
        mediating: (
            "resolved",
            date(2026, 9, 20),
            date(2026, 11, 10),
            "agreement",
            "已达成还款协议",
        ),
        carried: ("mediating", date(2026, 11, 12), None, None, ""),
    }
    # The case's history shows the re-check, in the sweep of its month.
    async with acting_as(other, site.worker):
        history = (await load_case(other, site.city, carried)).history
    assert [(h.day, h.stage, h.sweep_month) for h in history] == [
        (date(2026, 11, 12), "mediating", date(2026, 11, 1)),
    ]  # fmt: skip
    # December's sweep brings back the one still open.
    async with acting_as(other, site.worker):
        december = await open_sweep(other, site.city, community, date(2026, 12, 1))
    assert [c.id for c in december.open_cases] == [carried]


async def test_a_sweep_started_twice_meanwhile_is_refused_in_one_line(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    community = site.grid[:12]
    async with acting_as(other, site.worker):
        first = await open_sweep(other, site.city, community, date(2026, 11, 1))
        second = await open_sweep(other, site.city, community, date(2026, 11, 1))
    rules = SweepRules(TODAY, [])
    async with acting_as(other, site.worker):
        await save_sweep(other, SweepInput.from_form(first.form, rules), base_version=None,
                         submit=False)  # fmt: skip
    with pytest.raises(SweepTaken):
        async with acting_as(other, site.neighbour_worker):
            await save_sweep(other, SweepInput.from_form(second.form, rules), base_version=None,
                             submit=False)  # fmt: skip
    assert await conn.fetchval("SELECT count(*) FROM dispute_sweep") == 1
