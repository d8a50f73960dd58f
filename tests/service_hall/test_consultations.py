"""在线咨询: asking with a code, caps, the honeypot, routing, answering, publishing and the asker's view."""

import datetime
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.models import ReviewUnit
from service_hall import consultations, working_days
from service_hall.models import Desk, Question
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def _texts(sms_file):
    if not sms_file.exists():
        return []
    return [json.loads(line) for line in sms_file.read_text().splitlines()]


def _code(sms_file):
    return re.search(r"验证码为(\d{6})", _texts(sms_file)[-1]["text"]).group(1)


def _ask(client, **fields):
    data = {"topic": "applying", "text": "结转规则怎么理解？", "mobile": "13800001111", "website": ""}
    data.update(fields)
    return client.post(reverse("consultation_ask"), data)


def test_question_is_taken_only_after_the_code_texted_to_the_mobile(client, site_2022, sms_file):
    response = _ask(client)
    assert response.status_code == 302
    assert not Question.objects.exists()
    wrong = client.post(reverse("consultation_confirm"), {"code": "000000"})
    assert "验证码不正确" in wrong.content.decode()
    done = client.post(reverse("consultation_confirm"), {"code": _code(sms_file)})
    question = Question.objects.get()
    assert question.reference in done.content.decode()
    assert question.desk == Desk.SERVICE_CENTER and question.unit is None
    accepted = _texts(sms_file)[-1]
    assert question.reference in accepted["text"] and "结转" not in accepted["text"]


@pytest.mark.parametrize(
    "text",
    ["我的身份证号是330102198001010011", "卡号 6222 0212 0200 0000 001", "身份证33010219800101001X"],
)
def test_text_holding_an_id_or_bank_card_number_is_refused(client, site_2022, sms_file, text):
    response = _ask(client, text=text)
    assert response.status_code == 200
    assert "身份证号码或银行卡号" in response.content.decode()
    assert not _texts(sms_file)


def test_the_honeypot_sends_nothing_and_takes_nothing(client, site_2022, sms_file):
    assert _ask(client, website="http://spam.example").status_code == 302
    client.post(reverse("consultation_confirm"), {"code": "123456"})
    assert not _texts(sms_file) and not Question.objects.exists()


def test_questions_per_mobile_are_capped_a_day(site_2022, settings, sms_file):
    settings.CONSULTATION_MAX_PER_MOBILE_PER_DAY = 2
    for _ in range(2):
        consultations.ask(topic="other", text="问题", mobile="13800002222", client="10.0.0.1")
    with pytest.raises(consultations.QuestionRefused):
        consultations.ask(topic="other", text="问题", mobile="13800002222", client="10.0.0.2")
    assert Question.objects.count() == 2


def test_questions_per_client_address_are_capped_a_day(site_2022, settings, sms_file):
    settings.CONSULTATION_MAX_PER_CLIENT_PER_DAY = 1
    consultations.ask(topic="other", text="问题", mobile="13800002222", client="10.0.0.1")
    with pytest.raises(consultations.QuestionRefused):
        consultations.ask(topic="other", text="问题", mobile="13800003333", client="10.0.0.1")


@pytest.mark.parametrize(
    "topic, with_application, desk",
    [
        ("policy", True, Desk.ECONOMIC_DEPT),
        ("payment", True, Desk.UNIT),
        ("payment", False, Desk.SERVICE_CENTER),
        ("other", False, Desk.SERVICE_CENTER),
    ],
)
def test_questions_are_routed_to_the_desk_that_answers(site_2022, sms_file, topic, with_application, desk):
    application = ApplicationFactory(campaign=site_2022[0]) if with_application else None
    question, _code = consultations.ask(
        topic=topic,
        text="问题",
        mobile="13800004444",
        application_reference=application.reference.lower() if application else "",
    )
    assert question.desk == desk
    if desk == Desk.UNIT:
        assert question.unit == application.unit


def test_answer_is_texted_without_its_content_and_read_with_the_access_code(
    client, site_2022, sms_file, reviewer, django_capture_on_commit_callbacks
):
    question, access_code = consultations.ask(topic="other", text="问题", mobile="13800005555")
    url = reverse("consultation_detail", args=[question.reference])
    assert "咨询编号或查询码不正确" in client.post(url, {"access_code": "WRONG123"}).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        consultations.answer(question, "答复内容甲", reviewer)
    text = _texts(sms_file)[-1]["text"]
    assert "您的咨询已答复，请凭编号查看" in text and "答复内容甲" not in text
    page = client.post(url, {"access_code": access_code.lower()}).content.decode()
    assert "答复内容甲" in page and "已答复" in page


def test_published_questions_show_the_edited_text_and_never_the_name_or_mobile(client, site_2022, sms_file, reviewer):
    question, _code = consultations.ask(topic="other", text="问题原文", mobile="13800006666", name="王小明")
    consultations.answer(question, "答复原文", reviewer)
    consultations.publish(question, "编辑后的问题", "编辑后的答复")
    page = client.get(reverse("consultation_ask")).content.decode()
    assert "编辑后的问题" in page and "编辑后的答复" in page
    assert "王小明" not in page and "13800006666" not in page and "问题原文" not in page


