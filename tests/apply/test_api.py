"""The public JSON self-check `/api/v1/campaigns/<year>/eligibility` (the README's public URLs)."""

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.models import RewardLevel, SkillLevel
from applications.models.campaign import end_of_day
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db

URL_2022 = "/api/v1/campaigns/2022/eligibility"


def _get(client, url=URL_2022, **params):
    response = client.get(url, params)
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return response, json.loads(response.content)


def test_url_name_and_path(campaign_2022):
    assert reverse("eligibility_api", args=[2022]) == URL_2022


@pytest.mark.parametrize(
    ("level", "issued", "expected"),
    [
        pytest.param(
            "technician",
            "2022-03-01",
            {
                "eligible": True,
                "amount": 600,
                "window": "current",
                "reason": "证书发证时间2022年3月1日在本年度（2021年12月1日至2022年11月30日）时间范围内，"
                "技师奖励600元。",
                "open": False,
            },
            id="current-window",
        ),
        pytest.param(
            "senior_worker",
            "2021-11-30",
            {
                "eligible": True,
                "amount": 500,
                "window": "carry_over",
                "reason": "证书发证时间2021年11月30日在补报（2020年12月1日至2021年11月30日）时间范围内，"
                "高级工奖励500元；补报仅限符合2021年度条件但未在2021年度申报的职工。",
                "open": False,
            },
            id="carry-over",
        ),
        pytest.param(
            "senior_technician",
            "2022-12-01",
            {
                "eligible": False,
                "amount": None,
                "window": None,
                "reason": "证书发证时间2022年12月1日不在本年度（2021年12月1日至2022年11月30日）"
                "或补报（2020年12月1日至2021年11月30日）时间范围内。",
                "open": False,
            },
            id="day-after-window",
        ),
        pytest.param(
            "special_technician",
            "2022-03-01",
            {
                "eligible": False,
                "amount": None,
                "window": None,
                "reason": "2022年度奖励晋升为高级工、技师、高级技师的职工，特级技师不在奖励范围内。",
                "open": False,
            },
            id="level-not-rewarded-in-2022",
        ),
    ],
)
def test_closed_2022_campaign_still_answers_by_its_rules(client, campaign_2022, level, issued, expected):
    response, data = _get(client, level=level, issued=issued)
    assert response.status_code == 200
    assert data == expected


def test_chinese_is_not_escaped(client, campaign_2022):
    response, _data = _get(client, level="technician", issued="2022-03-01")
    assert "技师".encode() in response.content
    assert b"\\u" not in response.content


def test_certificate_issued_after_today_is_not_eligible(client, campaign_2022):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response, data = _get(client, level="technician", issued=tomorrow.isoformat())
    assert response.status_code == 200
    assert (data["eligible"], data["amount"], data["window"]) == (False, None, None)
    assert "晚于今天" in data["reason"]


def test_open_campaign_with_future_deadline_reports_open(client):
    campaign = CampaignFactory(year=2044, is_open=True)
    RewardLevel.objects.create(campaign=campaign, level=SkillLevel.objects.get(code="technician"), amount=600)
    assert campaign.deadline > timezone.now()
    url = f"/api/v1/campaigns/{campaign.year}/eligibility"
    response, data = _get(client, url, level="technician", issued="2043-12-01")
    assert response.status_code == 200
    assert data["open"] is True
    assert data["eligible"] is False  # issued in the future, relative to today
    assert set(data) == {"eligible", "amount", "window", "reason", "open"}


@pytest.mark.parametrize(
    ("is_open", "deadline_day"),
    [
        pytest.param(False, datetime.date(2044, 12, 15), id="not-open"),
        pytest.param(True, datetime.date(2020, 12, 15), id="deadline-passed"),
    ],
)
def test_campaign_not_taking_applications_reports_closed(client, is_open, deadline_day):
    campaign = CampaignFactory(year=2045, is_open=is_open, deadline=end_of_day(deadline_day))
    RewardLevel.objects.create(campaign=campaign, level=SkillLevel.objects.get(code="technician"), amount=600)
    _response, data = _get(client, "/api/v1/campaigns/2045/eligibility", level="technician", issued="2020-01-01")
    assert data["open"] is False


@pytest.mark.parametrize(
    ("params", "field"),
    [
        pytest.param({"issued": "2022-03-01"}, "level", id="level-missing"),
        pytest.param({"level": "", "issued": "2022-03-01"}, "level", id="level-empty"),
        pytest.param({"level": "grandmaster", "issued": "2022-03-01"}, "level", id="level-unknown"),
        pytest.param({"level": "technician"}, "issued", id="issued-missing"),
        pytest.param({"level": "technician", "issued": ""}, "issued", id="issued-empty"),
        pytest.param({"level": "technician", "issued": "2022/03/01"}, "issued", id="issued-slashes"),
        pytest.param({"level": "technician", "issued": "2022-3-1"}, "issued", id="issued-no-padding"),
        pytest.param({"level": "technician", "issued": "20220301"}, "issued", id="issued-compact"),
        pytest.param({"level": "technician", "issued": "2022-02-30"}, "issued", id="issued-no-such-day"),
        pytest.param({"level": "technician", "issued": "2022-03-01T00:00"}, "issued", id="issued-datetime"),
    ],
)
def test_bad_parameters_are_400_with_the_field(client, campaign_2022, params, field):
    response, data = _get(client, **params)
    assert response.status_code == 400
    assert data["field"] == field
    assert data["error"]
    assert set(data) == {"error", "field"}


@pytest.mark.parametrize("year", [2030, 1999, 99999999999])
def test_unknown_campaign_year_is_404(client, campaign_2022, year):
    response, data = _get(client, f"/api/v1/campaigns/{year}/eligibility", level="technician", issued="2022-03-01")
    assert response.status_code == 404
    assert set(data) == {"error"}
    assert str(year) in data["error"]


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_only_get_is_allowed(campaign_2022, method):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = getattr(client, method)(URL_2022)
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert "error" in json.loads(response.content)


def test_head_is_allowed(client, campaign_2022):
    assert client.head(URL_2022, {"level": "technician", "issued": "2022-03-01"}).status_code == 200
