"""Eligibility rules: levels and amounts, promotion, the current and carry-over windows, the deadline."""

import dataclasses
import datetime

import pytest

from applications.models import RewardLevel, SkillLevel
from applications.programme.eligibility import accepting, check_certificate, rules_for, window_of
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db

D = datetime.date
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
TODAY_2022 = D(2022, 12, 10)
OUTSIDE_2022 = "不在本年度（2021年12月1日至2022年11月30日）或补报（2020年12月1日至2021年11月30日）时间范围内。"


def _rewards(campaign, **amounts):
    for order, (code, amount) in enumerate(amounts.items()):
        RewardLevel.objects.create(
            campaign=campaign, level=SkillLevel.objects.get(code=code), amount=amount, sort_order=order
        )
    return campaign


@pytest.fixture
def rules_2022(campaign_2022):
    return rules_for(campaign_2022)


def test_rules_for_reads_the_2022_campaign(rules_2022):
    assert rules_2022.year == 2022
    assert [(level.code, level.amount) for level in rules_2022.rewarded_levels] == [
        ("senior_worker", 500),
        ("technician", 600),
        ("senior_technician", 800),
    ]
    assert rules_2022.level("intermediate_worker").amount is None
    assert rules_2022.level("nonsense") is None
    assert rules_2022.window == (D(2021, 12, 1), D(2022, 11, 30))
    assert rules_2022.carry_over == (D(2020, 12, 1), D(2021, 11, 30))
    assert rules_2022.deadline == datetime.datetime(2022, 12, 15, 23, 59, 59, tzinfo=SHANGHAI)
    assert rules_2022.is_open is False


@pytest.mark.parametrize(
    ("issued", "expected"),
    [
        pytest.param(D(2021, 12, 1), "current", id="window-first-day"),
        pytest.param(D(2022, 11, 30), "current", id="window-last-day"),
        pytest.param(D(2022, 12, 1), None, id="day-after-window"),
        pytest.param(D(2021, 11, 30), "carry_over", id="carry-over-last-day"),
        pytest.param(D(2020, 12, 1), "carry_over", id="carry-over-first-day"),
        pytest.param(D(2020, 11, 30), None, id="day-before-carry-over"),
    ],
)
def test_window_of_includes_both_ends(rules_2022, issued, expected):
    assert window_of(rules_2022, issued) == expected


@pytest.mark.parametrize(
    ("level", "issued", "previous", "applied_last", "expected"),
    [
        pytest.param("technician", D(2021, 12, 1), None, None, (True, 600, "current", "ok"), id="window-first-day"),
        pytest.param("technician", D(2022, 11, 30), None, None, (True, 600, "current", "ok"), id="window-last-day"),
        pytest.param(
            "technician", D(2022, 12, 1), None, None, (False, None, None, "outside_window"), id="day-after-window"
        ),
        pytest.param(
            "technician", D(2021, 11, 30), None, None, (True, 600, "carry_over", "ok"), id="day-before-window"
        ),
        pytest.param(
            "technician", D(2020, 12, 1), None, None, (True, 600, "carry_over", "ok"), id="carry-over-first-day"
        ),
        pytest.param(
            "technician", D(2020, 11, 30), None, None, (False, None, None, "outside_window"), id="day-before-carry-over"
        ),
        pytest.param("senior_worker", D(2022, 3, 1), None, None, (True, 500, "current", "ok"), id="senior-worker-500"),
        pytest.param("technician", D(2022, 3, 1), None, None, (True, 600, "current", "ok"), id="technician-600"),
        pytest.param(
            "senior_technician", D(2022, 3, 1), None, None, (True, 800, "current", "ok"), id="senior-technician-800"
        ),
        pytest.param("nonsense", D(2022, 3, 1), None, None, (False, None, None, "unknown_level"), id="unknown-level"),
        pytest.param(
            "intermediate_worker",
            D(2022, 3, 1),
            None,
            None,
            (False, None, None, "level_not_rewarded"),
            id="level-below-senior-worker",
        ),
        pytest.param(
            "special_technician",
            D(2022, 3, 1),
            None,
            None,
            (False, None, None, "level_not_rewarded"),
            id="level-not-in-2022",
        ),
        pytest.param(
            "technician", D(2022, 3, 1), "senior_worker", None, (True, 600, "current", "ok"), id="previous-lower"
        ),
        pytest.param(
            "senior_worker",
            D(2022, 3, 1),
            "intermediate_worker",
            None,
            (True, 500, "current", "ok"),
            id="previous-intermediate",
        ),
        pytest.param(
            "technician", D(2022, 3, 1), "technician", None, (False, None, None, "not_promoted"), id="previous-equal"
        ),
        pytest.param(
            "technician",
            D(2022, 3, 1),
            "senior_technician",
            None,
            (False, None, None, "not_promoted"),
            id="previous-higher",
        ),
        pytest.param(
            "technician",
            D(2022, 3, 1),
            "nonsense",
            None,
            (False, None, None, "unknown_previous_level"),
            id="previous-unknown",
        ),
        pytest.param(
            "technician",
            D(2021, 6, 1),
            None,
            True,
            (False, None, "carry_over", "applied_last_campaign"),
            id="carry-over-applied-last-campaign",
        ),
        pytest.param(
            "technician", D(2021, 6, 1), None, False, (True, 600, "carry_over", "ok"), id="carry-over-did-not-apply"
        ),
        pytest.param(
            "technician", D(2022, 6, 1), None, True, (True, 600, "current", "ok"), id="current-applied-last-campaign"
        ),
    ],
)
def test_check_certificate_2022(rules_2022, level, issued, previous, applied_last, expected):
    decision = check_certificate(rules_2022, level, issued, previous, applied_last, today=TODAY_2022)
    assert (decision.eligible, decision.amount, decision.window, decision.rule) == expected
    assert decision.level_code == level
    assert decision.reason.endswith("。")


