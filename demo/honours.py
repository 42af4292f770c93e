"""The demo's honours (评选表彰, issue 14 §2–3), through evaluations' services:

- the finished 2010 campaign: a completed round — quotas; applications (自愿申报) of collectives
  and individuals with their cases (事迹材料), recommended level by level (逐级推荐) by the demo
  reviewers, two declined with reasons, the rest shortlisted; the shortlist published (公示) in
  January 2011, one public objection answered, and the round commended by 阜党发〔2011〕3号: the
  public honour roll (/public/honours/).
- the running campaign: a round open for applications, with quotas and applications in several
  states (a draft, waiting at level 1, waiting at level 2).

The 2010 steps run as of their days (demo.assessment.as_of). Idempotent: a campaign that has a
round is left as it is.
"""

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.apps import apps as django_apps
from django.utils import timezone

from accounts.models import User
from campaigns.models import Campaign
from demo.assessment import as_of, at
from evaluations import honour_roll_services, honour_services
from evaluations.models import (
    Application,
    ApplicationStatus,
    HonourCategory,
    HonourRound,
)
from units.models import Role, Unit

Member = Callable[[Unit, str], User]
StaffFor = Callable[[Unit], User]

SHORTLIST, DRAFT, LEVEL_1, LEVEL_2 = "shortlist", "draft", "level_1", "level_2"


@dataclass(frozen=True)
class Entry:
    unit: str  # the applying (nominating) unit's code
    category: str  # HonourCategory.code
    summary: str
    case: str
    person_name: str = ""  # the person nominated, or a team or family under the unit
    person_post: str = ""
    registration: dict[str, str] = field(default_factory=dict)
    story: str = SHORTLIST  # how far it goes: SHORTLIST, DRAFT, LEVEL_1, LEVEL_2 — or declined:
    declined_at: int = 0  # the level that declines it (0: none) …
    reason: str = ""  # … and why


ROUND_2010 = "2010年度党群共建创先争优评选表彰"
DOCUMENT_NUMBER = "阜党发〔2011〕3号"
APPLIED_ON = date(2010, 12, 1)
LEVEL_1_ON = date(2010, 12, 10)
LEVEL_2_ON = date(2010, 12, 20)
PUBLISHED_ON = date(2011, 1, 4)  # a Tuesday: five working days to 2011-01-10
OBJECTED_ON = date(2011, 1, 6)
ANSWERED_ON = date(2011, 1, 7)
DECIDED_ON = date(2011, 1, 14)
QUOTA = 3  # of each category, for every recommending unit …
QUOTAS_BY_UNIT = [("CG", "advanced_party_org", 1)]  # … but these

