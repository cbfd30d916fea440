"""Phrase banks for bench/data/make_merge.py: how citizens, hotline operators, grid workers and
inspectors describe each kind of problem.

Template lines may start with a place filter ``cv|`` (letters: c compound, v village, r road point,
s shop, f factory, t construction site, q square, h school, m market, g harbour, a farm) and then a
sub-kind ``#sub:`` (e.g. ``#lane:``); lines without them apply everywhere. Slots in braces are filled
by the generator: {p} place as the writer names it, {when}/{since}/{dur}/{since3} times, {fl} floor,
{t} room temperature, {home} a nearby residence, and a few matter facts ({amt}, {n}, {boss}, ...).
"""

from __future__ import annotations


def L(block: str) -> list[str]:
    return [line.strip() for line in block.strip().splitlines() if line.strip()]


S: dict[str, dict] = {}


def scen(code: str, **kw) -> None:
    kw["code"] = code
    S[code] = kw


# --------------------------------------------------------------------------- utilities
scen(
    "water_outage", mt="water_outage", fix3=["恢复供水", "查明停水原因，尽快恢复供水", "告知来水时间"], topic="停水", kinds="cv", size="big", tempo="burst", hours="day",
    scope="place", formal=False, inspector=False, recur=True,
    fix=L("""
恢复供水
来水
查明原因，尽快恢复供水
给个准确的来水时间
安排送水车过来
"""),
    c1=L("""
{p}{since}就停水了，到现在还没来水
{p}又停水了，{since}一直没水，也没看到停水通知
我家住{p}，{since}水龙头一滴水都没有
{p}{since}停水，打物业电话也说不清怎么回事，更不知道啥时候来水
请问{p}为什么停水？{since}到现在都没水，事先一点通知都没有
c|{p}整栋楼都没水了，{when}开始的
{p}停水{dur}了，连个说法都没有
{p}的自来水{since}就断了，饭都没法做
c|家里{since}就没水了，{p}好几栋楼都一样
{p}一点水都没有，{when}还有点细流，现在彻底断了
v|{p}{since}全村都停水了，自来水管子里一滴水都没有
v|{p}的自来水{since}就不来了，村里说是上面管道的问题
v|我们{p}又没水了，从{when}到现在，老人只能去邻居家井里打水
"""),
    c3=L("""
{p}{since3}停水，至今未恢复供水
{p}自来水停供，时间为{since3}，未见停水通知
c|{p}多栋楼停水，{since3}至今未来水，物业未告知原因
v|{p}村民家中停水，{since3}至今未恢复
{p}居民反映停水已{dur}，原因不明
"""),
    s=L("""
{p}停水了，啥时候来水？
{p}没水了！！
{p}停水{dur}了 请问什么时候恢复
怎么又停水了？{p}
{p}什么时候来水
"""),
    x1=L("""
c|物业说是供水公司那边的问题
打供水公司电话一直占线
c|小区业主群里都在问，谁也不知道怎么回事
c|楼道里也没贴停水通知
楼下超市的桶装水都卖没了
之前从来没有停这么长时间
路边有个地方一直往外冒水，估计是哪里的管子爆了
v|村里大喇叭也没广播
"""),
    x3=L("""
未见停水通知
c|物业称系供水管网问题
附近路面有冒水现象，疑似管道破裂
c|物业电话无人接听
"""),
    i1=L("""
家里有八十多岁的老人，喝水吃饭都成问题
孩子早上连脸都没洗就去上学了
厕所冲不了，屋里味道很大
做饭洗衣服都没法弄
上班前连口热水都喝不上
家里有刚做完手术的病人，离不开水
"""),
    i3=L("""
影响居民正常生活
家中有老人，生活不便
居民做饭、洗漱受影响
"""),
)

scen(
    "water_quality", mt="water_outage", topic="自来水水质", kinds="cv", size="medium", tempo="chronic",
    hours="day", scope="place", formal=False, inspector=False, subs=["yellow", "pressure"], pre=(2, 20),
    fix=L("""
#yellow:检测一下水质
查一下管网
#yellow:冲洗一下管道
#yellow:把检测结果公布出来
#pressure:把水压提上来
"""),
    c1=L("""
#yellow:{p}的自来水发黄，接一盆放一会儿底下全是沉淀
#yellow:{p}自来水{since}有股铁锈味，根本不敢喝
#yellow:{p}水龙头放出来的水是浑的，要放好半天才变清
#yellow:{p}的水{since}一直是黄的，烧开了壶底一层锈
#pressure:c|{p}水压太低了，五楼以上基本上不去水
#pressure:{p}最近水压特别小，洗澡都洗不成
#pressure:{p}一到做饭的点水就细得跟筷子一样
#pressure:{p}水压不够，热水器都打不着火
"""),
    c3=L("""
#yellow:{p}自来水浑浊发黄
#yellow:{p}自来水有异味，{since3}出现
#yellow:{p}自来水水质差，有黄色沉淀
#pressure:c|{p}水压偏低，高层住户用水困难
#pressure:{p}用水高峰时段水压不足
"""),
    s=L("""
#yellow:{p}自来水发黄
#yellow:{p}的水是黄的，能喝吗？
#pressure:{p}水压太低 上不去水
"""),
    x1=L("""
#yellow:已经买了好几天桶装水了
早上和晚上用水高峰的时候最严重
问了对门邻居，他家也一样
#yellow:洗的白衣服都染黄了
"""),
    x3=L("""
高峰时段尤为明显
#yellow:居民担心水质安全
已持续{dur}
"""),
    i1=L("""
家里有小孩，不敢给孩子喝
老人一直用这水做饭，担心对身体不好
每天都得去外面买水
"""),
    i3=L("""
居民担心饮水安全
影响居民日常用水
"""),
)

scen(
    "power_outage", mt="power_outage", fix3=["恢复供电", "安排抢修", "排查线路故障"], topic="停电", kinds="cv", size="big", tempo="burst", hours="any",
    scope="place", formal=False, inspector=False, recur=True,
    fix=L("""
恢复供电
抢修
来电
查查线路，别老停电
"""),
    c1=L("""
{p}{since}突然停电了，到现在还没来电
{p}停电了，{when}开始的，没接到任何通知
{p}一会儿来电一会儿停电，{since}已经断了好几回了
v|{p}{since}全村都没电
{p}这一片都停电了，{when}开始的，冰箱里的东西都快化了
{p}没电，连路灯都全黑了
{p}又停电了，这个月都第三回了
c|{p}好几栋楼都停电了，电梯也停了
"""),
    c3=L("""
{p}{since3}停电，至今未恢复供电
{p}频繁停电，{since3}已停电多次
{p}{since3}大面积停电
{p}停电，原因不明
"""),
    s=L("""
{p}停电了
{p}又停电了，啥时候来电
{p}没电了 什么情况
停电{dur}了！{p}
"""),
    x1=L("""
打供电公司电话说在抢修，可一直没来电
听说是变压器坏了
电线杆那边刚才冒火花，还有响声
隔壁那片有电，就我们这边没有
来电的时候电压忽高忽低，灯一闪一闪的
也没看见抢修的车
"""),
    x3=L("""
供电公司称正在抢修
疑似变压器故障
停电前电线杆处有火花
"""),
    i1=L("""
家里老人要用制氧机，不能断电
冰箱里冻的海鲜要化了
孩子还要上网课
天这么冷，没电取暖
家里的电器都不敢插了，怕烧坏
"""),
    i3=L("""
影响居民生活
家中老人需使用医疗设备
"""),
)

scen(
    "heating_cold", mt="heating", topic="暖气不热", kinds="c", size="big", tempo="chronic", hours="any",
    scope="place", formal=True, inspector=False, recur=True, pre=(1, 12), season="heating",
    fix=L("""
调高供水温度
派人来检修
把暖气烧热
解决暖气不热的问题
核查室温，不达标就退暖气费
"""),
    c1=L("""
{p}暖气一直不热，屋里才{t}度
都供暖{days}天了，{p}暖气还是温乎的，摸着跟没开一样
{p}暖气片上面热下面凉，屋里就{t}度，晚上冻得睡不着
交了暖气费，{p}暖气就是不热，室温{t}度左右
{p}家里拿温度计量了，才{t}度，根本不达标
{p}今年的暖气比去年还差，手放上去一点热乎气都没有
{p}暖气不热，{since}就这样，供热公司说来排查，到现在也没人来
{p}屋里穿着羽绒服都冷，暖气形同虚设
"""),
    c3=L("""
{p}供暖温度不达标，室温约{t}℃
{p}暖气不热，室内温度仅{t}度左右
{p}自供暖以来暖气不热，多次联系供热公司未解决
{p}居民家中暖气不热，室温{t}℃
"""),
    s=L("""
{p}暖气不热，才{t}度
{p}暖气冰凉，有人管吗
暖气太凉了！！{p}
{p} 暖气温度不够
"""),
    x1=L("""
暖气片已经放过气了，还是不行
问了同单元的邻居，家家都不热
楼上楼下都一样
供热公司来看过一次，说回去研究，然后就没下文了
今年暖气费一分没少交
我家在顶楼，比别人家更冷
家里开着电暖器才待得住
打供热公司热线总是占线
"""),
    x3=L("""
已自行放气，未见好转
同单元多户情况相同
供热公司上门查看后未处理
"""),
    i1=L("""
家里有刚满月的孩子
老人冻感冒了，在家里也得穿棉袄
孩子写作业手都是凉的
晚上盖两床被子还冷
"""),
    i3=L("""
家中有老人小孩，生活受影响
居民反映强烈
"""),
)

