"""The member departments (成员单位) and their order in the Zhengzhou plan's 职责分工."""

from __future__ import annotations

# (code, Chinese name, English name)
DEPARTMENTS: list[tuple[str, str, str]] = [
    ("ethnic_affairs", "民族宗教事务部门", "Ethnic and religious affairs"),
    ("finance", "财政部门", "Finance"),
    ("public_security", "公安部门", "Public security"),
    ("market_regulation", "工商(市场监管)部门", "Market regulation"),
    ("food_drugs", "食品药品管理部门", "Food and drug administration"),
    ("city_management", "城管部门", "City management"),
    ("human_resources", "人力资源社会保障部门", "Human resources and social security"),
    ("housing", "住房保障和房管部门", "Housing"),
    ("health", "卫生和计划生育部门", "Health"),
    ("education", "教育部门", "Education"),
    ("civil_affairs", "民政部门", "Civil affairs"),
    ("justice", "司法部门", "Justice"),
    ("culture_media", "文化广播新闻部门", "Culture and media"),
    ("tourism", "旅游部门", "Tourism"),
    ("transport", "交通部门", "Transport"),
    ("railway", "铁路部门", "Railway"),
    ("airport", "机场", "Airport"),
    ("bank", "银行", "Bank"),
]
