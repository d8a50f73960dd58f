"""好差评: a closed case rated once, the signed link, bad ratings' rectification, exclusions and the public figures."""

import datetime
import json

import pytest
from django.core import signing
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from applications.models import ReviewUnit
from service_hall import evaluations
from service_hall.models import Rating, Rectification
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def _closed(site_2022, state="rejected", **fields):
    return ApplicationFactory(campaign=site_2022[0], state=state, **fields)


@pytest.mark.parametrize(
    "state, closed",
    [
        ("paid", True),
        ("rejected", True),
        ("withdrawn", False),
        ("submitted", False),
        ("approved", False),
        ("payment_failed", False),
    ],
)
def test_only_paid_or_rejected_cases_are_rated(site_2022, state, closed):
    application = _closed(site_2022, state)
    assert evaluations.may_be_rated(application) is closed
    if not closed:
        with pytest.raises(evaluations.RatingRefused):
            evaluations.rate(application, grade=5)


def test_a_case_is_rated_once_and_the_database_says_so(site_2022):
    application = _closed(site_2022)
    evaluations.rate(application, grade=4)
    with pytest.raises(evaluations.RatingRefused):
        evaluations.rate(application, grade=1)
    with pytest.raises(IntegrityError):
        Rating.objects.create(
            application=application, campaign=application.campaign, unit=application.unit, grade=2, masked_name="x"
        )


def test_the_link_names_the_application_but_no_id_number_and_is_for_rating_only(site_2022):
    application = _closed(site_2022)
    token = evaluations.token_for(application)
    assert application.id_number not in token and application.mobile not in token
    assert evaluations.application_for(token) == application
    with pytest.raises(signing.BadSignature):
        signing.loads(token)  # another salt (another purpose) does not accept it
    forged = signing.dumps({"a": application.pk}, salt="another.purpose", compress=True)
    with pytest.raises(evaluations.RatingRefused):
        evaluations.application_for(forged)


def test_an_expired_link_is_refused(site_2022, settings):
    settings.RATING_LINK_DAYS = -1
    with pytest.raises(evaluations.RatingRefused, match="过期"):
        evaluations.application_for(evaluations.token_for(_closed(site_2022)))


def test_the_rating_form_from_the_link(client, site_2022):
    application = _closed(site_2022, name="张三丰")
    url = evaluations.rating_path(application)
    assert "评价本次服务" in client.get(url).content.decode()
    response = client.post(
        url, {"grade": "3", "efficiency": "", "guide": "4", "comment": "还行", "publish_comment": "on"}
    )
    assert "感谢您的评价" in response.content.decode()
    rating = Rating.objects.get()
    assert (rating.grade, rating.guide, rating.efficiency, rating.masked_name) == (3, 4, None, "张**")
    assert "已评价过" in client.get(url).content.decode()
    assert client.get(reverse("evaluation_rate", args=["nonsense"])).status_code == 404


@pytest.mark.parametrize("grade, opens", [(5, False), (4, False), (3, False), (2, True), (1, True)])
def test_bad_ratings_open_a_rectification_for_the_handling_unit(site_2022, grade, opens):
    application = _closed(site_2022, unit=ReviewUnit.objects.get(name="滨江区总工会"))
    rating = evaluations.rate(application, grade=grade)
    assert Rectification.objects.filter(rating=rating, unit__name="滨江区总工会").exists() is opens


def test_the_reply_is_texted_and_shown_publicly_once(site_2022, sms_file, reviewer, django_capture_on_commit_callbacks):
    application = _closed(site_2022)
    rating = evaluations.rate(application, grade=2, comment="等太久了")
    item = rating.rectification
    with django_capture_on_commit_callbacks(execute=True):
        evaluations.reply(item, finding="属实", measures="加快预审", reply_text="已改进，谢谢监督", user=reviewer)
    texts = [json.loads(line) for line in sms_file.read_text().splitlines()]
    assert texts[-1]["to"] == application.mobile and application.reference in texts[-1]["text"]
    with pytest.raises(evaluations.RatingRefused):
        evaluations.reply(item, finding="x", measures="x", reply_text="x", user=reviewer)