scen(
    "gas_smell", mt="gas_leak", topic="燃气泄漏", kinds="c", size="medium", tempo="event", hours="any",
    scope="building", formal=False, inspector=False,
    fix=L("""
马上派人来检查
赶紧来处理
立即排查漏点
"""),
    c1=L("""
{p}楼道里有很大的煤气味，不知道谁家漏气了
{p}闻到一股天然气味，{when}开始的，越来越浓
{p}单元门口燃气管子那里有呲呲的漏气声，味道很冲
刚下楼在{p}闻到很重的燃气味，怕出事赶紧打电话
{p}外墙上的燃气管好像漏了，一股臭鸡蛋味
{p}一进单元门就是燃气味，熏得头疼
"""),
    c3=L("""
{p}楼道内有明显燃气异味，疑似燃气泄漏
{p}燃气管道疑似漏气，异味较重
{p}有燃气味，存在安全隐患
{p}室外燃气管道处有漏气声
"""),
    s=L("""
{p}有煤气味！快来人
{p}漏气了 味道很大
{p}楼道燃气味很重，赶紧派人
"""),
    x1=L("""
已经把楼道窗户都打开了
没敢开灯，也没敢按门铃
邻居们都下楼了
打了燃气公司电话还没人来
楼里还有老人和孩子
"""),
    x3=L("""
居民已开窗通风
部分居民已自行疏散
燃气公司尚未到场
"""),
    i1=L("""
楼里住了好几十户人，太吓人了
万一出事谁负责
孩子还在楼上睡觉
"""),
    i3=L("""
存在较大安全隐患
"""),
)

scen(
    "drain_backup", mt="drainage", topic="下水道堵塞", kinds="c", size="medium", tempo="burst", hours="day",
    scope="place", formal=False, inspector=False, recur=True, subs=["overflow", "septic"],
    fix=L("""
#overflow:疏通下水道
#septic:清掏化粪池
#overflow:彻底解决返水问题
"""),
    c1=L("""
#overflow:{p}下水道堵了，污水从井盖里往外冒
#overflow:{p}一楼下水返水，卫生间地上全是脏水
#overflow:{p}楼前的下水道堵了{dur}，路上全是污水，都冻成冰了
#overflow:{p}下水道反水，一楼好几户家里都淹了
#septic:{p}化粪池满了往外溢，整个小区都是臭味
#septic:{p}的化粪池冒了，粪水顺着路往下流
#septic:{p}化粪池好几年没掏了，{when}开始往外漫
"""),
    c3=L("""
#overflow:{p}下水管道堵塞，污水外溢
#overflow:{p}一楼住户下水返水
#septic:{p}化粪池满溢，异味较大
#septic:{p}化粪池污水外漫，长期未清掏
"""),
    s=L("""
#overflow:{p}下水道堵了
#overflow:{p}污水冒出来了
#septic:{p}化粪池外溢，臭死了
"""),
    x1=L("""
物业找人掏过一次，没两天又堵了
小孩上学都得绕着走
物业说是市政管网的问题
"""),
    x3=L("""
物业称系市政管网问题
已疏通一次，随后复堵
"""),
    i1=L("""
屋里臭得没法住人
地面结冰，滑倒好几个人了
"""),
    i3=L("""
影响居民生活，存在滑倒隐患
"""),
)

# --------------------------------------------------------------------------- estates
scen(
    "elevator", mt="elevator_safety", topic="电梯故障", kinds="c", size="medium", tempo="burst", hours="day",
    scope="building", formal=False, inspector=False, recur=True, subs=["stopped", "noise"],
    fix=L("""
修好电梯
彻底检修一下电梯
查一查这部电梯的安全
督促物业尽快修电梯
"""),
    c1=L("""
#stopped:{p}的电梯又坏了，{since}就停着不动
#stopped:{p}电梯{since}停运，楼上老人下不了楼
#stopped:{p}电梯三天两头坏，这回{since}又停了
#stopped:{p}电梯停了{dur}了，物业就贴了张纸条
#stopped:{p}电梯{when}突然停了，把人困在里面二十来分钟，现在干脆停运了
#noise:{p}电梯一运行就咣当咣当响，坐着心里直发慌
#noise:{p}电梯门关不严，上下的时候晃得厉害
#noise:{p}电梯{since}一直有异响，到某几层还往下一沉
#noise:{p}的电梯跑起来吱吱嘎嘎的，晃得人头晕
"""),
    c3=L("""
#stopped:{p}电梯故障停运
#stopped:{p}电梯频繁故障，物业维修不及时，现已停运
#stopped:{p}电梯停运{dur}，尚未修复
#noise:{p}电梯运行有异响，居民担心安全
#noise:{p}电梯运行晃动、门关闭不严
"""),
    s=L("""
#stopped:{p}电梯坏了{dur}了
#stopped:{p}电梯又停了
#noise:{p}电梯响得吓人，没人管吗
#noise:{p}电梯晃得厉害
"""),
    x1=L("""
物业说零件要从外地调
电梯里的年检合格证都过期了
电梯里的应急电话也打不通
这个月已经坏了三回了
物业说维修要动用维修基金，得业主签字
"""),
    x3=L("""
物业称需等待配件
电梯内应急电话无法接通
本月已多次故障
"""),
    i1=L("""
#stopped:我家住{fl}，老人腿脚不好，只能天天在家待着
#stopped:抱着孩子爬楼梯太危险了
#stopped:买桶水得扛上{fl}
#stopped:家里老人要去医院透析，下不去楼
#noise:每天坐电梯都提心吊胆
#noise:孩子都不敢自己坐电梯了
"""),
    i3=L("""
高层住户出行困难
楼内有多名行动不便的老人
"""),
)

scen(
    "corridor_light", mt="common_facilities_repair", topic="楼道灯不亮", kinds="c", size="small",
    tempo="chronic", hours="day", scope="building", formal=False, inspector=False, pre=(5, 40),
    fix=L("""
修一下楼道灯
把灯换了
督促物业把灯修好
"""),
    c1=L("""
{p}楼道灯坏了好长时间了，晚上上下楼黑咕隆咚的
{p}的声控灯都不亮了，跺脚拍手都没反应
{p}楼道里没有灯，前两天老人摔了一跤
{p}楼道灯坏了{dur}，跟物业说了好几次也没人修
{p}从一楼到六楼的楼道灯就一个亮的
"""),
    c3=L("""
{p}楼道灯损坏，长期未修
{p}楼道声控灯不亮，居民夜间出行不便
{p}楼道照明缺失，物业未维修
"""),
    s=L("""
{p}楼道灯不亮
{p}楼道黑，灯坏了
楼道灯啥时候修？{p}
"""),
    x1=L("""
物业说没有灯泡了
自己买了灯泡换上，没两天又坏了，估计是线路问题
晚上只能打着手机手电筒上楼
"""),
    x3=L("""
物业称线路老化需维修
已向物业反映多次
"""),
    i1=L("""
楼里老人多，摔着了谁负责
孩子晚上放学回来害怕
"""),
    i3=L("""
存在安全隐患
"""),
)

scen(
    "unit_door", mt="common_facilities_repair", topic="单元门损坏", kinds="c", size="small", tempo="chronic",
    hours="day", scope="building", formal=False, inspector=False, pre=(3, 30), subs=["open", "card", "slam"],
    fix=L("""
修单元门
把门禁修好
督促物业维修
"""),
    c1=L("""
#open:{p}单元门禁坏了，门一直关不上
#open:{p}单元门的锁坏了，谁都能随便进
#open:{p}单元防盗门坏了{dur}了，关不上，物业一直拖着不修
#card:{p}门禁卡刷不开，每次都得等里面的人开门
#card:{p}单元门的刷卡器坏了{dur}，钥匙也打不开
#slam:{p}单元门的闭门器坏了，门咣咣地摔，半夜也响
#slam:{p}单元门没有缓冲，一松手就砰的一声
"""),
    c3=L("""
#open:{p}单元门门禁损坏，无法正常关闭
#open:{p}单元门锁具损坏，存在安全隐患
#card:{p}单元门门禁读卡故障，住户无法刷卡进出
#slam:{p}单元门闭门器损坏，开关门噪声大
"""),
    s=L("""
#open:{p}单元门坏了
#card:{p}门禁刷不开
#open:{p}单元门关不上，有人管吗
#slam:{p}单元门摔得震天响
"""),
    x1=L("""
#open:最近小区还丢过电动车
#open:经常有发小广告的进来
物业说要等厂家来修
"""),
    x3=L("""
物业称需厂家维修
#open:楼内曾有陌生人进入
"""),
    i1=L("""
#open:家里就我和孩子，晚上心里不踏实
#slam:半夜被摔门声吵醒好几次
#card:老人拿着卡刷半天进不去
"""),
    i3=L("""
居民安全感受影响
"""),
)

scen(
    "roof_leak", mt="common_facilities_repair", topic="屋面漏水", kinds="c", size="small", tempo="chronic",
    hours="day", scope="building", formal=True, inspector=False, pre=(10, 300), top=True,
    fix=L("""
维修屋面
做一下防水
协调维修资金
"""),
    c1=L("""
{p}顶楼漏水，一下雨屋里就往下滴
{p}屋顶防水坏了，家里墙皮都泡掉了
我家住{p}顶楼，天花板渗水发霉，说了好几年了
{p}楼顶漏水，这两天化雪又开始滴答了
{p}顶层屋面漏水，卧室墙上一大片水印
"""),
    c3=L("""
{p}顶层屋面漏水，住户室内渗水
{p}屋面防水层破损，顶楼住户家中墙体渗水发霉
"""),
    s=L("""
{p}顶楼漏水
{p}楼顶漏了，屋里滴水
"""),
    x1=L("""
物业说要用维修基金，得楼里三分之二的人签字
开发商说过了保修期不管
家里接水的盆都摆了三个
"""),
    x3=L("""
物业称需申请维修资金
已过保修期
"""),
    i1=L("""
家里电线都在墙里，怕漏电
孩子屋里全是霉味
"""),
    i3=L("""
存在漏电隐患
"""),
)

