"""Make bench/data/merge.jsonl: a labelled set of citizen requests for measuring the merge matcher
(一事多投: several submissions of one matter merge into one case).

Run: .venv/bin/python bench/data/make_merge.py [--seed 20261101] [--check-only]

Writes merge.jsonl (the requests, ordered by received_at), merge.matters.jsonl (one line per matter:
kind, place, hard-negative tags and related matters, for error analysis) and prints the checks.
Deterministic for a given seed. Phrase banks live in merge_phrases.py.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))

import merge_phrases as P  # noqa: E402

TZ = timezone(timedelta(hours=8))
T_MIN = datetime(2026, 11, 1, 0, 0)
T_MAX = datetime(2026, 12, 20, 23, 59)
HEATING_START = datetime(2026, 11, 12, 0, 0)
SNOW_DAYS = [datetime(2026, 11, 27, 4), datetime(2026, 12, 5, 2), datetime(2026, 12, 14, 3)]
WIND_DAYS = [datetime(2026, 11, 19, 14), datetime(2026, 12, 8, 10)]

# --------------------------------------------------------------------------- towns and places
# centre (lat, lon) invented but plausible; kind: urban / semi / rural; coastal towns get harbours.
TOWNS: dict[str, dict] = {
    "yatou": dict(
        c=(37.165, 122.488),
        kind="urban",
        coastal=False,
        comms=["沽河社区", "华侨社区", "府新社区", "蜊江社区"],
        compounds=[
            "海景花园",
            "蓝海御园",
            "凯旋城",
            "世纪花园",
            "华侨新村",
            "樱花苑",
            "天润城",
            "书香门第",
            "金色家园",
            "幸福里小区",
        ],
        villages=[],
        roads=["青山中路", "府新路", "沽河路", "观海中路"],
        squares=["崖头文化广场", "沽河公园"],
        schools=["崖头实验小学", "蜊江中学"],
        markets=["蜊江农贸市场"],
        sites=["悦海华府项目工地", "沽河片区安置房工地"],
        factories=[("华隆机械厂", "noisy")],
        harbours=[],
        farms=[],
    ),
    "chengxi": dict(
        c=(37.158, 122.428),
        kind="urban",
        coastal=False,
        comms=["西环社区", "向阳埠社区", "福禄山社区", "城西社区"],
        compounds=["西环小区", "福禄山庄", "阳光华府", "康宁苑", "翠竹园", "鑫城花园", "向阳埠新村"],
        villages=[],
        roads=["西环路", "福禄路", "兴业路"],
        squares=["福禄山公园"],
        schools=["城西小学"],
        markets=["城西农贸市场"],
        sites=["鑫城花园三期工地"],
        factories=[("荣发食品有限公司", "noisy"), ("宏泰冷藏厂", "noisy")],
        harbours=[],
        farms=[],
    ),
    "ningjin": dict(
        c=(37.060, 122.600),
        kind="semi",
        coastal=True,
        comms=["止马滩社区", "宁津社区", "东楮岛村", "所前王家村"],
        compounds=["海韵嘉园", "宁津花园", "滨海新城"],
        villages=["东楮岛村", "所前王家村", "西泊村"],
        roads=["宁津大街", "滨海路"],
        squares=["止马滩广场"],
        schools=["宁津中学"],
        markets=["宁津大集"],
        sites=[],
        factories=[("海丰水产有限公司", "smelly"), ("祥云鱼粉厂", "smelly")],
        harbours=["宁津渔港"],
        farms=[],
    ),
    "gangwan": dict(
        c=(37.050, 122.505),
        kind="semi",
        coastal=True,
        comms=["大鱼岛社区", "映红山社区", "港湾社区"],
        compounds=["金海湾花园", "映红山小区", "观海苑", "蓝天小区", "海天华府"],
        villages=["大鱼岛村"],
        roads=["黄海中路", "港湾大街"],
        squares=["渔人码头广场"],
        schools=["港湾小学"],
        markets=["大鱼岛海鲜市场"],
        sites=["海天华府二期工地"],
        factories=[("远洋冷藏有限公司", "noisy"), ("鸿源水产", "smelly")],
        harbours=["大鱼岛渔港"],
        farms=[],
    ),
    "taoyuan": dict(
        c=(37.035, 122.420),
        kind="semi",
        coastal=True,
        comms=["瀛海社区", "桃园社区", "青木寨村", "西南海村"],
        compounds=["瀛海花园", "桃园新村", "丽景苑", "和美家园"],
        villages=["青木寨村", "西南海村", "东岚村"],
        roads=["瀛海路", "桃园路"],
        squares=["瀛海广场"],
        schools=["桃园学校"],
        markets=["桃园农贸市场"],
        sites=["瀛海路安置小区工地"],
        factories=[("泰和水产", "smelly")],
        harbours=["西南海码头"],
        farms=[],
    ),
    "wanglian": dict(
        c=(37.075, 122.360),
        kind="semi",
        coastal=False,
        comms=["王连社区", "寨前峨石村", "大汛姜家村", "马岭孙家村"],
        compounds=["王连小区", "盛世家园"],
        villages=["寨前峨石村", "大汛姜家村", "马岭孙家村", "北岚村"],
        roads=["王连大街"],
        squares=[],
        schools=["王连小学"],
        markets=["王连大集"],
        sites=[],
        factories=[("恒通石材厂", "noisy")],
        harbours=[],
        farms=[("马岭孙家村养鸡场", "马岭孙家村", "养鸡场")],
    ),
    "dongshan": dict(
        c=(37.030, 122.560),
        kind="semi",
        coastal=True,
        comms=["东山社区", "甲子山社区", "柳树集村", "双榜泊村"],
        compounds=["东山花园", "甲子山小区", "悦海苑", "银河小区", "东方明珠小区"],
        villages=["柳树集村", "双榜泊村"],
        roads=["金海路", "甲子山路"],
        squares=["东山文化广场"],
        schools=["东山中学"],
        markets=["柳树集市场"],
        sites=["金海路商住项目工地"],
        factories=[("瑞达水产", "smelly")],
        harbours=["东山码头"],
        farms=[],
    ),
    "chishan": dict(
        c=(37.100, 122.455),
        kind="semi",
        coastal=False,
        comms=["斥山社区", "火塘寨村", "北庙山村"],
        compounds=["悦澜府邸", "斥山花园", "龙腾苑"],
        villages=["火塘寨村", "北庙山村", "南窑村"],
        roads=["斥山大街", "环山路"],
        squares=[],
        schools=["斥山小学"],
        markets=["斥山农贸市场"],
        sites=["悦澜府邸二期工地"],
        factories=[("正阳机械厂", "noisy")],
        harbours=[],
        farms=[],
    ),
    "xunshan": dict(
        c=(37.205, 122.640),
        kind="semi",
        coastal=True,
        comms=["寻山社区", "青鱼滩村", "牛口石村", "逍遥山村"],
        compounds=["寻山花园"],
        villages=["青鱼滩村", "牛口石村", "逍遥山村", "后岭村"],
        roads=["寻山大街"],
        squares=[],
        schools=["寻山学校"],
        markets=["寻山大集"],
        sites=[],
        factories=[("青鱼滩冷库", "noisy"), ("北洋海产", "smelly")],
        harbours=["青鱼滩码头"],
        farms=[],
    ),
    "laoshan": dict(
        c=(37.230, 122.500),
        kind="semi",
        coastal=False,
        comms=["崂山社区", "崂山屯社区", "鸿河社区", "毕家屯村"],
        compounds=["鸿河小区", "崂山花苑", "怡和苑", "盛泉家园"],
        villages=["毕家屯村", "崂山屯村"],
        roads=["鸿河路", "崂山大街"],
        squares=["鸿河广场"],
        schools=["崂山小学"],
        markets=["崂山农贸市场"],
        sites=["鸿河路厂房工地"],
        factories=[("宏达汽车配件厂", "noisy")],
        harbours=[],
        farms=[],
    ),
    "lidao": dict(
        c=(37.285, 122.585),
        kind="rural",
        coastal=True,
        comms=["俚岛社区", "烟墩角村", "马道河村", "大庄许家村"],
        compounds=["俚岛新苑"],
        villages=["烟墩角村", "马道河村", "大庄许家村", "后店村", "东崮村"],
        roads=["俚岛大街"],
        squares=[],
        schools=["俚岛中学"],
        markets=["俚岛大集"],
        sites=[],
        factories=[("马道河鱼粉厂", "smelly"), ("海洋之星水产", "smelly")],
        harbours=["俚岛渔港"],
        farms=[],
    ),
    "chengshan": dict(
        c=(37.370, 122.620),
        kind="rural",
        coastal=True,
        comms=["成山社区", "西霞口村", "龙须岛社区", "马山寨村"],
        compounds=["龙须岛小区", "成山新居"],
        villages=["西霞口村", "马山寨村", "北山后村"],
        roads=["成山镇大街"],
        squares=[],
        schools=["成山中学"],
        markets=["龙须岛海鲜市场"],
        sites=[],
        factories=[("龙须岛冷藏厂", "noisy"), ("远洋鱼粉厂", "smelly")],
        harbours=["龙须岛渔港"],
        farms=[],
    ),
    "buliu": dict(
        c=(37.330, 122.420),
        kind="rural",
        coastal=False,
        comms=["埠柳社区", "凤头村", "汉章泊村", "蓦驾山村"],
        compounds=["埠柳新居"],
        villages=["凤头村", "汉章泊村", "蓦驾山村", "北沟村"],
        roads=["埠柳大街"],
        squares=[],
        schools=["埠柳小学"],
        markets=["埠柳大集"],
        sites=[],
        factories=[("兴旺花生加工厂", "noisy")],
        harbours=[],
        farms=[("汉章泊养猪场", "汉章泊村", "养猪场")],
    ),
    "gangxi": dict(
        c=(37.375, 122.510),
        kind="rural",
        coastal=True,
        comms=["港西社区", "那香海社区", "鸡鸣岛村", "旭口村"],
        compounds=["那香海海景公寓", "港西新苑"],
        villages=["旭口村", "鸡鸣岛村", "巍巍村"],
        roads=["港西大街"],
        squares=[],
        schools=["港西中学"],
        markets=["港西大集"],
        sites=["那香海文旅项目工地"],
        factories=[("旭口水产", "smelly")],
        harbours=["旭口渔港"],
        farms=[],
    ),
    "xiazhuang": dict(
        c=(37.250, 122.390),
        kind="rural",
        coastal=False,
        comms=["夏庄社区", "马安埠村", "青埠岭村", "江林庄村"],
        compounds=["夏庄新苑"],
        villages=["马安埠村", "青埠岭村", "江林庄村", "西山村"],
        roads=["夏庄大街"],
        squares=[],
        schools=["夏庄小学"],
        markets=["夏庄大集"],
        sites=[],
        factories=[("富民石材厂", "noisy")],
        harbours=[],
        farms=[("青埠岭养鸡场", "青埠岭村", "养鸡场")],
    ),
    "yaxi": dict(
        c=(37.205, 122.300),
        kind="rural",
        coastal=False,
        comms=["崖西社区", "潘家沟村", "戴家庵村", "林道沟村"],
        compounds=["崖西新村"],
        villages=["潘家沟村", "戴家庵村", "林道沟村", "南泊村"],
        roads=["崖西大街"],
        squares=[],
        schools=["崖西小学"],
        markets=["崖西大集"],
        sites=[],
        factories=[],
        harbours=[],
        farms=[("戴家庵养鸭场", "戴家庵村", "养鸭场")],
    ),
    "yinzi": dict(
        c=(37.120, 122.245),
        kind="rural",
        coastal=False,
        comms=["荫子社区", "塘子崖村", "马台村", "三冢泊村"],
        compounds=["荫子新居"],
        villages=["塘子崖村", "马台村", "三冢泊村", "小河村"],
        roads=["荫子大街"],
        squares=[],
        schools=["荫子中学"],
        markets=["荫子大集"],
        sites=[],
        factories=[("金鼎花生制品厂", "noisy")],
        harbours=[],
        farms=[("三冢泊养猪场", "三冢泊村", "养猪场")],
    ),
    "tengjia": dict(
        c=(37.160, 122.345),
        kind="rural",
        coastal=False,
        comms=["滕家社区", "桑梓村", "草埠屯村", "高落山村"],
        compounds=["滕家花园", "桑梓苑"],
        villages=["桑梓村", "草埠屯村", "高落山村"],
        roads=["滕家大街", "工业路"],
        squares=[],
        schools=["滕家中学"],
        markets=["滕家大集"],
        sites=["工业路厂房工地"],
        factories=[("滕家机械制造厂", "noisy")],
        harbours=[],
        farms=[],
    ),
    "datuan": dict(
        c=(37.085, 122.285),
        kind="rural",
        coastal=False,
        comms=["大疃社区", "大珠玑村", "户山屯村", "诵庄村"],
        compounds=["大疃新居"],
        villages=["大珠玑村", "户山屯村", "诵庄村", "西岭村"],
        roads=["大疃大街"],
        squares=[],
        schools=["大疃小学"],
        markets=["大疃大集"],
        sites=[],
        factories=[],
        harbours=[],
        farms=[("户山屯养鸡场", "户山屯村", "养鸡场")],
    ),
    "shangzhuang": dict(
        c=(37.120, 122.385),
        kind="rural",
        coastal=False,
        comms=["上庄社区", "南沙岛村", "蔡官屯村", "旗杆石村"],
        compounds=["上庄新苑"],
        villages=["蔡官屯村", "旗杆石村", "南沙岛村", "东河村"],
        roads=["上庄大街"],
        squares=[],
        schools=["上庄小学"],
        markets=["上庄大集"],
        sites=[],
        factories=[("顺达石材厂", "noisy")],
        harbours=[],
        farms=[("旗杆石养猪场", "旗杆石村", "养猪场")],
    ),
    "hushan": dict(
        c=(37.045, 122.225),
        kind="rural",
        coastal=True,
        comms=["虎山社区", "鹊岛村", "五龙嘴村", "得胜寨村"],
        compounds=["虎山新居"],
        villages=["鹊岛村", "五龙嘴村", "得胜寨村", "后庄村"],
        roads=["虎山大街"],
        squares=[],
        schools=["虎山小学"],
        markets=["虎山大集"],
        sites=[],
        factories=[("鹊岛水产", "smelly")],
        harbours=["五龙嘴渔港"],
        farms=[],
    ),
    "renhe": dict(
        c=(37.025, 122.300),
        kind="rural",
        coastal=True,
        comms=["人和社区", "靖海卫村", "院夼村", "蟠龙石村"],
        compounds=["人和新苑"],
        villages=["靖海卫村", "院夼村", "蟠龙石村", "北泊村"],
        roads=["人和大街"],
        squares=[],
        schools=["人和中学"],
        markets=["院夼海鲜市场"],
        sites=[],
        factories=[("院夼鱼粉厂", "smelly"), ("靖海冷藏厂", "noisy")],
        harbours=["院夼渔港"],
        farms=[],
    ),
}

CROSS_STREETS = [
    "胜利街",
    "文化路",
    "建设街",
    "和平路",
    "振华街",
    "新华路",
    "育才路",
    "健康路",
    "光明街",
    "兴华路",
    "海滨路",
    "学府路",
    "湖滨路",
    "松山路",
    "昆仑路",
    "泰山路",
    "燕山路",
    "华山路",
    "嵩山路",
    "庐山路",
    "黄山路",
    "衡山路",
    "长安街",
    "人民路",
    "中山路",
    "解放路",
    "工农路",
    "同心路",
    "裕民路",
    "瑞和路",
    "朝阳街",
    "石桥街",
    "永安路",
    "富强路",
    "民主街",
    "青年路",
    "东风路",
    "红旗路",
    "幸福街",
    "文明路",
]
LANDMARKS = [
    "农商银行",
    "邮政储蓄",
    "中石化加油站",
    "华联超市",
    "移动营业厅",
    "社区卫生服务站",
    "家家悦超市",
    "利群超市",
    "中国银行",
    "建设银行",
    "供电所",
    "派出所",
    "老年公寓",
    "快递驿站",
    "烟酒超市",
]
SHOP_PREFIX = [
    "老张",
    "鑫鑫",
    "聚福",
    "康乐",
    "金鼎",
    "海之味",
    "渔家",
    "福满园",
    "好运来",
    "胶东",
    "大红门",
    "蓝天",
    "宏达",
    "金海",
    "小胖",
    "东北人",
    "一品",
    "顺心",
    "喜来",
    "同福",
    "悦来",
    "新世纪",
    "佳佳",
    "欢乐颂",
    "阿强",
    "老刘",
    "王记",
    "李记",
    "小丽",
    "尚品",
    "优尚",
    "动感",
    "启航",
    "博学",
    "星光",
    "天天",
    "红太阳",
    "乐途",
    "美丽人生",
    "锦绣",
    "德顺",
    "海韵",
    "鲜味",
    "北方",
    "川味",
    "香满楼",
    "如意",
    "兄弟",
    "阳光",
    "满堂红",
]
SHOP_TYPES = {
    "noisy": ["烧烤", "KTV", "酒吧", "海鲜大排档", "网吧", "烤肉店"],
    "food": ["饭店", "面馆", "麻辣烫", "快餐店", "超市", "熟食店", "包子铺"],
    "prepaid": ["健身房", "美容院", "游泳馆", "洗车行", "足疗店", "理发店"],
    "training": ["教育培训学校", "少儿英语", "舞蹈培训", "美术培训", "托管班"],
    "repair": ["汽修厂", "轮胎店"],
}
DEVELOPERS = ["鑫海置业", "恒昌房地产", "华府地产", "泰祥置业", "东方宏业", "瑞丰房地产", "蓝海置业"]
SURNAMES = list("王张李刘于孙林毕鞠曲郭汤谷邹姜宋梁徐陈赵杨高周吴马董丛蔡肖冯岳邵隋")
TITLES = ["女士", "先生", "先生", "女士", "师傅", "大姐", "大爷", "阿姨"]
CN = "零一二三四五六七八九十"

CHANNELS_ONLINE_WEIGHTS = {
    "hotline_12345": 30,
    "minsheng_app": 14,
    "wechat": 11,
    "ishandong_app": 5,
    "web_portal": 4,
    "sms": 4,
    "provincial_12345": 3,
    "mayor_mailbox": 3,
    "people_daily_board": 2,
    "weibo": 2,
    "petition_online": 1,
    "media_inquiry": 1,
}
CHANNEL_NAMES = {
    "hotline_12345": ["12345", "热线"],
    "minsheng_app": ["荣成民生App", "民生App"],
    "wechat": ["微信公众号"],
    "ishandong_app": ["爱山东"],
    "web_portal": ["政府网站"],
    "sms": ["短信平台"],
    "provincial_12345": ["省12345"],
    "mayor_mailbox": ["市长信箱"],
    "people_daily_board": ["人民网留言板"],
    "weibo": ["微博"],
    "petition_online": ["网上信访"],
    "media_inquiry": ["电视台"],
    "grid_worker": ["网格员"],
    "door_to_door": ["走访的同志"],
    "city_inspector": ["城管"],
}


def cn(n: int) -> str:
    if n <= 10:
        return CN[n]
    if n < 20:
        return "十" + (CN[n - 10] if n > 10 else "")
    tens, ones = divmod(n, 10)
    return CN[tens] + "十" + (CN[ones] if ones else "")


def cnl(n: int) -> str:
    return "两" if n == 2 else cn(n)


def offset(lat: float, lon: float, dx: float, dy: float) -> tuple[float, float]:
    return lat + dy / 111320.0, lon + dx / (111320.0 * math.cos(math.radians(lat)))


def dist(a: tuple[float, float], b: tuple[float, float]) -> float:
    dy = (a[0] - b[0]) * 111320.0
    dx = (a[1] - b[1]) * 111320.0 * math.cos(math.radians((a[0] + b[0]) / 2))
    return math.hypot(dx, dy)


@dataclass
class Place:
    pid: str
    kind: str  # c v r s f t q h m g a
    town: str
    name: str
    lat: float
    lon: float
    comm: int
    grid: int
    attrs: dict = field(default_factory=dict)

    @property
    def pt(self) -> tuple[float, float]:
        return (self.lat, self.lon)


class World:
    def __init__(self, rng: random.Random, units: list[dict]):
        self.rng = rng
        self.units = {u["code"]: u for u in units if u["kind"] == "town"}
        self.places: list[Place] = []
        self.by_town: dict[str, list[Place]] = defaultdict(list)
        self.cross_used: set[str] = set()
        self.shop_names: set[str] = set()
        for code, t in TOWNS.items():
            self._build_town(code, t)

    # -- geometry helpers
    def _nearest_town(self, pt) -> tuple[str, float]:
        best = min(TOWNS, key=lambda c: dist(pt, TOWNS[c]["c"]))
        return best, dist(pt, TOWNS[best]["c"])

    def _ok(self, pt, town: str, min_d: float = 320.0, ignore: Place | None = None) -> bool:
        code, _ = self._nearest_town(pt)
        if code != town:
            return False
        others = sorted(dist(pt, TOWNS[c]["c"]) for c in TOWNS if c != town)
        if others[0] - dist(pt, TOWNS[town]["c"]) < 900:
            return False
        return all(dist(pt, p.pt) >= min_d for p in self.places if p is not ignore)

    def _random_point(self, town: str, radius: float) -> tuple[float, float] | None:
        clat, clon = TOWNS[town]["c"]
        for _ in range(400):
            r = radius * math.sqrt(self.rng.random())
            a = self.rng.random() * 2 * math.pi
            pt = offset(clat, clon, r * math.cos(a), r * math.sin(a))
            if self._ok(pt, town):
                return pt
        return None

    def _add(self, kind, town, name, pt, comm=None, attrs=None) -> Place:
        t = TOWNS[town]
        if comm is None:
            comm = self.rng.randint(1, len(t["comms"]))
        p = Place(
            f"P{len(self.places) + 1:03d}", kind, town, name, pt[0], pt[1], comm, self.rng.randint(1, 28), attrs or {}
        )
        self.places.append(p)
        self.by_town[town].append(p)
        return p

    def _cross(self) -> str:
        free = [c for c in CROSS_STREETS if c not in self.cross_used]
        c = self.rng.choice(free)
        self.cross_used.add(c)
        return c

    def _build_town(self, code: str, t: dict) -> None:
        rng = self.rng
        kind = t["kind"]
        self.cross_used = set()
        radius = {"urban": 2300, "semi": 2300, "rural": 2500}[kind]
        clat, clon = t["c"]
        # roads first: points along a line through (near) the centre
        for road in t["roads"]:
            npts = 3 if kind == "urban" else (3 if kind == "semi" and rng.random() < 0.5 else 2)
            spacing = 1100 if npts == 3 else 950
            for _ in range(200):
                ang = rng.random() * math.pi
                ox, oy = rng.uniform(-500, 500), rng.uniform(-500, 500)
                pts = []
                for i in range(npts):
                    s = (i - (npts - 1) / 2) * spacing + rng.uniform(-120, 120)
                    pts.append(offset(clat, clon, ox + s * math.cos(ang), oy + s * math.sin(ang)))
                if all(self._ok(pt, code) for pt in pts) and all(
                    dist(a, b) >= 320 for i, a in enumerate(pts) for b in pts[i + 1 :]
                ):
                    break
            else:
                raise RuntimeError(f"cannot place road {road} in {code}")
            base_no = rng.choice([6, 12, 20, 36])
            for i, pt in enumerate(pts):
                num = base_no + 2 * int((i * spacing) / 9) + rng.randint(0, 6) * 2
                self._add(
                    "r",
                    code,
                    road,
                    pt,
                    attrs=dict(
                        road=road, num=num, cross=self._cross(), landmark=rng.choice(LANDMARKS), idx=i, npts=npts
                    ),
                )
        road_list = t["roads"]

        def road_attr():
            r = rng.choice(road_list)
            return r, rng.randint(3, 240)

        for name in t["compounds"]:
            pt = self._random_point(code, radius)
            if pt is None:
                continue
            r, num = road_attr()
            nb = rng.randint(6, 22) if kind == "urban" else rng.randint(4, 14)
            high = rng.random() < (0.6 if kind == "urban" else 0.35)
            floors = rng.choice([11, 17, 18, 24, 26, 32]) if high else rng.choice([5, 6, 6, 7])
            blds = {}
            tries = 0
            nums = sorted(rng.sample(range(1, nb + 4), nb))
            for b in nums:
                while True:
                    tries += 1
                    rr = 60 * math.sqrt(rng.random())
                    a = rng.random() * 2 * math.pi
                    bp = offset(pt[0], pt[1], rr * math.cos(a), rr * math.sin(a))
                    if all(dist(bp, q) >= 14 for q in blds.values()) or tries > 500:
                        blds[b] = bp
                        break
            self._add(
                "c",
                code,
                name,
                pt,
                attrs=dict(
                    road=r,
                    num=num,
                    buildings=blds,
                    high=high,
                    floors=floors,
                    gates=rng.sample(["东门", "西门", "南门", "北门"], 2),
                    newer=rng.random() < 0.4,
                    landmark=rng.choice(LANDMARKS),
                ),
            )
        for i, v in enumerate(t["villages"]):
            pt = self._random_point(code, radius)
            if pt is None:
                continue
            comm = t["comms"].index(v) + 1 if v in t["comms"] else None
            self._add("v", code, v, pt, comm=comm, attrs=dict(coastal=t["coastal"] and rng.random() < 0.6))
        for name in t["squares"]:
            pt = self._random_point(code, radius)
            if pt:
                self._add("q", code, name, pt)
        for name in t["schools"]:
            pt = self._random_point(code, radius)
            if pt:
                r, num = road_attr()
                self._add("h", code, name, pt, attrs=dict(road=r, num=num))
        for name in t["markets"]:
            pt = self._random_point(code, radius)
            if pt:
                r, num = road_attr()
                self._add("m", code, name, pt, attrs=dict(road=r, num=num))
        for name in t["sites"]:
            pt = self._random_point(code, radius)
            if pt:
                r, num = road_attr()
                self._add("t", code, name, pt, attrs=dict(road=r, num=num, dev=rng.choice(DEVELOPERS)))
        for name, fk in t["factories"]:
            pt = self._random_point(code, radius)
            if pt:
                vill = [p for p in self.by_town[code] if p.kind == "v"]
                near = min(vill, key=lambda v: dist(v.pt, pt)).name if vill else None
                label = {
                    "smelly": "鱼粉厂" if "鱼粉" in name else "水产加工厂",
                    "noisy": "冷库" if ("冷" in name) else "厂子",
                }[fk]
                self._add("f", code, name, pt, attrs=dict(fk=fk, near=near, label=label))
        for name, vill, label in t["farms"]:
            pt = self._random_point(code, radius)
            if pt:
                self._add("a", code, name, pt, attrs=dict(near=vill, label=label, owner=rng.choice(SURNAMES)))
        for name in t["harbours"]:
            pt = self._random_point(code, radius)
            if pt:
                self._add("g", code, name, pt)
        nshops = {"urban": 7, "semi": 4, "rural": 2}[kind]
        cats = ["noisy", "food", "prepaid", "training", "noisy", "food", "repair", "prepaid", "noisy"]
        for i in range(nshops):
            pt = self._random_point(code, radius)
            if pt is None:
                continue
            cat = cats[i] if kind != "rural" else ["noisy", "food"][i % 2]
            self._new_shop(code, cat, pt)

    def _new_shop(self, town: str, cat: str, pt, road=None, num=None) -> Place:
        rng = self.rng
        while True:
            typ = rng.choice(SHOP_TYPES[cat])
            name = rng.choice(SHOP_PREFIX) + typ
            if name not in self.shop_names:
                break
        self.shop_names.add(name)
        if road is None:
            road, num = rng.choice(TOWNS[town]["roads"]), rng.randint(3, 240)
        return self._add("s", town, name, pt, attrs=dict(cat=cat, typ=typ, road=road, num=num))

    def neighbour_shop(self, shop: Place, cat: str) -> Place | None:
        rng = self.rng
        for _ in range(200):
            d = rng.uniform(30, 90)
            a = rng.random() * 2 * math.pi
            pt = offset(shop.lat, shop.lon, d * math.cos(a), d * math.sin(a))
            if self._nearest_town(pt)[0] != shop.town:
                continue
            if all(dist(pt, p.pt) >= 300 for p in self.places if p is not shop):
                num = shop.attrs["num"] + rng.choice([-4, -2, 2, 4])
                p = self._new_shop(shop.town, cat, pt, road=shop.attrs["road"], num=max(1, num))
                p.attrs["next_to"] = shop.pid
                p.comm, p.grid = shop.comm, shop.grid
                return p
        return None

    def homes_near(self, place: Place, maxd: float = 1000) -> list[str]:
        out = [
            p for p in self.by_town[place.town] if p.kind in "cv" and p is not place and dist(p.pt, place.pt) <= maxd
        ]
        out.sort(key=lambda p: dist(p.pt, place.pt))
        return [p.name for p in out[:3]]


# --------------------------------------------------------------------------- names and addresses
def town_prefix(rng, town: str, units) -> str:
    name = units[town]["name"]
    short = name[:-2] if name.endswith("街道") else name[:-1]
    return rng.choices(
        [f"荣成市{name}", name, short, "", f"山东省威海市荣成市{name}", "荣成市"], weights=[3, 4, 2, 4, 1, 1]
    )[0]


def short_of(units, town: str) -> str:
    name = units[town]["name"]
    return name[:-2] if name.endswith("街道") else name[:-1]


def join_prefix(prefix: str, name: str, short: str) -> str:
    if short and name.startswith(short) and prefix.endswith(short):
        return prefix[: -len(short)] + name
    return prefix + name


def with_xiaoqu(name: str) -> str:
    return name if name.endswith(("小区", "新村", "公寓")) else name + "小区"


def mention(
    rng, w: World, p: Place, voice: str, bld: int | None, unit: int | None, sub_part: str | None, spot: bool = False
) -> str:
    """How the writer names the place inside the content."""
    short = short_of(w.units, p.town)
    a = p.attrs
    if p.kind == "c":
        base = rng.choices(
            [p.name, with_xiaoqu(p.name), join_prefix(short, p.name, short), w.units[p.town]["name"] + p.name],
            weights=[5, 4, 1, 1],
        )[0]
        if bld is not None and spot:
            b = f"{bld}号楼"
            forms = [f"{base}{b}前", f"{base}{b}旁边", f"{p.name}{b}楼下", f"{p.name}{bld}#楼前面"]
            if voice == "1p":
                forms += [f"我们{p.name}{b}楼下", f"{b}楼前"]
            return rng.choice(forms)
        if bld is not None:
            b = f"{bld}号楼"
            forms = [f"{base}{b}", f"{base}{b}{unit}单元", f"{p.name}{bld}号楼", f"{p.name}{bld}#楼"]
            if voice == "1p":
                forms += [f"{b}{unit}单元", f"我们{p.name}{b}"]
            return rng.choice(forms)
        forms = [base] * 6 + [f"{p.name}{rng.choice(a['gates'])}", f"{a['road']}上的{p.name}"]
        return rng.choice(forms)
    if p.kind == "v":
        v = p.name
        forms = [
            v,
            v,
            join_prefix(short, v, short),
            w.units[p.town]["name"] + v,
            v[:-1] if v.endswith("村") and len(v) > 3 else v,
        ]
        if sub_part:
            forms += [v + sub_part, v + sub_part]
        return rng.choice(forms)
    if p.kind == "r":
        road, cross, lm, num = a["road"], a["cross"], a["landmark"], a["num"]
        forms = [
            f"{road}与{cross}交叉口",
            f"{road}{cross}路口",
            f"{road}{num}号附近",
            f"{road}{lm}门口",
            f"{road}{lm}附近",
            join_prefix(short, f"{road}{lm}那里", short),
            f"{road}和{cross}交汇处",
        ]
        return rng.choice(forms)
    if p.kind == "s":
        road, num, typ = a["road"], a["num"], a["typ"]
        forms = [
            p.name,
            p.name,
            f"{road}上的{p.name}",
            f"{road}{num}号{p.name}",
            f"{road}那家{typ}",
            f"{road}{num}号的{typ}",
        ]
        if a.get("next_to"):
            forms.append(f"{road}{num}号{p.name}")
        return rng.choice(forms)
    if p.kind == "f":
        near = a.get("near")
        forms = [p.name, p.name]
        if near:
            forms += [f"{near}北边的{a['label']}", f"{near}那个{a['label']}", f"{near}附近的{p.name}"]
        forms.append(join_prefix(short, p.name, short))
        return rng.choice(forms)
    if p.kind == "t":
        return rng.choice(
            [
                p.name,
                p.name,
                f"{a['road']}上的工地",
                join_prefix(a["road"], p.name, a["road"]),
                f"{a['dev']}的工地",
                p.name.replace("项目工地", "").replace("工地", "") + "工地",
            ]
        )
    if p.kind == "q":
        return rng.choice([p.name, p.name, p.name + "那边", join_prefix(short, p.name, short)])
    if p.kind == "h":
        return rng.choice([p.name, p.name + "门口", f"{a['road']}{p.name}", p.name + "校门口"])
    if p.kind == "m":
        return rng.choice([p.name, p.name + "门口", f"{a['road']}{p.name}", p.name + "周边"])
    if p.kind == "g":
        return rng.choice([p.name, p.name.replace("渔港", "码头"), join_prefix(short, p.name, short)])
    if p.kind == "a":
        return rng.choice(
            [
                p.name,
                f"{a['near']}{rng.choice(['西头', '北边', '南边'])}的{a['label']}",
                f"{a['near']}老{a['owner']}家的{a['label']}",
            ]
        )
    raise ValueError(p.kind)


def foreign_keyword(w: World, town: str, text: str) -> bool:
    return any(k in text for code, u in w.units.items() if code != town for k in u["address_keywords"])


def address(rng, w: World, p: Place, bld: int | None, unit: int | None, sub_part: str | None) -> str:
    for _ in range(50):
        a = dedup(_address(rng, w, p, bld, unit, sub_part))
        if not foreign_keyword(w, p.town, a):
            return a
    raise RuntimeError(f"no clean address for {p.name}")


def _address(rng, w: World, p: Place, bld: int | None, unit: int | None, sub_part: str | None) -> str:
    short = short_of(w.units, p.town)
    T0 = town_prefix(rng, p.town, w.units)
    T = T0
    a = p.attrs
    comm = TOWNS[p.town]["comms"][p.comm - 1]
    comm = comm if comm.endswith("社区") else ""
    if p.name.startswith(short) and T0.endswith(short):
        T = T0[: -len(short)]
    if p.kind == "c":
        TC = f"{T0}{comm}" if comm else T
        forms = [
            f"{T}{p.name}",
            f"{T}{with_xiaoqu(p.name)}",
            f"{a['road']}{a['num']}号{p.name}",
            f"{p.name}（{a['road']}）",
            f"{TC}{p.name}",
            f"{T}{p.name}{rng.choice(a['gates'])}",
        ]
        if bld is not None:
            forms += [
                f"{T}{p.name}{bld}号楼",
                f"{T}{with_xiaoqu(p.name)}{bld}号楼{unit}单元",
                f"{TC}{p.name}{bld}号楼",
                f"{p.name}{bld}-{unit}",
            ] * 2
        return rng.choice(forms)
    if p.kind == "v":
        v = p.name
        forms = [
            f"{T}{v}",
            f"{T}{v}",
            f"{v}村委会附近",
            f"{T}{v}{rng.choice(['中街', '前街', '后街'])}{rng.randint(1, 90)}号",
        ]
        if sub_part:
            forms.append(f"{T}{v}{sub_part}")
        return rng.choice(forms)
    if p.kind == "r":
        road, cross, lm, num = a["road"], a["cross"], a["landmark"], a["num"]
        return rng.choice(
            [
                f"{T}{road}{num}号",
                f"{T}{road}与{cross}交叉口",
                f"{road}（{lm}对面）",
                f"{T}{road}{lm}",
                f"{road}{num}号附近",
                f"{T}{road}{cross}路口",
            ]
        )
    if p.kind == "s":
        return rng.choice(
            [
                f"{T}{a['road']}{a['num']}号{p.name}",
                f"{p.name}（{a['road']}{a['num']}号）",
                f"{T}{a['road']}{a['num']}号",
                f"{T}{a['road']}{p.name}",
            ]
        )
    if p.kind == "f":
        near = a.get("near")
        forms = [f"{T}{p.name}"]
        if near:
            forms += [f"{T}{near}{p.name}", f"{near}北{p.name}"]
        return rng.choice(forms)
    if p.kind == "t":
        return rng.choice(
            [f"{T}{p.name}", f"{T}{join_prefix(a['road'], p.name, a['road'])}", f"{a['road']}{a['num']}号（{p.name}）"]
        )
    if p.kind in "qg":
        return rng.choice([f"{T}{p.name}", p.name])
    if p.kind in "hm":
        return rng.choice([f"{T}{p.name}", f"{T}{a['road']}{a['num']}号{p.name}", f"{a['road']}{p.name}"])
    if p.kind == "a":
        return rng.choice([f"{T}{a['near']}{p.name.replace(a['near'], '')}", f"{T}{p.name}"])
    raise ValueError(p.kind)


# --------------------------------------------------------------------------- matters
@dataclass
class Matter:
    key: int
    scen: str
    place: Place
    start: datetime
    size: int
    sub: str | None = None
    bld: int | None = None
    span_max: float = 9.5
    tags: set = field(default_factory=set)
    related: set = field(default_factory=set)
    facts: dict = field(default_factory=dict)
    pre: float = 0.0
    recurrence_of: int | None = None
    requests: list = field(default_factory=list)

    @property
    def sc(self) -> dict:
        return P.S[self.scen]


# problems at one spot of an estate (a manhole, a tree, a car): the writers name the nearest building
SPOT_IN_ESTATE = {"manhole", "tree_branch", "zombie_car", "small_ads", "snow_ice", "street_light", "fire_hazard"}


def spot_scoped(scen: str, place: Place) -> bool:
    return P.S[scen]["scope"] == "building" or (place.kind == "c" and scen in SPOT_IN_ESTATE)


# estate-wide problems that a resident naturally reports for their own building ("5号楼停水")
RESIDENT_BLD = {
    "water_outage",
    "water_quality",
    "power_outage",
    "heating_cold",
    "drain_backup",
    "property_fee",
    "property_service",
    "certificate_delay",
}

FAMILY = {"water_quality": "water_outage", "zombie_car": "illegal_parking", "construction_dust": "construction_noise"}


def family(code: str) -> str:
    return FAMILY.get(code, code)


SIZE_PROFILES = {
    "big": [10, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 4],
    "medium": [36, 26, 15, 9, 6, 4, 2, 2],
    "small": [60, 26, 9, 4, 1],
}

WEIGHTS = {
    "urban": dict(
        water_outage=5,
        water_quality=2,
        power_outage=3,
        heating_cold=12,
        gas_smell=2,
        drain_backup=3,
        elevator=5,
        corridor_light=3,
        unit_door=2,
        roof_leak=2,
        renovation_noise=2,
        property_service=3,
        property_fee=3,
        fire_hazard=3,
        falling_tiles=2,
        certificate_delay=2,
        square_dance=3,
        shop_noise=4,
        construction_noise=4,
        construction_dust=2,
        industrial_noise=1,
        garbage=4,
        pothole=4,
        manhole=4,
        street_light=4,
        traffic_light=3,
        vending=3,
        illegal_parking=4,
        zombie_car=2,
        small_ads=2,
        snow_ice=2,
        tree_branch=2,
        roadworks=2,
        bus_service=2,
        school_traffic=2,
        food_safety=3,
        prepaid_card=3,
        training_closed=2,
        wage_arrears=2,
    ),
    "semi": dict(
        water_outage=4,
        water_quality=2,
        power_outage=3,
        heating_cold=7,
        gas_smell=1,
        drain_backup=2,
        elevator=2,
        corridor_light=2,
        unit_door=1,
        roof_leak=1,
        property_service=2,
        property_fee=2,
        fire_hazard=2,
        falling_tiles=1,
        certificate_delay=1,
        square_dance=2,
        shop_noise=3,
        construction_noise=3,
        construction_dust=1,
        industrial_noise=3,
        garbage=4,
        pothole=4,
        manhole=2,
        street_light=4,
        traffic_light=1,
        vending=2,
        illegal_parking=2,
        zombie_car=1,
        small_ads=1,
        snow_ice=2,
        tree_branch=1,
        roadworks=1,
        bus_service=2,
        school_traffic=2,
        food_safety=2,
        prepaid_card=2,
        training_closed=1,
        wage_arrears=2,
        seafood_odour=4,
        fishing_crew_wage=3,
        sewage=3,
        open_burning=1,
        village_affairs=1,
        livestock=2,
    ),
    "rural": dict(
        water_outage=4,
        power_outage=3,
        heating_cold=2,
        street_light=3,
        pothole=4,
        garbage=3,
        open_burning=3,
        village_affairs=3,
        livestock=3,
        seafood_odour=4,
        fishing_crew_wage=3,
        sewage=2,
        bus_service=2,
        school_traffic=1,
        food_safety=1,
        shop_noise=1,
        wage_arrears=1,
        industrial_noise=2,
        snow_ice=1,
        vending=1,
        water_quality=1,
        roadworks=1,
        construction_noise=1,
    ),
}
BASE_COUNT = {"urban": 24, "semi": 15, "rural": 10}


def place_fits(sc: dict, p: Place) -> bool:
    if p.kind not in sc["kinds"]:
        return False
    if sc["code"] == "elevator" and not p.attrs.get("high"):
        return False
    if sc["code"] in ("certificate_delay",) and not p.attrs.get("newer"):
        return False
    if sc.get("shop") and p.attrs.get("cat") != sc["shop"]:
        return False
    if sc["code"] == "illegal_parking" and p.kind == "s" and p.attrs.get("cat") != "repair":
        return False
    if sc.get("factory") and p.attrs.get("fk") != sc["factory"]:
        return False
    if sc["code"] == "sewage" and p.kind == "v" and not p.attrs.get("coastal"):
        return False
    if sc["code"] == "sewage" and p.kind == "f" and p.attrs.get("fk") != "smelly":
        return False
    if sc["code"] == "wage_arrears" and p.kind == "f" and p.attrs.get("fk") != "noisy":
        return False
    if (
        sc["code"] == "square_dance"
        and p.kind == "c"
        and p.attrs.get("high") is False
        and TOWNS[p.town]["kind"] == "rural"
    ):
        return False
    return True


class Planner:
    def __init__(self, rng: random.Random, w: World):
        self.rng = rng
        self.w = w
        self.matters: list[Matter] = []

    # conflicts: same family at the same place (or same compound) within 31 days of each other
    def conflict(
        self, scen: str, place: Place, start: datetime, span: float = 10, allow: set[int] = frozenset()
    ) -> bool:
        for m in self.matters:
            if m.key in allow:
                continue
            if m.place is place or dist(m.place.pt, place.pt) < 280:
                if family(m.scen) == family(scen):
                    gap = abs((m.start - start).total_seconds()) / 86400
                    if gap < 31 + max(span, m.span_max):
                        return True
        return False

    def sample_start(self, sc: dict, span: float, lo: datetime = T_MIN, hi: datetime | None = None) -> datetime:
        rng = self.rng
        hi = hi or (T_MAX - timedelta(days=span + 0.2))
        season = sc.get("season")
        if season == "snow":
            d = rng.choice(SNOW_DAYS)
            return d + timedelta(hours=rng.uniform(2, 40))
        if sc["code"] in ("tree_branch", "falling_tiles") and rng.random() < 0.5:
            d = rng.choice(WIND_DAYS)
            return d + timedelta(hours=rng.uniform(0, 20))
        if season == "heating":
            lo = max(lo, HEATING_START + timedelta(days=1))
        if hi <= lo:
            hi = lo + timedelta(hours=1)
        return lo + timedelta(seconds=rng.uniform(0, (hi - lo).total_seconds()))

    def adjust_hour(self, sc: dict, t: datetime) -> datetime:
        rng = self.rng
        day = t.replace(hour=0, minute=0, second=0, microsecond=0)
        if sc["tempo"] == "chronic":
            return day + timedelta(hours=pick_hour(rng, sc["hours"]))
        if t.hour < 6 and rng.random() < 0.75:
            return day + timedelta(hours=rng.uniform(6, 9.5))
        return t

    def sample_size(self, sc: dict) -> int:
        prof = SIZE_PROFILES[sc["size"]]
        return self.rng.choices(range(1, len(prof) + 1), weights=prof)[0]

    def new_matter(
        self,
        scen: str,
        place: Place,
        start: datetime | None = None,
        size: int | None = None,
        sub: str | None = None,
        bld: int | None = None,
        span_max: float | None = None,
    ) -> Matter:
        rng = self.rng
        sc = P.S[scen]
        if span_max is None:
            span_max = {"burst": rng.uniform(0.3, 4.5), "event": rng.uniform(0.1, 2.0)}.get(
                sc["tempo"], rng.uniform(1.5, 9.5)
            )
        if start is None:
            start = self.sample_start(sc, span_max)
        start = self.adjust_hour(sc, start)
        if start < T_MIN + timedelta(hours=6):
            start = T_MIN + timedelta(hours=rng.uniform(7, 20))
        if start + timedelta(days=span_max) > T_MAX:
            span_max = max(0.05, (T_MAX - start).total_seconds() / 86400 - 0.05)
        if sc.get("subs"):
            valid = [
                x for x in sc["subs"] if pick_lines(sc["c1"], place.kind, x) and pick_lines(sc["c3"], place.kind, x)
            ]
            if scen == "industrial_noise":
                valid = ["cooling"] if "冷" in place.name else ["machine"]
            if sub not in valid:
                sub = rng.choice(valid)
        if bld is None and spot_scoped(scen, place):
            bld = rng.choice(sorted(place.attrs["buildings"]))
        m = Matter(len(self.matters) + 1, scen, place, start, size or self.sample_size(sc), sub, bld, span_max)
        lo, hi = sc.get("pre", (0, 0))
        m.pre = rng.uniform(lo, hi)
        if scen == "heating_cold":
            m.pre = max(0.5, (start - HEATING_START).total_seconds() / 86400 - rng.uniform(0, 3))
        self.matters.append(m)
        return m

    def candidates(self, scen: str, towns: list[str] | None = None, exclude: set[str] = frozenset()) -> list[Place]:
        sc = P.S[scen]
        return [
            p
            for p in self.w.places
            if (towns is None or p.town in towns) and p.pid not in exclude and place_fits(sc, p)
        ]

    def plan(self) -> None:
        rng = self.rng
        w = self.w
        # 1. base matters per town
        for town, t in TOWNS.items():
            weights = dict(WEIGHTS[t["kind"]])
            n = BASE_COUNT[t["kind"]]
            made = 0
            guard = 0
            while made < n and guard < 500:
                guard += 1
                scen = rng.choices(list(weights), weights=list(weights.values()))[0]
                cands = self.candidates(scen, [town])
                if not cands:
                    continue
                place = rng.choice(cands)
                sc = P.S[scen]
                span = {"burst": 4.5, "event": 2}.get(sc["tempo"], 9.5)
                start = self.sample_start(sc, span)
                if self.conflict(scen, place, start):
                    continue
                self.new_matter(scen, place, start)
                made += 1
        # 1b. every kind of problem at least three times
        for scen, sc in P.S.items():
            guard = 0
            while sum(m.scen == scen for m in self.matters) < 3 and guard < 200:
                guard += 1
                cands = self.candidates(scen)
                if not cands:
                    break
                place = rng.choice(cands)
                span = {"burst": 4.5, "event": 2}.get(sc["tempo"], 9.5)
                start = self.sample_start(sc, span)
                if not self.conflict(scen, place, start):
                    self.new_matter(scen, place, start)
        base = list(self.matters)
        # 2. recurrences: the same problem at the same place, more than 30 days later
        recur_scens = [c for c, s in P.S.items() if s.get("recur")]
        made = 0
        guard = 0
        while made < 18 and guard < 800:
            guard += 1
            scen = rng.choice(recur_scens)
            sc = P.S[scen]
            cands = self.candidates(scen)
            if not cands:
                continue
            place = rng.choice(cands)
            lo = HEATING_START + timedelta(days=1) if sc.get("season") == "heating" else T_MIN
            s1 = lo + timedelta(hours=rng.uniform(6, 24 * 5))
            s2 = s1 + timedelta(days=rng.uniform(34, 40))
            if s2 + timedelta(days=3.5) > T_MAX:
                continue
            if self.conflict(scen, place, s1) or self.conflict(scen, place, s2):
                continue
            sub = rng.choice(sc["subs"]) if sc.get("subs") else None
            bld = rng.choice(sorted(place.attrs["buildings"])) if spot_scoped(scen, place) else None
            a = self.new_matter(scen, place, s1, sub=sub, bld=bld, span_max=rng.uniform(0.5, 3.0))
            b = self.new_matter(scen, place, s2, sub=sub, bld=bld, span_max=rng.uniform(0.5, 3.0))
            a.pre = b.pre = min(a.pre, 3)
            b.recurrence_of = a.key
            for x, y in ((a, b), (b, a)):
                x.tags.add("recurrence")
                x.related.add(y.key)
            made += 1
        # 3. look-alikes elsewhere: the same kind of problem at another place, close in time
        twin_src = rng.sample(base, int(len(base) * 0.34))
        for src in twin_src:
            scen = src.scen
            sc = P.S[scen]
            same_road = []
            if src.place.kind == "r":
                same_road = [
                    p
                    for p in self.w.by_town[src.place.town]
                    if p.kind == "r"
                    and p.attrs["road"] == src.place.attrs["road"]
                    and dist(p.pt, src.place.pt) >= 1500
                    and place_fits(sc, p)
                ]
            mode = rng.random()
            if same_road and mode < 0.6:
                cands, tag = same_road, "same_road_far"
            elif mode < 0.75:
                cands, tag = self.candidates(scen, [src.place.town], {src.place.pid}), "lookalike_same_town"
            else:
                cands, tag = self.candidates(scen, None, {src.place.pid}), "lookalike_other_town"
            cands = [p for p in cands if dist(p.pt, src.place.pt) >= 300]
            rng.shuffle(cands)
            for place in cands[:12]:
                start = src.start + timedelta(hours=rng.uniform(-72, 96))
                start = min(max(start, T_MIN + timedelta(hours=1)), T_MAX - timedelta(days=0.5))
                if sc.get("season") == "heating":
                    start = max(start, HEATING_START + timedelta(days=1))
                if self.conflict(scen, place, start):
                    continue
                sub = src.sub if rng.random() < 0.85 else None
                m = self.new_matter(scen, place, start, sub=sub)
                for x, y in ((src, m), (m, src)):
                    x.tags.add(tag)
                    x.related.add(y.key)
                break
        # 3b. the same kind of problem on the same road, 1.5-2.5 km apart
        road_scens = [c for c, s in P.S.items() if "r" in s["kinds"] and s.get("season") != "snow"]
        roads = defaultdict(list)
        for p in self.w.places:
            if p.kind == "r":
                roads[(p.town, p.attrs["road"])].append(p)
        pairs = [
            (a, b)
            for pts in roads.values()
            for i, a in enumerate(pts)
            for b in pts[i + 1 :]
            if dist(a.pt, b.pt) >= 1500
        ]
        rng.shuffle(pairs)
        made = 0
        for a_pl, b_pl in pairs:
            if made >= 14:
                break
            scen = rng.choice(road_scens)
            sc = P.S[scen]
            if not (place_fits(sc, a_pl) and place_fits(sc, b_pl)):
                continue
            span = {"burst": 4.5, "event": 2}.get(sc["tempo"], 9.5)
            s1 = self.sample_start(sc, span)
            s2 = s1 + timedelta(hours=rng.uniform(-60, 60))
            s2 = min(max(s2, T_MIN + timedelta(hours=1)), T_MAX - timedelta(days=1))
            if self.conflict(scen, a_pl, s1) or self.conflict(scen, b_pl, s2):
                continue
            sub = rng.choice(sc["subs"]) if sc.get("subs") else None
            a = self.new_matter(scen, a_pl, s1, sub=sub)
            b = self.new_matter(scen, b_pl, s2, sub=sub)
            for x, y in ((a, b), (b, a)):
                x.tags.add("same_road_far")
                x.related.add(y.key)
            made += 1
        # 4. different problems at the same address, at about the same time
        hosts = [m for m in list(self.matters) if m.place.kind in "cvstfr"]
        rng.shuffle(hosts)
        made = 0
        for src in hosts:
            if made >= 32:
                break
            options = [
                c
                for c, s in P.S.items()
                if family(c) != family(src.scen) and place_fits(s, src.place) and s.get("season") != "snow"
            ]
            if src.place.kind == "t":
                options = [c for c in options if c in ("construction_dust", "wage_arrears")] or options
            if not options:
                continue
            scen = rng.choice(options)
            sc = P.S[scen]
            start = src.start + timedelta(hours=rng.uniform(-48, 72))
            start = min(max(start, T_MIN + timedelta(hours=1)), T_MAX - timedelta(days=0.5))
            if sc.get("season") == "heating":
                start = max(start, HEATING_START + timedelta(days=1))
            if self.conflict(scen, src.place, start):
                continue
            m = self.new_matter(scen, src.place, start)
            for x, y in ((src, m), (m, src)):
                x.tags.add("same_place_other_problem")
                x.related.add(y.key)
            made += 1
        # 5. neighbouring but distinct: another building of the same estate, the shop next door
        made = 0
        bscens = [c for c, s in P.S.items() if s["scope"] == "building"]
        estates = [m for m in list(self.matters) if m.place.kind == "c" and m.bld is not None]
        rng.shuffle(estates)
        for src in estates:
            if made >= 14:
                break
            blds = src.place.attrs["buildings"]
            others = [b for b in blds if b != src.bld and 30 <= dist(blds[b], blds[src.bld]) <= 110]
            if not others:
                continue
            b2 = rng.choice(others)
            same_kind = rng.random() < 0.6 and place_fits(src.sc, src.place)
            scen = src.scen if same_kind else rng.choice([c for c in bscens if place_fits(P.S[c], src.place)])
            start = src.start + timedelta(hours=rng.uniform(-30, 60))
            start = min(max(start, T_MIN + timedelta(hours=1)), T_MAX - timedelta(days=0.5))
            clash = [
                m
                for m in self.matters
                if m.place is src.place
                and family(m.scen) == family(scen)
                and m.key != src.key
                and abs((m.start - start).days) < 45
            ]
            if clash:
                continue
            m = self.new_matter(scen, src.place, start, bld=b2, sub=src.sub if scen == src.scen else None)
            for x, y in ((src, m), (m, src)):
                x.tags.add("neighbour_building")
                x.related.add(y.key)
            made += 1
        shops = [m for m in list(self.matters) if m.place.kind == "s" and not m.place.attrs.get("next_to")]
        rng.shuffle(shops)
        made = 0
        for src in shops:
            if made >= 10:
                break
            cat = rng.choice(
                [c for c in ("noisy", "food", "prepaid", "training") if c != src.place.attrs["cat"]]
                + [src.place.attrs["cat"]]
            )
            nb = self.w.neighbour_shop(src.place, cat)
            if nb is None:
                continue
            options = [c for c, s in P.S.items() if place_fits(s, nb)]
            if not options:
                continue
            scen = rng.choice(options)
            start = src.start + timedelta(hours=rng.uniform(-48, 72))
            start = min(max(start, T_MIN + timedelta(hours=1)), T_MAX - timedelta(days=0.5))
            m = self.new_matter(scen, nb, start)
            for x, y in ((src, m), (m, src)):
                x.tags.add("neighbour_shop")
                x.related.add(y.key)
            made += 1


# --------------------------------------------------------------------------- times
def part_of_day(t: datetime) -> str:
    h = t.hour
    if 5 <= h < 8:
        return "早上"
    if 8 <= h < 11:
        return "上午"
    if 11 <= h < 13:
        return "中午"
    if 13 <= h < 18:
        return "下午"
    if 18 <= h < 23:
        return "晚上"
    return "半夜"


def hour_word(rng, t: datetime) -> str:
    h = t.hour % 12 or 12
    return rng.choice([f"{h}点多", f"{cn(h)}点多", f"{cn(h)}点来钟"])


def fuzzy_days(rng, d: float) -> str:
    if d < 2:
        return rng.choice(["一两天", "两天", "一天多"])
    if d < 5:
        return rng.choice(["三四天", "好几天", f"{cnl(int(round(d)))}天"])
    if d < 9:
        return rng.choice(["一个礼拜", "一个星期", "好几天", "快一个星期"])
    if d < 13:
        return rng.choice(["一个多礼拜", "十来天", "十多天"])
    if d < 20:
        return rng.choice(["半个多月", "两个来星期", "十几天"])
    if d < 35:
        return rng.choice(["快一个月", "一个来月", "二十多天"])
    if d < 60:
        return rng.choice(["一个多月", "四十来天", "一个多月"])
    if d < 100:
        return rng.choice(["两个多月", "两三个月"])
    if d < 200:
        return rng.choice(["小半年", "三四个月", "好几个月"])
    if d < 420:
        return rng.choice(["大半年", "快一年", "一年来"])
    return rng.choice(["好几年", "两年多", "三四年"])


def time_slots(rng, m: Matter, t: datetime) -> dict:
    sc = m.sc
    if sc["tempo"] in ("burst", "event"):
        ts = m.facts["pstart"]
        el = (t - ts).total_seconds()
        hrs = el / 3600
        M, D = ts.month, ts.day
        part = part_of_day(ts)
        if hrs < 0.8:
            when = rng.choice(["刚才", "刚刚", "半个小时前"])
            dur = rng.choice(["半个多小时", "快一个小时", "大半个小时"])
            since = rng.choice([when, "从刚才开始"]) if when != "半个小时前" else "半个小时前"
        else:
            dd = (t.date() - ts.date()).days
            if dd == 0:
                when = rng.choice([f"{part}{hour_word(rng, ts)}", f"今天{part}", f"{part}"])
                if part == "早上" and rng.random() < 0.4:
                    when = "今天一早"
            elif dd == 1:
                when = rng.choice(
                    [
                        f"昨天{part}",
                        f"昨天{part}{hour_word(rng, ts)}",
                        "昨晚" if part in ("晚上", "半夜") else f"昨天{part}",
                    ]
                )
            elif dd == 2:
                when = rng.choice([f"前天{part}", f"{D}号{part}", f"{D}号"])
            else:
                when = rng.choice([f"{D}号", f"{M}月{D}号", f"{M}月{D}日", f"{D}号{part}"])
            if hrs < 24:
                h = max(1, int(hrs))
                dur = rng.choice(
                    [
                        f"{cnl(h)}个多小时" if h < 10 else "大半天",
                        "好几个小时" if h > 2 else f"{cnl(h)}个多小时",
                        "一宿" if part in ("晚上", "半夜") and dd == 1 else "大半天",
                    ]
                )
            elif hrs < 48:
                dur = rng.choice(["一天多", "一天一宿", "二十多个小时" if hrs < 30 else "一天多"])
            else:
                dur = rng.choice([f"{cnl(int(hrs // 24))}天", f"{cnl(int(hrs // 24))}天多", "好几天"])
            since = rng.choice([f"从{when}开始", when, f"从{when}", f"{when}起"])
        since3 = rng.choice([f"自{M}月{D}日{part}起", f"{M}月{D}日{ts.hour}时许起", f"{M}月{D}日{part}开始"])
        return dict(when=when, since=since, dur=dur, since3=since3)
    total = m.pre + (t - m.start).total_seconds() / 86400
    dur = fuzzy_days(rng, total)
    began = t - timedelta(days=total)
    if total > 330:
        when = rng.choice([f"{dur}前", "去年", "好几年前" if total > 700 else "去年"])
    elif began.month == t.month and began.year == t.year:
        third = "初" if began.day <= 10 else ("中旬" if began.day <= 20 else "下旬")
        when = rng.choice([f"{dur}前", f"{began.month}月{third}", f"{began.month}月{third}"])
    else:
        when = rng.choice(
            [f"{dur}前", "上个月" if (t.month - began.month) % 12 == 1 else f"{began.month}月份", f"{began.month}月份"]
        )
    since = rng.choice([f"最近{dur}", f"从{when}开始", f"这{dur}以来", f"{dur}来"])
    since3 = rng.choice([f"近{dur}来", "近期", "长期", f"自{when}以来"])
    return dict(when=when, since=since, dur=dur, since3=since3)


def pick_hour(rng, hours: str) -> float:
    if hours == "night":
        return rng.choice([21.5, 22, 22.5, 23, 23.5, 24, 24.5, 25, 7.5, 8, 8.5, 9, 10]) + rng.uniform(0, 0.5)
    if hours == "evening":
        return rng.choice([18.5, 19, 19.5, 20, 20.5, 21, 21.5, 8.5, 9, 10]) + rng.uniform(0, 0.5)
    if hours == "any":
        return rng.uniform(6, 23.5)
    return rng.choice([7.5, 8, 8.5, 9, 9.5, 10, 10.5, 11, 13.5, 14, 15, 16, 17, 19, 20, 21]) + rng.uniform(0, 0.6)


def request_times(rng, m: Matter) -> list[datetime]:
    sc = m.sc
    n = m.size
    out: list[datetime] = []
    if sc["tempo"] in ("burst", "event"):
        pstart = m.start - timedelta(minutes=rng.uniform(3, 45 if sc["tempo"] == "burst" else 12))
        if m.scen == "snow_ice":
            pstart = max(d for d in SNOW_DAYS if d <= m.start)
        elif m.scen in ("tree_branch", "falling_tiles"):
            recent = [d for d in WIND_DAYS if timedelta(0) <= m.start - d <= timedelta(hours=30)]
            if recent:
                pstart = recent[-1]
        m.facts["pstart"] = pstart
        first = m.start
        out.append(first)
        for _ in range(n - 1):
            for _try in range(40):
                r = rng.random()
                if sc["tempo"] == "event":
                    off = rng.expovariate(1 / 0.6) if r < 0.8 else rng.uniform(1, 24 * m.span_max)
                else:
                    off = (
                        rng.expovariate(1 / 2.0)
                        if r < 0.6
                        else (rng.uniform(4, 48) if r < 0.9 else rng.uniform(24, 24 * m.span_max))
                    )
                off = min(off, 24 * m.span_max)
                t = first + timedelta(hours=off)
                if 0 <= t.hour < 6 and rng.random() < 0.85 and sc["hours"] != "any":
                    continue
                break
            out.append(t)
    else:
        span = m.span_max if n > 1 else 0
        span = min(span, rng.uniform(0.5, m.span_max)) if n <= 3 else span
        base_day = m.start.replace(hour=0, minute=0, second=0)
        out.append(m.start)
        for _ in range(n - 1):
            day = rng.uniform(0, span)
            t = base_day + timedelta(days=int((m.start - base_day).total_seconds() / 86400 + day))
            t = t + timedelta(hours=pick_hour(rng, sc["hours"]))
            if t < m.start:
                t = m.start + timedelta(minutes=rng.uniform(5, 300))
            if (t - m.start).total_seconds() > 86400 * max(m.span_max, 0.3):
                t = m.start + timedelta(hours=rng.uniform(0.1, 24 * max(m.span_max, 0.3)))
            out.append(t)
    out = [min(max(t, T_MIN), T_MAX) for t in out]
    out = [t + timedelta(seconds=rng.randint(0, 59)) for t in out]
    return sorted(out)


# --------------------------------------------------------------------------- text
def pick_lines(lines: list[str], kind: str, sub: str | None) -> list[str]:
    out = []
    for line in lines:
        kinds = None
        if "|" in line[:5]:
            kinds, line = line.split("|", 1)
        lsub = None
        if line.startswith("#"):
            lsub, line = line[1:].split(":", 1)
            if "|" in line[:5]:
                kinds, line = line.split("|", 1)
        if kinds is not None and kind not in kinds:
            continue
        if lsub is not None and lsub != sub:
            continue
        out.append(line)
    return out


class Fill(dict):
    def __missing__(self, k):
        raise KeyError(k)


def amount(rng, lo: int, hi: int) -> str:
    v = rng.randint(lo, hi)
    r = rng.random()
    if v >= 10000 and r < 0.4:
        w, q = divmod(v, 10000)
        return f"{cn(w)}万{cn(q // 1000) if q >= 1000 else ''}".rstrip("零") if q >= 1000 else f"{cn(w)}万"
    if r < 0.7:
        return f"{v // 100 * 100}元"
    if v >= 10000:
        return f"{v / 10000:.1f}万"
    return f"{cn(v // 1000)}千{cn((v % 1000) // 100) if v % 1000 >= 100 else ''}"


def matter_facts(rng, w: World, m: Matter) -> None:
    f = m.facts
    p = m.place
    f["n"] = {
        "street_light": rng.randint(3, 12),
        "prepaid_card": rng.randint(80, 300),
        "training_closed": rng.randint(40, 160),
        "wage_arrears": rng.randint(12, 60),
        "fishing_crew_wage": rng.randint(5, 14),
    }.get(m.scen, rng.randint(5, 30))
    f["t0"] = rng.randint(13, 16)
    f["years"] = rng.choice(["两", "三", "四", "五", "六"])
    f["dev"] = p.attrs.get("dev") or rng.choice(DEVELOPERS)
    f["homes"] = w.homes_near(p) or ["附近"]
    f["route"] = rng.choice(["1路", "3路", "5路", "7路", "8路", "11路", "12路", "K2路", "K5路", "102路"])
    f["boat"] = f"鲁荣渔{rng.randint(50000, 59999)}"
    f["boss"] = rng.choice(
        [
            f"包工头{rng.choice(SURNAMES)}某",
            f"{rng.choice(SURNAMES)}老板",
            f"项目经理{rng.choice(SURNAMES)}某",
            f"工头老{rng.choice(SURNAMES)}",
        ]
    )
    f["months"] = rng.choice(["八九两个月", "三个月", "从七月份到现在", "半年", "九月到十一月"])
    f["job"] = (
        rng.choice(["钢筋工", "木工", "瓦工", "小工", "水电工"])
        if p.kind == "t"
        else rng.choice(["流水线", "装卸", "切料", "打包"])
    )
    f["part"] = rng.choice([None, None, "村东头", "村西头", "村北", "村南头"]) if p.kind == "v" else None


def req_slots(rng, w: World, m: Matter, t: datetime, voice: str, bld: int | None, unit: int | None, fl: int) -> dict:
    f = m.facts
    s = time_slots(rng, m, t)
    s.update(
        t=str(f["t0"] + rng.choice([-1, 0, 0, 0, 1])),
        days=str(max(1, (t - HEATING_START).days)),
        fl=f"{fl}楼",
        years=f["years"],
        dev=f["dev"],
        home=rng.choice(f["homes"]),
        route=f["route"],
        boat=f["boat"],
        boss=f["boss"],
        months=f["months"],
        job=f["job"],
        n=str(f["n"]),
        nn=cn(min(90, max(10, f["n"] // 10 * 10))),
    )
    if m.scen == "prepaid_card":
        s["amt"] = amount(rng, 1500, 9000)
    elif m.scen == "training_closed":
        s["amt"] = amount(rng, 3000, 15000)
    elif m.scen in ("wage_arrears", "fishing_crew_wage"):
        s["amt"] = amount(rng, 8000, 45000)
    else:
        s["amt"] = amount(rng, 1000, 5000)
    s["p"] = mention(rng, w, m.place, voice, bld, unit, f["part"], spot=m.scen in SPOT_IN_ESTATE)
    if m.scen == "bus_service":
        a = m.place.attrs
        s["p"] = rng.choice(
            [f"{a['road']}{a['landmark']}", f"{a['cross']}路口", f"{a['road']}{a['cross']}", f"{a['landmark']}"]
        )
    return s


def fmt(tpl: str, slots: dict) -> str:
    return tpl.format_map(Fill(slots))


def apply_typos(rng, text: str, k: int) -> str:
    keys = [key for key in P.TYPOS if key in text and key not in ("的", "在")]
    rng.shuffle(keys)
    if rng.random() < 0.3:
        keys += [key for key in ("的", "在") if key in text]
    for key in keys[:k]:
        idx = [i.start() for i in re.finditer(re.escape(key), text)]
        if not idx:
            continue
        i = rng.choice(idx)
        text = text[:i] + rng.choice(P.TYPOS[key]) + text[i + len(key) :]
    return text


def tidy(text: str) -> str:
    text = re.sub(r"([，。！？：；、])[，。]+", r"\1", text)
    text = re.sub(r"，([！？])", r"\1", text)
    text = re.sub(r"：，", "：", text)
    for a, b in (
        ("尽快赶紧", "尽快"),
        ("尽快尽快", "尽快"),
        ("派人来派人来", "派人来"),
        ("派人来来水", "来水"),
        ("派人来来电", "来电"),
        ("派人来给个", "给个"),
        ("帮忙给个", "给个"),
        ("帮忙帮忙", "帮忙"),
        ("帮忙帮", "帮"),
        ("单元单元", "单元"),
        ("校门口校门口", "校门口"),
        ("培训培训", "培训"),
        ("门口校门口", "校门口"),
        ("水产水产", "水产"),
        ("尽快马上", "马上"),
        ("尽快立即", "立即"),
        ("门口门口", "门口"),
        ("小区小区", "小区"),
        ("校门口门口", "校门口"),
        ("那边那边", "那边"),
        ("周边门口", "周边"),
    ):
        text = text.replace(a, b)
    text = re.sub(r"！{4,}", "！！！", text)
    text = text.replace("。。", "。").replace("？。", "？").replace("！。", "！").replace("，，", "，")
    return text.strip()


DEDUP_TOKENS: list[str] = []


def dedup(text: str) -> str:
    """Collapse accidental doubles where a name's prefix repeats ("宁津宁津大街", "冷库冷库机组")."""
    for tok in DEDUP_TOKENS:
        while tok + tok in text:
            text = text.replace(tok + tok, tok)
    return text


