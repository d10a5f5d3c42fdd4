"""The demo centre's dual-hundred scheme, drawn from the Miyun report in
seeds/: 21 party-building indicators scored by the branch and 35 work
indicators scored by the business departments, each part out of 100.
(code, name, description, maximum, method, automatic source)"""

from decimal import Decimal

PARTY = [
    ("P01", "参加支部党员大会", "按时参加支部党员大会，无故缺席一次扣全部分值", 5, "deduct", "meetings"),
    ("P02", "参加支部委员会/党小组会", "按时参加党小组会，缺席一次扣2.5分", 5, "deduct", "meetings"),
    ("P03", "参加党课学习", "按时参加“三会一课”中的党课学习", 5, "deduct", "meetings"),
    ("P04", "参加主题党日活动", "每月主题党日活动全程参加", 5, "deduct", "meetings"),
    ("P05", "按时足额交纳党费", "按月足额交纳党费，是/否", 4, "yesno", ""),
    ("P06", "社区疫情防控下沉值守", "按支部安排参加下沉社区疫情防控任务", 6, "deduct", "activities"),
    ("P07", "党员联系群众“1+10”", "每名党员联系10名群众，按月走访、记录", 6, "deduct", "activities"),
    ("P08", "创城“周末大扫除”", "参加创建文明城区周末大扫除", 5, "deduct", "activities"),
    ("P09", "垃圾分类“桶前值守”", "按排班参加垃圾分类桶前值守", 5, "deduct", "activities"),
    ("P10", "理论学习", "完成月度理论学习任务（学习强国等）", 5, "deduct", ""),
    ("P11", "学习心得体会", "按时提交学习心得体会", 4, "deduct", ""),
    ("P12", "组织生活会和民主评议", "参加组织生活会，开展批评与自我批评", 5, "deduct", "meetings"),
    ("P13", "亮明党员身份", "工作时间佩戴党员徽章、摆放党员标识牌，是/否", 4, "yesno", ""),
    ("P14", "志愿服务活动", "参加“先锋行动”志愿服务", 5, "add", "activities"),
    ("P15", "解决群众急难愁盼问题", "为办事群众解决急难愁盼问题，每项加1分", 5, "add", ""),
    ("P16", "支部集中学习研讨", "参加支部集中学习并发言", 5, "deduct", "meetings"),
    ("P17", "完成支部交办任务", "按时保质完成支部交办的各项任务", 5, "deduct", ""),
    ("P18", "党建宣传信息", "撰写或参与党建宣传报道", 4, "add", ""),
    ("P19", "廉政警示教育", "参加廉政警示教育活动", 4, "deduct", "activities"),
    ("P20", "遵守组织纪律", "按规定请销假，遵守组织纪律", 4, "deduct", ""),
    ("P21", "先锋行动主题活动", "参加“开展密云先锋行动”主题活动", 4, "deduct", "activities"),
]

