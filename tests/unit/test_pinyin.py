"""Name readings for search."""

from __future__ import annotations

import pytest

from db.persons.pinyin import name_pinyin


@pytest.mark.parametrize(
    ("name", "reading", "initials"),
    [
        ("张三", "zhangsan", "zs"),
        ("买买提·艾力", "maimaitiaili", "mmtal"),
        ("扎西顿珠", "zhaxidunzhu", "zxdz"),
        ("单雄信", "shanxiongxin", "sxx"),
        ("曾小贤", "zengxiaoxian", "zxx"),
        ("仇英", "qiuying", "qy"),
        ("朴志勇", "piaozhiyong", "pzy"),
        ("区小英", "ouxiaoying", "oxy"),
        ("解缙", "xiejin", "xj"),
        ("乐嘉", "yuejia", "yj"),
        ("覃海", "qinhai", "qh"),
        ("查良镛", "zhaliangyong", "zly"),
        # Transcribed names: pypinyin would say abudou..., mandou..., abo..., lei...
        ("阿不都热合曼·吐尔逊", "abudurehemantuerxun", "abdrhmtex"),
        ("满都拉", "mandula", "mdl"),
        ("阿卜杜拉", "abudula", "abdl"),
        ("勒格阿果", "legeaguo", "lgag"),
        ("阿依古丽 吐尔逊", "ayigulituerxun", "aygltex"),
        # Latin letters and digits pass through; a run of them is one word.
        ("Anna·李", "annali", "al"),
        ("王2", "wang2", "w2"),
    ],
)
def test_readings(name: str, reading: str, initials: str) -> None:
    assert name_pinyin(name) == (reading, initials)


def test_empty_and_blank_names() -> None:
    assert name_pinyin("") == ("", "")
    assert name_pinyin(" · ") == ("", "")


def test_surname_override_applies_to_the_first_character_only() -> None:
    # 单 inside a given name keeps its common reading.
    assert name_pinyin("王单")[0] == "wangdan"
