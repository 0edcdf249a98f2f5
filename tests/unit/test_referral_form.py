"""Every wrong box of the referral form and of a need raised without a visit names its
field, with the line its user reads; a close goes for review only whole."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from pydantic import ValidationError

from db.core.problems import problems_of
from db.referrals.form import NeedDates, ReferralForm, ReferralInput
from db.referrals.intake import IntakeForm, IntakeInput
from tui.problem_text import say

TODAY = date(2026, 11, 24)
OPEN = NeedDates(today=TODAY, raised_on=date(2026, 11, 2), status="open")
REFERRED = NeedDates(today=TODAY, raised_on=date(2026, 11, 2), status="referred")


def referral(**changes: str) -> ReferralForm:
    values = {"need_id": uuid.UUID(int=1), "note_id": uuid.UUID(int=2), "department": "housing",
              "referred_on": "2026-11-03", "due_on": "2026-12-02", **changes}  # fmt: skip
    return ReferralForm.model_validate(values)


def first_line(form: ReferralForm, dates: NeedDates = OPEN) -> tuple[str, str]:
    with pytest.raises(ValidationError) as info:
        ReferralInput.from_form(form, dates)
    problem = problems_of(info.value)[0]
    return problem.field, say(problem)


@pytest.mark.parametrize(
    ("form", "dates", "field", "line"),
    [
        (referral(referred_on="2026-11-30"), OPEN, "referred_on",
         "转办日期：2026-11-30 是将来的日期"),
        (referral(referred_on="2026-11-01"), OPEN, "referred_on",
         "转办日期：早于诉求提出日期（2026-11-02）"),
        (referral(referred_on=""), REFERRED, "referred_on", "转办日期：已转办，请保留转办日期"),
        (referral(department=""), OPEN, "department_code", "责任部门：请选择转办的部门"),
        (referral(due_on="2026-10-31"), OPEN, "due_on", "办结期限：早于诉求提出日期（2026-11-02）"),
        (referral(acknowledged_on="2026-11-04"), OPEN, "acknowledged_by",
         "签收人：请填写部门签收人"),
        (referral(acknowledged_by="王老师"), OPEN, "acknowledged_on", "签收日期：请填写签收日期"),
        (referral(acknowledged_by="王老师", acknowledged_on="2026-11-02"), OPEN,
         "acknowledged_on", "签收日期：早于转办日期（2026-11-03）"),
        (referral(note="已电话联系"), OPEN, "noted_on", "进展日期：请填写日期"),
        (referral(noted_on="11月5日", note="已电话联系"), OPEN, "noted_on",
         "进展日期：请按 年-月-日 填写，如 2024-03-01"),
        (referral(result="maybe"), OPEN, "result", "办结结论：请从列出的结论中选择"),
    ],
)  # fmt: skip
def test_each_wrong_box_is_named(
    form: ReferralForm, dates: NeedDates, field: str, line: str
) -> None:
    assert first_line(form, dates) == (field, line)


def test_a_draft_may_lack_the_close_but_a_submitted_close_may_not() -> None:
    draft = ReferralInput.from_form(referral(result="unable"), OPEN)
    assert [(p.field, say(p)) for p in draft.submit_problems()] == [
        ("reason", "办理情况：请填写办理情况或无法帮助的原因"),
        ("closed_on", "办结日期：请填写办结日期"),
    ]
    whole = ReferralInput.from_form(
        referral(result="unable", reason="不符合申请条件", closed_on="2026-11-20"), OPEN
    )
    assert whole.submit_problems() == []
    assert whole.closes


def test_a_note_or_reason_holding_a_number_warns() -> None:
    data = ReferralInput.from_form(referral(noted_on="2026-11-05", note="回电 13812345678"), OPEN)
    assert [p.field for p in data.warnings()] == ["note"]


def intake(**changes: str) -> IntakeForm:
    values = {"city_code": "4101", "id": uuid.UUID(int=3), "person_id": uuid.UUID(int=4),
              "channel": "walk_in", "category": "relief", "description": "临时困难",
              "raised_on": "2026-11-20", **changes}  # fmt: skip
    return IntakeForm.model_validate(values)


@pytest.mark.parametrize(
    ("form", "field", "line"),
    [
        (intake(channel="visit"), "channel", "来源：请从列出的来源中选择"),
        (intake(raised_on=""), "raised_on", "提出日期：必填"),
        (intake(raised_on="2026-11-25"), "raised_on", "提出日期：2026-11-25 是将来的日期"),
        (intake(description=" "), "description", "诉求内容：必填"),
        (intake(due_on="2026-11-19"), "due_on", "办结期限：早于诉求提出日期（2026-11-20）"),
    ],
)
def test_each_wrong_box_of_a_need_raised_without_a_visit_is_named(
    form: IntakeForm, field: str, line: str
) -> None:
    with pytest.raises(ValidationError) as info:
        IntakeInput.from_form(form, TODAY)
    problem = problems_of(info.value)[0]
    assert (problem.field, say(problem)) == (field, line)