WORK = [
    ("W01", "按时到岗", "不迟到、不早退", 3, "deduct", ""),
    ("W02", "坚守岗位", "工作时间不擅离岗位、不串岗", 3, "deduct", ""),
    ("W03", "着装规范", "按规定着装、佩戴工牌，是/否", 2, "yesno", ""),
    ("W04", "窗口台面整洁", "台面物品摆放整齐规范", 2, "deduct", ""),
    ("W05", "文明用语", "使用文明用语，微笑服务", 3, "deduct", ""),
    ("W06", "一次性告知", "落实一次性告知制度", 3, "deduct", ""),
    ("W07", "首问负责", "落实首问负责制", 3, "deduct", ""),
    ("W08", "限时办结", "在承诺时限内办结", 3, "deduct", ""),
    ("W09", "办件准确率", "办件零差错", 3, "deduct", ""),
    ("W10", "按时办结率", "按时办结率达到100%", 3, "deduct", ""),
    ("W11", "无超期办件", "当月无超期办件", 3, "deduct", ""),
    ("W12", "好差评满意率", "当月好差评满意率", 3, "deduct", "ratings"),
    ("W13", "无有效投诉", "当月无经核实的有效投诉", 3, "deduct", ""),
    ("W14", "差评整改", "差评按时核实、整改、回访", 3, "deduct", "ratings"),
    ("W15", "“办不成事”问题解决", "协助“办不成事”窗口解决问题", 3, "add", ""),
    ("W16", "帮办代办", "为老年人、残疾人等提供帮办代办服务", 3, "add", ""),
    ("W17", "延时和预约服务", "提供延时服务、预约服务", 3, "add", ""),
    ("W18", "“一网通办”", "引导群众网上办理", 3, "deduct", ""),
    ("W19", "材料审核规范", "申请材料审核规范、标准统一", 3, "deduct", ""),
    ("W20", "档案归档", "办件档案归档及时完整", 3, "deduct", ""),
    ("W21", "业务知识学习", "参加业务知识学习", 3, "deduct", ""),
    ("W22", "业务测试", "月度业务测试成绩", 3, "deduct", ""),
    ("W23", "政策咨询答复", "政策解读准确，咨询答复及时", 3, "deduct", ""),
    ("W24", "系统操作规范", "审批系统操作规范", 3, "deduct", ""),
    ("W25", "数据录入准确", "业务数据录入准确", 3, "deduct", ""),
    ("W26", "信息保密", "保护办事群众个人信息", 2, "deduct", ""),
    ("W27", "廉洁自律", "不吃拿卡要，不收受礼品", 3, "deduct", ""),
    ("W28", "服从工作安排", "服从科室和中心工作安排", 3, "deduct", ""),
    ("W29", "团结协作", "补位顶岗，团结协作", 3, "deduct", ""),
    ("W30", "业务培训", "参加业务培训", 3, "deduct", ""),
    ("W31", "创新服务举措", "提出并落实创新服务举措", 3, "add", ""),
    ("W32", "群众表扬", "收到群众表扬信、锦旗", 3, "add", ""),
    ("W33", "完成科室交办任务", "按时完成科室交办任务", 3, "deduct", ""),
    ("W34", "月度工作总结", "按时上报月度工作总结", 2, "deduct", ""),
    ("W35", "窗口服务评比", "参加窗口服务评比", 2, "add", ""),
]


# The rules of the automatic indicators: code -> (kind of record, figure counted, rule, points
# per unit, full marks from %). Kinds are life's meeting kinds and default activity codes (a
# comma-separated list counts several). A rule whose source this installation lacks is left
# out: the indicator stays entered by hand.
RULES = {
    "P01": ("members", "absent", "deduct_per", 5, None),            # 无故缺席一次扣全部分值
    "P02": ("committee,group", "absent", "deduct_per", "2.5", None),  # 缺席一次扣2.5分
    "P03": ("lesson", "absent", "deduct_per", 5, None),
    "P04": ("theme_day", "absent", "deduct_per", 5, None),          # 每月主题党日全程参加
    "P06": ("epidemic", "times", "add_per", "1.5", None),           # four duties a month
    "P07": ("contact", "times", "add_per", "0.6", None),            # ten contacts a month
    "P08": ("cleanup", "times", "add_per", "2.5", None),            # two clean-ups a month
    "P09": ("bin_duty", "hours", "add_per", 1, None),               # five hours at the bins
    "P12": ("life,appraisal", "missed", "deduct_per", 5, None),     # leave not made up counts too
    "P14": ("volunteer", "hours", "add_per", "0.5", None),
    "P16": ("members,committee,group,lesson", "absent", "deduct_per", "2.5", None),
    "P21": ("community", "times", "add_per", 2, None),
    "W12": ("", "satisfaction", "rate_min", "0.5", 98),  # 满意率 98% 起满分，每低 1 个百分点扣 0.5 分
    "W14": ("", "bad", "deduct_per", 1, None),            # 每条差评扣 1 分
}


def indicator_rows(rules=False):
    """The scheme's indicators as dicts for `services.create_scheme`; with `rules`, the
    automatic ones carry the rules above (those whose source is available)."""
    available = set()
    if rules:
        from .auto import sources

        available = set(sources())
    rows = []
    for part, kind, data in (("party", "branch", PARTY), ("work", "department", WORK)):
        for order, (code, name, description, maximum, method, source) in enumerate(data, start=1):
            row = {"part": part, "code": code, "name": name, "description": description,
                   "maximum": maximum, "method": method, "scorer_kind": kind, "auto_source": source,
                   "sort_order": order}
            if source and source in available and code in RULES:
                record_kind, measure, formula, step, threshold = RULES[code]
                row.update(auto_kind=record_kind, auto_measure=measure, auto_formula=formula, auto_step=Decimal(str(step)),
                           auto_threshold=None if threshold is None else Decimal(str(threshold)))
            rows.append(row)
    return rows
