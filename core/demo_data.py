"""The demo community: 茶友会, a tea-lovers' club selling through its group owners."""

CATEGORIES = [
    ("绿茶 Green tea", "green"),
    ("红茶 Black tea", "black"),
    ("乌龙 Oolong", "oolong"),
    ("普洱 Pu'er", "puer"),
    ("白茶 White tea", "white"),
    ("茶器 Teaware", "teaware"),
]

# (category slug, title, subtitle, [(sku name, price in fen, stock)])
PRODUCTS = [
    ("green", "明前西湖龙井", "Pre-Qingming Longjing", [("50g 罐装", 16800, 40), ("100g 礼盒", 32800, 25)]),
    ("green", "洞庭碧螺春", "Biluochun", [("50g", 12800, 60)]),
    ("green", "黄山毛峰", "Huangshan Maofeng", [("100g", 9800, 80)]),
    ("green", "六安瓜片", "Lu'an Guapian", [("100g", 11800, 35)]),
    ("green", "信阳毛尖", "Xinyang Maojian", [("100g", 8800, 50)]),
    ("green", "太平猴魁", "Taiping Houkui", [("50g", 19800, 15)]),
    ("green", "安吉白茶", "Anji Baicha", [("50g", 13800, 30)]),
    ("black", "正山小种", "Lapsang Souchong", [("100g", 9900, 70), ("250g", 22800, 20)]),
    ("black", "祁门红茶", "Keemun", [("100g", 10800, 45)]),
    ("black", "滇红金芽", "Dianhong Golden Tips", [("100g", 12800, 40)]),
    ("black", "金骏眉", "Jin Jun Mei", [("50g", 26800, 12)]),
    ("black", "英德红茶", "Yingde Black", [("100g", 7800, 90)]),
    ("black", "宜兴红茶", "Yixing Black", [("100g", 6800, 0)]),
    ("black", "坦洋工夫", "Tanyang Gongfu", [("100g", 8800, 55)]),
    ("oolong", "安溪铁观音", "Tieguanyin", [("125g", 12800, 50), ("250g", 23800, 20)]),
    ("oolong", "武夷大红袍", "Da Hong Pao", [("100g", 18800, 30)]),
    ("oolong", "凤凰单丛 蜜兰香", "Phoenix Dancong", [("100g", 15800, 25)]),
    ("oolong", "冻顶乌龙", "Dongding Oolong", [("150g", 13800, 35)]),
    ("oolong", "东方美人", "Oriental Beauty", [("50g", 16800, 18)]),
    ("oolong", "漳平水仙", "Zhangping Shuixian", [("10 饼", 9800, 40)]),
    ("oolong", "肉桂", "Rougui", [("100g", 17800, 22)]),
    ("puer", "2016 易武古树生饼", "Yiwu raw cake 2016", [("357g", 58800, 10)]),
    ("puer", "2012 勐海熟茶", "Menghai ripe 2012", [("357g", 29800, 20)]),
    ("puer", "班章沱茶", "Banzhang tuocha", [("100g×5", 16800, 30)]),
    ("puer", "冰岛小青柑", "Bingdao citrus pu'er", [("250g", 12800, 45)]),
    ("puer", "布朗山生砖", "Bulang raw brick", [("250g", 9800, 25)]),
    ("puer", "老班章 2018", "Lao Banzhang 2018", [("357g", 128800, 5)]),
    ("puer", "碎银子 茶化石", "Tea 'silver nuggets'", [("200g", 8800, 60)]),
    ("white", "福鼎白毫银针", "Silver Needle", [("100g", 26800, 20)]),
    ("white", "白牡丹", "White Peony", [("100g", 12800, 40)]),
    ("white", "寿眉饼 2017", "Shoumei cake 2017", [("350g", 16800, 30)]),
    ("white", "政和白茶", "Zhenghe white", [("100g", 9800, 35)]),
    ("white", "月光白", "Moonlight White", [("200g", 11800, 25)]),
    ("white", "荒野白茶", "Wild white tea", [("100g", 15800, 0)]),
    ("teaware", "汝窑盖碗", "Ru-kiln gaiwan", [("天青", 16800, 30), ("月白", 16800, 20)]),
    ("teaware", "紫砂西施壶", "Yixing Xishi teapot", [("200ml", 39800, 10)]),
    ("teaware", "玻璃公道杯", "Glass fairness cup", [("250ml", 4800, 100)]),
    ("teaware", "竹制茶盘", "Bamboo tea tray", [("中号", 12800, 25)]),
    ("teaware", "便携旅行茶具", "Travel tea set", [("一壶三杯", 15800, 40)]),
    ("teaware", "建盏 兔毫", "Jian hare's-fur cup", [("单只", 29800, 15)]),
]

DEMO_PASSWORD = "demo12345"

# (login, display name, staff roles, level)
MEMBERS = [
    ("owner@demo.qunshang", "店主 阿茶", ["owner"], "user"),
    ("ops@demo.qunshang", "运营 小周", ["operator"], "user"),
    ("sales@demo.qunshang", "销售 小林", ["salesperson"], "user"),
    ("host@demo.qunshang", "主播 茶茶", ["host"], "user"),
    ("13800000001", "群主 老王", [], "loyal_fan"),
    ("13800000002", "团长 李姐", [], "fan"),
    ("buyer@demo.qunshang", "茶友 小陈", [], "member"),
    ("13800000004", "茶友 Amy", [], "user"),
]

# (owner login, name, description, join policy)
GROUPS = [
    ("13800000001", "老王的普洱茶友群", "每周三晚品鉴普洱，分享存茶心得。Pu'er tasting every Wednesday.", "approval"),
    ("13800000002", "李姐团购群", "社区团购，周五成团，周六自提。Weekly group buy, pickup on Saturdays.", "open"),
    ("host@demo.qunshang", "茶茶直播粉丝群", "直播预告和粉丝专属福利。Live-show alerts and fan perks.", "invite"),
]

# (buyer login, product indexes, how far the order got)
DEMO_ORDERS = [
    ("buyer@demo.qunshang", [0, 14], "completed"),
    ("buyer@demo.qunshang", [22], "shipped"),
    ("13800000002", [7, 36], "paid"),
    ("13800000001", [28], "paid"),
    ("13800000004", [1], "placed"),
]
