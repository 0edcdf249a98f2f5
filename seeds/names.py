"""Names that look like the people's own, by ethnic group, for demo data.

Faker's zh_CN names are few and all Han; here Uyghur, Kazakh and other
transcribed names are joined with a middle dot (given name · father's name),
Tibetan names are built from Tibetan syllables, Dai names carry 岩/玉, Yi
names Yi clan names, and surnames follow each group.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from seeds.dice import Dice

DOT = "·"

HAN_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾"
    "毛郝龚邵万钱严覃武戴莫孔向汤"
)
SURNAMES = {
    "03": "马马马马马白哈海穆纳丁沙杨米铁撒金冶喇虎者锁韩马李王张刘",
    "35": "韩马韩马冶何沈陕妥",
    "26": "马马汪妥何唐赵",
    "47": "马马何妥",
    "08": "韦覃陆蓝黄莫农梁罗潘卢蒙黎廖",
    "15": "向田彭覃冉谭张李黄杨龚秦",
    "06": "龙吴杨石麻王张李熊侯陶潘",
    "11": "关那佟赵傅金富索吴郎肖白何王张李",
    "12": "吴杨石龙粟陆姚潘",
    "14": "段杨赵李张王董尹何苏字和",
    "09": "韦王罗陈黄岑杨班卢",
    "13": "盘赵邓冯李黄蓝",
    "10": "金李朴崔郑姜赵尹张林韩申权黄安宋柳全洪",
    "27": "和杨李木",
    "30": "李祁吕鲁张",
    "02": "包白韩吴王鲍陈金乌宝",
}
MALE_CHARS = (
    "伟强磊军勇杰涛斌超明辉刚健峰浩鹏华飞鑫波宇俊凯文龙成林平东海亮志新建国永福"
    "德忠诚立春晓天宏斌振泽博轩睿航旭晨阳毅嘉源"
)
FEMALE_CHARS = (
    "芳娜敏静丽艳娟霞秀英华玲兰萍红梅琳燕洁婷雪慧莹倩颖琴云莉月凤翠桂珍玉佳欣怡"
    "悦婧琪瑶璐晶蕾薇宁彤雯菲丹妍淑"
)
KOREAN_CHARS = "哲洙浩镇英顺玉淑美熙贤允成俊泰善惠京明永春花子姬珠"

UYGHUR_MALE = (
    "买买提 艾力 阿不都热合曼 吐尔逊 艾尔肯 麦麦提 阿卜杜拉 努尔 艾克拜尔 亚森 吾斯曼 热合曼 "
    "玉素甫 依明 阿布来提 艾合买提 库尔班 阿迪力 塔依尔 肉孜 卡德尔 米吉提 阿里木 艾则孜 "
    "买合木提 阿木提 斯迪克 哈力克 艾山 帕尔哈提 迪力夏提 伊力哈木 木拉提 克力木 乃比江 阿力甫 "
    "阿合买提江 努尔艾力 巴拉提 吐逊 托合提 热依木 沙吾提 如孜 吐尔洪 吾买尔 艾买尔 阿不力孜 "
    "买吐送 伊斯拉木 阿布都外力 尼亚孜 赛买提 热西提 艾海提 牙合甫 祖农 依力亚尔"
).split()
UYGHUR_FEMALE = (
    "阿依古丽 古丽娜尔 帕提古丽 热依拉 迪丽努尔 古丽巴哈尔 阿依努尔 米热古丽 祖力皮亚 努尔古丽 "
    "热孜万古丽 阿米娜 帕丽达 古再丽努尔 布合力其 麦合丽娅 再努尔 赛乃姆 佐热古丽 阿瓦古丽 热娜 "
    "迪娜 巴哈古丽 阿尔孜古丽 古丽米热 玛依拉 哈丽旦 凯丽比努尔 努尔比亚 阿依夏木 萨阿代提 "
    "图尔荪古丽 茹先古丽 米日阿依 阿孜古丽"
).split()
KAZAKH_MALE = (
    "叶尔兰 努尔兰 别克 达吾列提 加恩斯 哈德尔 叶尔波拉提 阿斯哈尔 马合沙提 吐尔逊别克 胡安 "
    "木拉提 巴合提 叶尔江 阿依登 沙力克 加那尔别克 阿曼 哈力木 吾拉孜 叶尔肯 阿合提 努尔别克"
).split()
KAZAKH_FEMALE = (
    "古丽巴合提 阿依古丽 加娜尔 阿依达娜 古丽加依娜 哈丽恰 玛迪娜 阿克玛 巴合提古丽 沙吾列 "
    "努尔加玛丽 阿依江 叶尔克江 古丽米拉"
).split()
TIBETAN_COMMON = (
    "扎西 次仁 格桑 达瓦 尼玛 白玛 索朗 丹增 洛桑 旺堆 平措 边巴 巴桑 普布 罗布 其美 阿旺 "
    "拉巴 次旦 贡布 益西 才让 仁增 斯朗 多杰 桑杰 土登 强巴 嘎玛 米玛"
).split()
TIBETAN_MALE = "顿珠 多吉 旺堆 平措 欧珠 群培 桑珠 罗布 次旦 贡布 加措 朗杰".split()
TIBETAN_FEMALE = "卓玛 拉姆 央金 央宗 德吉 曲珍 措姆 卓嘎 白珍 次珍 拉珍 旺姆 玉珍 桑姆".split()
MONGOL_MALE = (
    "巴特尔 乌力吉 额尔敦 巴雅尔 苏和 朝鲁 毕力格 宝音 那顺 孟和 呼和 阿拉坦 哈斯 达来 "
    "吉日嘎拉 额尔德尼 满都拉 特木尔 布和 巴图 格日乐图 敖日格乐"
).split()
MONGOL_FEMALE = "图雅 斯琴 其其格 萨仁 乌兰 娜仁 塔娜 高娃 格日勒 托娅 阿拉坦其其格 乌云".split()
HUI_MALE = "尔萨 穆萨 哈桑 伊布拉欣 优素福 阿里 尤努斯 达吾德 苏莱曼 易卜拉 伊斯哈格 努哈".split()
HUI_FEMALE = "阿依莎 法图麦 麦尔燕 海迪彻 宰乃拜 阿米乃 哈丽麦 赛白".split()
YI_CLANS = "吉克 沙马 曲比 阿说 马海 俄木 海来 吉木 阿尔 苏呷 阿苦 勒格".split()
YI_GIVEN = "阿依 拉则 阿果 子日 木呷 尔布 伍各 石布 阿牛 日火 阿呷 拉玛".split()
DAI_GIVEN = "温 香 应 罕 坎 叫 光 南 凤 喃 儿 丙".split()
KYRGYZ_MALE = KAZAKH_MALE + UYGHUR_MALE[:20]


# The makers index pools with `random()` directly: a million names are made per
# demo load, and a method call per draw would double their cost.


def han_given(rng: Dice, sex: int, chars: str = "") -> str:
    """One or two characters from the pool for the sex (or from `chars`)."""
    random = rng.random
    pool = chars or (MALE_CHARS if sex == 1 else FEMALE_CHARS)
    size = len(pool)
    if random() < 0.3:
        return pool[int(random() * size)]
    return pool[int(random() * size)] + pool[int(random() * size)]


def han_style(rng: Dice, sex: int, surnames: str = HAN_SURNAMES, chars: str = "") -> str:
    """Surname from `surnames`, then a Han-style given name."""
    return surnames[int(rng.random() * len(surnames))] + han_given(rng, sex, chars)


def joined(rng: Dice, sex: int, male: Sequence[str], female: Sequence[str]) -> str:
    """Given name · father's name, as on Uyghur, Kazakh and similar ID cards."""
    random = rng.random
    own = male if sex == 1 else female
    return own[int(random() * len(own))] + DOT + male[int(random() * len(male))]