@pytest.mark.parametrize(
    ("issued", "today", "eligible"),
    [
        pytest.param(D(2022, 6, 2), D(2022, 6, 1), False, id="day-after-today"),
        pytest.param(D(2022, 6, 1), D(2022, 6, 1), True, id="today"),
    ],
)
def test_certificate_issued_after_today_is_rejected(rules_2022, issued, today, eligible):
    decision = check_certificate(rules_2022, "technician", issued, today=today)
    assert decision.eligible is eligible
    if not eligible:
        assert decision.rule == "future_date"
        assert decision.reason == "证书发证时间2022年6月2日晚于今天（2022年6月1日），请核对。"


def test_certificate_issued_day_after_window_is_rejected_with_both_ranges(rules_2022):
    decision = check_certificate(rules_2022, "technician", D(2022, 12, 1), today=TODAY_2022)
    assert decision.reason == "证书发证时间2022年12月1日" + OUTSIDE_2022


def test_carry_over_reason_says_only_for_those_who_did_not_apply_last_year(rules_2022):
    eligible = check_certificate(rules_2022, "senior_worker", D(2021, 11, 30), today=TODAY_2022)
    assert eligible.reason == (
        "证书发证时间2021年11月30日在补报（2020年12月1日至2021年11月30日）时间范围内，高级工奖励500元；"
        "补报仅限符合2021年度条件但未在2021年度申报的职工。"
    )
    refused = check_certificate(rules_2022, "senior_worker", D(2021, 11, 30), applied_last_campaign=True)
    assert "已在2021年度申报的不能补报" in refused.reason


def test_promotion_reason_names_both_levels(rules_2022):
    decision = check_certificate(rules_2022, "technician", D(2022, 3, 1), "technician", today=TODAY_2022)
    assert decision.reason == "现晋升的技能等级（技师）须高于原有最高技能等级（技师）。"


def test_unrewarded_level_reason_lists_the_rewarded_levels(rules_2022):
    decision = check_certificate(rules_2022, "intermediate_worker", D(2022, 3, 1), today=TODAY_2022)
    assert decision.reason == "2022年度奖励晋升为高级工、技师、高级技师的职工，中级工不在奖励范围内。"


@pytest.mark.parametrize(
    ("issued", "expected"),
    [
        pytest.param(D(2040, 12, 1), (True, "current", "ok"), id="window-first-day"),
        pytest.param(D(2040, 11, 30), (False, None, "outside_window"), id="day-before-window"),
        pytest.param(D(2039, 12, 1), (False, None, "outside_window"), id="last-year-window"),
    ],
)
def test_campaign_without_carry_over_window(issued, expected):
    campaign = _rewards(CampaignFactory(year=2041, carry_over_start=None, carry_over_end=None), technician=600)
    decision = check_certificate(rules_for(campaign), "technician", issued, today=D(2041, 12, 1))
    assert (decision.eligible, decision.window, decision.rule) == expected
    if not decision.eligible:
        assert "补报" not in decision.reason
        assert decision.reason.endswith("不在本年度（2040年12月1日至2041年11月30日）时间范围内。")


