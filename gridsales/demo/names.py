"""Plausible Chinese demo data: people, companies, shops, roads, phones.

Framework-free: every function takes a `random.Random` so a seed gives the same data on
every run. This is data, not user-interface text, so nothing here is translated.
"""

from __future__ import annotations

import itertools
import random

# (surname, pinyin, weight): the common surnames, with Shanghai's own (沈, 陆, 顾, 钱, 朱,
# 徐) a little heavier than their national share.
SURNAMES = [
    ("王", "wang", 9),
    ("李", "li", 8),
    ("张", "zhang", 8),
    ("刘", "liu", 6),
    ("陈", "chen", 7),
    ("杨", "yang", 4),
    ("黄", "huang", 4),
    ("赵", "zhao", 3),
    ("吴", "wu", 4),
    ("周", "zhou", 4),
    ("徐", "xu", 5),
    ("孙", "sun", 3),
    ("马", "ma", 2),
    ("朱", "zhu", 4),
    ("胡", "hu", 3),
    ("郭", "guo", 2),
    ("何", "he", 2),
    ("高", "gao", 2),
    ("林", "lin", 2),
    ("罗", "luo", 2),
    ("郑", "zheng", 2),
    ("梁", "liang", 1),
    ("谢", "xie", 2),
    ("宋", "song", 1),
    ("唐", "tang", 2),
    ("许", "xu", 2),
    ("韩", "han", 1),
    ("冯", "feng", 1),
    ("邓", "deng", 1),
    ("曹", "cao", 2),
    ("彭", "peng", 1),
    ("曾", "zeng", 1),
    ("沈", "shen", 4),
    ("陆", "lu", 4),
    ("顾", "gu", 4),
    ("钱", "qian", 3),
    ("蒋", "jiang", 2),
    ("蔡", "cai", 2),
    ("姚", "yao", 2),
    ("金", "jin", 2),
    ("潘", "pan", 1),
    ("范", "fan", 1),
    ("汪", "wang", 1),
    ("叶", "ye", 1),
    ("方", "fang", 1),
    ("袁", "yuan", 1),
    ("丁", "ding", 1),
    ("施", "shi", 2),
    ("倪", "ni", 1),
    ("严", "yan", 1),
    ("龚", "gong", 1),
    ("戴", "dai", 1),
    ("俞", "yu", 1),
    ("邵", "shao", 1),
    ("任", "ren", 1),
    ("秦", "qin", 1),
]

# (character, pinyin) for given names; two-character names are the majority.
GIVEN_CHARS = [
    ("伟", "wei"),
    ("芳", "fang"),
    ("敏", "min"),
    ("静", "jing"),
    ("丽", "li"),
    ("强", "qiang"),
    ("磊", "lei"),
    ("军", "jun"),
    ("洋", "yang"),
    ("勇", "yong"),
    ("艳", "yan"),
    ("杰", "jie"),
    ("娟", "juan"),
    ("涛", "tao"),
    ("明", "ming"),
    ("超", "chao"),
    ("霞", "xia"),
    ("平", "ping"),
    ("刚", "gang"),
    ("华", "hua"),
    ("建", "jian"),
    ("国", "guo"),
    ("文", "wen"),
    ("海", "hai"),
    ("晓", "xiao"),
    ("佳", "jia"),
    ("婷", "ting"),
    ("雪", "xue"),
    ("慧", "hui"),
    ("欣", "xin"),
    ("怡", "yi"),
    ("俊", "jun"),
    ("浩", "hao"),
    ("宇", "yu"),
    ("轩", "xuan"),
    ("子", "zi"),
    ("梓", "zi"),
    ("涵", "han"),
    ("晨", "chen"),
    ("昊", "hao"),
    ("天", "tian"),
    ("志", "zhi"),
    ("红", "hong"),
    ("玲", "ling"),
    ("燕", "yan"),
    ("斌", "bin"),
    ("峰", "feng"),
    ("琳", "lin"),
    ("颖", "ying"),
    ("嘉", "jia"),
    ("一", "yi"),
    ("诗", "shi"),
    ("雨", "yu"),
    ("思", "si"),
    ("凯", "kai"),
    ("鹏", "peng"),
    ("辉", "hui"),
    ("蕾", "lei"),
    ("倩", "qian"),
    ("亮", "liang"),
]

