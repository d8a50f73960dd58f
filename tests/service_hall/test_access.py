"""Who answers, rectifies and excludes; another unit's questions and items are 404; the outcome SMS links."""

import json
import re

import pytest
from django.urls import reverse

from applications.models import ReviewUnit
from applications.review import workflow
from service_hall import consultations, evaluations
from service_hall.models import Question
from tests.conftest import _staff
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_reviewer(site_2022):
    return _staff("t-xiaoshan", "unit_reviewer", "萧山区总工会")


def _unit_question(site_2022, unit_name="西湖区总工会"):
    application = ApplicationFactory(campaign=site_2022[0], unit=ReviewUnit.objects.get(name=unit_name))
    return consultations.ask(
        topic="review", text="审核进度？", mobile="13900001111", application_reference=application.reference
    )[0]


def test_unit_reviewer_answers_own_units_questions_and_gets_404_for_others(
    client, site_2022, sms_file, reviewer, other_reviewer
):
    mine = _unit_question(site_2022)
    client.force_login(other_reviewer)
    assert client.get(reverse("service_hall_question", args=[mine.pk])).status_code == 404
    queue = client.get(reverse("service_hall_questions")).content.decode()
    assert mine.reference not in queue
    client.force_login(reviewer)
    page = client.get(reverse("service_hall_question", args=[mine.pk])).content.decode()
    assert reverse("applications_review", args=[mine.application_id]) in page
    response = client.post(reverse("service_hall_question", args=[mine.pk]), {"action": "answer", "answer": "已在预审"})
    assert response.status_code == 302
    assert Question.objects.get(pk=mine.pk).answer == "已在预审"
    assert mine.reference in client.get(reverse("service_hall_questions") + "?state=all").content.decode()


def test_policy_questions_go_to_the_economic_work_department(client, site_2022, sms_file, economic, reviewer):
    question, _ = consultations.ask(topic="policy", text="结转规则？", mobile="13900002222")
    general, _ = consultations.ask(topic="other", text="其他", mobile="13900003333")
    client.force_login(economic)
    assert client.get(reverse("service_hall_question", args=[question.pk])).status_code == 200
    assert client.get(reverse("service_hall_question", args=[general.pk])).status_code == 404
    client.force_login(reviewer)
    assert client.get(reverse("service_hall_question", args=[question.pk])).status_code == 404


def test_the_city_service_center_sees_every_question_and_the_figures(client, site_2022, sms_file, service_center):
    question = _unit_question(site_2022, "萧山区总工会")
    client.force_login(service_center)
    page = client.get(reverse("service_hall_questions")).content.decode()
    assert question.reference in page and "全市咨询统计" in page
    client.post(reverse("service_hall_question", args=[question.pk]), {"action": "answer", "answer": "请耐心等待"})
    client.post(
        reverse("service_hall_question", args=[question.pk]),
        {"action": "publish", "public_question": "审核要多久？", "public_answer": "一般两周"},
    )
    assert Question.objects.published().get().published_by == service_center


def test_editors_answer_nothing(client, site_2022, editor):
    client.force_login(editor)
    assert client.get(reverse("service_hall_questions")).status_code == 403
    assert client.get(reverse("service_hall_rectifications")).status_code == 403


def test_rectification_belongs_to_the_handling_unit(
    client, site_2022, sms_file, reviewer, other_reviewer, service_center
):
    application = ApplicationFactory(campaign=site_2022[0], state="rejected")
    item = evaluations.rate(application, grade=2, comment="说明不清").rectification
    url = reverse("service_hall_rectification", args=[item.pk])
    client.force_login(other_reviewer)
    assert client.get(url).status_code == 404
    client.force_login(service_center)
    assert client.get(url).status_code == 200
    assert client.post(url, {"finding": "x", "measures": "x", "reply": "x"}).status_code == 403
    client.force_login(reviewer)
    assert "待整改差评 1 件" in client.get(reverse("wagtailadmin_home")).content.decode()
    client.post(url, {"finding": "属实", "measures": "补充说明", "reply": "已补充驳回原因说明"})
    item.refresh_from_db()
    assert item.done and item.replied_by == reviewer


def test_only_the_city_service_center_excludes_a_rating(client, site_2022, reviewer, service_center):
    rating = evaluations.rate(ApplicationFactory(campaign=site_2022[0], state="paid"), grade=1)
    url = reverse("service_hall_rating_exclude", args=[rating.pk])
    client.force_login(reviewer)
    assert client.post(url, {"reason": "恶意"}).status_code == 404
    client.force_login(service_center)
    client.post(url, {"reason": "恶意评价，已核实"})
    rating.refresh_from_db()
    assert rating.excluded and rating.excluded_by == service_center


def test_the_rejection_text_carries_a_rating_link_without_the_id_number(
    site_2022, sms_file, reviewer, django_capture_on_commit_callbacks
):
    application = ApplicationFactory(campaign=site_2022[0])
    with django_capture_on_commit_callbacks(execute=True):
        workflow.take("unit_reject", application, reviewer, opinion="证书编号有误")
    text = [json.loads(line) for line in sms_file.read_text().splitlines()][-1]["text"]
    token = re.search(r"/evaluations/rate/([^/]+)/", text).group(1)
    assert application.id_number not in text
    assert evaluations.application_for(token) == application


def test_a_unit_sees_its_own_cases_ratings_only(client, site_2022, reviewer, other_reviewer):
    xihu = evaluations.rate(ApplicationFactory(campaign=site_2022[0], state="paid"), grade=5, comment="西湖好评")
    client.force_login(other_reviewer)
    page = client.get(reverse("service_hall_rectifications")).content.decode()
    assert xihu.application.reference not in page
    client.force_login(reviewer)
    page = client.get(reverse("service_hall_rectifications")).content.decode()
    assert xihu.application.reference in page and "本单位办结事项的评价" in page
    assert reverse("service_hall_rating_exclude", args=[xihu.pk]) not in page


def test_staff_are_told_when_the_askers_mobile_is_not_the_applications(client, site_2022, sms_file, reviewer):
    application = ApplicationFactory(campaign=site_2022[0])
    own, _ = consultations.ask(
        topic="review", text="问", mobile=application.mobile, application_reference=application.reference
    )
    stranger, _ = consultations.ask(
        topic="review", text="问", mobile="13700000000", application_reference=application.reference
    )
    client.force_login(reviewer)
    assert "提问手机与申报登记手机一致" in client.get(reverse("service_hall_question", args=[own.pk])).content.decode()
    page = client.get(reverse("service_hall_question", args=[stranger.pk])).content.decode()
    assert "请勿透露申报信息" in page


def test_the_city_filters_ratings_by_unit(client, site_2022, service_center):
    xihu = evaluations.rate(ApplicationFactory(campaign=site_2022[0], state="paid"), grade=1)
    binjiang_unit = ReviewUnit.objects.get(name="滨江区总工会")
    binjiang = evaluations.rate(ApplicationFactory(campaign=site_2022[0], state="paid", unit=binjiang_unit), grade=2)
    client.force_login(service_center)
    page = client.get(reverse("service_hall_rectifications"), {"unit": binjiang_unit.pk}).content.decode()
    assert binjiang.application.reference in page and xihu.application.reference not in page