@pytest.mark.parametrize(
    ("level", "previous", "expected"),
    [
        pytest.param("senior_worker", None, (False, None, "level_not_rewarded"), id="senior-worker-dropped"),
        pytest.param("technician", None, (True, 600, "ok"), id="technician-600"),
        pytest.param("senior_technician", None, (True, 800, "ok"), id="senior-technician-800"),
        pytest.param("special_technician", None, (True, 1000, "ok"), id="special-technician-1000"),
        pytest.param("chief_technician", None, (True, 1500, "ok"), id="chief-technician-1500"),
        pytest.param("chief_technician", "special_technician", (True, 1500, "ok"), id="special-to-chief"),
        pytest.param("special_technician", "chief_technician", (False, None, "not_promoted"), id="chief-to-special"),
    ],
)
def test_campaign_with_newer_titles(level, previous, expected):
    campaign = _rewards(
        CampaignFactory(year=2025),
        technician=600,
        senior_technician=800,
        special_technician=1000,
        chief_technician=1500,
    )
    decision = check_certificate(rules_for(campaign), level, D(2025, 3, 1), previous, today=D(2025, 6, 1))
    assert (decision.eligible, decision.amount, decision.rule) == expected
    if level == "senior_worker":
        assert decision.reason == "2025年度奖励晋升为技师、高级技师、特级技师、首席技师的职工，高级工不在奖励范围内。"


@pytest.mark.parametrize(
    ("now", "is_open", "expected"),
    [
        pytest.param(datetime.datetime(2022, 12, 15, 23, 59, 59, tzinfo=SHANGHAI), True, True, id="deadline-second"),
        pytest.param(datetime.datetime(2022, 12, 16, 0, 0, 0, tzinfo=SHANGHAI), True, False, id="second-after"),
        pytest.param(datetime.datetime(2022, 12, 15, 15, 59, 59, tzinfo=datetime.UTC), True, True, id="in-utc"),
        pytest.param(datetime.datetime(2022, 12, 15, 16, 0, 0, tzinfo=datetime.UTC), True, False, id="after-in-utc"),
        pytest.param(datetime.datetime(2022, 12, 15, 23, 59, 59), True, True, id="naive-read-as-beijing"),
        pytest.param(datetime.datetime(2022, 6, 1, 9, 0, tzinfo=SHANGHAI), True, True, id="open-before-deadline"),
        pytest.param(datetime.datetime(2022, 6, 1, 9, 0, tzinfo=SHANGHAI), False, False, id="not-open"),
    ],
)
def test_accepting_until_the_deadline_second(rules_2022, now, is_open, expected):
    assert accepting(dataclasses.replace(rules_2022, is_open=is_open), now).open is expected


@pytest.mark.parametrize(
    ("now", "is_open", "reason"),
    [
        pytest.param(
            datetime.datetime(2022, 12, 16, tzinfo=SHANGHAI),
            True,
            "2022年度申报已于2022年12月15日23:59截止。",
            id="closed",
        ),
        pytest.param(datetime.datetime(2022, 6, 1, tzinfo=SHANGHAI), False, "2022年度申报尚未开放。", id="not-open"),
        pytest.param(
            datetime.datetime(2022, 6, 1, tzinfo=SHANGHAI),
            True,
            "2022年度正在受理申报，截止时间为2022年12月15日23:59。",
            id="open",
        ),
    ],
)
def test_accepting_reasons(rules_2022, now, is_open, reason):
    assert accepting(dataclasses.replace(rules_2022, is_open=is_open), now).reason == reason


def test_the_real_2022_campaign_is_closed(rules_2022):
    assert accepting(rules_2022).open is False
    assert accepting(rules_2022).reason == "2022年度申报已于2022年12月15日23:59截止。"


def test_rule_functions_do_not_query_the_database(rules_2022, django_assert_num_queries):
    with django_assert_num_queries(0):
        check_certificate(rules_2022, "technician", D(2021, 6, 1), "senior_worker", False, today=TODAY_2022)
        accepting(rules_2022)