# Two characters from here make a brand (字号), as in 上海鑫源贸易有限公司.
BRAND_CHARS = (
    "华泰信达鑫恒盛通瑞德嘉丰源隆兴佳宏新天海锦润博安金和美康联创百汇融晟辰远"
    "弘昌宇晨耀航启星泽凯裕祥尚优奥捷力诚志森益明正合众普腾骏亿久荣富"
)

# industry -> words that follow the brand in a company name
INDUSTRY_WORDS = {
    "零售": ["商贸", "百货", "商业", "连锁超市"],
    "餐饮": ["餐饮管理", "餐饮", "食品"],
    "制造业": ["机械制造", "电子科技", "精密机械", "新材料", "汽车零部件", "包装材料"],
    "物流": ["物流", "供应链管理", "国际货运代理", "快递"],
    "金融": ["投资管理", "融资租赁", "资产管理", "保险代理"],
    "教育": ["教育科技", "培训", "文化传播"],
    "医疗": ["医疗器械", "医药", "健康管理"],
    "房地产": ["置业", "房地产开发", "物业管理", "房地产经纪"],
    "信息技术": ["信息技术", "网络科技", "软件", "数据科技", "智能科技"],
    "批发": ["贸易", "进出口", "实业"],
    "酒店": ["酒店管理", "宾馆"],
    "建筑": ["建设工程", "装饰工程", "建材"],
}
COMPANY_SUFFIXES = [
    ("有限公司", 70),
    ("有限责任公司", 15),
    ("股份有限公司", 5),
    ("集团有限公司", 4),
]

# Small shops (for small-business and individual customers): (industry, shop words).
SHOP_KINDS = [
    ("零售", ["便利店", "水果店", "烟杂店", "超市", "五金店", "服装店", "花店"]),
    ("餐饮", ["面馆", "生煎", "小吃店", "茶餐厅", "咖啡馆", "烘焙坊", "火锅店"]),
    ("医疗", ["大药房", "诊所", "口腔门诊"]),
    ("教育", ["培训中心", "艺术工作室", "托育中心"]),
    ("信息技术", ["手机维修店", "电脑服务部"]),
    ("酒店", ["民宿", "快捷酒店"]),
    ("批发", ["建材商行", "粮油商行", "批发部"]),
]

GOVERNMENT_BUREAUS = [
    "市场监督管理局",
    "教育局",
    "卫生健康委员会",
    "人力资源和社会保障局",
    "税务局",
    "城市管理行政执法局",
    "民政局",
    "文化和旅游局",
    "生态环境局",
    "规划和自然资源局",
]

CONTACT_TITLES = {
    "enterprise": ["总经理", "副总经理", "采购经理", "财务主管", "行政经理", "IT主管", "运营总监"],
    "sme": ["老板", "店长", "经理", "财务", "采购"],
    "government": ["办公室主任", "科长", "副主任", "信息中心主任", "采购专员"],
    "individual": ["店主", "老板"],
}