ENTRIES_2010: list[Entry] = [
    Entry(
        unit="CG-ZB1",
        category="advanced_party_org",
        summary="以“党员先锋岗”和“楼栋党小组”为抓手，把服务送到居民家门口，社区群众满意率达 96%。",
        registration={"leader": "周红梅", "members": "47", "established": "1984"},
        case=(
            "西大街社区党支部现有党员 47 名，其中离退休党员 29 名、流动党员 6 名。"
            "创先争优活动开展以来，支部围绕“服务居民、凝聚人心”的目标，在全市率先推行“楼栋党小组”"
            "工作法，将 12 栋居民楼划为 6 个网格，由党小组长兼任网格长，做到居民诉求“小事不出楼栋、"
            "大事不出社区”。全年设立党员先锋岗 8 个，党员认领为民服务项目 36 项，办结率 100%。"
            "支部坚持每月 5 日主题党日，全年开展政策宣讲 14 场、惠及居民 1200 余人次；组织党员与 "
            "23 户困难家庭结对，协调解决低保、就业、子女入学等实际困难 41 件。在与市财政局党支部的"
            "结对共建中，共同建成社区“党员书屋”和“四点半课堂”，为 80 余名双职工家庭子女提供课后"
            "服务。支部“三会一课”记录完整规范，党费收缴及时足额，发展入党积极分子 3 名。"
            "年末群众满意度测评达 96%，社区被评为州级“和谐社区”。"
        ),
    ),
    Entry(
        unit="JG-ZB2",
        category="advanced_party_org",
        summary="以“党员示范岗”带动财政业务提速，与卡子湾村党支部结对帮扶成效明显。",
        registration={"leader": "陈国栋", "members": "38"},
        case=(
            "市财政局党支部有党员 38 名。活动中支部开展“岗位建功、服务发展”主题实践，在国库集中"
            "支付、惠农资金“一卡通”发放等窗口岗位设立党员示范岗 6 个，惠农补贴资金发放时间由 "
            "15 个工作日缩短到 7 个工作日。支部与城关镇卡子湾村党支部结对共建，协调资金 18 万元"
            "硬化村内道路 1.2 公里，帮助村里建成温室大棚 12 座。支部坚持“三会一课”和党员承诺践诺"
            "制度，党员年度承诺事项 76 件，完成 71 件。"
        ),
        declined_at=1,
        reason=(
            "该支部本年度有一项扣分（报送的活动照片与其他单位重复），按照评选办法，"
            "年度内受到扣分的不予推荐。请于明年继续努力。"
        ),
    ),
    Entry(
        unit="YQ-GH",
        category="workers_pioneer",
        person_name="阜康煤化工公司气化车间甲班",
        summary="连续 300 天安全无事故，班组创新 11 项合理化建议，年节约成本 86 万元。",
        registration={"leader": "刘海军", "members": "24", "established": "2006"},
        case=(
            "阜康煤化工公司气化车间甲班共有职工 24 名，平均年龄 31 岁，负责两台气化炉的运行操作。"
            "2010 年，班组以“安全第一、创新创效”为目标，开展“工人先锋号”创建活动，推行“手指口述”"
            "操作确认法和交接班“五交五不接”制度，实现连续 300 天安全生产无事故。班组成立“金点子”"
            "创新小组，全年提出合理化建议 46 条，采纳 11 条，其中“气化炉烧嘴冷却水流量优化”一项"
            "使烧嘴使用寿命由 60 天延长到 85 天，年节约成本 86 万元。班组开展“师带徒”结对 9 对，"
            "3 名青年职工取得高级工资格；在园区职工技能比武中获团体第一名。班组建立“职工小家”，"
            "坚持困难职工家访制度，全年帮扶困难职工 4 人次，班组凝聚力显著增强。"
        ),
    ),
    Entry(
        unit="JG-GH",
        category="workers_pioneer",
        person_name="市政务服务中心综合受理窗口",
        summary="推行“一窗受理、限时办结”，全年受理事项 2.3 万件，群众零投诉。",
        registration={"leader": "赵丽", "members": "12", "established": "2008"},
        case=(
            "市政务服务中心综合受理窗口共有工作人员 12 名，承担 28 个部门 156 项行政审批和公共服务"
            "事项的受理工作。2010 年窗口以创建“工人先锋号”为载体，推行“一窗受理、内部流转、限时"
            "办结”工作模式，编印办事指南 156 份，承诺时限平均压缩 40%。全年受理各类事项 2.3 万件，"
            "按时办结率 99.8%，提前办结 6000 余件，实现群众零投诉。窗口推出预约服务、延时服务和"
            "上门服务，为 130 余名行动不便的老人和残疾人上门办理业务。窗口职工坚持每周业务学习，"
            "开展岗位练兵 20 次，2 人在全州政务服务技能竞赛中获奖。窗口党员职工佩戴党徽上岗，"
            "设立“党员示范岗”2 个，每月公开服务承诺并接受群众评议。窗口被群众称为“阜康市的"
            "便民第一窗”。"
        ),
    ),
    Entry(
        unit="CG-TZB",
        category="youth_civilisation",
        person_name="卡子湾村青年志愿服务队",
        summary="32 名农村青年组成志愿服务队，常年为留守老人、儿童服务，全年服务 4600 小时。",
        registration={"leader": "马晓军", "members": "32", "established": "2009"},
        case=(
            "卡子湾村青年志愿服务队成立于 2009 年 3 月，由 32 名本村团员青年组成，"
            "其中回族、维吾尔族队员 14 名。服务队坚持“有需要就有我们”，"
            "建立留守老人、留守儿童和困难户台账 58 户，"
            "实行一对一结对服务。2010 年，服务队开展志愿服务活动 96 次，累计服务 4600 小时：春耕时"
            "为 21 户缺劳力家庭代耕代种 300 余亩；暑期开办“青春课堂”，由大学生村官和返乡大学生为 "
            "46 名留守儿童辅导功课；冬季为孤寡老人送煤、清雪 40 余次。服务队还组织青年参加农业"
            "实用技术培训 6 期，带动 15 名青年发展设施农业和运输业，人均增收 3000 元以上。服务队的"
            "事迹被昌吉电视台报道，获评昌吉州“优秀青年志愿服务集体”。"
        ),
    ),
    Entry(
        unit="CG-FL",
        category="women_civilisation",
        person_name="城关镇便民服务中心巾帼服务窗口",
        summary="6 名女职工组成的窗口推行“微笑服务、一次办好”，全年办理民生事项 8700 余件。",
        registration={"leader": "古丽娜·艾力", "members": "6", "established": "2007"},
        case=(
            "城关镇便民服务中心巾帼服务窗口由 6 名女职工组成，承担计划生育、社会保障、民政救助等 "
            "42 项民生事项的办理。窗口以创建“巾帼文明岗”为契机，提出“进门一张笑脸、办事一次说清、"
            "离开一声再见”的服务标准，实行首问负责、一次性告知和限时办结制度。2010 年共办理各类"
            "事项 8700 余件，其中为 412 户低保家庭办理年审、为 1300 余名农村妇女办理“两癌”免费"
            "检查登记，无一差错。窗口姐妹利用休息日走村入户，为 60 余名行动不便的群众上门办理"
            "业务；开设双语咨询台，方便少数民族群众办事。窗口还与镇妇联“巾帼家政”培训结合，"
            "为前来咨询的下岗失业妇女登记就业意向 140 余人次。窗口连续三年在镇机关作风评议中"
            "排名第一，群众赠送锦旗 9 面。"
        ),
    ),
    Entry(
        unit="JG-ZB1",
        category="outstanding_party_member",
        person_name="李建华",
        person_post="市委办公室综合科科长",
        summary="扎根文字岗位十二年，全年起草重要文稿 60 余篇，结对帮扶 3 户困难群众。",
        registration={
            "gender": "男",
            "birth_year": "1972",
            "ethnicity": "汉族",
            "political_status": "中共党员",
            "education": "大学本科",
            "prior_honours": "2008 年度市直机关优秀共产党员",
        },
        case=(
            "李建华同志 1996 年参加工作，1999 年加入中国共产党，现任市委办公室综合科科长。他扎根"
            "文字综合岗位十二年，政治坚定、作风扎实。创先争优活动中，他牵头起草市委创先争优活动"
            "实施方案和各阶段工作要点，全年起草、修改重要文稿 60 余篇、约 50 万字，多篇调研报告"
            "被州委办公室转发。他坚持“文稿从基层来”，全年深入乡镇、社区、企业调研 42 天，撰写的"
            "《关于加强园区非公企业党建工作的调研报告》提出的 6 条建议被市委采纳。他主动与九运街镇"
            "3 户困难群众结对，自费为他们购买化肥、种子和冬煤，帮助一户家庭的孩子考上大学后申请到"
            "助学贷款。他带领的综合科连续两年被评为市直机关“优秀科室”，他本人在全市干部作风测评中"
            "群众满意率 100%。"
        ),
    ),
    Entry(
        unit="CG-ZB2",
        category="outstanding_party_member",
        person_name="马玉兰",
        person_post="城关镇卡子湾村党支部书记",
        summary="带领村民发展设施农业，村集体收入由 3 万元增至 18 万元，群众称她“马大姐”。",
        registration={
            "gender": "女",
            "birth_year": "1968",
            "ethnicity": "回族",
            "political_status": "中共党员",
            "education": "高中",
        },
        case=(
            "马玉兰同志 1992 年入党，2005 年起任卡子湾村党支部书记。"
            "卡子湾村有农户 386 户、1420 人，曾是城关镇有名的后进村。"
            "她上任后坚持“支部带头、党员示范、群众参与”，先后带领村民"
            "建成温室大棚 120 座，引进蔬菜、食用菌种植技术，成立蔬菜产销合作社，解决了群众“种了卖"
            "不出去”的难题。2010 年，全村人均纯收入达 7800 元，比 2008 年增长 45%；村集体收入由 "
            "3 万元增加到 18 万元。她推行“党员联户”制度，村里 31 名党员每人联系 10 至 15 户，全年"
            "为群众办实事 85 件。她家访时发现留守儿童无人照看，便与村团支部一起办起“四点半课堂”。"
            "她调解邻里纠纷从不推脱，多年来村里无一起越级上访。村民们都亲切地称她“马大姐”。"
        ),
    ),
    Entry(
        unit="YQ-GH",
        category="gold_medal_worker",
        person_name="王志强",
        person_post="阜康煤化工公司气化车间主操",
        summary="在园区职工技能比武中夺得化工操作第一名，牵头的技术革新年创效益 86 万元。",
        registration={
            "gender": "男",
            "birth_year": "1980",
            "ethnicity": "汉族",
            "political_status": "群众",
            "education": "中专",
            "prior_honours": "2009 年园区“技术能手”",
        },
        case=(
            "王志强同志 2001 年从技校毕业进入阜康煤化工公司，十年如一日扎根生产一线，从学徒成长为"
            "气化车间主操和技师。他刻苦钻研工艺技术，整理编写了《气化炉操作要点与异常处置》等 3 本"
            "操作手册，成为车间新员工培训教材。2010 年，他牵头实施“气化炉烧嘴冷却水流量优化”技术"
            "革新，使烧嘴寿命延长 40%，年创效益 86 万元；在园区职工技能比武中夺得化工操作工第一名，"
            "被授予园区“技术状元”称号。他先后带徒 7 名，其中 3 人已成为班组技术骨干。2010 年 9 月，"
            "他在夜班巡检中及时发现并处置一起合成气管线泄漏险情，避免了一次重大安全事故。他常说"
            "“操作无小事，细节定成败”，十年来从未发生一起责任事故。他所在班组被推荐申报"
            "工人先锋号。"
        ),
    ),
    Entry(
        unit="CG-TZB",
        category="outstanding_league_member",
        person_name="阿依古丽·吐尔逊",
        person_post="卡子湾村卫生室护士、团支部宣传委员",
        summary="扎根村卫生室，为留守老人建立健康档案 210 份，带领青年志愿者义务巡诊 60 余次。",
        registration={
            "gender": "女",
            "birth_year": "1987",
            "ethnicity": "维吾尔族",
            "political_status": "共青团员",
            "education": "中专",
        },
        case=(
            "阿依古丽·吐尔逊同志 2006 年卫校毕业后回到家乡，在卡子湾村卫生室当护士，2007 年任村"
            "团支部宣传委员。她熟练使用维、汉两种语言，是村里各族群众信赖的“健康小管家”。2010 年，"
            "她为全村 210 名 60 岁以上老人逐户建立健康档案，每月上门测量血压、血糖；组织青年志愿者"
            "开展义务巡诊 60 余次，发现并及时转诊高危病人 9 人。她利用团支部阵地举办卫生健康讲座 "
            "12 场，用双语宣传甲型流感、包虫病防治知识，听众 900 余人次。她还是卡子湾村青年志愿"
            "服务队的骨干，坚持每周两次到“四点半课堂”为孩子们讲卫生知识。她常年随叫随到，"
            "深夜为急病老人出诊 20 余次，从不收取额外费用。她的事迹在州团委“青春风采”专栏刊登。"
        ),
    ),
    Entry(
        unit="JYJ-FL",
        category="women_achiever",
        person_name="张秀梅",
        person_post="九运街镇六运村妇代会主任",
        summary="组织妇女发展庭院经济和手工刺绣，带动 80 余名妇女增收。",
        registration={
            "gender": "女",
            "birth_year": "1975",
            "ethnicity": "汉族",
            "political_status": "中共党员",
            "education": "初中",
        },
        case=(
            "张秀梅同志 2004 年起任六运村妇代会主任。她组织全村妇女发展庭院经济，推广葡萄、"
            "蔬菜种植，举办实用技术培训 8 期；牵头成立手工刺绣小组，联系乌鲁木齐的商户订单，"
            "2010 年带动 80 余名妇女人均增收 1500 元。她积极参与“五好文明家庭”创建，调解家庭"
            "矛盾 20 余起。"
        ),
        declined_at=1,
        reason=(
            "事迹较好，但材料对本年度创先争优活动中的具体作用反映不足，且本镇活动开展进度"
            "滞后；经市创先争优办研究，本年度未予推荐，欢迎补充材料后明年再报。"
        ),
    ),
]