def end(s: str) -> str:
    return s if s[-1:] in "。！？" else s + "。"


@dataclass
class Persona:
    name: str
    tone: str
    verb: str
    punct: str
    typo: bool


def new_persona(rng) -> Persona:
    return Persona(
        name=rng.choice(SURNAMES) + rng.choice(TITLES),
        tone=rng.choices(["calm", "anxious", "angry"], weights=[55, 25, 20])[0],
        verb=rng.choices(["terse", "normal", "verbose"], weights=[25, 50, 25])[0],
        punct=rng.choices(["std", "comma", "space", "bang"], weights=[62, 20, 8, 10])[0],
        typo=rng.random() < 0.2,
    )


def style_of(rng, channel: str) -> str:
    if channel == "hotline_12345":
        return "hotline" if rng.random() < 0.85 else "citizen"
    if channel == "provincial_12345":
        return "provincial"
    if channel in ("minsheng_app", "wechat", "ishandong_app", "web_portal"):
        return "citizen" if rng.random() < 0.75 else "short"
    if channel == "sms":
        return "short" if rng.random() < 0.7 else "citizen"
    if channel == "weibo":
        return "weibo"
    if channel in ("mayor_mailbox", "people_daily_board", "petition_online"):
        return "letter"
    return {"media_inquiry": "media", "grid_worker": "grid", "door_to_door": "visit", "city_inspector": "inspector"}[
        channel
    ]


