"""Quota progress: the figures per unit and for the city, the dashboard and the admin home panel."""

import pytest

from applications.core.access import progress_scope
from applications.core.constants import ApplicationState
from applications.models import Quota, ReviewUnit
from applications.review.admin.dashboard import CHART_BAR_AREA, CHART_CAP, chart_bars
from applications.review.progress import UnitProgress, city_totals, unit_progress
from tests.factories import ApplicationFactory, CampaignFactory

pytestmark = pytest.mark.django_db

S = ApplicationState


def unit(name):
    return ReviewUnit.objects.get(name=name)


def apply(campaign, unit_name, state, amount=600, count=1):
    return ApplicationFactory.create_batch(count, campaign=campaign, unit=unit(unit_name), state=state, amount=amount)


@pytest.fixture
def campaign(site_2022):
    """A fresh campaign with three quotas and applications in every state."""
    campaign = CampaignFactory()
    Quota.objects.create(campaign=campaign, unit=unit("西湖区总工会"), guidance_number=400)
    Quota.objects.create(campaign=campaign, unit=unit("拱墅区总工会"), guidance_number=600)
    Quota.objects.create(campaign=campaign, unit=unit("滨江区总工会"), guidance_number=600)
    apply(campaign, "西湖区总工会", S.SUBMITTED, count=2)
    apply(campaign, "西湖区总工会", S.UNIT_APPROVED)
    apply(campaign, "西湖区总工会", S.APPROVED, amount=600)
    apply(campaign, "西湖区总工会", S.PAID, amount=500)
    apply(campaign, "西湖区总工会", S.PAID, amount=800)
    apply(campaign, "西湖区总工会", S.REJECTED, amount=600)
    apply(campaign, "西湖区总工会", S.WITHDRAWN, amount=600)
    apply(campaign, "拱墅区总工会", S.PAID, amount=600)
    apply(campaign, "上城区总工会", S.SUBMITTED)  # no quota row in this campaign
    apply(CampaignFactory(), "西湖区总工会", S.PAID)  # another campaign: never counted here
    return campaign


def rows_by_name(rows):
    return {row.unit_name: row for row in rows}


def test_each_application_counts_at_every_stage_it_has_reached(campaign):
    xihu = rows_by_name(unit_progress(campaign))["西湖区总工会"]
    assert (xihu.guidance, xihu.submitted, xihu.unit_approved, xihu.approved, xihu.paid) == (400, 6, 4, 3, 2)
    assert (xihu.awaiting_unit, xihu.awaiting_city, xihu.awaiting_payment) == (2, 1, 1)
    assert (xihu.rejected, xihu.withdrawn) == (1, 1)
    assert (xihu.amount_approved, xihu.amount_paid) == (600 + 500 + 800, 500 + 800)
    assert xihu.percentage == pytest.approx(1.5)


def test_rows_follow_annex_1_order_and_include_units_without_a_quota_or_without_applications(campaign):
    rows = unit_progress(campaign)
    assert [row.unit_name for row in rows] == ["上城区总工会", "拱墅区总工会", "西湖区总工会", "滨江区总工会"]
    shangcheng, _gongshu, _xihu, binjiang = rows
    assert (shangcheng.guidance, shangcheng.submitted, shangcheng.percentage) == (0, 1, None)
    assert (binjiang.guidance, binjiang.submitted, binjiang.percentage) == (600, 0, 0)


def test_rejected_and_withdrawn_applications_count_towards_nothing_but_their_own_columns(site_2022):
    campaign = CampaignFactory()
    Quota.objects.create(campaign=campaign, unit=unit("西湖区总工会"), guidance_number=10)
    apply(campaign, "西湖区总工会", S.REJECTED, count=3)
    apply(campaign, "西湖区总工会", S.WITHDRAWN)
    [row] = unit_progress(campaign)
    assert (row.submitted, row.unit_approved, row.approved, row.paid, row.amount_approved) == (0, 0, 0, 0, 0)
    assert (row.rejected, row.withdrawn, row.percentage) == (3, 1, 0)


def test_city_totals_sum_the_rows_and_take_the_percentage_of_the_summed_guidance(campaign):
    total = city_totals(unit_progress(campaign))
    assert total.is_total and total.unit_name == "合计"
    assert (total.guidance, total.submitted, total.unit_approved, total.approved, total.paid) == (1600, 8, 5, 4, 3)
    assert (total.amount_approved, total.amount_paid) == (2500, 1900)
    assert total.percentage == pytest.approx(0.5)


def test_percentage_is_none_without_a_guidance_number_and_may_pass_100():
    assert UnitProgress(unit_id=1, unit_name="x", guidance=0, submitted=5).percentage is None
    assert UnitProgress(unit_id=1, unit_name="x", guidance=10, submitted=15).percentage == 150
    assert city_totals([]).percentage is None


def test_units_restricts_the_rows_and_shows_a_unit_that_has_nothing(campaign):
    assert [row.unit_name for row in unit_progress(campaign, units=[unit("西湖区总工会")])] == ["西湖区总工会"]
    [empty] = unit_progress(campaign, units=[unit("建德市总工会").pk])
    assert (empty.unit_name, empty.guidance, empty.submitted, empty.percentage) == ("建德市总工会", 0, 0, None)


