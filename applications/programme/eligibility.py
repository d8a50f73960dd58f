"""Whether a certificate earns a campaign's reward, and whether the campaign takes applications.

`rules_for(campaign)` reads everything a decision needs from the database once; the rule
functions then work on that `Rules` value and plain dates, so a form, the JSON API, a
reviewer screen or a management command all reach the same decision and the same reason.
Reasons are Chinese sentences shown as they are to the applicant and to the reviewer.
"""

import datetime
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
CURRENT = "current"
CARRY_OVER = "carry_over"
Window = Literal["current", "carry_over"]


@dataclass(frozen=True)
class Level:
    """A skill level as a campaign sees it: `amount` is None when the campaign does not reward it."""

    code: str
    name: str
    rank: int
    amount: int | None = None


@dataclass(frozen=True)
class Rules:
    """A campaign's rules as plain values: every skill level (by rank), windows, deadline, open flag."""

    year: int
    levels: tuple[Level, ...]
    window: tuple[datetime.date, datetime.date]
    carry_over: tuple[datetime.date, datetime.date] | None
    deadline: datetime.datetime
    is_open: bool

    def level(self, code: str | None) -> Level | None:
        """The level with this code, rewarded or not; None for an unknown code."""
        return next((level for level in self.levels if level.code == code), None)

    @property
    def rewarded_levels(self) -> tuple[Level, ...]:
        """The levels this campaign rewards, lowest first."""
        return tuple(level for level in self.levels if level.amount is not None)


@dataclass(frozen=True)
class Decision:
    """The answer for one certificate; `rule` names the rule that decided ("ok" when eligible)."""

    eligible: bool
    reason: str
    rule: str
    amount: int | None = None
    window: Window | None = None
    level_code: str | None = None


@dataclass(frozen=True)
class Acceptance:
    """Whether the campaign takes applications at a given moment, and why (or why not)."""

    open: bool
    reason: str


def rules_for(campaign) -> Rules:
    """Read a campaign's rules: its reward levels with amounts, all skill levels, windows, deadline."""
    from applications.models import SkillLevel

    amounts = {reward.level_id: reward.amount for reward in campaign.reward_levels.all()}
    levels = tuple(
        Level(code=skill.code, name=skill.name, rank=skill.rank, amount=amounts.get(skill.pk))
        for skill in SkillLevel.objects.order_by("rank")
    )
    carry_over = (campaign.carry_over_start, campaign.carry_over_end) if campaign.has_carry_over else None
    return Rules(
        year=campaign.year,
        levels=levels,
        window=(campaign.window_start, campaign.window_end),
        carry_over=carry_over,
        deadline=campaign.deadline,
        is_open=campaign.is_open,
    )


def format_date(day: datetime.date) -> str:
    """A date as written in the notice: 2022年12月1日."""
    return f"{day.year}年{day.month}月{day.day}日"


def format_span(span: tuple[datetime.date, datetime.date]) -> str:
    """An inclusive date range: 2021年12月1日至2022年11月30日."""
    return f"{format_date(span[0])}至{format_date(span[1])}"


def window_of(rules: Rules, issued_on: datetime.date) -> Window | None:
    """Which window (both ends inclusive) holds the issue date: "current", "carry_over" or None."""
    if rules.window[0] <= issued_on <= rules.window[1]:
        return CURRENT
    if rules.carry_over and rules.carry_over[0] <= issued_on <= rules.carry_over[1]:
        return CARRY_OVER
    return None