scen(
    "renovation_noise", mt="noise_nuisance", topic="装修噪音", kinds="c", size="small", tempo="chronic",
    hours="day", scope="building", formal=False, inspector=False, pre=(2, 20),
    fix=L("""
管一管
让他们按规定时间装修
"""),
    c1=L("""
{p}有户人家装修，早上七点不到就开始砸墙
{p}楼上装修天天电钻响，周末中午也不停
{p}装修的晚上八九点还在切瓷砖
{p}那户装修{dur}了，天天叮叮当当，物业说管不了
"""),
    c3=L("""
{p}有住户装修，施工时间不规范，噪音扰民
{p}住户装修于休息时间施工
"""),
    s=L("""
{p}装修太吵了
{p}一大早就砸墙
"""),
    x1=L("""
跟装修工人说了，他们说是业主让干的
物业贴了装修时间规定，根本不管用
"""),
    x3=L("""
物业劝阻无效
"""),
    i1=L("""
家里有刚出生的孩子，一吵就哭
我上夜班，白天根本没法睡
"""),
    i3=L("""
影响邻居休息
"""),
)

scen(
    "property_service", mt="property_service_quality", topic="物业服务差", kinds="c", size="medium",
    tempo="chronic", hours="day", scope="place", formal=True, inspector=False, pre=(20, 200), subs=["cleaning", "security", "facilities"],
    fix=L("""
管管这个物业
督促物业整改
约谈物业公司
"""),
    c1=L("""
#cleaning:{p}的物业什么都不管，楼道里的垃圾好几天没人扫
#cleaning:{p}保洁好几天都不来，单元门口堆的都是垃圾袋
#cleaning:{p}物业光收钱不干活，楼道一个月没拖过一回，我们交的物业费都干什么了
#security:{p}物业光收钱不干活，保安晚上根本不在岗
#security:{p}大门的保安天天不见人，外来车辆随便进出
#facilities:{p}里的路灯、健身器材坏了一大堆，物业一样不修
#facilities:{p}的健身器材坏了半年了，物业说没钱修
"""),
    c3=L("""
#cleaning:{p}物业保洁缺位，公共区域卫生差
#security:{p}物业保安夜间脱岗，门岗管理缺失
#facilities:{p}公共设施损坏，物业长期不予维修
{p}物业服务质量差，业主意见较大
"""),
    s=L("""
{p}物业不作为！
{p}物业啥都不管
{p}物业太差了
"""),
    x1=L("""
交物业费的时候可积极了
物业经理的电话从来不接
业主群里大家都有意见
"""),
    x3=L("""
业主多次向物业反映无果
物业经理联系不上
"""),
    i1=L("""
小区环境一天比一天差
#security:外面的人随便进出，大家都不放心
"""),
    i3=L("""
业主意见较大
"""),
)

scen(
    "property_fee", mt="property_fees", topic="物业乱收费", kinds="c", size="medium", tempo="chronic",
    hours="day", scope="place", formal=True, inspector=False, pre=(3, 40),
    subs=["parking", "deposit", "shared_power"],
    fix=L("""
查一查物业收费
给个明确说法
把多收的钱退回来
规范物业收费
"""),
    c1=L("""
#parking:{p}物业突然把停车费从每月100涨到200，也没开业主大会
#parking:{p}物业通知不交停车费就不让车进小区
#parking:{p}停车费说涨就涨，一点依据都没有
#deposit:{p}物业乱收费，装修押金交了两年都不退
#deposit:{p}装修完了去退押金，物业找各种理由扣钱
#shared_power:{p}物业费里还要收公摊电费，一个月好几十，账也不公开
#shared_power:{p}每个月多收公摊电费，问电费怎么算的，物业说不清楚
"""),
    c3=L("""
#parking:{p}物业擅自上调停车费，未经业主大会表决
#parking:{p}物业以不缴停车费为由限制业主车辆进入
#deposit:{p}物业拒不退还装修押金
#shared_power:{p}物业收取公摊电费，账目不公开
"""),
    s=L("""
{p}物业乱收费
#parking:{p}停车费凭什么涨
#deposit:{p}装修押金不退
"""),
    x1=L("""
问物业要收费依据，他们拿不出来
业主群里已经有上百人在说这事
物业说是上面定的价
"""),
    x3=L("""
物业未出示收费依据
业主意见集中
"""),
    i1=L("""
一年下来多交好几百块
我们都是工薪阶层，负担不起
"""),
    i3=L("""
涉及业主较多
"""),
)

scen(
    "fire_hazard", mt="fire_hazard", topic="消防隐患", kinds="c", size="small", tempo="chronic", hours="day",
    scope="place", formal=False, inspector=False, pre=(2, 60), subs=["lane", "charging", "clutter"],
    fix=L("""
来查一查
#lane:清理消防通道
#clutter:清理楼道杂物
#charging:制止飞线充电
依法处理
"""),
    c1=L("""
#lane:{p}消防通道被车堵得死死的，真着火了消防车都进不来
#lane:{p}的消防通道天天停满了车，画了黄线也没用
#charging:{p}好几户从楼上拉线给电动车充电，太危险了
#charging:{p}有人把电动车推进楼道里充电，晚上整夜充
#clutter:{p}楼道里堆满了纸箱子和旧家具，消防通道都堵了
#clutter:{p}有人在楼梯间堆了好多泡沫板和废品
"""),
    c3=L("""
#lane:{p}消防通道被占用，存在火灾隐患
#charging:{p}有居民飞线充电，存在消防安全隐患
#charging:{p}电动车进楼道充电
#clutter:{p}楼道内堆放杂物，堵塞疏散通道
"""),
    s=L("""
#lane:{p}消防通道被堵
#charging:{p}有人飞线充电 太危险
#clutter:{p}楼道堆满杂物
"""),
    x1=L("""
跟物业说过，物业说管不了
前阵子别的小区刚着过火
#lane:车主的挪车电话也打不通
"""),
    x3=L("""
物业劝阻无效
现场已拍照留存
"""),
    i1=L("""
真出了事后悔都来不及
楼里住的都是老人孩子
"""),
    i3=L("""
存在较大火灾隐患
"""),
)

scen(
    "falling_tiles", mt="falling_objects", topic="外墙脱落", kinds="c", size="medium", tempo="burst",
    hours="day", scope="building", formal=False, inspector=False, subs=["tiles", "insulation"],
    fix=L("""
赶紧排险
把松动的都清掉
尽快维修外墙
"""),
    c1=L("""
#tiles:{p}外墙瓷砖往下掉，{when}还砸在楼下的车上
#tiles:{p}外墙面砖松动，大风一刮就往下掉
#tiles:{p}楼上的瓷砖一块块往下掉，楼下就是孩子们玩的地方
#insulation:{p}外墙保温层被风刮下来一大块，挂在半空晃悠
#insulation:{p}外墙保温板掀起来了，风一吹呼啦呼啦响
"""),
    c3=L("""
#tiles:{p}外墙瓷砖脱落，存在高空坠物隐患
#tiles:{p}外墙面砖松动脱落，威胁行人安全
#insulation:{p}外墙保温层脱落，悬挂于高处
"""),
    s=L("""
#tiles:{p}外墙掉瓷砖了，很危险
#insulation:{p}外墙保温掉下来了
"""),
    x1=L("""
物业就拉了根警戒线
楼下还停着好多车
这几天风大，越掉越多
"""),
    x3=L("""
物业已拉设警戒线
大风天气下仍有脱落
"""),
    i1=L("""
孩子上学放学都从下面过
砸着人就出大事了
"""),
    i3=L("""
威胁居民出行安全
"""),
)

scen(
    "certificate_delay", mt="certificate_delay", fix3=["督促开发商办理房产证", "协调解决办证问题", "明确办证时限"], topic="办不了房产证", kinds="c", size="big",
    tempo="chronic", hours="day", scope="place", formal=True, inspector=False, pre=(300, 1500), newer=True,
    fix=L("""
帮我们把房产证办下来
督促开发商办证
给个办证时间表
"""),
    c1=L("""
{p}交房{years}年了，房产证到现在还办不下来
{p}的不动产证一直办不了，问开发商就说在办
我们是{p}的业主，{years}年了还没拿到房产证，孩子上学都受影响
{p}办不了证，听说是开发商欠着土地出让金
{p}当时买房说两年内办证，现在都{years}年了，一点动静都没有
"""),
    c3=L("""
{p}业主交房{years}年未办理不动产权证
{p}因开发商原因无法办理房产证
{p}业主办证难，开发商{dev}推诿
"""),
    s=L("""
{p}什么时候能办房产证？
{p}房产证{years}年了还没办下来
"""),
    x1=L("""
开发商{dev}的售楼处早就撤了
好几百户都是这个情况
去不动产登记中心问，说开发商材料不全
房贷早就还完了，证还是没有
"""),
    x3=L("""
涉及业主众多
开发商称正在办理，未给出时限
"""),
    i1=L("""
孩子上学要房产证，学区那边一直催
想卖房都卖不了
抵押贷款也办不了
"""),
    i3=L("""
影响业主子女入学、房屋交易
"""),
)

