"""Demo pipelines and opportunities, each with its history of stage moves.

Every deal is walked through its pipeline from the day it was created: it waits a while
in a stage, then is lost or moves on, until it is won, lost or today is reached (it is
still open). So old deals are mostly closed and recent ones open, conversion falls stage by
stage, and the stage history, `state` and `closed_on` agree with the current stage.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from gridsales.customers.choices import CustomerStatus, CustomerType
from gridsales.demo.history import History, np_rng
from gridsales.demo.plan import Progress
from gridsales.sales.choices import OpportunitySource, StageKind
from gridsales.sales.models import Opportunity, OpportunityStageChange, Pipeline, Stage
from gridsales.sales.pipelines import STANDARD_CODE, STANDARD_STAGES

BULK_BATCH = 1000

# The default pipeline, as the data migration sales/0002_default_pipeline makes it;
# `flush` empties that table too, so the demo puts it back when it is missing.
STANDARD = (STANDARD_CODE, "标准销售流程")
RENEWAL = ("renewal", "续约流程")
RENEWAL_STAGES = [
    (1, "待续约", 30, StageKind.OPEN),
    (2, "续约洽谈", 60, StageKind.OPEN),
    (3, "已续约", 100, StageKind.WON),
    (4, "未续约", 0, StageKind.LOST),
]


@dataclass(frozen=True)
class Flow:
    """How deals move through a pipeline: mean days in each open stage and the chance of
    losing the deal there (otherwise it moves to the next stage; after the last, won)."""

    dwell: tuple[float, ...]
    lose: tuple[float, ...]


FLOWS = {
    STANDARD_CODE: Flow(dwell=(12, 16, 20, 18), lose=(0.25, 0.20, 0.15, 0.20)),
    "renewal": Flow(dwell=(20, 15), lose=(0.08, 0.15)),
}
# Share of the deals with active customers that are renewals.
RENEWAL_SHARE = 0.2

SOLUTIONS = {
    CustomerType.ENTERPRISE: [
        "互联网专线升级项目",
        "SD-WAN 分支组网项目",
        "云主机迁移项目",
        "办公网络改造项目",
        "视频会议系统采购",
        "物联网卡批量采购",
        "网络安全防护项目",
        "5G 专网试点项目",
        "数字化车间改造",
        "AI 智能客服上线",
    ],
    CustomerType.SME: [
        "门店宽带提速",
        "云总机开通",
        "门店监控云存储",
        "企业邮箱采购",
        "办公终端采购",
        "400 电话开通",
    ],
    CustomerType.GOVERNMENT: [
        "政务外网专线项目",
        "视频监控联网项目",
        "智慧社区物联网项目",
        "机房云化改造项目",
        "低空物联网监测试点",
        "数据专线扩容项目",
    ],
    CustomerType.INDIVIDUAL: ["家庭宽带升级", "5G 套餐及终端", "商铺宽带开通"],
}
RENEWALS = ["年度宽带续约", "专线合同续约", "云服务续费", "维保合同续签", "物联网卡续费"]
SOURCES = [
    (OpportunitySource.REFERRAL, 15),
    (OpportunitySource.INBOUND, 20),
    (OpportunitySource.OUTBOUND, 25),
    (OpportunitySource.EVENT, 8),
    (OpportunitySource.CAMPAIGN, 10),
    (OpportunitySource.PARTNER, 7),
    (OpportunitySource.EXISTING, 15),
]
COMPETITORS = ["中国电信", "中国联通", "中国移动", "阿里云", "腾讯云", "华为云", "本地集成商"]
LOSS_REASONS = [
    ("价格高于竞争对手", True),
    ("客户选择了竞争对手的整体方案", True),
    ("竞争对手承诺更短的交付周期", True),
    ("客户预算取消", False),
    ("项目暂停，需求推迟到明年", False),
    ("技术方案不满足客户要求", False),
    ("决策人变动，项目搁置", False),
    ("客户内部自建，不再外采", False),
]
DESCRIPTIONS = [
    "客户有扩容需求，已初步沟通预算。",
    "客户对现有服务商不满意，考虑更换。",
    "年度采购计划内项目，需走招标流程。",
    "老客户推荐，决策链较短。",
    "客户新开分支机构，需要整体网络方案。",
    "",
]
# Median deal size by tier, in yuan.
TIER_AMOUNT = {"A": 250_000, "B": 90_000, "C": 35_000, "D": 12_000}
TIER_WEIGHT = {"A": 4.0, "B": 2.5, "C": 1.2, "D": 0.6}
STATUS_WEIGHT = {
    CustomerStatus.LEAD: 2.0,
    CustomerStatus.PROSPECT: 3.0,
    CustomerStatus.ACTIVE: 1.5,
    CustomerStatus.DORMANT: 0.5,
    CustomerStatus.LOST: 0.3,
}
# Leads and prospects are recent: their deals were opened in the last months.
NEW_CUSTOMER_DAYS = 150


@dataclass
class Deals:
    """What the deal builder wrote, for the activities that work on the deals."""

    ids: np.ndarray
    customer: np.ndarray
    owner: np.ndarray
    created: np.ndarray  # day opened
    ended: np.ndarray  # day closed, or today when still open
    is_open: np.ndarray
    stage_changes: int


def ensure_pipeline(code: str, name: str, stages, *, is_default: bool) -> dict[int, Stage]:
    """The pipeline `code` with its stages by position, created where missing."""
    pipeline, _created = Pipeline.objects.get_or_create(
        code=code, defaults={"name": name, "is_default": is_default}
    )
    existing = {s.position: s for s in pipeline.stages.all()}
    missing = [
        Stage(pipeline=pipeline, position=pos, name=label, probability=prob, kind=kind)
        for pos, label, prob, kind in stages
        if pos not in existing
    ]
    Stage.objects.bulk_create(missing)
    return {s.position: s for s in pipeline.stages.all()}


def build_deals(*, history: History, per_customer: float, seed: int, progress: Progress) -> Deals:
    """The two pipelines, ~per_customer deals per customer and their stage histories."""
    standard = ensure_pipeline(*STANDARD, STANDARD_STAGES, is_default=True)
    renewal = ensure_pipeline(*RENEWAL, RENEWAL_STAGES, is_default=False)
    pipelines = {STANDARD_CODE: standard, "renewal": renewal}
    gen = np_rng(seed, "deals")
    cal = history.calendar
    n = len(history)
    count = round(n * per_customer)
    if n == 0 or count == 0:
        return _empty()
    weight = np.array(
        [TIER_WEIGHT[history.tier[i]] * STATUS_WEIGHT[history.status[i]] for i in range(n)]
    )
    customer = np.sort(gen.choice(n, size=count, p=weight / weight.sum()))
    recent = np.isin(history.status[customer], [CustomerStatus.LEAD, CustomerStatus.PROSPECT])
    earliest = np.maximum(history.created[customer], 0)
    earliest = np.where(recent, np.maximum(earliest, cal.days - NEW_CUSTOMER_DAYS), earliest)
    earliest = np.minimum(earliest, cal.days - 2)
    opened = earliest + (gen.random(count) * (cal.days - 1 - earliest)).astype(np.int64)
    is_renewal = (history.status[customer] == CustomerStatus.ACTIVE) & (
        gen.random(count) < RENEWAL_SHARE
    )
    progress("deals", 0, count)

    deals: list[Opportunity] = []
    moves: list[list[tuple[int, int, int]]] = []  # per deal: (day, minutes, position)
    facts = []
    for k in range(count):
        i, day = int(customer[k]), int(opened[k])
        code = "renewal" if is_renewal[k] else STANDARD_CODE
        stages, flow = pipelines[code], FLOWS[code]
        start = 1 if code == "renewal" or gen.random() < 0.75 else 2
        path = _walk(flow, day, cal.days, gen, start=start)
        final = stages[path[-1][2]]
        owner = history.rep_on(i, day)
        kind = final.kind
        closed_day = path[-1][0] if kind != StageKind.OPEN else None
        reason, competitor = _loss(kind, gen)
        deals.append(
            Opportunity(
                name=_name(history, i, code, gen),
                customer_id=int(history.ids[i]),
                owner_id=owner,
                pipeline_id=final.pipeline_id,
                stage=final,
                state=kind,
                amount=_amount(history.tier[i], gen, renewal=code == "renewal"),
                expected_close=cal.date(day + int(gen.integers(30, 120))),
                source=OpportunitySource.EXISTING if code == "renewal" else _pick(SOURCES, gen),
                competitor=competitor,
                loss_reason=reason,
                description=DESCRIPTIONS[int(gen.integers(len(DESCRIPTIONS)))],
                grid_id=history.grid_on(i, day),
                created_at=cal.at(day, path[0][1]),
                closed_on=cal.date(closed_day) if closed_day is not None else None,
            )
        )
        moves.append(path)
        facts.append((i, owner, day, closed_day if closed_day is not None else cal.days - 1))
    created = Opportunity.objects.bulk_create(deals, batch_size=BULK_BATCH)
    progress("deals", count // 2, count)

    changes = []
    for deal, path in zip(created, moves, strict=True):
        code = "renewal" if deal.pipeline_id == renewal[1].pipeline_id else STANDARD_CODE
        stages = pipelines[code]
        previous = None
        username = history.team.usernames.get(deal.owner_id, "")
        for day, minutes, position in path:
            changes.append(
                OpportunityStageChange(
                    opportunity=deal,
                    from_stage=previous,
                    to_stage=stages[position],
                    changed_at=cal.at(day, minutes),
                    user_id=deal.owner_id,
                    user_name=username,
                )
            )
            previous = stages[position]
    OpportunityStageChange.objects.bulk_create(changes, batch_size=BULK_BATCH)
    progress("deals", count, count)
    cols = list(zip(*facts, strict=True))
    return Deals(
        ids=np.array([d.pk for d in created], dtype=np.int64),
        customer=np.array(cols[0], dtype=np.int64),
        owner=np.array(cols[1], dtype=np.int64),
        created=np.array(cols[2], dtype=np.int64),
        ended=np.array(cols[3], dtype=np.int64),
        is_open=np.array([d.state == StageKind.OPEN for d in created]),
        stage_changes=len(changes),
    )


def _empty() -> Deals:
    none = np.zeros(0, dtype=np.int64)
    return Deals(none, none, none, none, none, np.zeros(0, dtype=bool), 0)


def _walk(flow: Flow, day: int, days: int, gen, *, start: int) -> list[tuple[int, int, int]]:
    """(day, minutes after midnight, stage position) of every move, the creation first.

    Moves happen on working hours of days before today, each at least a day after the
    previous one; a deal whose next move would fall today or later stays open.
    """
    path = [(day, int(gen.integers(9 * 60, 18 * 60)), start)]
    won, lost = len(flow.dwell) + 1, len(flow.dwell) + 2
    position = start
    while position <= len(flow.dwell):
        wait = max(1, round(gen.gamma(2.0, flow.dwell[position - 1] / 2.0)))
        if day + wait >= days - 1:
            break
        day += wait
        if gen.random() < flow.lose[position - 1]:
            position = lost
        else:
            position = position + 1 if position < len(flow.dwell) else won
        path.append((day, int(gen.integers(9 * 60, 19 * 60)), position))
    return path


def _pick(table, gen):
    weights = np.array([w for _, w in table], dtype=float)
    return table[int(gen.choice(len(table), p=weights / weights.sum()))][0]


def _name(history: History, i: int, code: str, gen) -> str:
    options = RENEWALS if code == "renewal" else SOLUTIONS.get(history.type[i], RENEWALS)
    return f"{history.names[i][:60]} · {options[int(gen.integers(len(options)))]}"


def _amount(tier: str, gen, *, renewal: bool) -> Decimal:
    median = TIER_AMOUNT[tier] * (0.6 if renewal else 1.0)
    yuan = max(1000, round(median * float(np.exp(gen.normal(0.0, 0.7))), -2))
    return Decimal(int(yuan)).quantize(Decimal("0.01"))


def _loss(kind: str, gen) -> tuple[str, str]:
    """(loss reason, competitor): a lost deal says why, and names the competitor when
    one won it; an open deal sometimes knows who it is up against."""
    competitor = COMPETITORS[int(gen.integers(len(COMPETITORS)))]
    if kind == StageKind.LOST:
        reason, to_competitor = LOSS_REASONS[int(gen.integers(len(LOSS_REASONS)))]
        return reason, competitor if to_competitor or gen.random() < 0.2 else ""
    if kind == StageKind.OPEN and gen.random() < 0.15:
        return "", competitor
    return "", ""
