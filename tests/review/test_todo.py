"""The admin home's to-do panel (待办事项): each count of the user's own work, linking to the list holding it."""

import re

import pytest
from django.urls import reverse

from applications.core.constants import ApplicationState as S
from applications.models import ReviewUnit
from applications.programme.demo import ensure_demo_campaign
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db

HOME = "/admin/"


@pytest.fixture
def demo(campaign_2022):
    campaign = ensure_demo_campaign(campaign_2022)
    xihu, gongshu = ReviewUnit.objects.get(name="西湖区总工会"), ReviewUnit.objects.get(name="拱墅区总工会")
    for state in (S.SUBMITTED, S.SUBMITTED, S.UNIT_APPROVED, S.APPROVED):
        ApplicationFactory(campaign=campaign, unit=xihu, state=state)
    ApplicationFactory(campaign=campaign, unit=gongshu, state=S.SUBMITTED)
    ApplicationFactory(campaign=campaign, unit=gongshu, state=S.UNIT_APPROVED)
    return campaign


def _panel(client, user):
    client.force_login(user)
    html = client.get(HOME).content.decode()
    match = re.search(r'<ul class="w-px-4 todo-panel">(.*?)</ul>', html, re.S)
    return match.group(1) if match else None


def _link(panel, label):
    match = re.search(r'<a href="([^"]+)">(?:<strong[^>]*>)?' + re.escape(label), panel)
    assert match, panel
    return match.group(1).replace("&amp;", "&")


def test_a_unit_reviewer_sees_their_units_pre_reviews_linking_to_the_filtered_list(client, demo, reviewer):
    panel = _panel(client, reviewer)
    url = _link(panel, "待预审 2 件")
    assert url == reverse("applications_application_modeladmin_index") + "?state__exact=submitted"
    assert "待终审" not in panel
    listing = client.get(url).content.decode()
    from applications.models import Application

    xihu = Application.objects.filter(unit=reviewer.staff_profile.unit)
    assert all(a.reference in listing for a in xihu.filter(state=S.SUBMITTED))
    assert not any(a.reference in listing for a in xihu.exclude(state=S.SUBMITTED))


def test_the_city_sees_every_units_final_reviews(client, demo, service_center):
    panel = _panel(client, service_center)
    assert _link(panel, "待终审 2 件").endswith("?state__exact=unit_approved")
    assert "待预审" not in panel


def test_the_service_halls_questions_and_ratings_join_the_panel(client, demo, reviewer):
    panel = _panel(client, reviewer)
    assert _link(panel, "待答复咨询 0 件") == reverse("service_hall_questions")  # unanswered by default
    assert _link(panel, "待整改差评 0 件") == reverse("service_hall_rectifications")  # open by default


def test_an_editor_has_no_to_do_panel(client, demo, editor):
    assert _panel(client, editor) is None


def test_a_grassroots_union_sees_its_returns(client, demo, reviewer):
    from applications.programme.staff import create_staff
    from applications.review.workflow import take

    user = create_staff(
        "t-jc", "grassroots_union", password="pw-for-tests-1", unit_name="西湖区总工会", grassroots_name="甲工会"
    )[0]
    entry = ApplicationFactory(
        campaign=demo,
        unit=reviewer.staff_profile.unit,
        grassroots_entry=user.staff_profile.grassroots,
        state=S.SUBMITTED,
    )
    take("return_to_grassroots", entry, reviewer, "请补充。")
    panel = _panel(client, user)
    url = _link(panel, "退回修改待重新提交 1 件")
    assert url.endswith("?state__exact=returned")
    assert entry.reference in client.get(url).content.decode()
    assert "待预审" not in panel and "咨询" not in panel