def tibetan(rng: Dice, sex: int) -> str:
    """One two-syllable name (卓玛) or two of them (扎西顿珠, 达瓦次仁); no surname."""
    random = rng.random
    second = TIBETAN_MALE if sex == 1 else TIBETAN_FEMALE
    if random() < 0.2:
        return second[int(random() * len(second))]
    first = TIBETAN_COMMON[int(random() * len(TIBETAN_COMMON))]
    if random() < 0.3:
        # Both halves from the common pool, as in 达瓦次仁 or 格桑拉巴.
        other = TIBETAN_COMMON[int(random() * len(TIBETAN_COMMON))]
        if other != first:
            return first + other
    return first + second[int(random() * len(second))]


def hui(rng: Dice, sex: int) -> str:
    """Hui surname; now and then an Islamic given name (穆萨, 阿依莎)."""
    random = rng.random
    surnames = SURNAMES["03"]
    surname = surnames[int(random() * len(surnames))]
    if random() < 0.15:
        given = HUI_MALE if sex == 1 else HUI_FEMALE
        return surname + given[int(random() * len(given))]
    return surname + han_given(rng, sex)


def mongol(rng: Dice, sex: int) -> str:
    """A Mongol name alone (巴特尔), after a Han-style surname (包乌云), or Han-style."""
    random = rng.random
    pool = MONGOL_MALE if sex == 1 else MONGOL_FEMALE
    native = pool[int(random() * len(pool))]
    roll = random()
    if roll < 0.45:
        return native
    surnames = SURNAMES["02"]
    if roll < 0.7:
        return surnames[int(random() * len(surnames))] + native
    return han_style(rng, sex, surnames)


