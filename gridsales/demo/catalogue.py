"""The demo company's products: what a telecom and IT services branch sells.

Broadband, leased lines, cloud, devices, IoT and value-added services for businesses,
public bodies and households, plus a category of new products (code NEW-PRODUCT, the
example commission plans use) launched during the last year. Each product says how it
sells: typical quantity, and how popular it is with each type of customer.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from gridsales.customers.choices import CustomerType
from gridsales.sales.models import Product, ProductCategory

CATEGORIES = [
    ("BROADBAND", "宽带接入"),
    ("LEASED-LINE", "专线与组网"),
    ("CLOUD", "云服务"),
    ("DEVICE", "终端设备"),
    ("IOT", "物联网"),
    ("VAS", "增值业务"),
    ("NEW-PRODUCT", "新产品"),
]
NEW_CATEGORY = "NEW-PRODUCT"
NEW_PRODUCTS_LAUNCHED_DAYS_AGO = 300


@dataclass(frozen=True)
class ProductPlan:
    """A product and how it sells: typical quantity, quantity step (in thousandths) and
    relative popularity with enterprises, small businesses, public bodies, individuals.
    A `term` product is sold by the month: its quantity is the contract's months (1, 3, 6
    or 12), whatever the customer's size."""

    code: str
    name: str
    category: str
    unit: str
    price: str
    typical: float
    weights: tuple[int, int, int, int]
    step: int = 1000
    term: bool = False


PRODUCTS = [
    ProductPlan(
        "BB-100M", "企业宽带 100M", "BROADBAND", "月", "300.00", 12, (4, 16, 2, 0), term=True
    ),
    ProductPlan(
        "BB-500M", "企业宽带 500M", "BROADBAND", "月", "800.00", 12, (6, 8, 4, 0), term=True
    ),
    ProductPlan(
        "BB-1000M", "企业宽带 1000M", "BROADBAND", "月", "1500.00", 12, (5, 2, 4, 0), term=True
    ),
    ProductPlan(
        "BB-HOME-300M", "家庭宽带 300M（包年）", "BROADBAND", "年", "1080.00", 1, (0, 2, 0, 40)
    ),
    ProductPlan("BB-INSTALL", "宽带安装调试", "BROADBAND", "次", "200.00", 1, (2, 8, 2, 12)),
    ProductPlan(
        "BB-STATIC-IP", "固定公网 IP", "BROADBAND", "个·月", "100.00", 12, (4, 5, 3, 0), term=True
    ),
    ProductPlan(
        "DIA-20M", "互联网专线 20M", "LEASED-LINE", "月", "2000.00", 12, (4, 2, 6, 0), term=True
    ),
    ProductPlan(
        "DIA-100M", "互联网专线 100M", "LEASED-LINE", "月", "5800.00", 12, (4, 0, 6, 0), term=True
    ),
    ProductPlan(
        "MSTP-10M", "数据专线 MSTP 10M", "LEASED-LINE", "月", "3500.00", 12, (3, 0, 8, 0), term=True
    ),
    ProductPlan("SDWAN-SITE", "SD-WAN 组网", "LEASED-LINE", "站点·月", "900.00", 12, (4, 1, 3, 0)),
    ProductPlan("FIBER-WORK", "光缆布线工程", "LEASED-LINE", "米", "35.00", 150, (2, 1, 2, 0)),
    ProductPlan("ECS-STD", "云主机 标准型 4核8G", "CLOUD", "台·月", "420.00", 10, (8, 4, 5, 0)),
    ProductPlan(
        "ECS-PERF", "云主机 高性能型 16核64G", "CLOUD", "台·月", "2100.00", 6, (4, 0, 3, 0)
    ),
    ProductPlan("OSS-TB", "对象存储", "CLOUD", "TB·月", "120.00", 10, (5, 2, 4, 0), 500),
    ProductPlan("RDS-MYSQL", "云数据库 MySQL", "CLOUD", "实例·月", "680.00", 6, (4, 1, 3, 0)),
    ProductPlan("BACKUP-TB", "云备份", "CLOUD", "TB·月", "150.00", 12, (3, 2, 3, 0), 500),
    ProductPlan("MAIL-SEAT", "企业邮箱", "CLOUD", "账号·年", "120.00", 20, (6, 6, 4, 0)),
    ProductPlan("CDN-TB", "CDN 流量包", "CLOUD", "TB", "180.00", 10, (3, 1, 1, 0), 100),
    ProductPlan("RT-ENT", "企业级路由器", "DEVICE", "台", "2680.00", 1, (4, 5, 3, 1)),
    ProductPlan("SW-24G", "千兆交换机 24 口", "DEVICE", "台", "1580.00", 2, (4, 3, 3, 0)),
    ProductPlan("AP-WIFI6", "Wi-Fi 6 无线 AP", "DEVICE", "台", "899.00", 4, (4, 6, 3, 2)),
    ProductPlan("CPE-5G", "5G CPE", "DEVICE", "台", "1299.00", 1, (2, 5, 1, 10)),
    ProductPlan("PHONE-BIZ", "商务手机", "DEVICE", "台", "3999.00", 2, (3, 4, 2, 12)),
    ProductPlan("IPPHONE", "IP 电话机", "DEVICE", "台", "468.00", 5, (3, 3, 3, 0)),
    ProductPlan("VC-TERM", "视频会议终端", "DEVICE", "套", "12800.00", 1, (2, 0, 2, 0)),
    ProductPlan("IOT-SIM", "物联网卡（年包 1GB）", "IOT", "张·年", "48.00", 50, (3, 2, 2, 0)),
    ProductPlan("IOT-METER", "智能电表采集终端", "IOT", "台", "560.00", 20, (2, 1, 3, 0)),
    ProductPlan("IOT-GPS", "车载定位终端", "IOT", "台", "380.00", 15, (2, 2, 1, 0)),
    ProductPlan("IOT-COLD", "冷链温湿度传感器", "IOT", "个", "260.00", 20, (2, 2, 1, 0)),
    ProductPlan("IOT-SMOKE", "独立式烟感探测器", "IOT", "个", "159.00", 30, (2, 3, 3, 1)),
    ProductPlan("IOT-PLATFORM", "物联网连接管理平台", "IOT", "设备·年", "12.00", 100, (2, 0, 1, 0)),
    ProductPlan("VAS-CLOUDPBX", "云总机", "VAS", "座席·月", "60.00", 20, (5, 4, 3, 0)),
    ProductPlan("VAS-400", "400 电话", "VAS", "年", "3600.00", 1, (3, 4, 1, 0)),
    ProductPlan("VAS-CCTV", "视频监控云存储", "VAS", "路·月", "25.00", 32, (3, 6, 3, 4)),
    ProductPlan("VAS-SMS", "企业短信包", "VAS", "万条", "450.00", 2, (3, 4, 2, 0)),
    ProductPlan("VAS-SECURITY", "网络安全防护", "VAS", "年", "9800.00", 1, (3, 1, 4, 0)),
    ProductPlan("VAS-ONSITE", "上门维保服务", "VAS", "次", "300.00", 2, (3, 5, 3, 6)),
    ProductPlan(
        "NEW-5G-SLICE", "5G 专网切片", NEW_CATEGORY, "月", "12000.00", 6, (2, 0, 1, 0), term=True
    ),
    ProductPlan("NEW-GPU", "智算 GPU 算力", NEW_CATEGORY, "卡·时", "18.00", 200, (2, 0, 1, 0)),
    ProductPlan("NEW-AI-AGENT", "AI 智能客服", NEW_CATEGORY, "座席·月", "299.00", 20, (3, 2, 1, 0)),
    ProductPlan("NEW-WORKSHOP", "数字化车间方案", NEW_CATEGORY, "套", "168000.00", 1, (1, 0, 0, 0)),
    ProductPlan("NEW-LOW-ALT", "低空物联网监测", NEW_CATEGORY, "套", "58000.00", 1, (0, 0, 1, 0)),
]
# The column of each customer type in ProductPlan.weights.
TYPE_COLUMN = {
    CustomerType.ENTERPRISE: 0,
    CustomerType.SME: 1,
    CustomerType.GOVERNMENT: 2,
    CustomerType.INDIVIDUAL: 3,
}