# --------------------------------------------------------------------------- noise
scen(
    "square_dance", mt="noise_nuisance", topic="广场舞扰民", kinds="qc", size="medium", tempo="chronic",
    hours="evening", scope="place", formal=False, inspector=False, recur=True, pre=(5, 60),
    fix=L("""
管一管
把音量降下来
规定一下跳舞时间
"""),
    c1=L("""
{p}跳广场舞的音响开得特别大，每天晚上吵到九点多
{p}跳广场舞的天天放到很晚，音响震得窗户都嗡嗡响
{p}的广场舞太吵了，家里孩子根本没法写作业
{p}每天晚上都有人在这跳舞，音响声太大，跟他们说了还骂人
{p}晚上有两拨人跳舞，两个音响对着放，吵得脑袋疼
"""),
    c3=L("""
{p}有人跳广场舞，音响音量过大，扰民
{p}夜间跳广场舞噪音扰民，持续至21时以后
{p}跳广场舞使用大功率音响，影响周边居民
"""),
    s=L("""
{p}跳广场舞的太吵了
{p}跳舞的音响能不能小点声
广场舞扰民，{p}
"""),
    x1=L("""
找社区说过，管了两天又照旧
我们不反对跳舞，就是声音能不能小点
他们有一个大音箱，声音开到最大
"""),
    x3=L("""
经社区劝导后仍未改善
音响设备音量较大
"""),
    i1=L("""
家里有高三的孩子要复习
老人心脏不好，听着心慌
我上夜班白天补觉，晚上还得早睡
"""),
    i3=L("""
影响周边居民休息
"""),
)

scen(
    "shop_noise", mt="noise_nuisance", topic="夜间经营噪音", kinds="s", size="medium", tempo="chronic",
    hours="night", scope="place", formal=False, inspector=False, recur=True, pre=(3, 60), shop="noisy",
    fix=L("""
管一管
让他们晚上早点关门
依法处理
"""),
    c1=L("""
{p}每天晚上吵到凌晨一两点，喝酒划拳的声音特别大
{p}半夜还在放音乐，声音大得整栋楼都能听见
{p}晚上在门口摆桌子，吵吵嚷嚷到后半夜
{p}的音响开到半夜，低音震得床都在颤
{p}门口天天有喝多的在那大喊大叫，前天还有人打架
"""),
    c3=L("""
{p}夜间经营噪音扰民，持续至凌晨
{p}音响声音过大，夜间扰民
{p}门口夜间聚集人员喧哗，扰民严重
"""),
    s=L("""
{p}太吵了，半夜还不关门
{p}噪音扰民！！
都几点了{p}还这么吵
"""),
    x1=L("""
打过110，来了就消停一会儿，人一走又照旧
我家就在楼上，窗户关严了也没用
这样已经{dur}了
"""),
    x3=L("""
经民警处置后仍反复
已持续{dur}
"""),
    i1=L("""
一宿一宿睡不着觉
孩子半夜被吵醒直哭
第二天还得早起上班
"""),
    i3=L("""
严重影响周边居民休息
"""),
)

scen(
    "construction_noise", mt="construction_site", topic="夜间施工扰民", kinds="t", size="big", tempo="chronic",
    hours="night", scope="place", formal=True, inspector=False, pre=(2, 30),
    fix=L("""
停止夜间施工
查一查这个工地
依法处罚
"""),
    c1=L("""
{p}天天半夜施工，打桩机、搅拌车响到凌晨
住在{home}，旁边的{p}晚上十一二点还在干活，噪音太大了
{p}夜间施工，混凝土泵车轰隆隆地响了一宿
{p}晚上一直在浇筑，灯光照进屋里，噪音吵得根本睡不着
{p}凌晨三四点还有渣土车进进出出，喇叭乱按
{p}是不是办了夜间施工许可？天天晚上施工
{p}噪音扰民{dur}了，白天干不完晚上接着干
我是{home}的居民，{p}每天晚上施工到一两点
"""),
    c3=L("""
{p}夜间施工噪音扰民，持续至凌晨
{p}22时后仍在施工作业
{p}夜间有渣土车频繁进出，噪音较大
{p}未见夜间施工许可公示，夜间施工扰民
"""),
    s=L("""
{p}半夜还在施工！
{p}又在夜间施工，太吵了
{p}能不能晚上别干了
"""),
    x1=L("""
打过12345，说是在浇混凝土不能停，可总不能天天都浇吧
现场没有公示夜间施工许可
工地大门口的保安说他们也管不了
我拍了视频，十二点多还在干
"""),
    x3=L("""
现场未公示夜间施工许可
经劝导后仍继续施工
来电人已留存视频
"""),
    i1=L("""
家里孩子要中考，晚上根本睡不好
老人有高血压，吵得整宿睡不着
白天上班，晚上还不能休息，人都快崩溃了
"""),
    i3=L("""
严重影响周边居民休息
"""),
)

scen(
    "construction_dust", mt="construction_site", topic="工地扬尘", kinds="t", size="medium", tempo="chronic",
    hours="day", scope="place", formal=False, inspector=True, pre=(2, 20),
    fix=L("""
管一管
洒水降尘
依法处罚
"""),
    c1=L("""
{p}的渣土车一路撒土，路上全是泥
{p}扬尘特别大，也不洒水，窗台一天不擦就一层灰
{p}渣土车不盖苫布，拉的土一路掉
{p}出口没有冲洗设施，车轮子带的泥把马路都弄脏了
"""),
    c3=L("""
{p}渣土车沿途撒漏
{p}施工扬尘严重，未采取降尘措施
{p}车辆未冲洗即驶出工地
"""),
    s=L("""
{p}扬尘太大
{p}渣土车撒了一路
"""),
    x1=L("""
晾在外面的衣服都得重洗
刮风天更厉害
"""),
    x3=L("""
现场未见雾炮、洒水等降尘措施
"""),
    i1=L("""
孩子咳嗽好几天了
骑电动车打滑
"""),
    i3=L("""
影响周边环境
"""),
)

scen(
    "industrial_noise", mt="industrial_noise", topic="工厂噪音", kinds="f", size="medium", tempo="chronic",
    hours="night", scope="place", formal=False, inspector=False, pre=(5, 90), factory="noisy", subs=["cooling", "machine"],
    fix=L("""
加装隔音设施
测一测噪声超没超标
晚上停机
"""),
    c1=L("""
#cooling:{p}的冷库机组24小时不停地响，嗡嗡嗡的
#cooling:{p}新装的制冷风机声音太大，离我们家就几十米
#machine:{p}机器轰鸣声特别大，半夜也不停
#machine:{p}晚上加班开机器，咣咣的声音隔着几道墙都能听见
"""),
    c3=L("""
#cooling:{p}冷库机组运行噪声扰民
#cooling:{p}制冷风机噪声影响周边居民
#machine:{p}夜间生产设备噪音较大
"""),
    s=L("""
{p}机器太响了
{p}噪音扰民
"""),
    x1=L("""
白天还好，晚上静下来特别明显
去厂里说过，说是设备得一直开着
#cooling:新换的机组比以前更响
"""),
    x3=L("""
夜间尤为明显
经沟通未整改
"""),
    i1=L("""
整晚上睡不着觉，头疼
孩子睡眠不好
"""),
    i3=L("""
影响周边居民休息
"""),
)

# --------------------------------------------------------------------------- streets
scen(
    "garbage", mt="garbage_collection", topic="垃圾未清运", kinds="cvmr", size="small", tempo="chronic",
    hours="day", scope="place", formal=False, inspector=True, recur=True, pre=(1, 8), subs=["bins", "debris"],
    fix=L("""
清运
安排车来拉走
加大清运频次
"""),
    c1=L("""
#bins:{p}的垃圾桶都满了往外溢，好几天没人来收
#bins:{p}垃圾堆得像小山一样，臭味老远就能闻到
#bins:{p}的垃圾箱{dur}没清运了，野猫野狗扒得满地都是
#bins:v|{p}的垃圾池满了，也没人来拉
#bins:{p}垃圾没人收，风一刮塑料袋满天飞
#debris:{p}路边有人倒了一大堆建筑垃圾，一直没人清
#debris:{p}不知道谁家装修把废料全倒在这了
"""),
    c3=L("""
#bins:{p}垃圾未及时清运，垃圾桶满溢
#bins:{p}垃圾堆积，异味较大
#bins:v|{p}垃圾池满溢，长期未清运
#debris:{p}有建筑垃圾随意堆放
"""),
    s=L("""
#bins:{p}垃圾没人收
#bins:{p}垃圾堆成山了
#bins:{p}的垃圾桶满了
#debris:{p}建筑垃圾没人清
"""),
    x1=L("""
#bins:以前两天收一次，最近不知道怎么回事
#bins:跟保洁说了，他说车坏了
#debris:看着像是晚上偷偷倒的
"""),
    x3=L("""
#bins:环卫车辆未按时清运
周边环境脏乱
"""),
    i1=L("""
下楼扔垃圾都没地方扔
臭得不敢开窗
"""),
    i3=L("""
影响周边环境卫生
"""),
)

