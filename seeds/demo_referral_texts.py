"""What the demo referrals say: needs of each category, progress notes, outcomes, and the
people at the departments who acknowledge them (made-up names, no real persons)."""

from __future__ import annotations

DESCRIPTIONS: dict[str, list[str]] = {
    "employment": ["想找餐饮方面的工作", "希望参加职业技能培训", "原工作单位停业，需要再就业",
                   "想在附近找保洁工作"],
    "paperwork": ["办理居住证", "补办身份证", "孩子办理户口迁移手续", "办理流动人口婚育证明"],
    "livelihood": ["家中老人生病，生活困难", "房租到期无力支付", "收入低，冬季取暖困难"],
    "schooling": ["孩子转入附近小学", "孩子初中入学需要学位", "孩子插班就读"],
    "housing": ["申请公共租赁住房", "租住房屋漏水，房东不修", "想了解廉租房政策"],
    "medical": ["办理异地就医备案", "孩子需要预防接种", "慢性病用药报销咨询"],
    "legal_aid": ["被拖欠工资，需要法律援助", "租房合同纠纷咨询", "交通事故赔偿咨询"],
    "relief": ["遭遇火灾，需要临时救助", "家人突发重病，急需救助", "务工受伤，暂无收入"],
    "halal_food": ["附近缺少清真餐饮", "单位食堂没有清真窗口", "孩子学校午餐需要清真饮食"],
    "business_licence": ["办理拉面馆营业执照", "办理食品经营许可证", "个体工商户变更登记"],
    "other": ["咨询少数民族优惠政策", "希望参加社区民族团结活动", "咨询子女回原籍高考政策"],
}  # fmt: skip
NOTES = ["已电话联系责任部门", "部门已受理，正在办理", "已陪同本人到窗口办理",
         "部门反馈需补充材料，已告知本人", "本人已补齐材料", "回访本人，情况稳定",
         "部门答复本周内办结", "已协调社区提供帮助"]  # fmt: skip
REASONS_RESOLVED = ["已办结，本人满意", "已介绍到附近餐馆工作", "已转入附近小学就读",
                    "已办理完毕，证件已领取", "已落实临时救助金", "已安排公租房"]  # fmt: skip
REASONS_UNABLE = ["不符合申请条件，已向本人解释政策", "本人已离开本市，无法继续办理",
                  "本人放弃申请", "超出部门职责范围，已告知可咨询的渠道"]  # fmt: skip
RETURN_COMMENTS = ["请写明办理结果的具体情况", "请补充部门的答复", "请注明办结的日期和经办人"]
ACKNOWLEDGERS: dict[str, list[str]] = {
    "ethnic_affairs": ["民宗局 马科长", "民宗局 李干事"],
    "human_resources": ["人社局 张科长", "人社局 王老师"],
    "public_security": ["派出所 刘警官", "派出所 赵警官"],
    "civil_affairs": ["民政局 陈科长", "民政局 孙干事"],
    "education": ["教育局 周老师", "教育局 吴科长"],
    "housing": ["房管局 郑科长", "房管局 冯干事"],
    "health": ["卫健委 何医生", "卫健委 许科长"],
    "justice": ["司法所 韩律师", "司法所 杨所长"],
    "food_drugs": ["市场监管局 朱科长"],
    "market_regulation": ["市场监管局 秦科长", "市场监管局 尤干事"],
}
