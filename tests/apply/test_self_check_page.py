"""The self-check page at /apply/<year>/check/ and the self-check block, inside Wagtail pages."""

import pytest

from applications.models import ApplyPage
from applications.programme.demo import ensure_demo_campaign

pytestmark = pytest.mark.django_db


def _check(client, year, **params):
    return client.get(f"/apply/{year}/check/", params)


@pytest.mark.parametrize(
    ("params", "verdict", "reason_part"),
    [
        ({"level": "technician", "issued": "2022-11-30"}, "符合奖励条件", "奖励600元"),
        ({"level": "senior_technician", "issued": "2021-12-01"}, "符合奖励条件", "奖励800元"),
        ({"level": "senior_worker", "issued": "2021-11-30", "applied_last_campaign": "no"}, "符合奖励条件", "补报"),
        (
            {"level": "senior_worker", "issued": "2021-11-30", "applied_last_campaign": "yes"},
            "不符合奖励条件",
            "不能补报",
        ),
        ({"level": "technician", "issued": "2022-12-01"}, "不符合奖励条件", "不在本年度"),
        ({"level": "technician", "issued": "2022-06-01", "previous_level": "technician"}, "不符合奖励条件", "须高于"),
    ],
    ids=["last-day", "first-day", "carry-over", "carry-over-after-applying", "day-after", "not-promoted"],
)
def test_self_check_answers_with_the_rule_and_its_reason(client, campaign_2022, params, verdict, reason_part):
    html = _check(client, 2022, **params).content.decode()
    assert verdict in html
    assert reason_part in html


def test_self_check_explains_a_bad_date_next_to_the_field(client, campaign_2022):
    response = _check(client, 2022, level="technician", issued="2022-13-45")
    html = response.content.decode()
    assert response.status_code == 200
    assert "符合奖励条件" not in html
    assert 'id="error_1_id_issued"' in html or "invalid-feedback" in html
    assert 'value="technician" selected' in html  # what the person chose is kept


def test_self_check_for_an_unknown_year_is_404(client, campaign_2022):
    assert _check(client, 1999).status_code == 404


def test_self_check_lives_inside_the_editable_apply_page(client, campaign_2022):
    page = ApplyPage.objects.get()
    page.check_intro = "<p>编辑写的自测说明。</p>"
    page.save_revision().publish()
    assert "编辑写的自测说明" in _check(client, 2022).content.decode()


def test_self_check_block_points_at_the_open_campaign(client, notice_2022):
    demo = ensure_demo_campaign(notice_2022.campaign)
    notice_2022.body.append(("self_check", {"title": "资格自测"}))
    notice_2022.save_revision().publish()
    html = client.get(notice_2022.url).content.decode()
    assert f'action="/apply/{demo.year}/check/"' in html
    assert '<option value="technician">技师</option>' in html