scen(
    "pothole", mt="road_damage", topic="路面坑洼", kinds="rv", size="small", tempo="chronic", hours="day",
    scope="place", formal=False, inspector=True, pre=(2, 30),
    fix=L("""
补一下
修修路
先设个警示牌
"""),
    c1=L("""
{p}路面有个大坑，晚上看不见，好几个骑电动车的都摔了
{p}的路坑坑洼洼的，开车过去底盘直响
{p}路面塌了一块，坑里全是水
{p}马路上有个坑越来越大，下过雨看不出深浅
v|{p}的村道坏得不成样子，全是坑
v|{p}村里的水泥路压碎了，一下雨全是泥
"""),
    c3=L("""
{p}路面破损，有较大坑洼
{p}路面塌陷，存在安全隐患
{p}道路坑洼不平，影响车辆通行
v|{p}村道破损严重
"""),
    s=L("""
{p}路上有个大坑
{p}路面塌了
{p}的坑啥时候补
"""),
    x1=L("""
旁边就是学校，来回的孩子多
已经有人在坑里插了根树枝提醒
坑大概有一米多宽
"""),
    x3=L("""
坑槽直径约1米
周边有群众自行设置警示物
"""),
    i1=L("""
昨天我骑车差点摔了
车胎都颠坏了
"""),
    i3=L("""
影响车辆和行人通行安全
"""),
)

scen(
    "manhole", mt="manhole_covers", topic="井盖缺失", kinds="rc", size="medium", tempo="burst", hours="day",
    scope="place", formal=False, inspector=True, recur=True, subs=["missing", "broken", "sunk"],
    fix=L("""
补个井盖
赶紧处理
先围起来
"""),
    c1=L("""
#missing:{p}有个井盖没了，黑乎乎一个大窟窿
#missing:{p}井盖丢了，就拿几块砖头挡着
#missing:{p}的下水井没有盖，旁边连个警示都没有
#broken:{p}的井盖碎了，一踩就晃
#broken:{p}的井盖裂了好几道缝，缺了一个角
#sunk:{p}的井盖往下陷，车过去哐当一声
#sunk:{p}井盖比路面低了一大截，开车过去咯噔一下
"""),
    c3=L("""
#missing:{p}井盖缺失，存在安全隐患
#missing:{p}窨井无盖，未设警示
#broken:{p}井盖破损，存在坠落隐患
#sunk:{p}井盖沉陷，车辆通行时有异响
"""),
    s=L("""
#missing:{p}井盖没了！
#missing:{p}有个窟窿，井盖丢了
#broken:{p}井盖坏了，很危险
#sunk:{p}井盖陷下去了
"""),
    x1=L("""
晚上路灯暗，根本看不清
#missing:有个小孩差点掉进去
我拿了个路锥先放上了
"""),
    x3=L("""
已临时设置警示
现场无警示标志
"""),
    i1=L("""
天黑了掉进去人就完了
来来往往的老人孩子多
"""),
    i3=L("""
存在人员坠落风险
"""),
)

scen(
    "street_light", mt="street_lights", topic="路灯不亮", kinds="rvc", size="small", tempo="chronic",
    hours="evening", scope="place", formal=False, inspector=True, recur=True, pre=(2, 30),
    fix=L("""
修修路灯
派人看看线路
"""),
    c1=L("""
{p}的路灯全不亮了，晚上黑漆漆的
{p}一整排路灯坏了{dur}了
{p}路灯白天亮着，晚上反而不亮
{p}这段路没有一盏灯是亮的，走夜路心里发毛
v|{p}村里的太阳能路灯早就不亮了
"""),
    c3=L("""
{p}路灯不亮
{p}路灯损坏，夜间照明缺失
{p}路灯昼亮夜不亮
"""),
    s=L("""
{p}路灯坏了
{p}路灯不亮
{p}黑灯瞎火的，路灯啥时候修
"""),
    x1=L("""
晚上下班从这过，黑得啥也看不见
前面还是个急转弯
之前修过一回，没几天又不亮了
"""),
    x3=L("""
约有{n}盏路灯不亮
夜间通行存在安全隐患
"""),
    i1=L("""
晚上接孩子放学心里不踏实
老人晚上出来散步摔倒了
"""),
    i3=L("""
影响居民夜间出行
"""),
)

scen(
    "traffic_light", mt="traffic_signals", topic="红绿灯故障", kinds="r", size="small", tempo="burst",
    hours="day", scope="place", formal=False, inspector=True, subs=["broken", "timing", "zebra"], cross=True,
    fix=L("""
#broken:修一下红绿灯
#broken:派交警来疏导
#timing:调一下信号灯时间
#timing:延长一下绿灯时间
#zebra:重新画一下线
#zebra:把斑马线重新施划
"""),
    c1=L("""
#broken:{p}的红绿灯坏了，四个方向都是黄灯闪
#broken:{p}的信号灯不亮了，车和人都乱走
#timing:{p}红绿灯时间太短了，老人过马路走到一半就变灯了
#timing:{p}的左转灯只有十秒，一次过不去几辆车
#zebra:{p}的斑马线都磨没了，开车的根本不让人
"""),
    c3=L("""
#broken:{p}交通信号灯故障
#broken:{p}信号灯不亮，路口通行秩序混乱
#timing:{p}人行横道信号灯时间过短
#timing:{p}左转信号时长不足，车辆拥堵
#zebra:{p}斑马线标线磨损严重
"""),
    s=L("""
#broken:{p}红绿灯坏了
#broken:{p}信号灯不亮
#timing:{p}红绿灯时间太短
#zebra:{p}斑马线看不见了
"""),
    x1=L("""
上下班高峰特别乱
刚才差点撞上
旁边就是学校
"""),
    x3=L("""
高峰时段通行混乱
"""),
    i1=L("""
太危险了
接送孩子提心吊胆
"""),
    i3=L("""
存在交通安全隐患
"""),
)

scen(
    "vending", mt="street_vending", topic="占道经营", kinds="rmh", size="small", tempo="chronic",
    hours="day", scope="place", formal=False, inspector=True, pre=(3, 40), subs=["stalls", "bbq"],
    fix=L("""
管一管
清理一下
规范一下摆摊
"""),
    c1=L("""
#stalls:{p}门口流动摊贩把路都占了，车都过不去
#stalls:{p}一到下午就有人摆摊卖菜，人行道上走不了人
#stalls:{p}卖水果的三轮车天天停在路中间
#bbq:{p}晚上好几个烧烤摊把人行道全占了，烟熏火燎的
#bbq:{p}路边的烧烤摊一直摆到半夜，油烟往楼上飘
"""),
    c3=L("""
#stalls:{p}流动摊贩占道经营
#stalls:{p}有商户出店经营，占用人行道
#bbq:{p}夜间烧烤摊占道经营，油烟扰民
"""),
    s=L("""
{p}占道经营
#stalls:{p}摆摊的把路占了
#bbq:{p}烧烤摊占道
"""),
    x1=L("""
城管来了就跑，走了又回来
地上扔得到处是垃圾
放学的时候人最多
"""),
    x3=L("""
多次劝离后反复
"""),
    i1=L("""
推着婴儿车都过不去
差点和电动车撞上
"""),
    i3=L("""
影响通行
"""),
)

scen(
    "illegal_parking", mt="illegal_parking", topic="违章停车", kinds="rsch", size="small", tempo="chronic",
    hours="day", scope="place", formal=False, inspector=True, pre=(0, 20), subs=["blocking", "sidewalk", "repair"],
    fix=L("""
贴罚单
叫交警来处理
拖走
"""),
    c1=L("""
#blocking:{p}门口有辆车停了一上午，把路全堵死了
#blocking:{p}有车天天堵在门口，出不去也进不来
#sidewalk:{p}人行道上停满了车，行人只能走马路中间
#sidewalk:{p}路边双排停车，公交车都过不去
#repair:s|{p}把车都摆在马路上修
#repair:s|{p}天天在路边喷漆修车，占了半条道
"""),
    c3=L("""
#blocking:{p}车辆违规停放，堵塞通道
#blocking:{p}有车辆长期堵塞居民出入口
#sidewalk:{p}机动车占用人行道停放
#repair:s|{p}占道停放待修车辆
"""),
    s=L("""
#blocking:{p}有车堵门口了
#sidewalk:{p}车停人行道上
{p}乱停车
"""),
    x1=L("""
打挪车电话也不接
车上连个电话都没留
已经好几天了
"""),
    x3=L("""
车主联系不上
长期存在
"""),
    i1=L("""
家里老人要去医院，车开不出来
孩子上学得绕着走
"""),
    i3=L("""
影响居民出行
"""),
)

scen(
    "zombie_car", mt="illegal_parking", topic="僵尸车", kinds="rc", size="small", tempo="chronic", hours="day",
    scope="place", formal=False, inspector=True, pre=(60, 400), subs=["van", "sedan", "noplate"],
    fix=L("""
拖走
查一查车主
清理掉
"""),
    c1=L("""
#van:{p}有辆白色面包车停了大半年，轮胎都瘪了，落满了灰
#van:{p}那辆白面包车{dur}没挪过窝了
#sedan:{p}路边一辆破旧的黑色轿车一年多没动过，占着车位
#sedan:{p}停了辆旧轿车，车窗碎了，好久没人开
#noplate:{p}有辆没牌照的旧车扔在那好久了，里面堆满杂物
#noplate:{p}有辆无牌的破三轮汽车一直扔在那
"""),
    c3=L("""
{p}有长期停放的“僵尸车”，占用公共车位
#van:{p}一辆白色面包车长期停放，疑似废弃
#noplate:{p}有无牌报废车辆长期停放
"""),
    s=L("""
{p}有辆僵尸车
{p}的僵尸车啥时候拖走
"""),
    x1=L("""
车窗都碎了
车位本来就紧张
底下全是垃圾
"""),
    x3=L("""
车辆积灰严重，轮胎亏气
"""),
    i1=L("""
孩子们在旁边玩，怕不安全
下班回来找不到车位
"""),
    i3=L("""
占用公共资源
"""),
)