OBJECTED_ENTRY = ("YQ-GH", "gold_medal_worker")
PUBLIC_OBJECTION = (
    "听说王志强所在的气化车间今年出过一次安全事故，这样的人还能评金牌工人吗？请核实。"
)
PUBLIC_ANSWER = (
    "经市总工会会同园区安监部门核查：2010 年 9 月气化车间发生的是合成气管线轻微泄漏险情，"
    "正是王志强同志在巡检中及时发现并处置，未造成人员伤亡和财产损失，不属于安全事故。"
    "所反映问题不属实，维持公示结果。感谢您的监督。"
)

ENTRIES_LIVE: list[Entry] = [
    Entry(
        unit="CG-FL",
        category="women_civilisation",
        person_name="城关镇“巾帼家政”服务站",
        summary="（草稿）巾帼家政服务站培训妇女 120 人次，带动 32 名妇女就业。",
        registration={"leader": "古丽娜·艾力"},
        case="服务站成立于今年 3 月，由镇妇联牵头……（材料正在整理，待补充培训和就业数据。）",
        story=DRAFT,
    ),
    Entry(
        unit="JG-GH",
        category="workers_pioneer",
        person_name="市政务服务中心不动产登记窗口",
        summary="推行“一窗受理、集成服务”，不动产登记办理时间由 30 个工作日压缩到 5 个工作日。",
        registration={"leader": "孙浩", "members": "9", "established": "2016"},
        case=(
            "市政务服务中心不动产登记窗口共有工作人员 9 名。今年以来，窗口对照创先争优活动要求，"
            "推行“一窗受理、集成服务”，将登记、交易、缴税三个环节合并为一个窗口办理，一般登记由 "
            "30 个工作日压缩到 5 个工作日，抵押登记当天办结。截至目前已办理各类登记 4100 余件，"
            "群众满意率 99%。窗口开通周末预约服务和“帮办代办”，为 60 余户行动不便的群众上门办理。"
        ),
        story=LEVEL_1,
    ),
    Entry(
        unit="CG-ZB1",
        category="outstanding_party_member",
        person_name="周红梅",
        person_post="城关镇西大街社区党支部书记、居委会主任",
        summary="推行“楼栋党小组”工作法，把社区治理做到居民家门口，今年办结居民诉求 300 余件。",
        registration={
            "gender": "女",
            "birth_year": "1970",
            "ethnicity": "汉族",
            "political_status": "中共党员",
            "education": "大专",
        },
        case=(
            "周红梅同志从事社区工作 16 年，任西大街社区党支部书记 8 年。她首创“楼栋党小组”工作法，"
            "把 12 栋居民楼划为 6 个网格，党小组长兼任网格长，今年以来收集居民诉求 320 件，办结 "
            "311 件。她推动建成社区“红色物业”，协调解决老旧小区供暖、停车等难题 14 个。她坚持每周"
            "走访困难家庭，为 23 户困难居民落实低保、临时救助和就业岗位。社区群众满意率达 97%。"
        ),
        story=LEVEL_2,
    ),
    Entry(
        unit="YQ-GH",
        category="gold_medal_worker",
        person_name="刘海军",
        person_post="阜康煤化工公司气化车间班长",
        summary="带领班组实现安全生产 500 天，主持的气化炉节能改造年节约标煤 1200 吨。",
        registration={
            "gender": "男",
            "birth_year": "1983",
            "ethnicity": "汉族",
            "political_status": "中共党员",
            "education": "大专",
        },
        case=(
            "刘海军同志现任气化车间甲班班长、高级技师。他带领班组实现连续安全生产 500 天，主持"
            "气化炉余热回收节能改造，年节约标煤 1200 吨。他在今年州职工职业技能大赛中获化工总控工"
            "第二名，带出的 5 名徒弟全部取得高级工以上资格。"
        ),
        story=LEVEL_1,
    ),
]