def punctuate(rng, text: str, persona: Persona) -> str:
    if persona.punct == "comma":
        body = text.rstrip("。！？")
        text = body.replace("。", "，") + rng.choice(["", "。", "！"])
    elif persona.punct == "space":
        text = re.sub(r"[，。]", " ", text).strip()
    elif persona.punct == "bang":
        text = text.rstrip("。") + rng.choice(["！！", "！", "！！！"])
    return text


def render(rng, w: World, m: Matter, req: dict, persona: Persona, repeat: dict | None, followup: bool) -> str:
    sc = m.sc
    kind = m.place.kind
    style = req["style"]
    voice = "3p" if style in ("hotline", "provincial", "grid", "inspector", "visit", "media") else "1p"
    slots = req_slots(rng, w, m, req["t"], voice, req["bld"], req["unit"], req["fl"])
    c1 = pick_lines(sc["c1"], kind, m.sub)
    c3 = pick_lines(sc["c3"], kind, m.sub)
    sh = pick_lines(sc["s"], kind, m.sub) or c1
    x1 = pick_lines(sc["x1"], kind, m.sub)
    x3 = pick_lines(sc["x3"], kind, m.sub)
    i1 = pick_lines(sc["i1"], kind, m.sub)
    i3 = pick_lines(sc["i3"], kind, m.sub)
    fixes = pick_lines(sc["fix"], kind, m.sub)
    fix = rng.choice(fixes)
    fix3 = rng.choice(sc.get("fix3") or [f for f in fixes if "我们" not in f] or fixes)
    slots["fix"] = fix
    slots["topic"] = sc["topic"]
    slots["name"] = persona.name
    if m.recurrence_of is not None and rng.random() < 0.45:
        x1 = x1 + ["上个月就出过一回这事，这又来了", "上次修好没多长时间，又这样了"]
        x3 = x3 + ["该问题上月曾发生过"]

    def core1() -> str:
        tpl = rng.choice(c1)
        if voice == "1p" and tpl.startswith("{p}") and rng.random() < 0.12:
            we = {
                "c": "我们小区",
                "v": "我们村",
                "r": "我们家门口这条路",
                "s": "楼下这家店",
                "f": "村边这个厂",
                "t": "家旁边这个工地",
                "q": "楼下广场",
                "h": "学校门口",
                "m": "市场这边",
                "g": "码头上",
                "a": "村边的养殖场",
            }[kind]
            if m.bld is not None:
                we = f"我们{m.bld}号楼" + ("楼下" if m.scen in SPOT_IN_ESTATE else "")
            return fmt(tpl.replace("{p}", we, 1), slots)
        return fmt(tpl, slots)

    def pick(lst, k):
        k = min(k, len(lst))
        return [fmt(x, slots) for x in rng.sample(lst, k)]

    nx = {"terse": 0, "normal": rng.choice([0, 1]), "verbose": rng.choice([1, 2])}[persona.verb]
    text = ""
    if style in ("citizen", "letter"):
        if followup and rng.random() < 0.7:
            core = fmt(rng.choice(P.FOLLOWUP1), slots)
        else:
            core = core1()
        segs = [core] + pick(x1, nx)
        body = "，".join(segs) if rng.random() < 0.6 else "。".join(segs)
        pieces = [end(body)]
        if i1 and (persona.verb == "verbose" or rng.random() < 0.4):
            pieces.append(end(fmt(rng.choice(i1), slots)))
        if persona.tone == "angry" and rng.random() < 0.7:
            pieces.append(end(rng.choice(P.ANGRY)))
        if style == "letter":
            pieces.append(rng.choice(P.LETTER_HISTORY))
        if rng.random() < (0.9 if style == "letter" else 0.6):
            pieces.append(end(fmt(rng.choice(P.ASK1), slots)))
        if style == "citizen" and rng.random() < 0.3:
            pieces.append(rng.choice(P.CLOSERS))
        head = ""
        if repeat:
            head = fmt(rng.choice(P.REPEAT1), dict(slots, ago=repeat["ago"], prev=repeat["prev"]))
        elif style == "citizen" and rng.random() < 0.3:
            head = rng.choice(P.OPENERS)
        if style == "letter":
            who = m.place.name if m.place.kind in "cv" else rng.choice(m.facts["homes"])
            intro = fmt(
                rng.choice(pick_lines(P.LETTER_SELF, m.place.kind, None)),
                dict(town=w.units[m.place.town]["name"], place=who),
            )
            if m.place.kind not in "cv" and who == "附近":
                intro = "我是一名普通市民，"
            head = rng.choice(P.LETTER_OPEN) + intro + head
            pieces.append(rng.choice(P.LETTER_CLOSE))
        text = head + "".join(pieces)
        if style == "citizen":
            text = punctuate(rng, tidy(text), persona)
    elif style == "short":
        text = fmt(rng.choice(sh), slots)
        if followup and rng.random() < 0.5:
            text = fmt(rng.choice(P.FOLLOWUP1), slots)
        text += rng.choice(["", "", "" if text[-1:] in "！？" else "？", "，急！", " 谢谢", "，麻烦尽快"])
        if persona.punct == "space":
            text = re.sub(r"[，。]", " ", text)
    elif style == "weibo":
        body = fmt(rng.choice(sh + c1), slots).rstrip("。！？ ")
        tail = rng.choice(P.WEIBO_TAIL)
        text = (
            rng.choice(P.WEIBO_PREFIX)
            + " "
            + body
            + ("" if tail.startswith("！") else rng.choice(["，", " ", "！"]))
            + tail
        )
    elif style in ("hotline", "provincial", "visit", "media"):
        hot_follow = followup and style == "hotline" and rng.random() < 0.5
        if hot_follow:
            segs = [fmt(rng.choice(P.FOLLOWUP3), slots)]
        else:
            core = fmt(rng.choice(c3), slots)
            segs = [core] + pick(x3, min(nx, 1) if rng.random() < 0.6 else 0)
            if i3 and rng.random() < 0.4:
                segs.append(fmt(rng.choice(i3), slots))
        body = end("，".join(segs))
        if style == "hotline":
            head = "" if hot_follow else fmt(rng.choice(P.HOTLINE_PREFIX), slots)
            tail = rng.choice(P.ASK3).format(fix=fix3)
            rep = fmt(rng.choice(P.REPEAT3), dict(slots, ago=repeat["ago"], prev=repeat["prev"])) if repeat else ""
            text = head + body + rep + tail
        elif style == "provincial":
            head = rng.choice(P.PROVINCIAL_PREFIX)
            if rng.random() < 0.5 and "来电人" not in head:
                head += fmt(rng.choice(P.HOTLINE_PREFIX), slots)
            text = head + body + rng.choice(P.ASK3).format(fix=fix3)
        elif style == "visit":
            who = rng.choice(
                [f"村民{persona.name}", f"{m.place.name}居民", f"{cn(rng.randint(3, 9))}户群众", f"群众{persona.name}"]
            )
            head = fmt(rng.choice(P.VISIT_PREFIX), dict(who=who, place=m.place.name))
            text = head + body + rng.choice(P.ASK3).format(fix=fix3).replace("来电人", "群众")
        else:
            text = rng.choice(P.MEDIA_PREFIX) + body + rng.choice(P.MEDIA_TAIL)
    elif style == "grid":
        comm = TOWNS[m.place.town]["comms"][m.place.comm - 1]
        head = fmt(rng.choice(P.GRID_PREFIX), dict(comm=comm, grid=f"第{m.place.grid}网格"))
        segs = [fmt(rng.choice(c3), slots)] + pick(x3, 1 if rng.random() < 0.5 else 0)
        text = head + end("，".join(segs)) + rng.choice(P.GRID_ACTION)
    elif style == "inspector":
        text = rng.choice(P.INSPECTOR_PREFIX) + fmt(rng.choice(c3), slots) + "，" + rng.choice(P.INSPECTOR_TAIL)
    if style in ("grid", "visit", "media", "inspector"):
        text = text.replace("来电人", "群众")
    text = dedup(tidy(text))
    if persona.typo and voice == "1p":
        text = apply_typos(rng, text, rng.choice([1, 1, 2]))
    return text


