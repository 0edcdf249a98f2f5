"""The categories of needs, with the member department each is referred to by default and
the days a referral has by default (sql/V013 `need_category`): the one source of those
defaults, which `tongxin seed reference` loads and the forms and the database read.

The first three are the 三必帮 (employment, papers, hardship), as the plans list them.
"""

from __future__ import annotations

from typing import NamedTuple


class NeedCategory(NamedTuple):
    code: str
    name_zh: str
    name_en: str
    department: str
    due_days: int
    must_help: bool


NEED_CATEGORIES: list[NeedCategory] = [
    NeedCategory("employment", "就业困难", "Employment", "human_resources", 30, True),
    NeedCategory("paperwork", "办证办照", "Papers and licences", "public_security", 30, True),
    NeedCategory("livelihood", "生活困难", "Hardship", "civil_affairs", 30, True),
    NeedCategory("schooling", "子女入学", "School enrolment", "education", 30, False),
    NeedCategory("housing", "住房", "Housing", "housing", 30, False),
    NeedCategory("medical", "就医", "Medical care", "health", 30, False),
    NeedCategory("legal_aid", "法律援助", "Legal aid", "justice", 30, False),
    NeedCategory("relief", "急难救助", "Emergency relief", "civil_affairs", 30, False),
    NeedCategory("halal_food", "清真饮食", "Halal food", "food_drugs", 30, False),
    NeedCategory(
        "business_licence", "经营执照", "Business licence", "market_regulation", 30, False
    ),  # fmt: skip
    NeedCategory("other", "其他", "Other", "ethnic_affairs", 30, False),
]
