"""The one mapping of the ledgers' English column names to their headers.

The views (sql/R__ledgers.sql) name their columns in English; the screen and the
exports head them from here: Chinese on paper and in the Chinese interface, English
in the English one. A column's kind says how a cell is written (a date as a date, a
count as a number, long text wrapped) and its width the least it needs.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

ColumnKind = Literal["text", "long", "date", "month", "count", "rate", "flag", "seq"]


class Column(BaseModel):
    """One column as a ledger shows it."""

    model_config = ConfigDict(frozen=True)

    name: str
    zh: str
    en: str
    kind: ColumnKind = "text"
    width: int = 8  # in characters of Latin text; a Chinese character takes two

    def header(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


def _columns(*specs: tuple[str, str, str, ColumnKind, int]) -> dict[str, Column]:
    return {name: Column(name=name, zh=zh, en=en, kind=kind, width=width)
            for name, zh, en, kind, width in specs}  # fmt: skip


COLUMNS: dict[str, Column] = _columns(
    ("seq", "序号", "No.", "seq", 6),
    # Persons
    ("name", "姓名", "Name", "text", 10),
    ("sex", "性别", "Sex", "text", 6),
    ("ethnicity", "民族", "Ethnic group", "text", 8),
    ("birth_date", "出生日期", "Date of birth", "date", 12),
    ("id_number_masked", "公民身份号码", "Resident ID", "text", 20),
    ("origin_place", "户籍地", "Place of origin", "long", 16),
    ("origin_address", "户籍地详址", "Address of origin", "long", 24),
    ("current_address", "现住地址", "Address here", "long", 24),
    ("occupation", "行业类别/职业", "Occupation", "text", 12),
    ("employer", "工作单位/服务处所", "Employer", "long", 18),
    ("phone_masked", "联系电话", "Phone", "text", 13),
    ("arrival_date", "来本地时间", "Arrived", "date", 12),
    ("residence_permit", "居住证", "Residence permit", "text", 8),
    ("community", "所属社区", "Community", "text", 12),
    ("grid", "所属网格", "Grid", "text", 10),
    ("notes", "备注", "Notes", "long", 20),
    # Data quality
    ("missing_origin", "缺户籍地详址", "No address of origin", "flag", 8),
    ("missing_current_address", "缺现住地址", "No address here", "flag", 8),
    ("missing_occupation", "缺职业", "No occupation", "flag", 8),
    ("last_updated", "最后更新", "Last updated", "date", 12),
    # Visits
    ("visited_on", "走访日期", "Date", "date", 12),
    ("kind", "走访方式", "Kind", "text", 10),
    ("visited_persons", "走访对象", "Persons visited", "long", 14),
    ("place", "地点", "Place", "long", 14),
    ("visit_notes", "走访情况", "What was talked about", "long", 30),
    ("needs", "发现诉求", "Needs found", "long", 14),
    ("visitor", "走访人", "Visited by", "text", 10),
    ("review_status", "审核状态", "Review", "text", 8),
    ("reviewed_on", "审核日期", "Reviewed", "date", 12),
    # Statistics
    ("province", "来源省份", "Province of origin", "text", 14),
    ("unit", "单位", "Unit", "text", 16),
    ("month", "月份", "Month", "month", 10),
    ("persons", "人数", "Persons", "count", 8),
    ("male", "男", "Men", "count", 6),
    ("female", "女", "Women", "count", 6),
    ("arrived", "到达", "Arrived", "count", 6),
    ("returned", "返回", "Returned", "count", 6),
    ("moved_in", "移入", "Handed over in", "count", 6),
    ("moved_out", "移出", "Handed over out", "count", 6),
    ("left_city", "离开", "Left", "count", 6),
    ("registered", "月末在册", "Registered at month end", "count", 10),
    # Sweeps
    ("street", "所属街道", "Street", "text", 12),
    ("filing_due_on", "报送截止日", "Due", "date", 12),
    ("sweep_state", "报送情况", "Filed", "text", 10),
    ("return_kind", "报送类型", "Return", "text", 10),
    ("filed_on", "上报日期", "Filed on", "date", 12),
    # Disputes
    ("opened_on", "受理日期", "Taken in", "date", 12),
    ("case_kind", "纠纷类别", "Kind", "text", 10),
    ("case_summary", "简要情况", "Summary", "long", 30),
    ("parties", "当事人数", "Parties", "count", 6),
    ("case_stage", "案件状态", "Status", "text", 8),
    ("mediated_on", "开始调处日期", "Mediation began", "date", 12),
    ("closed_on", "办结日期", "Concluded", "date", 12),
    ("case_outcome", "调处结果", "Outcome", "text", 10),
    ("department", "责任部门", "Department", "text", 14),
    ("responsible_person", "责任人", "Responsible", "text", 10),
    ("escalated_on", "提级上报日期", "Escalated", "date", 12),
    # Needs followed up
    ("raised_on", "提出日期", "Raised", "date", 12),
    ("person_name", "诉求人", "Person", "text", 10),
    ("need_category", "诉求类别", "Category", "text", 10),
    ("need_description", "诉求内容", "What is needed", "long", 24),
    ("channel", "来源", "Channel", "text", 8),
    ("referred_on", "转办日期", "Referred", "date", 12),
    ("due_on", "办理期限", "Due", "date", 12),
    ("acknowledged_on", "签收日期", "Acknowledged", "date", 12),
    ("need_status", "办理状态", "Status", "text", 8),
    ("overdue_mark", "是否逾期", "Overdue", "text", 6),
    ("days_overdue", "逾期天数", "Days overdue", "count", 6),
    ("last_note", "最新进展", "Latest note", "long", 20),
    ("resolved_on", "办结日期", "Closed", "date", 12),
    ("need_outcome", "办理结果", "Outcome", "long", 20),
    ("open_needs", "未办结", "Open", "count", 8),
    ("overdue_needs", "已逾期", "Overdue", "count", 8),
    ("due_soon_needs", "七日内到期", "Due within 7 days", "count", 10),
    # Meetings
    ("held_on", "会议日期", "Held", "date", 12),
    ("meeting_kind", "会议类型", "Kind", "text", 14),
    ("chair", "主持人", "Chair", "text", 10),
    ("present", "出席人数", "Present", "count", 6),
    ("action_items", "议定事项", "Action items", "count", 6),
    ("open_items", "未办结事项", "Open items", "count", 6),
    ("open_item_list", "未办结事项内容", "Open action items", "long", 30),
    # Representatives' contacts
    ("standing", "身份类别", "Standing", "text", 14),
    ("appointed_on", "确定日期", "Appointed", "date", 12),
    ("last_phone", "最近电话联系", "Last phone talk", "date", 12),
    ("phone_state", "每周电话", "Weekly call", "text", 8),
    ("last_face", "最近当面谈话", "Last face-to-face", "date", 12),
    ("face_state", "每月面谈", "Monthly talk", "text", 8),
    ("last_eid", "最近古尔邦节座谈", "Last Eid symposium", "date", 12),
    ("eid_state", "古尔邦节座谈", "Eid symposium", "text", 8),
    ("rhythm_state", "三必谈情况", "三必谈", "text", 8),
    # The monthly dispute report
    ("found", "排查数", "Found", "count", 8),
    ("mediated", "调处数", "Mediated", "count", 8),
    ("mediation_rate", "调处率", "Mediation rate", "rate", 8),
    ("resolved", "成功数", "Resolved", "count", 8),
    ("success_rate", "成功率", "Success rate", "rate", 8),
    ("found_ytd", "年度累计排查数", "Found, year to date", "count", 8),
    ("mediated_ytd", "年度累计调处数", "Mediated, year to date", "count", 8),
    ("mediation_rate_ytd", "年度累计调处率", "Mediation rate, year to date", "rate", 8),
    ("resolved_ytd", "年度累计成功数", "Resolved, year to date", "count", 8),
    ("success_rate_ytd", "年度累计成功率", "Success rate, year to date", "rate", 8),
    ("found_marriage_family", "婚姻家庭", "Marriage and family", "count", 6),
    ("found_neighbours", "邻里纠纷", "Neighbours", "count", 6),
    ("found_housing_land", "房屋宅基地", "Housing and land", "count", 6),
    ("found_contract", "合同纠纷", "Contracts", "count", 6),
    ("found_business", "生产经营", "Business", "count", 6),
    ("found_damages", "损害赔偿", "Damages", "count", 6),
    ("found_labour", "劳动争议", "Labour", "count", 6),
    ("found_consumer", "消费纠纷", "Consumer", "count", 6),
    ("found_medical", "医疗纠纷", "Medical", "count", 6),
    ("found_traffic", "道路交通", "Traffic", "count", 6),
    ("found_property_management", "物业纠纷", "Property management", "count", 6),
    ("found_land_requisition", "征地拆迁", "Land requisition", "count", 6),
    ("found_ethnic_religious", "涉民族宗教", "Ethnic or religious", "count", 6),
    ("found_other", "其他", "Other", "count", 6),
)

# The report's counts of cases found by kind, in people's mediation's order (db/disputes).
FOUND_BY_KIND = tuple(name for name in COLUMNS if name.startswith("found_") and name != "found_ytd")

# Words the exports write around the rows.
TOTAL = {"zh": "合计", "en": "Total"}
PENDING_APART = {
    "zh": "以下待审核（已提交或已退回），不计入",
    "en": "Pending review (submitted or returned), not counted",
}