def yi(rng: Dice, sex: int) -> str:
    """Clan name + given name (吉克阿呷), or Han-style with a Yi surname."""
    random = rng.random
    if random() < 0.4:
        return YI_CLANS[int(random() * len(YI_CLANS))] + YI_GIVEN[int(random() * len(YI_GIVEN))]
    return han_style(rng, sex, "阿沙吉马李杨张王罗")


def dai(rng: Dice, sex: int) -> str:
    """岩 for men, 玉 for women, then one or two Dai syllables."""
    random = rng.random
    name = ("岩" if sex == 1 else "玉") + DAI_GIVEN[int(random() * len(DAI_GIVEN))]
    if random() < 0.5:
        name += DAI_GIVEN[int(random() * len(DAI_GIVEN))]
    return name


def korean(rng: Dice, sex: int) -> str:
    """Korean surname and characters common in Korean given names."""
    return han_style(rng, sex, SURNAMES["10"], KOREAN_CHARS)


Maker = Callable[[Dice, int], str]

_MAKERS: dict[str, Maker] = {
    "03": hui,
    "04": tibetan,
    "05": lambda rng, sex: joined(rng, sex, UYGHUR_MALE, UYGHUR_FEMALE),
    "17": lambda rng, sex: joined(rng, sex, KAZAKH_MALE, KAZAKH_FEMALE),
    "29": lambda rng, sex: joined(rng, sex, KYRGYZ_MALE, KAZAKH_FEMALE),
    "41": lambda rng, sex: joined(rng, sex, UYGHUR_MALE, UYGHUR_FEMALE),
    "43": lambda rng, sex: joined(rng, sex, UYGHUR_MALE, UYGHUR_FEMALE),
    "50": lambda rng, sex: joined(rng, sex, UYGHUR_MALE, UYGHUR_FEMALE),
    "02": mongol,
    "07": yi,
    "18": dai,
    "10": korean,
}


def make_name(rng: Dice, ethnic_code: str, sex: int) -> str:
    """A plausible name for someone of this group and sex."""
    maker = _MAKERS.get(ethnic_code)
    if maker is not None:
        return maker(rng, sex)
    return han_style(rng, sex, SURNAMES.get(ethnic_code, HAN_SURNAMES))