def test_the_2022_campaign_has_23_units_and_a_guidance_total_of_8000(campaign_2022):
    rows = unit_progress(campaign_2022)
    assert len(rows) == 23
    assert city_totals(rows).guidance == 8000 == campaign_2022.total_guidance()


@pytest.mark.parametrize("applications", [5, 50])
def test_unit_progress_is_one_query_whatever_the_number_of_applications(
    campaign_2022, django_assert_num_queries, applications
):
    names = ["西湖区总工会", "拱墅区总工会", "萧山区总工会", "工业工会", "钱塘区总工会"]
    states = [S.SUBMITTED, S.UNIT_APPROVED, S.APPROVED, S.PAID, S.REJECTED]
    for index in range(applications):
        apply(campaign_2022, names[index % 5], states[index % 5])
    with django_assert_num_queries(1):
        rows = unit_progress(campaign_2022)
        total = city_totals(rows)
    assert total.submitted + total.rejected == applications


def test_chart_caps_long_bars_and_keeps_the_real_value(campaign_2022):
    rows = [
        UnitProgress(unit_id=1, unit_name="a", guidance=10, submitted=30),
        UnitProgress(unit_id=2, unit_name="b", guidance=10, submitted=5),
        UnitProgress(unit_id=3, unit_name="c", guidance=0, submitted=5),
    ]
    over, half, none = chart_bars(rows)["bars"]
    assert over["over_cap"] and over["width"] == CHART_BAR_AREA and over["row"].percentage == 300
    assert not half["over_cap"] and half["width"] == pytest.approx(CHART_BAR_AREA * 50 / CHART_CAP, abs=0.1)
    assert none["width"] == 0


# Who sees what.


def test_scopes_of_the_roles(editor, reviewer, service_center, economic):
    assert progress_scope(editor) is None
    assert progress_scope(reviewer).unit.name == "西湖区总工会"
    assert not progress_scope(reviewer).city_wide
    assert progress_scope(service_center).city_wide
    assert progress_scope(economic).city_wide


def test_anonymous_users_are_sent_to_sign_in(client):
    response = client.get("/admin/progress/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_editors_neither_see_the_menu_item_nor_open_the_dashboard(client, editor):
    client.force_login(editor)
    assert "/admin/progress/" not in client.get("/admin/").content.decode()
    response = client.get("/admin/progress/")
    assert response.status_code in (302, 403)
    assert "指导数完成情况" not in client.get("/admin/").content.decode()


def test_a_unit_reviewer_sees_only_their_own_unit(client, reviewer, campaign_2022):
    apply(campaign_2022, "西湖区总工会", S.PAID, amount=800)
    apply(campaign_2022, "拱墅区总工会", S.PAID, amount=600)
    client.force_login(reviewer)
    html = client.get("/admin/progress/?campaign=2022").content.decode()
    assert "西湖区总工会" in html
    assert "拱墅区总工会" not in html
    assert "合计" not in html
    assert "800元" in html and "600元" not in html
    assert "/admin/progress/" in client.get("/admin/").content.decode()  # the menu item


@pytest.mark.parametrize("role_fixture", ["service_center", "economic"])
def test_the_city_union_sees_all_23_units_and_the_total(request, client, campaign_2022, role_fixture):
    apply(campaign_2022, "金融工会", S.SUBMITTED, count=20)  # 200% of a guidance number of 10
    client.force_login(request.getfixturevalue(role_fixture))
    response = client.get("/admin/progress/?campaign=2022")
    assert response.status_code == 200
    html = response.content.decode()
    for name in [row.unit_name for row in unit_progress(campaign_2022)]:
        assert name in html
    assert len(response.context["rows"]) == 23
    assert response.context["total"].guidance == 8000
    assert "<tfoot>" in html and "合计" in html
    assert "200.0%" in html
    assert 'role="img"' in html and 'aria-labelledby="progress-chart-title progress-chart-desc"' in html


def test_the_dashboard_opens_on_the_current_campaign(client, service_center, campaign_2022):
    current = CampaignFactory(is_open=True)
    client.force_login(service_center)
    response = client.get("/admin/progress/")
    assert response.context["campaign"] == current
    assert response.context["rows"] == []
    assert client.get("/admin/progress/?campaign=1999").status_code == 404


def test_the_admin_home_shows_the_panel_for_a_reviewer_but_not_for_an_editor(client, reviewer, editor, campaign_2022):
    client.force_login(reviewer)
    html = client.get("/admin/").content.decode()
    assert 'id="quota-progress-section"' in html
    assert "西湖区总工会" in html
    client.force_login(editor)
    assert 'id="quota-progress-section"' not in client.get("/admin/").content.decode()


def test_the_admin_home_panel_shows_the_city_total_to_the_service_center(client, service_center, campaign_2022):
    apply(campaign_2022, "金融工会", S.PAID, amount=800, count=2)
    client.force_login(service_center)
    html = client.get("/admin/").content.decode()
    assert 'id="quota-progress-section"' in html
    assert "全市合计" in html and "1600元" in html and "金融工会" in html