# --------------------------------------------------------------------------- requests
def choose_channel(rng, m: Matter, t: datetime) -> str:
    sc = m.sc
    weights = dict(CHANNELS_ONLINE_WEIGHTS)
    if not sc.get("formal"):
        for c in ("mayor_mailbox", "people_daily_board", "petition_online", "media_inquiry"):
            weights[c] = weights[c] * 0.25
    working = t.weekday() < 5 and 8 <= t.hour < 18
    if 8 <= t.hour < 18:
        weights["grid_worker"] = 12 if m.place.kind in "cvqmah" else 6
        weights["door_to_door"] = 5 if m.place.kind in "va" else (1.5 if m.place.kind == "c" else 0.3)
    if working and sc.get("inspector"):
        weights["city_inspector"] = 22
    if sc["tempo"] == "event":
        weights["hotline_12345"] *= 3
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def coords_for(rng, m: Matter, bld: int | None) -> tuple[float, float]:
    p = m.place
    if p.kind == "c" and bld is not None:
        lat, lon = p.attrs["buildings"][bld]
        r = 12
    else:
        lat, lon = p.lat, p.lon
        r = {"v": 65, "r": 45, "s": 22, "f": 60, "t": 60, "q": 50, "h": 40, "m": 50, "g": 60, "a": 50, "c": 60}[p.kind]
    rr = r * math.sqrt(rng.random())
    a = rng.random() * 2 * math.pi
    return offset(lat, lon, rr * math.cos(a), rr * math.sin(a))