scen(
    "small_ads", mt="city_appearance", topic="小广告", kinds="rc", size="small", tempo="chronic", hours="day",
    scope="place", formal=False, inspector=True, pre=(5, 60), subs=["posters", "spray"],
    fix=L("""
清理一下
查查是谁贴的
"""),
    c1=L("""
#posters:{p}电线杆和墙上贴满了小广告，办证的、开锁的到处都是
#posters:{p}天天被人贴小广告，撕了又贴
#spray:{p}有人在墙上用油漆喷电话号码，难看死了
#spray:{p}的墙上喷满了“办证”“通下水道”的号码
"""),
    c3=L("""
#posters:{p}乱贴小广告现象严重
#spray:{p}墙面有喷涂的小广告
"""),
    s=L("""
{p}小广告太多了
{p}墙上的牛皮癣有人管吗
"""),
    x1=L("""
刚刷的墙又给弄脏了
晚上有人专门来贴
"""),
    x3=L("""
清理后反复出现
"""),
    i1=L("""
太影响市容了
看着就心烦
"""),
    i3=L("""
影响市容
"""),
)

scen(
    "snow_ice", mt="road_damage", topic="积雪结冰", kinds="rc", size="medium", tempo="burst", hours="day",
    scope="place", formal=False, inspector=True, season="snow",
    fix=L("""
清清雪
撒点融雪剂
派人来扫一扫
"""),
    c1=L("""
{p}下雪以后一直没人扫，路面结了厚厚一层冰
{p}的人行道全是冰，今天早上好几个人摔了
{p}坡道上的雪压成了冰，车上不去
{p}下雪{dur}了，这段路还是没人清
"""),
    c3=L("""
{p}路面积雪未清理，结冰严重
{p}人行道结冰，行人滑倒
{p}坡道积雪结冰，车辆通行困难
"""),
    s=L("""
{p}路面结冰了
{p}的雪啥时候扫
"""),
    x1=L("""
主路都扫了，就这段没人管
旁边的商户只扫自己门口
撒点盐也行啊
"""),
    x3=L("""
主干道已清理，该路段未清
"""),
    i1=L("""
我妈早上买菜摔了一跤
孩子上学太危险
"""),
    i3=L("""
存在滑倒、交通事故隐患
"""),
)

scen(
    "tree_branch", mt="greening", topic="树木隐患", kinds="rc", size="small", tempo="burst", hours="day",
    scope="place", formal=False, inspector=True, subs=["broken", "dead", "overgrown"],
    fix=L("""
#overgrown:修剪一下
#broken:把断枝清掉
#dead:把枯树伐掉
来看看
"""),
    c1=L("""
#broken:{p}有棵大树的树枝断了，挂在半空中摇摇晃晃
#broken:{p}的大树被风刮断了一根大枝子，耷拉在电线上
#dead:{p}有棵枯树歪着，感觉风一大就要倒
#dead:{p}有棵树早就死了，树干都空了，斜着冲着马路
#overgrown:{p}的树枝长得太长，把路灯和红绿灯都挡住了
#overgrown:{p}行道树的树枝都伸进我家窗户里了
"""),
    c3=L("""
#broken:{p}树木断枝悬挂，存在坠落隐患
#dead:{p}有枯树倾斜，存在倒伏隐患
#overgrown:{p}树枝遮挡照明及信号灯
"""),
    s=L("""
#broken:{p}树枝要掉下来了
#dead:{p}枯树要倒了
#overgrown:{p}树枝太长了该剪了
"""),
    x1=L("""
#broken:前两天刮大风刮断的
下面天天有人走
"""),
    x3=L("""
下方为人行道
"""),
    i1=L("""
砸着人砸着车都不好
家里白天都见不着太阳
"""),
    i3=L("""
存在安全隐患
"""),
)

scen(
    "roadworks", mt="roadworks", topic="道路施工", kinds="r", size="medium", tempo="chronic", hours="day",
    scope="place", formal=False, inspector=True, pre=(5, 60), subs=["slow", "closure", "unfenced"],
    fix=L("""
#slow:加快施工
#slow:给个完工时间
#closure:提前公告封路信息
#closure:设置绕行指示
#unfenced:把围挡设起来
#unfenced:设置警示标志
"""),
    c1=L("""
#slow:{p}修路挖了{dur}了，到现在还没修好，也没见人干活
#slow:{p}管道施工把路挖得稀烂，一下雨全是泥
#closure:{p}突然封路了，一点通知都没有，绕了一大圈
#closure:{p}封路也不在路口提前立个牌子，开进去才知道过不去
#unfenced:{p}施工挖开的沟也不围挡，晚上黑乎乎的很危险
"""),
    c3=L("""
#slow:{p}道路施工进度缓慢，长期占道
#closure:{p}道路封闭未提前公告
#unfenced:{p}施工现场未设置围挡和警示
"""),
    s=L("""
#slow:{p}修路修到啥时候
#closure:{p}封路也不通知
#unfenced:{p}挖的沟没围挡
"""),
    x1=L("""
家门口就是施工的地方，车开不进去
施工的人隔三差五才来一次
"""),
    x3=L("""
现场无人施工
"""),
    i1=L("""
老人孩子出门太不方便了
店里的生意都没法做了
"""),
    i3=L("""
影响周边居民和商户出行
"""),
)

scen(
    "bus_service", mt="bus_service", topic="公交服务", kinds="r", size="medium", tempo="chronic", hours="day",
    scope="place", formal=False, inspector=False, pre=(3, 30), subs=["late", "skip", "stop"],
    fix=L("""
#late:管一管
#late:按时发车
#skip:管一管司机
#skip:要求进站停靠
#stop:修一下站牌
#stop:修复候车亭
"""),
    c1=L("""
#late:{p}站的{route}公交车老是不按点，等了四十多分钟都不来
#late:{route}末班车提前走了，我们在{p}站等了半天
#skip:{route}公交车到{p}站经常不停，招手都不停
#skip:{route}公交车到{p}站经常过站不停，只能追着车跑
#stop:{p}公交站的站牌没了，候车亭也坏了
#stop:{p}公交站候车亭的玻璃碎了一地，好几天没人管
"""),
    c3=L("""
#late:{route}公交车在{p}站不按时到站，候车时间过长
#late:{route}末班车提前发车
#skip:{route}公交车到{p}站不停靠
#stop:{p}公交站站牌缺失、候车亭损坏
"""),
    s=L("""
#late:{route}公交车啥时候来？{p}等了一个小时
#skip:{route}又不停站，{p}
#stop:{p}公交站牌没了
"""),
    x1=L("""
天这么冷，在站台上冻透了
问调度电话没人接
这个月好几回了
"""),
    x3=L("""
近期多次发生
"""),
    i1=L("""
上班都迟到了
学生放学回不了家
"""),
    i3=L("""
影响群众出行
"""),
)

scen(
    "school_traffic", mt="school_safety", topic="校门口安全", kinds="h", size="medium", tempo="chronic",
    hours="day", scope="place", formal=False, inspector=False, pre=(5, 60), subs=["jam", "speed", "snacks"],
    fix=L("""
#jam:在放学时段派人疏导
#jam:规范一下接送车辆停放
#speed:装个减速带
#speed:设置限速标志
#snacks:清理校门口的摊点
#snacks:查一查这些三无食品
"""),
    c1=L("""
#jam:{p}门口上学放学的时候堵得水泄不通，家长的车乱停
#jam:{p}一放学接孩子的车把路全堵了，救护车都过不去
#speed:{p}门口没有减速带，车开得飞快，孩子过马路太危险
#speed:{p}门前那段路大货车开得特别快，前两天差点撞着学生
#snacks:{p}放学的时候校门口全是小摊，卖的都是三无零食
"""),
    c3=L("""
#jam:{p}上下学时段交通拥堵，车辆乱停
#speed:{p}校门口路段车速过快，未设减速设施
#snacks:{p}校门口流动摊点销售三无食品
"""),
    s=L("""
#jam:{p}放学太堵了
#speed:{p}门口车太快
#snacks:{p}门口的小摊卖三无零食
"""),
    x1=L("""
学校说校外的事不归他们管
天天都这样
"""),
    x3=L("""
上下学时段尤为突出
"""),
    i1=L("""
孩子安全最要紧
当家长的天天提心吊胆
"""),
    i3=L("""
存在学生安全隐患
"""),
)

# --------------------------------------------------------------------------- business
scen(
    "food_safety", mt="food_safety", topic="食品安全", kinds="s", size="small", tempo="chronic", hours="day",
    scope="place", formal=False, inspector=False, pre=(0, 5), shop="food", subs=["foreign", "dirty", "expired"],
    fix=L("""
查一查
依法处理
让商家给个说法
"""),
    c1=L("""
#foreign:在{p}吃饭吃出了一根头发和一只虫子，老板还不承认
#foreign:{p}的菜里有虫子，拍了照片老板还不认账
#dirty:{p}的后厨特别脏，地上全是油污，老鼠乱窜
#dirty:{p}用的油黑乎乎的，吃完肚子不舒服
#expired:{p}卖的熟食过期了，日期都改过
#expired:在{p}买的牛奶过期一个多月了还在卖
"""),
    c3=L("""
#foreign:{p}餐食中有异物，商家拒绝处理
#dirty:{p}后厨卫生条件差
#expired:{p}销售过期食品
"""),
    s=L("""
#dirty:{p}卫生太差
#expired:{p}卖过期食品
#foreign:{p}菜里有虫子
"""),
    x1=L("""
我拍了照片，留了小票
问老板要说法，他说爱告哪告哪
不止我一个人遇到
"""),
    x3=L("""
消费者已保存照片和票据
"""),
    i1=L("""
孩子吃了以后一直拉肚子
以后谁还敢去
"""),
    i3=L("""
存在食品安全隐患
"""),
)