def check_level(rules: Rules, level_code: str, previous_level_code: str | None = None) -> Decision:
    """The new level must be one the campaign rewards and, when a previous level is given, higher than it."""
    level = rules.level(level_code)
    names = "、".join(rewarded.name for rewarded in rules.rewarded_levels)
    if level is None:
        return Decision(False, f"未知的技能等级“{level_code}”。", "unknown_level", level_code=level_code)
    if level.amount is None:
        reason = f"{rules.year}年度奖励晋升为{names}的职工，{level.name}不在奖励范围内。"
        return Decision(False, reason, "level_not_rewarded", level_code=level_code)
    if previous_level_code is not None:
        previous = rules.level(previous_level_code)
        if previous is None:
            reason = f"未知的原有技能等级“{previous_level_code}”。"
            return Decision(False, reason, "unknown_previous_level", level_code=level_code)
        if level.rank <= previous.rank:
            reason = f"现晋升的技能等级（{level.name}）须高于原有最高技能等级（{previous.name}）。"
            return Decision(False, reason, "not_promoted", level_code=level_code)
    return Decision(True, f"{level.name}在奖励范围内，奖励{level.amount}元。", "ok", level.amount, None, level_code)


def check_certificate(
    rules: Rules,
    level_code: str,
    issued_on: datetime.date,
    previous_level_code: str | None = None,
    applied_last_campaign: bool | None = None,
    today: datetime.date | None = None,
) -> Decision:
    """Decide one certificate: level rewarded and higher than before, issue date not in the future and
    inside the current or the carry-over window, and no carry-over for someone who applied last year.

    `previous_level_code` None means no previous level; `applied_last_campaign` None means unknown
    (the self-check), in which case a carry-over certificate is eligible with a reason that says
    so. `today` defaults to today in Beijing time. Returns the first rule that fails, or success.
    """
    by_level = check_level(rules, level_code, previous_level_code)
    if not by_level.eligible:
        return by_level
    today = today or datetime.datetime.now(SHANGHAI).date()
    issued = format_date(issued_on)
    if issued_on > today:
        reason = f"证书发证时间{issued}晚于今天（{format_date(today)}），请核对。"
        return Decision(False, reason, "future_date", level_code=level_code)
    window = window_of(rules, issued_on)
    previous_year = rules.year - 1
    if window is None:
        spans = f"本年度（{format_span(rules.window)}）"
        if rules.carry_over:
            spans += f"或补报（{format_span(rules.carry_over)}）"
        return Decision(False, f"证书发证时间{issued}不在{spans}时间范围内。", "outside_window", level_code=level_code)
    level = rules.level(level_code)
    if window == CURRENT:
        reason = (
            f"证书发证时间{issued}在本年度（{format_span(rules.window)}）时间范围内，{level.name}奖励{level.amount}元。"
        )
        return Decision(True, reason, "ok", level.amount, CURRENT, level_code)
    in_carry_over = f"证书发证时间{issued}在补报（{format_span(rules.carry_over)}）时间范围内"
    if applied_last_campaign:
        reason = (
            f"{in_carry_over}，但补报仅限未在{previous_year}年度申报的职工；已在{previous_year}年度申报的不能补报。"
        )
        return Decision(False, reason, "applied_last_campaign", None, CARRY_OVER, level_code)
    reason = (
        f"{in_carry_over}，{level.name}奖励{level.amount}元；"
        f"补报仅限符合{previous_year}年度条件但未在{previous_year}年度申报的职工。"
    )
    return Decision(True, reason, "ok", level.amount, CARRY_OVER, level_code)


def accepting(rules: Rules, now: datetime.datetime | None = None) -> Acceptance:
    """Whether applications are taken at `now`: the campaign is open and `now` is not after the deadline.

    The deadline second itself still counts. A naive `now` is read as Beijing time.
    """
    now = now or datetime.datetime.now(SHANGHAI)
    if now.tzinfo is None:
        now = now.replace(tzinfo=SHANGHAI)
    deadline = rules.deadline.astimezone(SHANGHAI)
    at = f"{format_date(deadline.date())}{deadline:%H:%M}"
    if now > deadline:
        return Acceptance(False, f"{rules.year}年度申报已于{at}截止。")
    if not rules.is_open:
        return Acceptance(False, f"{rules.year}年度申报尚未开放。")
    return Acceptance(True, f"{rules.year}年度正在受理申报，截止时间为{at}。")