def build_requests(rng, w: World, m: Matter) -> None:
    matter_facts(rng, w, m)
    times = request_times(rng, m)
    p = m.place
    personas: list[tuple[Persona, str, int | None, int | None, int]] = []
    for i, t in enumerate(times):
        ch = choose_channel(rng, m, t)
        repeat = None
        if (
            i > 0
            and personas
            and rng.random() < 0.22
            and ch not in ("grid_worker", "city_inspector", "door_to_door", "media_inquiry")
        ):
            j = rng.randrange(len(personas))
            persona, prev_ch, bld, unit, fl = personas[j]
            if prev_ch == ch or prev_ch in ("grid_worker", "city_inspector", "door_to_door", "media_inquiry"):
                persona = None
            else:
                dd = (t.date() - times[j].date()).days
                ago = {0: rng.choice(["上午", "刚才", "今天"]), 1: "昨天", 2: "前天"}.get(dd, f"{times[j].day}号")
                repeat = dict(ago=ago, prev=rng.choice(CHANNEL_NAMES[prev_ch]))
        else:
            persona = None
        if persona is None:
            persona = new_persona(rng)
            if p.kind == "c":
                if m.bld is not None:
                    bld = m.bld
                else:
                    bld = rng.choice(sorted(p.attrs["buildings"]))
                unit = rng.randint(1, 3 if not p.attrs["high"] else 2)
                floors = p.attrs["floors"]
                fl = floors if m.scen == "roof_leak" else rng.randint(2 if not p.attrs["high"] else 5, floors)
            else:
                bld, unit, fl = None, None, 3
        followup = i > 0 and (t - times[0]).total_seconds() > 6 * 3600 and rng.random() < 0.25
        style = style_of(rng, ch)
        mbld = (
            m.bld
            if m.bld is not None
            else (bld if (p.kind == "c" and m.scen in RESIDENT_BLD and rng.random() < 0.35) else None)
        )
        req = dict(t=t, channel=ch, style=style, bld=mbld, unit=unit, fl=fl)
        content = render(rng, w, m, req, persona, repeat, followup)
        for _ in range(30):
            if not foreign_keyword(w, p.town, content):
                break
            content = render(rng, w, m, req, persona, repeat, followup)
        else:
            raise RuntimeError(f"content names another town: {content}")
        addr_bld = (
            m.bld
            if m.bld is not None and rng.random() < 0.65
            else (bld if p.kind == "c" and rng.random() < 0.5 else None)
        )
        addr = address(rng, w, p, addr_bld, unit, m.facts["part"])
        lat, lon = coords_for(rng, m, m.bld if m.bld is not None else bld)
        online = ch not in ("grid_worker", "door_to_door", "city_inspector")
        grid = f"{w.units[p.town]['grid_prefix']}-{p.comm:02d}-{p.grid:02d}"
        if online and rng.random() < 0.22:
            grid = None
        m.requests.append(
            dict(
                channel=ch,
                content=content,
                address=addr,
                lat=round(lat, 6),
                lon=round(lon, 6),
                grid=grid,
                t=t,
                persona=persona.name,
                style=style,
                repeat=bool(repeat),
            )
        )
        personas.append((persona, ch, bld, unit, fl))


