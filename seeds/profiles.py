"""Who the demo population is: ethnic mix, where each group comes from, what they do.

Shares and origins are plausible for a central-China city's minority
migrants (Hui the largest group; Uyghur from southern Xinjiang; Tibetan from
Tibet and the Tibetan prefectures of Sichuan, Gansu, Qinghai, Yunnan ...).
Origins are GB/T 2260 prefixes: two digits a province, four a prefecture.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Profile:
    """One ethnic group in the demo population."""

    weight: float
    origins: tuple[tuple[str, float], ...]
    language: str | None = None  # ISO 639-1 besides Chinese
    no_chinese_share: float = 0.0  # older people who speak no Chinese
    trade: str = "general"


MUSLIM_NW = "halal"
CENTRAL_ASIAN = "xinjiang"

PROFILES: dict[str, Profile] = {
    "03": Profile(45, (("64", 25), ("6229", 20), ("62", 10), ("63", 10), ("41", 12),
                       ("53", 6), ("13", 5), ("37", 5), ("65", 4), ("14", 3)), "ar", 0, MUSLIM_NW),
    "05": Profile(12, (("6531", 30), ("6532", 20), ("6529", 15), ("6501", 10), ("65", 25)),
                  "ug", 0.25, CENTRAL_ASIAN),
    "15": Profile(6, (("4331", 30), ("4228", 30), ("50", 25), ("52", 15)), trade="labour"),
    "06": Profile(5, (("5226", 40), ("43", 25), ("53", 20), ("45", 15)), trade="labour"),
    "11": Profile(5, (("21", 40), ("13", 30), ("22", 15), ("23", 15))),
    "02": Profile(4, (("15", 70), ("21", 15), ("22", 10), ("65", 5)), "mn", 0.05, "mongol"),
    "08": Profile(4, (("45", 90), ("53", 10)), "za", 0, "labour"),
    "04": Profile(3, (("54", 35), ("5133", 20), ("5132", 15), ("6230", 10), ("63", 15),
                      ("5334", 5)), "bo", 0.15, "tibetan"),
    "07": Profile(2.5, (("5134", 45), ("53", 40), ("52", 15)), "ii", 0.05, "labour"),
    "10": Profile(2, (("2224", 60), ("23", 20), ("21", 20)), "ko", 0, "korean"),
    "17": Profile(1.5, (("6540", 70), ("65", 30)), "kk", 0.2, CENTRAL_ASIAN),
    "12": Profile(1.5, (("5226", 50), ("43", 30), ("45", 20)), trade="labour"),
    "14": Profile(1, (("53", 85), ("43", 15))),
    "09": Profile(1, (("5227", 60), ("52", 40)), trade="labour"),
    "13": Profile(1, (("45", 50), ("43", 30), ("44", 20)), trade="labour"),
    "26": Profile(0.6, (("6229", 90), ("65", 10)), trade=MUSLIM_NW),
    "35": Profile(0.5, (("63", 90), ("65", 10)), trade=MUSLIM_NW),
    "30": Profile(0.4, (("63", 90), ("62", 10))),
    "47": Profile(0.15, (("6229", 100),), trade=MUSLIM_NW),
    "29": Profile(0.2, (("65", 100),), "ky", 0.2, CENTRAL_ASIAN),
    "41": Profile(0.1, (("65", 100),), "tg", 0.2, CENTRAL_ASIAN),
    "43": Profile(0.1, (("65", 100),), "uz", 0.1, CENTRAL_ASIAN),
    "50": Profile(0.1, (("65", 100),), "tt", 0.1, CENTRAL_ASIAN),
    "44": Profile(0.1, (("65", 60), ("23", 40)), "ru"),
    "38": Profile(0.15, (("65", 60), ("21", 40))),
    "33": Profile(0.2, (("5132", 100),)),
    "31": Profile(0.12, (("15", 60), ("23", 40))),
    "45": Profile(0.1, (("15", 100),)),
    "52": Profile(0.1, (("15", 50), ("23", 50))),
    "53": Profile(0.1, (("23", 100),)),
    "54": Profile(0.1, (("54", 100),), "bo"),
    "55": Profile(0.1, (("54", 100),), "bo"),
    "19": Profile(0.2, (("46", 100),)),
    "22": Profile(0.2, (("35", 60), ("33", 40))),
    "23": Profile(0.1, (("35", 100),)),
    "25": Profile(0.15, (("52", 100),)),
    "32": Profile(0.1, (("45", 100),)),
    "36": Profile(0.1, (("45", 100),)),
    "37": Profile(0.15, (("52", 100),)),
    "48": Profile(0.1, (("62", 100),)),
    "49": Profile(0.1, (("45", 100),)),
    **{code: Profile(0.15, (("53", 100),)) for code in
       ("16", "18", "20", "21", "24", "27", "28", "34", "39", "40", "42", "46", "51", "56")},
}  # fmt: skip

COMMON_WORK: tuple[tuple[str, float], ...] = (
    ("个体经商", 8), ("企业职员", 10), ("建筑工人", 8), ("快递/外卖骑手", 7), ("务工", 10),
    ("学生", 10), ("网约车/出租车司机", 4), ("餐饮服务员", 5), ("保安", 3), ("教师", 2),
    ("医护人员", 2), ("家政服务", 3), ("无业", 4), ("自由职业", 3),
)  # fmt: skip
TRADE_WORK: dict[str, tuple[tuple[str, float], ...]] = {
    "general": (),
    MUSLIM_NW: (("清真餐饮", 12), ("牛肉拉面馆经营", 15), ("清真食品销售", 5), ("牛羊肉经营", 5)),
    CENTRAL_ASIAN: (("新疆风味餐饮", 15), ("干果销售", 8), ("玉石销售", 4), ("烤肉摊经营", 6)),
    "tibetan": (("藏药销售", 4), ("唐卡/工艺品销售", 4), ("藏餐经营", 5)),
    "korean": (("朝鲜族餐饮", 8), ("外贸翻译", 4)),
    "mongol": (("蒙餐经营", 4),),
    "labour": (("建筑工人", 8), ("制造业工人", 10), ("民族服饰/银饰加工", 3)),
}
# Work that runs the person's own business: the employer is their shop.
OWN_BUSINESS = {
    "个体经商", "清真餐饮", "牛肉拉面馆经营", "清真食品销售", "牛羊肉经营", "新疆风味餐饮",
    "干果销售", "玉石销售", "烤肉摊经营", "藏药销售", "唐卡/工艺品销售", "藏餐经营",
    "朝鲜族餐饮", "蒙餐经营", "民族服饰/银饰加工",
}  # fmt: skip
SHOP_NAMES = {
    "牛肉拉面馆经营": "兰州牛肉拉面", "清真餐饮": "清真餐馆", "新疆风味餐饮": "新疆风味餐厅",
    "烤肉摊经营": "新疆烤肉", "干果销售": "新疆干果店", "玉石销售": "和田玉店",
    "藏餐经营": "藏餐吧", "藏药销售": "藏药店", "朝鲜族餐饮": "延边冷面馆",
    "蒙餐经营": "蒙古包餐厅",
}  # fmt: skip
UNIVERSITIES = {
    "4101": ("郑州大学", "河南工业大学", "郑州轻工业大学", "华北水利水电大学", "河南农业大学",
             "河南财经政法大学", "中原工学院", "河南中医药大学"),
    "1404": ("长治学院", "长治医学院", "山西机电职业技术学院"),
}  # fmt: skip
ROADS = {
    "4101": ("金水路", "农业路", "文化路", "花园路", "中原路", "建设路", "桐柏路", "伏牛路",
             "嵩山路", "大学路", "航海路", "紫荆山路", "城东路", "商城路", "经三路", "纬五路"),
    "1404": ("英雄路", "太行街", "延安路", "府后街", "紫金街", "长兴路", "城西路", "西大街"),
}  # fmt: skip
TOWN_PARTS = "阿克托格巴喀尔木拉吉克沙河泉山川坪湾沟营堡寨新和平安东西南北前后"
MOBILE_PREFIXES = (
    "130 131 132 133 134 135 136 137 138 139 150 151 152 153 155 156 157 158 159 166 "
    "173 175 176 177 178 180 181 182 183 184 185 186 187 188 189 191 198 199"
).split()