def test_an_unanswered_question_cannot_be_published(site_2022, sms_file):
    question, _code = consultations.ask(topic="other", text="问题", mobile="13800006666")
    with pytest.raises(ValueError):
        consultations.publish(question, "问", "答")


def test_service_time_counts_working_days_only(settings):
    settings.SERVICE_HALL_HOLIDAYS = ["2026-10-01"]
    friday = timezone.make_aware(datetime.datetime(2026, 9, 25, 15, 0))
    assert timezone.localtime(working_days.deadline(friday, 2)).date() == datetime.date(2026, 9, 30)
    wednesday = timezone.make_aware(datetime.datetime(2026, 9, 30, 9, 0))
    # Thursday 1 October is a holiday: the two working days are Friday and Monday.
    assert timezone.localtime(working_days.deadline(wednesday, 2)).date() == datetime.date(2026, 10, 6)


def test_figures_count_per_topic_and_desk_with_median_and_overdue(site_2022, sms_file, reviewer):
    now = timezone.now()
    first, _ = consultations.ask(topic="policy", text="问", mobile="13800007777", now=now - datetime.timedelta(days=10))
    consultations.ask(topic="other", text="问", mobile="13800008888", now=now - datetime.timedelta(days=10))
    consultations.answer(first, "答", reviewer, now=now - datetime.timedelta(days=9))
    figures = consultations.figures(Question.objects.all(), now)
    assert figures.total == 2 and figures.overdue == 1 and figures.median_hours == 24.0
    assert dict(figures.by_topic) == {"政策": 1, "其他": 1}


def test_unit_question_goes_to_that_unit(site_2022, sms_file):
    application = ApplicationFactory(campaign=site_2022[0], unit=ReviewUnit.objects.get(name="萧山区总工会"))
    question, _ = consultations.ask(
        topic="review", text="问", mobile="13800009999", application_reference=application.reference
    )
    assert question.unit.name == "萧山区总工会"


def _published(reviewer, topic="other", question_text="公开的问题", answer_text="公开的答复"):
    question, _code = consultations.ask(topic=topic, text="原文", mobile="13800001234")
    consultations.answer(question, "原答复", reviewer)
    return consultations.publish(question, question_text, answer_text)


def test_site_search_finds_published_questions_only(client, site_2022, sms_file, reviewer):
    _published(reviewer, question_text="结转的条件是什么？")
    consultations.ask(topic="other", text="结转未公开", mobile="13800001235")
    page = client.get("/search/", {"q": "结转"}).content.decode()
    assert "结转的条件是什么？" in page and "结转未公开" not in page


def test_faq_block_shows_chosen_published_questions_in_order(site_2022, sms_file, reviewer):
    first = _published(reviewer, question_text="问一")
    second = _published(reviewer, topic="policy", question_text="问二")
    hidden, _ = consultations.ask(topic="other", text="未公开", mobile="13800001236")
    chosen = consultations.faq([second.reference.lower(), hidden.reference, first.reference])
    assert chosen == [second, first]
    assert consultations.faq([], "policy") == [second]


def test_faq_block_renders_on_a_notice_page(client, site_2022, sms_file, reviewer):
    from notices.models import NoticePage

    question = _published(reviewer, question_text="常见问题甲")
    notice = NoticePage.objects.live().first()
    notice.body.append(("faq", {"title": "常见问题", "references": [question.reference], "topic": "", "count": 5}))
    notice.save_revision().publish()
    page = client.get(notice.url).content.decode()
    assert "常见问题甲" in page and "/consultations/" in page


def test_home_and_notice_pages_carry_the_four_service_hall_buttons(client, site_2022):
    home = client.get("/").content.decode()
    notice = client.get(site_2022[1].url).content.decode()
    for page in (home, notice):
        for href in ("/apply/", "/status/", "/consultations/", "/evaluations/"):
            assert f'href="{href}"' in page


def test_published_text_holds_no_mobile(site_2022, sms_file, reviewer):
    question, _code = consultations.ask(topic="other", text="我的手机13800001111，请回电", mobile="13800001111")
    consultations.answer(question, "已回电", reviewer)
    with pytest.raises(consultations.QuestionRefused):
        consultations.publish(question, "我的手机13800001111，请回电", "已回电")


def test_a_corrected_answer_sends_no_second_text(site_2022, sms_file, reviewer, django_capture_on_commit_callbacks):
    question, _code = consultations.ask(topic="other", text="问", mobile="13800001237")
    with django_capture_on_commit_callbacks(execute=True):
        consultations.answer(question, "第一次", reviewer)
        consultations.answer(Question.objects.get(pk=question.pk), "更正后", reviewer)
    question.refresh_from_db()
    assert question.answer == "更正后"
    assert sum("您的咨询已答复" in line["text"] for line in _texts(sms_file)) == 1


def test_the_form_states_the_service_time_from_the_setting(client, site_2022, settings):
    settings.CONSULTATION_ANSWER_WORKING_DAYS = 3
    assert "一般在3个工作日内答复" in client.get(reverse("consultation_ask")).content.decode()