# --------------------------------------------------------------------------- main
def generate(seed: int) -> tuple[list[dict], list[dict], World]:
    units = yaml.safe_load((ROOT / "config/units.yaml").read_text())["units"]
    toks = {"工地", "冷库", "水产", "广场", "培训", "单元", "门口", "楼下", "附近"}
    for code, t in TOWNS.items():
        toks.update(t["roads"])
        name = next(u["name"] for u in units if u["code"] == code)
        toks.update({name, short_of({code: {"name": name}}, code)})
    DEDUP_TOKENS[:] = sorted(toks, key=len, reverse=True)
    rng = random.Random(seed)
    w = World(rng, units)
    pl = Planner(rng, w)
    pl.plan()
    seen: set[str] = set()
    allowed_dups = 5  # two citizens can send the same short sentence, rarely
    for m in pl.matters:
        build_requests(rng, w, m)
        for r in m.requests:
            tries = 0
            if r["content"] in seen and r["style"] == "short" and allowed_dups > 0:
                allowed_dups -= 1
                continue
            while r["content"] in seen and tries < 30:
                tries += 1
                persona = new_persona(rng)
                req = dict(t=r["t"], channel=r["channel"], style=r["style"], bld=m.bld, unit=1, fl=3)
                r["content"] = render(rng, w, m, req, persona, None, False)
            seen.add(r["content"])
    # order and number
    rows = []
    for m in pl.matters:
        for r in m.requests:
            rows.append((r["t"], m, r))
    rows.sort(key=lambda x: (x[0], x[1].key))
    mid: dict[int, str] = {}
    for _, m, _r in rows:
        if m.key not in mid:
            mid[m.key] = f"M{len(mid) + 1:04d}"
    out = []
    for i, (t, m, r) in enumerate(rows, 1):
        out.append(
            {
                "id": f"m{i:05d}",
                "matter": mid[m.key],
                "channel": r["channel"],
                "content": r["content"],
                "address": r["address"],
                "lat": r["lat"],
                "lon": r["lon"],
                "grid": r["grid"],
                "received_at": t.replace(tzinfo=TZ).isoformat(timespec="seconds"),
            }
        )
    meta = []
    for m in sorted(pl.matters, key=lambda m: mid[m.key]):
        ts = [r["t"] for r in m.requests]
        meta.append(
            {
                "matter": mid[m.key],
                "kind": m.scen,
                "sub": m.sub,
                "matter_type": m.sc["mt"],
                "town": m.place.town,
                "place_id": m.place.pid,
                "place": m.place.name,
                "place_kind": m.place.kind,
                "building": m.bld,
                "lat": round(m.place.lat, 6),
                "lon": round(m.place.lon, 6),
                "requests": len(m.requests),
                "first": min(ts).replace(tzinfo=TZ).isoformat(timespec="seconds"),
                "last": max(ts).replace(tzinfo=TZ).isoformat(timespec="seconds"),
                "tags": sorted(m.tags),
                "related": sorted(mid[k] for k in m.related),
            }
        )
    return out, meta, w