def _categories() -> dict[str, HonourCategory]:
    """The categories of honour, seeded by a data migration; a database flushed since (as a
    transactional test leaves it) has none: they are seeded again, the migration's own way."""
    if not HonourCategory.objects.exists():
        seeding = importlib.import_module("evaluations.migrations.0005_honour_categories")
        seeding.seed(django_apps, None)
    return {category.code: category for category in HonourCategory.objects.all()}


def _round(
    admin: User,
    campaign: Campaign,
    units: dict[str, Unit],
    title: str,
    opens_on: date,
    closes_on: date,
    categories: dict[str, HonourCategory],
) -> HonourRound:
    honour_round = honour_services.round_create(
        admin,
        campaign=campaign,
        title=title,
        opens_on=opens_on,
        closes_on=closes_on,
        publicity_days=5,
    )
    for code in sorted({entry.category for entry in ENTRIES_2010 + ENTRIES_LIVE}):
        honour_services.quota_set(admin, honour_round, category=categories[code], count=QUOTA)
    for unit_code, code, count in QUOTAS_BY_UNIT:
        honour_services.quota_set(
            admin, honour_round, category=categories[code], count=count, unit=units[unit_code]
        )
    return honour_round


def _apply(
    honour_round: HonourRound,
    entry: Entry,
    units: dict[str, Unit],
    categories: dict[str, HonourCategory],
    staff_for: StaffFor,
) -> Application:
    unit = units[entry.unit]
    staff = staff_for(unit)
    application = honour_services.application_create(
        staff,
        honour_round=honour_round,
        unit=unit,
        category=categories[entry.category],
        person_name=entry.person_name,
        person_post=entry.person_post,
        registration=entry.registration,
        case=entry.case,
        summary=entry.summary,
    )
    if entry.story == DRAFT:
        return application
    return honour_services.application_submit(staff, application)


