"""The one mapping of the ledgers' English column names to their headers.

The views (sql/R__ledgers.sql) name their columns in English; the screen and the
exports head them from here: Chinese on paper and in the Chinese interface, English
in the English one. A column's kind says how a cell is written (a date as a date, a
count as a number, long text wrapped) and its width the least it needs.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

ColumnKind = Literal["text", "long", "date", "month", "count", "flag", "seq"]


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
)

# Words the exports write around the rows.
TOTAL = {"zh": "合计", "en": "Total"}
PENDING_APART = {
    "zh": "以下待审核（已提交或已退回），不计入",
    "en": "Pending review (submitted or returned), not counted",
}