# --------------------------------------------------------------------------- checks
def check(path: Path, meta_path: Path) -> dict:
    units = yaml.safe_load((ROOT / "config/units.yaml").read_text())["units"]
    towns = {u["code"]: u for u in units if u["kind"] == "town"}
    channels = {c["code"] for c in yaml.safe_load((ROOT / "config/channels.yaml").read_text())["channels"]}
    kw = sorted(((k, code) for code, u in towns.items() for k in u["address_keywords"]), key=lambda x: -len(x[0]))
    prefix_town = {u["grid_prefix"]: code for code, u in towns.items()}
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    meta = {m["matter"]: m for m in (json.loads(line) for line in meta_path.read_text().splitlines())}
    problems: list[str] = []
    ids = [r["id"] for r in rows]
    if len(set(ids)) != len(ids):
        problems.append("duplicate ids")
    keys = ["id", "matter", "channel", "content", "address", "lat", "lon", "grid", "received_at"]
    times = []
    for r in rows:
        if list(r) != keys:
            problems.append(f"{r['id']}: keys {list(r)}")
        if r["channel"] not in channels:
            problems.append(f"{r['id']}: unknown channel {r['channel']}")
        t = datetime.fromisoformat(r["received_at"])
        if t.utcoffset() != timedelta(hours=8) or not (
            T_MIN.replace(tzinfo=TZ) <= t <= T_MAX.replace(tzinfo=TZ) + timedelta(minutes=1)
        ):
            problems.append(f"{r['id']}: time {r['received_at']}")
        times.append(t)
        located = min(TOWNS, key=lambda c: dist((r["lat"], r["lon"]), TOWNS[c]["c"]))
        named = [code for k, code in kw if k in r["address"]]
        # longest keyword wins; every keyword found must also belong to the located town
        if named and named[0] != located:
            problems.append(f"{r['id']}: address names {named[0]} but located in {located}")
        if set(named) - {located}:
            problems.append(f"{r['id']}: address also matches {set(named) - {located}}")
        if r["grid"] is not None:
            if not re.fullmatch(r"[A-Z]{2,3}-\d{2}-\d{2}", r["grid"]):
                problems.append(f"{r['id']}: grid format {r['grid']}")
            elif prefix_town.get(r["grid"].split("-")[0]) != located:
                problems.append(f"{r['id']}: grid {r['grid']} not of {located}")
        if meta[r["matter"]]["town"] != located:
            problems.append(f"{r['id']}: matter town {meta[r['matter']]['town']} != located {located}")
        if not (37.0 <= r["lat"] <= 37.4 and 122.18 <= r["lon"] <= 122.7):
            problems.append(f"{r['id']}: coordinates out of box")
    if times != sorted(times):
        problems.append("not ordered by received_at")
    by_m: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_m[r["matter"]].append(r)
    spread = []
    spans = []
    for mm, rs in by_m.items():
        pts = [(r["lat"], r["lon"]) for r in rs]
        d = max((dist(a, b) for i, a in enumerate(pts) for b in pts[i + 1 :]), default=0)
        spread.append(d)
        ts = [datetime.fromisoformat(r["received_at"]) for r in rs]
        span = (max(ts) - min(ts)).total_seconds() / 86400
        spans.append(span)
        if d > 150:
            problems.append(f"{mm}: requests {d:.0f} m apart")
        if span > 10:
            problems.append(f"{mm}: span {span:.1f} days")
        if len(rs) > 12:
            problems.append(f"{mm}: {len(rs)} requests")
    # duplicates of content
    cnt = Counter(r["content"] for r in rows)
    dups = {c: n for c, n in cnt.items() if n > 1}
    # distinct matters: places apart, look-alikes
    ms = list(meta.values())
    close_pairs = Counter()
    lookalike = Counter()
    has_lookalike = set()
    has_near = set()
    for i, a in enumerate(ms):
        for b in ms[i + 1 :]:
            d = dist((a["lat"], a["lon"]), (b["lat"], b["lon"]))
            if a["place_id"] != b["place_id"] and d < 300:
                close_pairs["neighbouring places (<300 m)"] += 1
            ta, tb = datetime.fromisoformat(a["first"]), datetime.fromisoformat(b["first"])
            gap = abs((ta - tb).total_seconds()) / 86400
            if a["kind"] == b["kind"] and a["sub"] == b["sub"]:
                same_spot = a["place_id"] == b["place_id"] and a["building"] == b["building"]
                if same_spot:
                    la, lb = datetime.fromisoformat(a["last"]), datetime.fromisoformat(b["last"])
                    between = min(abs((tb - la).total_seconds()), abs((ta - lb).total_seconds())) / 86400
                    if between <= 30:
                        problems.append(f"{a['matter']}/{b['matter']}: same kind, same spot, {between:.0f} days apart")
                    lookalike["same place, recurring > 30 days later"] += 1
                    has_near.update((a["matter"], b["matter"]))
                elif gap <= 10:
                    if d <= 3000:
                        has_near.update((a["matter"], b["matter"]))
                    if a["place_id"] == b["place_id"]:
                        lookalike["same estate, another building"] += 1
                    elif a["town"] == b["town"]:
                        lookalike["same town, another place"] += 1
                    else:
                        lookalike["another town"] += 1
                else:
                    continue
                has_lookalike.update((a["matter"], b["matter"]))
            elif a["place_id"] == b["place_id"] and gap <= 10:
                lookalike["same place, different problem"] += 1
    sizes = Counter(len(rs) for rs in by_m.values())
    tags = Counter(t for m in ms for t in m["tags"])
    stats = dict(
        requests=len(rows),
        matters=len(by_m),
        size_distribution=dict(sorted(sizes.items())),
        singletons=sizes[1],
        multi_request_matters=len(by_m) - sizes[1],
        merges_possible=len(rows) - len(by_m),
        caseload_cut=round(1 - len(by_m) / len(rows), 3),
        towns=len({m["town"] for m in ms}),
        channels=dict(Counter(r["channel"] for r in rows).most_common()),
        kinds=len({m["kind"] for m in ms}),
        matter_types=len({m["matter_type"] for m in ms}),
        matters_with_lookalike=len(has_lookalike),
        lookalike_share=round(len(has_lookalike) / len(by_m), 3),
        matters_with_near_lookalike=len(has_near),
        near_lookalike_share=round(len(has_near) / len(by_m), 3),
        pair_counts=dict(lookalike),
        close_place_pairs=dict(close_pairs),
        tags=dict(tags),
        grid_null=sum(r["grid"] is None for r in rows),
        duplicate_contents=dups,
        max_spread_m=round(max(spread)),
        multi_spread_m_median=round(
            sorted(d for d, rs in zip(spread, by_m.values()) if len(rs) > 1)[
                len([1 for rs in by_m.values() if len(rs) > 1]) // 2
            ]
        ),
        max_span_days=round(max(spans), 2),
        multi_span_days_median=round(
            sorted(s for s, rs in zip(spans, by_m.values()) if len(rs) > 1)[
                len([1 for rs in by_m.values() if len(rs) > 1]) // 2
            ],
            2,
        ),
        content_chars=dict(
            min=min(len(r["content"]) for r in rows),
            max=max(len(r["content"]) for r in rows),
            mean=round(sum(len(r["content"]) for r in rows) / len(rows), 1),
        ),
        problems=problems,
    )
    return stats


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=20261101)
    ap.add_argument("--check-only", action="store_true")
    args = ap.parse_args()
    out_path = HERE / "merge.jsonl"
    meta_path = HERE / "merge.matters.jsonl"
    if not args.check_only:
        rows, meta, _w = generate(args.seed)
        out_path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
        meta_path.write_text("".join(json.dumps(m, ensure_ascii=False) + "\n" for m in meta))
    stats = check(out_path, meta_path)
    print(json.dumps({k: v for k, v in stats.items() if k != "problems"}, ensure_ascii=False, indent=1))
    print(f"problems: {len(stats['problems'])}")
    for p in stats["problems"][:40]:
        print("  ", p)


if __name__ == "__main__":
    main()