def test_summary_counts_grades_satisfaction_and_excluded(site_2022, service_center):
    for grade in (5, 4, 3, 1):
        evaluations.rate(_closed(site_2022), grade=grade)
    malicious = evaluations.rate(_closed(site_2022), grade=1)
    evaluations.exclude(malicious, reason="误评：申请人来电说明点错", user=service_center)
    city = evaluations.summaries(site_2022[0])[0]
    assert city.total == 4 and city.excluded == 1 and city.satisfaction == 50.0
    with pytest.raises(evaluations.RatingRefused):
        evaluations.exclude(malicious, reason=" ", user=service_center)


def test_public_page_masks_names_and_shows_no_id_or_mobile(client, site_2022, reviewer):
    application = _closed(site_2022, name="李四", state="paid")
    rating = evaluations.rate(application, grade=1, comment="服务很差")
    evaluations.reply(rating.rectification, finding="f", measures="m", reply_text="已整改，致歉", user=reviewer)
    hidden = evaluations.rate(_closed(site_2022), grade=5, comment="不想公开的话", publish_comment=False)
    page = client.get(reverse("evaluations")).content.decode()
    assert "李*" in page and "服务很差" in page and "已整改，致歉" in page
    assert "李四" not in page and application.mobile not in page and application.id_number not in page
    assert hidden.comment not in page


def test_status_lookup_of_a_closed_case_invites_a_rating(client, site_2022):
    application = _closed(site_2022)
    response = client.post("/status/", {"id_number": application.id_number, "password": "K7MP3WQX"})
    assert "评价本次服务" in response.content.decode()
    evaluations.rate(application, grade=5)
    response = client.post("/status/", {"id_number": application.id_number, "password": "K7MP3WQX"})
    assert "您已评价过本次服务" in response.content.decode()


def test_status_lookup_of_a_case_under_review_does_not(client, site_2022):
    application = _closed(site_2022, state="submitted")
    response = client.post("/status/", {"id_number": application.id_number, "password": "K7MP3WQX"})
    assert "评价" not in response.content.decode()


@pytest.mark.parametrize(
    "text, public, refused",
    [
        ("有事请打13912345678", True, True),
        ("有事请打139 1234 5678", True, True),
        ("有事请打13912345678", False, False),
        ("卡号6222021202000000019", False, True),
        ("办得很快，2022年12月1日到账", True, False),
    ],
)
def test_comments_shown_publicly_hold_no_mobile_id_or_card_number(site_2022, text, public, refused):
    application = _closed(site_2022)
    if refused:
        with pytest.raises(evaluations.RatingRefused):
            evaluations.rate(application, grade=4, comment=text, publish_comment=public)
    else:
        assert evaluations.rate(application, grade=4, comment=text, publish_comment=public).comment == text


def test_a_unit_channel_case_is_rated_from_the_sms_link(client, site_2022):
    application = _closed(site_2022, state="paid", channel="unit", query_password_hash="")
    client.post(evaluations.rating_path(application), {"grade": "5"})
    assert Rating.objects.get().application == application


def test_the_unit_reply_holds_no_mobile(site_2022, reviewer):
    item = evaluations.rate(_closed(site_2022), grade=1).rectification
    with pytest.raises(evaluations.RatingRefused):
        evaluations.reply(item, finding="f", measures="m", reply_text="请致电13800001111", user=reviewer)


def test_an_excluded_bad_rating_needs_no_reply(site_2022, service_center):
    rating = evaluations.rate(_closed(site_2022), grade=1, now=timezone.now() - datetime.timedelta(days=30))
    assert evaluations.overdue_rectifications(Rectification.objects.all()).count() == 1
    evaluations.exclude(rating, reason="恶意评价", user=service_center)
    assert not evaluations.open_rectifications(Rectification.objects.all()).exists()
    assert not Rectification.objects.get().is_overdue()


def test_figures_per_unit_in_the_units_order_with_a_fixed_number_of_queries(
    client, site_2022, django_assert_max_num_queries
):
    units = list(ReviewUnit.objects.order_by("sort_order", "name")[:6])
    for n, unit in enumerate(units):
        evaluations.rate(_closed(site_2022, unit=unit, state="paid"), grade=5 - n % 5)
    rows = evaluations.summaries(site_2022[0])
    assert [row.label for row in rows] == ["全市"] + [unit.name for unit in units]
    assert rows[0].total == 6 and rows[1].counts[0][2] == 1
    with django_assert_max_num_queries(12):
        client.get(f"/evaluations/?campaign={site_2022[0].year}")