def _act(application: Application, entry: Entry, member: Member, last_level: int) -> Application:
    """Recommend (or decline, at its declining level) while it waits, up to `last_level`."""
    while application.status == ApplicationStatus.WAITING and application.level <= last_level:
        assert application.waiting_unit is not None
        reviewer = member(application.waiting_unit, Role.REVIEWER)
        if entry.declined_at == application.level:
            return honour_services.application_decline(
                reviewer, application, level=application.level, reason=entry.reason
            )
        application = honour_services.application_recommend(
            reviewer, application, level=application.level, reason="事迹突出，同意推荐。"
        )
        if application.level > last_level:
            break
    return application


def honours_2010(
    campaign: Campaign, units: dict[str, Unit], member: Member, staff_for: StaffFor
) -> int:
    """The 2010 round from the applications to the honour roll; returns how many applications
    were written (0 when the campaign has a round already)."""
    if HonourRound.objects.filter(campaign=campaign).exists():
        return 0
    categories = _categories()
    admin = member(units["FK"], Role.ADMIN)
    with as_of(at(APPLIED_ON)):
        honour_round = _round(
            admin,
            campaign,
            units,
            ROUND_2010,
            date(2010, 11, 15),
            date(2010, 12, 25),
            categories,
        )
        applications = [
            (_apply(honour_round, entry, units, categories, staff_for), entry)
            for entry in ENTRIES_2010
        ]
    with as_of(at(LEVEL_1_ON)):
        applications = [(_act(a, entry, member, 1), entry) for a, entry in applications]
    with as_of(at(LEVEL_2_ON)):
        applications = [(_act(a, entry, member, 9), entry) for a, entry in applications]
    with as_of(at(PUBLISHED_ON)):
        honour_round = honour_roll_services.shortlist_publish(
            actor=admin, honour_round=honour_round, at=at(PUBLISHED_ON)
        )
    objected = next(
        a for a, entry in applications if (entry.unit, entry.category) == OBJECTED_ENTRY
    )
    with as_of(at(OBJECTED_ON)):
        objection = honour_roll_services.objection_send(
            application=objected, text=PUBLIC_OBJECTION, name="一名职工", at=at(OBJECTED_ON)
        )
    with as_of(at(ANSWERED_ON)):
        honour_roll_services.objection_answer(
            actor=admin, objection=objection, answer=PUBLIC_ANSWER
        )
    with as_of(at(DECIDED_ON)):
        honour_roll_services.round_commend(
            actor=member(units["FK"], Role.LEADER),
            honour_round=honour_round,
            document_number=DOCUMENT_NUMBER,
            decided_on=DECIDED_ON,
            at=at(DECIDED_ON),
        )
    return len(applications)


def honours_live(
    campaign: Campaign, units: dict[str, Unit], member: Member, staff_for: StaffFor
) -> int:
    """The running campaign's round, open for applications: a few in several states."""
    if HonourRound.objects.filter(campaign=campaign).exists():
        return 0
    categories = _categories()
    today = timezone.localdate()
    honour_round = _round(
        member(units["FK"], Role.ADMIN),
        campaign,
        units,
        f"{today.year}年度党群共建创先争优评选表彰",
        today - timedelta(days=10),
        min(today + timedelta(days=30), campaign.ends_on),
        categories,
    )
    for entry in ENTRIES_LIVE:
        application = _apply(honour_round, entry, units, categories, staff_for)
        if entry.story == LEVEL_2:
            _act(application, entry, member, 1)
    return len(ENTRIES_LIVE)