@dataclass
class Catalogue:
    """The products as arrays, in PRODUCTS order."""

    ids: np.ndarray
    price_fen: np.ndarray
    typical: np.ndarray
    step: np.ndarray
    is_new: np.ndarray
    term: np.ndarray
    weights: np.ndarray  # (4 customer types, products)


def build_catalogue() -> Catalogue:
    """The product categories and products, with list prices."""
    categories = ProductCategory.objects.bulk_create(
        [ProductCategory(code=code, name=name) for code, name in CATEGORIES]
    )
    by_code = {c.code: c for c in categories}
    products = Product.objects.bulk_create(
        [
            Product(
                code=p.code,
                name=p.name,
                category=by_code[p.category],
                unit=p.unit,
                list_price=Decimal(p.price),
            )
            for p in PRODUCTS
        ]
    )
    return Catalogue(
        ids=np.array([p.pk for p in products], dtype=np.int64),
        price_fen=np.array([int(Decimal(p.price) * 100) for p in PRODUCTS], dtype=np.int64),
        typical=np.array([p.typical for p in PRODUCTS], dtype=float),
        step=np.array([p.step for p in PRODUCTS], dtype=np.int64),
        is_new=np.array([p.category == NEW_CATEGORY for p in PRODUCTS]),
        term=np.array([p.term for p in PRODUCTS]),
        weights=np.array([p.weights for p in PRODUCTS], dtype=float).T,
    )


def draw_products(catalogue: Catalogue, ctype, launched, gen) -> np.ndarray:
    """A product per line, by the customer type's preferences; new products only for
    lines dated after their launch."""
    product = np.empty(len(ctype), dtype=np.int64)
    for t in range(4):
        p = catalogue.weights[t] / catalogue.weights[t].sum()
        old = np.where(catalogue.is_new, 0.0, p)
        for mask, probs in ((launched, p), (~launched, old / old.sum())):
            mine = np.flatnonzero((ctype == t) & mask)
            product[mine] = gen.choice(len(probs), size=len(mine), p=probs)
    return product