scen(
    "prepaid_card", mt="consumer_rights", fix3=["督促商家退还余额", "查处商家", "协调退款"], topic="预付卡跑路", kinds="s", size="big", tempo="chronic",
    hours="day", scope="place", formal=True, inspector=False, pre=(1, 12), shop="prepaid",
    fix=L("""
帮我们把钱要回来
查一查这个老板
给个说法
"""),
    c1=L("""
在{p}办了会员卡，充了{amt}，现在突然关门了，人也联系不上
{p}关门跑路了，我卡里还有{amt}没用完
{p}门上贴了个“装修暂停营业”，都{dur}了也没开门，老板电话关机
去年在{p}办的年卡，才用了几次就不开了
{p}说是搬新地方，结果新地方根本就没有店
"""),
    c3=L("""
{p}停业，预付卡余额无法退还，涉及会员约{n}人
来电人在{p}办理预付卡，充值{amt}，现商家关门
{p}负责人失联，会员预付款无法退还
{p}以装修为由停业{dur}，未退还会员余额
"""),
    s=L("""
{p}跑路了！卡里的钱怎么办
{p}关门了，退钱！
"""),
    x1=L("""
会员群里已经有一百多人了
关门前几天还在拼命推销办卡
店里的东西都搬空了
"""),
    x3=L("""
会员群人数已逾百人
关门前仍在推销办卡
"""),
    i1=L("""
这是我好几个月攒下来的钱
给老人办的卡，老人急得睡不着
"""),
    i3=L("""
涉及人数较多
"""),
)

scen(
    "training_closed", mt="off_campus_training", topic="培训机构停课", kinds="s", size="big", tempo="chronic",
    hours="day", scope="place", formal=True, inspector=False, pre=(1, 10), shop="training",
    fix=L("""
帮忙退费
查一查这个机构
督促退钱
"""),
    c1=L("""
{p}突然停课了，孩子交的{amt}学费退不了
给孩子在{p}报了一年的课，上了没几节就关门了
{p}的校长联系不上，家长群里都炸锅了
{p}说是老师离职了停课，可是学费一直不退
"""),
    c3=L("""
{p}停课，预收学费未退，涉及学员约{n}人
{p}负责人失联，家长无法退费
{p}以师资原因停课，拒不退费
"""),
    s=L("""
{p}停课不退费
{p}跑路了，学费怎么办
"""),
    x1=L("""
交钱的时候说随时可以退
门口贴了张停课通知就没人了
跟我一样的家长有好几十个
"""),
    x3=L("""
家长已自发建群维权
门口张贴停课通知
"""),
    i1=L("""
孩子天天问什么时候上课
这钱是孩子一年的学费
"""),
    i3=L("""
涉及学生家长较多
"""),
)

scen(
    "wage_arrears", mt="wage_arrears", fix3=["督促支付拖欠工资", "协调解决欠薪问题", "帮助追讨工资"], topic="拖欠工资", kinds="tf", size="big", tempo="chronic", hours="day",
    scope="place", formal=True, inspector=False, pre=(20, 120),
    fix=L("""
帮我们要回工资
督促老板发工资
给我们做主
"""),
    c1=L("""
我在{p}干活，{boss}欠了我{amt}工钱，到现在一直拖着不给
{p}拖欠我们农民工工资，{months}的工资都没发
我们{nn}来个人在{p}干了大半年，年底了工资一分没拿到
t|{p}的{boss}说工程款没下来，就是不给我们发工资
f|{p}的{boss}说厂里资金紧张，就是不给我们发工资
在{p}做{job}，{months}没发工资了，找老板，老板躲着不见
{p}欠薪，我的{amt}到现在没给，家里等着钱过年
"""),
    c3=L("""
{p}拖欠务工人员工资，涉及约{n}人
来电人在{p}务工，被拖欠工资{amt}
{p}拖欠{months}工资，负责人{boss}推诿
{p}欠薪，工人多次讨要未果
"""),
    s=L("""
{p}欠我们工资不给
{p}欠薪！{months}没发了
讨薪：{p}
"""),
    x1=L("""
当时没签合同，只有工头记的账
手里有考勤记录
找了劳动监察，说让等着
老板电话打不通了
"""),
    x3=L("""
未签订劳动合同
持有工时记录
负责人联系不上
"""),
    i1=L("""
家里还有老人要看病
孩子学费还等着交
眼看要过年了，回家都没路费
"""),
    i3=L("""
务工人员生活困难
"""),
)

scen(
    "fishing_crew_wage", mt="fishing_crew_wages", fix3=["督促船东支付船员工资", "协调解决工资纠纷"], topic="船员工资", kinds="g", size="medium", tempo="chronic",
    hours="day", scope="place", formal=True, inspector=False, pre=(20, 120),
    fix=L("""
帮我们要工钱
给我们做主
"""),
    c1=L("""
在{p}的{boat}上干了一个渔季，船老大欠了{amt}工钱不给
{p}{boat}的船老大不给我们船员结账，拖了{dur}了
我们几个在{boat}上出海的，工资一直没结，船老板说鱼没卖上价
{p}的船东欠我们出海工资，说等年底，年底了也不给
"""),
    c3=L("""
{p}{boat}船东拖欠船员工资{amt}
{p}渔船船员工资纠纷，涉及船员{n}人
{boat}船老大以收成不好为由拒付工资
"""),
    s=L("""
{boat}船老大欠工资
船员讨薪，{p}{boat}
"""),
    x1=L("""
上船前说好一个月九千
没签合同，就口头说的
船老大现在都不接电话了
"""),
    x3=L("""
未签订书面合同
"""),
    i1=L("""
家里等着这钱过年
孩子上学等钱用
"""),
    i3=L("""
船员生活困难
"""),
)

# --------------------------------------------------------------------------- environment, rural
scen(
    "seafood_odour", mt="seafood_processing_odour", topic="水产加工异味", kinds="f", size="big",
    tempo="chronic", hours="any", scope="place", formal=True, inspector=False, recur=True, pre=(5, 400),
    factory="smelly",
    fix=L("""
彻底查一查
让他们上除臭设备
关停整改
"""),
    c1=L("""
{p}一开工就臭得不行，整个村子都是腥臭味
{p}天天往外排那个腥臭味，熏得人头疼恶心
{p}晚上偷偷生产，半夜臭味飘过来，关着窗户都挡不住
{p}的味儿太大了，衣服晾在外面都是一股鱼腥味
住在{home}，{p}的臭味一刮北风就飘过来
{p}又开始晚上加班干了，那味道熏得人睡不着
"""),
    c3=L("""
{p}生产时产生腥臭异味，影响周边村民
{p}夜间生产，异味扰民
{p}加工时异味较大，周边居民反映强烈
{p}加工过程中散发刺鼻异味
"""),
    s=L("""
{p}又臭了！
{p}的味太大了，有人管没
臭死了，{p}
"""),
    x1=L("""
说了好几年了，一直没解决
白天不干晚上干，就是躲检查
他们家的废水也直接往沟里排
环保来查的时候就停，一走又开
"""),
    x3=L("""
白天停产夜间生产
多年反复投诉
疑似废水未经处理排放
"""),
    i1=L("""
孩子老是恶心不想吃饭
窗户都不敢开
家里老人本来就有哮喘
"""),
    i3=L("""
周边群众意见较大
"""),
)

scen(
    "sewage", mt="water_pollution", topic="污水直排", kinds="fv", size="medium", tempo="chronic", hours="day",
    scope="place", formal=True, inspector=False, pre=(3, 60),
    fix=L("""
查一查
取样检测
依法处罚
"""),
    c1=L("""
f|{p}往海里偷排污水，海边的水都变色了
f|{p}排出来的水又黑又臭，顺着沟流进海里
f|{p}的污水管直通海边，晚上排得最厉害
{p}附近河沟里的水发黑，还漂着死鱼
v|{p}海边有根管子天天往海里排黑水，不知道是哪个厂的
v|{p}村边的河沟里的水又黑又臭，一直流到海里
"""),
    c3=L("""
f|{p}疑似偷排污水入海
v|{p}海边有不明排污口，疑似偷排污水入海
{p}污水直排沟渠，水体发黑发臭
{p}附近水体出现死鱼
"""),
    s=L("""
f|{p}偷排污水
{p}排污，水都黑了
"""),
    x1=L("""
我们在那养了几十年海带，从来没见过这样
拍了视频
退潮的时候能看见排污口
"""),
    x3=L("""
已留存视频
排污口退潮时可见
"""),
    i1=L("""
海里的养殖都受影响
臭得人受不了
"""),
    i3=L("""
影响周边养殖户和环境
"""),
)

scen(
    "livestock", mt="livestock_pollution", topic="养殖污染", kinds="a", size="medium", tempo="chronic",
    hours="day", scope="place", formal=False, inspector=False, pre=(10, 300),
    fix=L("""
管一管
让他们把粪污处理好
查查他们的手续
"""),
    c1=L("""
{p}的粪就堆在路边，苍蝇成群，臭气熏天
{p}的粪水直接往沟里流，味道太大了
{p}离村里住户太近了，一刮风全是臭味
{p}半夜清粪，拉粪的车一路撒
"""),
    c3=L("""
{p}畜禽粪污随意堆放，异味较大
{p}养殖废水直排沟渠
{p}距居民区过近，异味扰民
"""),
    s=L("""
{p}臭死了
{p}粪污乱堆
"""),
    x1=L("""
夏天更厉害，冬天也受不了
跟老板说了也不听
村里的水井都怕被污染了
"""),
    x3=L("""
粪污未做无害化处理
"""),
    i1=L("""
家里不敢开窗
孩子老是恶心
"""),
    i3=L("""
影响周边村民生活
"""),
)