STREETS_BY_DISTRICT = {
    "黄浦区": "南京东路 淮海中路 西藏中路 河南中路 福州路 延安东路 复兴中路 中山南路 陆家浜路 人民路 九江路 四川中路 北京东路 金陵东路 打浦路 瑞金二路 蒙自路 制造局路",
    "徐汇区": "漕溪北路 肇嘉浜路 衡山路 天钥桥路 宜山路 虹桥路 龙华中路 田林路 钦州路 桂平路 漕宝路 龙吴路 华山路 建国西路 斜土路",
    "长宁区": "延安西路 天山路 仙霞路 娄山关路 长宁路 愚园路 定西路 遵义路 古北路 水城路 哈密路 金钟路 北翟路 剑河路",
    "静安区": "南京西路 北京西路 延安中路 常德路 江宁路 西康路 共和新路 万荣路 广中西路 大宁路 灵石路 天目中路 永和路 汶水路",
    "普陀区": "中山北路 曹杨路 武宁路 长寿路 金沙江路 真北路 兰溪路 铜川路 梅川路 大渡河路 真光路 云岭东路 桃浦路 祁连山路",
    "虹口区": "四川北路 曲阳路 大连路 海宁路 东江湾路 欧阳路 中山北一路 临平路 西江湾路 广灵四路 密云路 水电路 吴淞路",
    "杨浦区": "四平路 国定路 淞沪路 黄兴路 控江路 长阳路 平凉路 营口路 政立路 殷行路 军工路 江浦路 杨树浦路 大学路",
    "闵行区": "七莘路 莘松路 沪闵路 虹井路 吴中路 虹梅路 古美路 顾戴路 都市路 剑川路 江川路 东川路 浦星公路 纪鹤路 申滨路",
    "宝山区": "牡丹江路 友谊路 淞滨路 长江西路 上大路 沪太路 泰和路 水产路 宝杨路 一二八纪念路 殷高西路 聚丰园路 蕴川路",
    "嘉定区": "城中路 博乐路 清河路 沪宜公路 嘉松北路 曹安公路 墨玉南路 叶城路 洪德路 平城路 胜辛路 金沙路 裕民南路",
    "浦东新区": "世纪大道 陆家嘴环路 张杨路 浦东南路 东方路 浦东大道 杨高南路 锦绣路 龙阳路 科苑路 川沙路 华夏东路 沪南公路 金科路 周祝公路 航都路 高科西路 东明路 上南路 成山路 金桥路 新金桥路 杨高北路 五洲大道 环湖西一路",
    "金山区": "卫零路 龙胜路 蒙山路 金一路 万安街 亭卫公路 枫阳路 板桥西路 金山大道 杭州湾大道 龙航路 沪杭公路",
    "松江区": "人民北路 中山中路 荣乐东路 新松江路 文翔路 沪亭北路 泗通路 广富林路 三新北路 乐都路 谷阳北路 玉树路 莘砖公路 思贤路",
    "青浦区": "公园路 城中北路 华青路 淀山湖大道 嘉松中路 崧泽大道 盈港东路 外青松公路 胜利路 青赵公路 珠湖路 华志路 徐盈路",
    "奉贤区": "解放东路 南亭公路 环城东路 百齐路 望园路 金海公路 奉浦大道 运河北路 海思路 八字桥路 新建中路 金齐路 航南公路",
    "崇明区": "八一路 东门路 南门路 鼓浦路 翠竹路 北门路 陈海公路 凤凰公路 新民路 揽海路 堡镇南路 园沙路",
}
STREETS = {district: streets.split() for district, streets in STREETS_BY_DISTRICT.items()}

MOBILE_PREFIXES = "130 131 132 133 135 136 137 138 139 150 151 152 155 157 158 159 166 176 177 180 181 185 186 187 188 189 199".split()
EMAIL_DOMAINS = ["example.com", "example.cn", "example.net", "example.org"]


_CUM_WEIGHTS: dict[int, list[int]] = {}


def weighted(rnd: random.Random, table: list[tuple]) -> tuple:
    """Pick a row of `table`, weighted by each row's last element."""
    # Cumulative weights are cached per table: this runs for every generated name.
    cum = _CUM_WEIGHTS.get(id(table))
    if cum is None:
        cum = _CUM_WEIGHTS[id(table)] = list(itertools.accumulate(row[-1] for row in table))
    return rnd.choices(table, cum_weights=cum)[0]