scen(
    "open_burning", mt="open_burning", topic="露天焚烧", kinds="v", size="small", tempo="event", hours="day",
    scope="place", formal=False, inspector=False, subs=["rubbish", "straw", "hill"],
    fix=L("""
管一管
赶紧来人看看
把火灭了
"""),
    c1=L("""
#rubbish:{p}村头有人烧垃圾，塑料味呛得人喘不上气
#rubbish:{p}有人在沟边烧垃圾，黑烟飘得到处都是
#straw:{p}地里有人烧苞米秸子，浓烟滚滚
#straw:{p}外边地里有人在烧秸秆，烟都飘进村里了
#hill:{p}山边有人烧荒，火挺大的，怕烧到山上
#hill:{p}后山坡上冒烟了，像是有人上坟烧纸引着了草
"""),
    c3=L("""
#rubbish:{p}有人露天焚烧垃圾
#straw:{p}有焚烧秸秆现象，烟雾较大
#hill:{p}山边烧荒，存在火灾隐患
"""),
    s=L("""
#rubbish:{p}有人烧垃圾
#straw:{p}有人烧秸秆
#hill:{p}烧荒了，火挺大
"""),
    x1=L("""
离村里的房子不远
风一吹烟都进屋了
"""),
    x3=L("""
现场有明火
"""),
    i1=L("""
家里老人咳嗽得厉害
这天干物燥的太危险
"""),
    i3=L("""
存在火灾隐患
"""),
)

scen(
    "village_affairs", mt="village_affairs_transparency", fix3=["核查村级账目", "给予答复", "镇上出面调查处理"], topic="村务公开", kinds="v", size="medium",
    tempo="chronic", hours="day", scope="place", formal=True, inspector=False, pre=(60, 700),
    subs=["accounts", "dividend", "compensation"],
    fix=L("""
查一查村里的账
给我们一个说法
请镇上出面调查
"""),
    c1=L("""
#accounts:{p}的村账好几年没公开了，村民想看看都不让
#accounts:{p}村里把集体的地承包出去了，承包费去哪了谁也不知道
#dividend:{p}今年的分红到现在没发，问村里就说没钱
#dividend:{p}往年年底都发分红，今年一分钱没见
#compensation:{p}占地补偿款到现在没有发到我们手里
#compensation:{p}修路占了我家的地，补偿款说好年内发，到现在一分没见
"""),
    c3=L("""
#accounts:{p}村务、财务长期未公开
#dividend:{p}集体收益分红未按时发放
#compensation:{p}占地补偿款未发放到户
"""),
    s=L("""
#accounts:{p}村账不公开
#dividend:{p}分红没发
#compensation:{p}补偿款没发
"""),
    x1=L("""
找过镇上，镇上说让村里处理
好几十户村民都有意见
我们有联名签字
"""),
    x3=L("""
涉及村民较多
村民已联名
"""),
    i1=L("""
村民心里都不服气
"""),
    i3=L("""
村民意见较大
"""),
)


# --------------------------------------------------------------------------- shared pools
OPENERS = L("""
你好，
您好，
领导好，
反映个问题：
我想反映一下，
麻烦问一下，
有个事想反映，
求助！
您好！
你好，我要投诉，
""")

CLOSERS = L("""
谢谢！
辛苦了。
麻烦尽快。
盼回复。
拜托了
谢谢领导
请尽快处理，谢谢
麻烦了！
""")

ANGRY = L("""
这都第几次了？
到底有没有人管？
真是太气人了！
一直拖着，太不像话了
难道非得出了事才管吗？
""")

ASK1 = L("""
希望尽快{fix}
麻烦相关部门抓紧{fix}
请尽快派人来{fix}
能不能{fix}？
请有关部门{fix}
希望能{fix}
恳请领导帮忙{fix}
""")

ASK3 = L("""
来电人希望尽快{fix}。
诉求：尽快{fix}。
来电人要求相关部门{fix}。
望尽快{fix}。
请相关部门核实处理。
来电人诉求：{fix}。
""")

HOTLINE_PREFIX = L("""
来电人反映：
来电人反映，
市民来电反映：
来电人{name}反映：
来电人称：
来电反映，
{name}来电：
来电人{name}来电反映，
""")

PROVINCIAL_PREFIX = L("""
省12345转办：
【省热线转办】来电人反映，
省长信箱转办：
山东省12345转来：
""")

GRID_PREFIX = L("""
网格员巡查发现：
{comm}网格员上报：
网格员走访时居民反映，
【网格上报】
网格员入户时了解到，
网格员（{grid}）上报：
""")

GRID_ACTION = L("""
已拍照上报。
已告知物业，需相关部门协调处理。
已现场劝导，效果不明显，请求协调。
请相关单位尽快处理。
已做好记录，持续关注。
居民情绪较大，请尽快处置。
""")

INSPECTOR_PREFIX = L("""
巡查发现：
【数字城管】
巡查员上报：
城管巡查：
【案件上报】
""")

INSPECTOR_TAIL = L("""
已拍照取证。
请责任单位处置。
已上报，待派遣。
现场照片已上传。
""")

VISIT_PREFIX = L("""
大走访中，{who}反映：
入户走访时，{who}反映，
走访{place}时，{who}提出：
【大走访】{who}反映，
""")

LETTER_OPEN = L("""
尊敬的领导：您好！
尊敬的市长：
市长您好！
各位领导好，
尊敬的领导：
""")

LETTER_SELF = L("""
c|我是{town}{place}的居民，
c|我是{place}的一名业主，
c|我们是{place}的住户，
v|我是{town}{place}的村民，
v|我们是{place}的村民，
rsfthmgaq|我是住在{place}附近的普通市民，
""")

LETTER_HISTORY = L("""
这个问题已经向社区、物业反映过多次，一直没有解决。
之前打过12345，答复说会处理，可到现在也没有变化。
我们也找过有关部门，都是互相推诿。
""")

LETTER_CLOSE = L("""
恳请领导重视，督促相关部门尽快解决！
望领导在百忙之中给予关注，谢谢！
盼复。
恳请领导为我们老百姓做主！
希望政府能帮帮我们，谢谢！
""")

MEDIA_PREFIX = L("""
《问政荣成》栏目接到群众反映：
网友在抖音发布视频称，
据荣成电视台民生栏目报道，
有网友在本地论坛发帖反映，
记者接到市民爆料：
""")

MEDIA_TAIL = L("""
视频引发不少网友关注。
记者现场看到情况基本属实。
请相关部门回应。
帖子下面不少网友留言有同样遭遇。
""")

WEIBO_PREFIX = L("""
#荣成#
@荣成发布
#荣成民生#
""")

WEIBO_TAIL = L("""
有人管管吗？
！！！
求扩散
@荣成民生 @荣成发布
太难了
""")

REPEAT1 = L("""
我{ago}已经在{prev}上反映过了，到现在还没解决，
这是第二次反映了，
{ago}打过电话了，一直没人来，
之前在{prev}上报过一次，
再次反映：
""")

REPEAT3 = L("""
来电人称已于{ago}通过{prev}反映，未得到处理。
来电人二次反映。
来电人称此前已通过{prev}反映过。
""")

FOLLOWUP1 = L("""
{p}的{topic}问题到现在还没解决，都{dur}了！
再问一下，{p}{topic}的事到底什么时候能处理？
{p}{topic}，{dur}了还是没人管
还是没解决！{p}{topic}
""")

FOLLOWUP3 = L("""
来电人再次反映{p}{topic}问题，称至今未解决。
来电人催办：{p}{topic}问题已{dur}未解决。
{name}再次来电，称{p}{topic}已{dur}，仍未处理。
来电人{name}催办{p}{topic}问题，称已持续{dur}。
""")

# homophones and input-method slips (错别字); applied to a share of citizen-written texts
TYPOS = {
    "已经": ["以经", "己经"],
    "反映": ["反应"],
    "再次": ["在次"],
    "现在": ["现再"],
    "垃圾": ["垃级", "拉圾"],
    "路灯": ["路等"],
    "暖气": ["暖器"],
    "噪音": ["燥音"],
    "凌晨": ["零晨"],
    "楼道": ["楼到"],
    "一直": ["一只"],
    "怎么": ["怎摸"],
    "麻烦": ["马烦"],
    "扰民": ["饶民"],
    "下水道": ["下水到"],
    "施工": ["施公"],
    "物业": ["物叶"],
    "电梯": ["电题"],
    "小区": ["小曲"],
    "处理": ["处里"],
    "解决": ["解绝"],
    "影响": ["映像"],
    "根本": ["跟本"],
    "做饭": ["作饭"],
    "希望": ["希往"],
    "温度": ["问度"],
    "漏水": ["露水"],
    "晚上": ["完上"],
    "井盖": ["井概"],
    "尽快": ["进快", "近快"],
    "部门": ["不们"],
    "停电": ["停点"],
    "工资": ["工姿"],
    "房产证": ["房产正"],
    "清运": ["清云"],
    "渣土车": ["杂土车"],
    "供暖": ["共暖"],
    "通知": ["通治"],
    "师傅": ["师父"],
    "的": ["得"],
    "在": ["再"],
}