def person_name(rnd: random.Random) -> tuple[str, str]:
    """A Chinese full name and its toneless pinyin, e.g. ("顾佳怡", "gujiayi")."""
    surname, surname_py, _w = weighted(rnd, SURNAMES)
    count = 1 if rnd.random() < 0.3 else 2
    chars = [rnd.choice(GIVEN_CHARS) for _ in range(count)]
    return surname + "".join(c for c, _ in chars), surname_py + "".join(p for _, p in chars)


def mobile(rnd: random.Random, prefix: str | None = None) -> str:
    """An 11-digit mainland mobile number."""
    return (prefix or rnd.choice(MOBILE_PREFIXES)) + f"{rnd.randrange(10**8):08d}"


def street_address(rnd: random.Random, district: str) -> str:
    """District + a road in that district + number, sometimes with a lane, floor or room."""
    road = rnd.choice(STREETS[district])
    number = rnd.randint(1, 2999)
    roll = rnd.random()
    if roll < 0.25:
        return f"{district}{road}{number}弄{rnd.randint(1, 60)}号"
    if roll < 0.55:
        return f"{district}{road}{number}号{rnd.randint(1, 30)}楼"
    if roll < 0.7:
        return f"{district}{road}{number}号{rnd.randint(1, 20)}{rnd.randint(1, 30):02d}室"
    return f"{district}{road}{number}号"


def brand(rnd: random.Random) -> str:
    """A two-character trade name (字号)."""
    first, second = rnd.sample(BRAND_CHARS, 2)
    return first + second


def company_name(rnd: random.Random, industry: str) -> str:
    """上海 + brand + industry word + legal form, e.g. 上海鑫源供应链管理有限公司."""
    word = rnd.choice(INDUSTRY_WORDS[industry])
    return f"上海{brand(rnd)}{word}{weighted(rnd, COMPANY_SUFFIXES)[0]}"


def shop_name(rnd: random.Random, district: str) -> tuple[str, str]:
    """A small shop and its industry, e.g. ("陈记生煎（南京东路店）", "餐饮")."""
    industry, kinds = rnd.choice(SHOP_KINDS)
    kind = rnd.choice(kinds)
    if rnd.random() < 0.4:
        surname = weighted(rnd, SURNAMES)[0]
        owner = f"{surname}记" if rnd.random() < 0.6 else f"阿{surname[0]}"
        stem = owner + kind
    else:
        stem = brand(rnd) + kind
    return f"{stem}（{rnd.choice(STREETS[district])}店）", industry


def government_name(rnd: random.Random, district: str) -> tuple[str, str]:
    """A public body in the district and its industry (agency, school or clinic)."""
    roll = rnd.random()
    short = district.removesuffix("新区").removesuffix("区")
    if roll < 0.55:
        return f"上海市{district}{rnd.choice(GOVERNMENT_BUREAUS)}", "政府机构"
    if roll < 0.8:
        school = rnd.choice(["实验学校", "中学", "第二中学", "外国语小学", "职业技术学校"])
        return f"上海市{short}{brand(rnd)}{school}", "教育"
    road = rnd.choice(STREETS[district]).removesuffix("路")
    return f"{district}{road}社区卫生服务中心", "医疗"


def email(rnd: random.Random, pinyin: str) -> str:
    """An address on a reserved example domain, so demo data can never mail anyone."""
    return f"{pinyin}{rnd.randint(1, 999)}@{rnd.choice(EMAIL_DOMAINS)}"


def wechat_id(rnd: random.Random, pinyin: str) -> str:
    """A WeChat id: pinyin and digits, or an auto-assigned wxid_."""
    if rnd.random() < 0.5:
        return f"{pinyin}_{rnd.randint(10, 99999)}"
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    return "wxid_" + "".join(rnd.choices(alphabet, k=14))
