"""A verified member applies online at /apply/<year>/, step by step, and gets a query password once."""

import io
import json
import re

import pytest
from PIL import Image

from applications.apply.status import check_query_password
from applications.core.constants import ApplicationState
from applications.models import Application, Attachment
from applications.programme.demo import ensure_demo_campaign
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

BANK_CARD = "6222021234567890128"  # passes the Luhn check


@pytest.fixture
def demo(campaign_2022):
    return ensure_demo_campaign(campaign_2022)


def _png(color="red"):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = "photo.png"
    return buffer


def _last_code(sms_file):
    text = json.loads(sms_file.read_text(encoding="utf-8").splitlines()[-1])["text"]
    return re.search(r"\d{6}", text).group()


def _details(demo, **overrides):
    data = {
        "unit": str(demo.quotas.get(unit__name="西湖区总工会").unit_id),
        "education": "senior",
        "occupation": "数控车工",
        "previous_level": "",
        "previous_level_obtained_on": "",
        "new_level": str(demo.reward_levels.get(level__code="technician").level_id),
        "certificate_number": "S000033010600123",
        "certificate_issued_on": demo.window_start.isoformat(),
        "certificate_issuer_type": "hr",
        "certificate_issuer": "杭州市人力资源和社会保障局",
        "mobile": "13900001111",
        "bank_card": BANK_CARD,
        "bank_branch": "中国工商银行杭州西湖支行",
        "employer": "杭州某某机械有限公司",
        "grassroots_union": "杭州某某机械有限公司工会",
        "is_migrant": "no",
        "sensitive_consent": "on",
    }
    return data | overrides


def _through_identity(client, demo, member, sms_file):
    url = f"/apply/{demo.year}/"
    response = client.post(url, {"name": member.name, "id_number": member.id_number})
    assert response.status_code == 302
    assert "验证码" in sms_file.read_text(encoding="utf-8")
    response = client.post(url, {"code": _last_code(sms_file)})
    assert response.status_code == 302
    return url


def test_apply_redirects_to_the_open_campaign(client, demo):
    response = client.get("/apply/")
    assert response.status_code == 302
    assert response["Location"] == f"/apply/{demo.year}/"


def test_a_verified_member_applies_and_gets_a_query_password(
    client, demo, sms_file, django_capture_on_commit_callbacks
):
    member = MemberFactory()
    url = _through_identity(client, demo, member, sms_file)
    assert client.post(url, _details(demo)).status_code == 302
    files = {kind: _png() for kind in ("id_front", "id_back", "certificate", "bank_card")}
    assert client.post(url, files).status_code == 302
    confirm = client.get(url).content.decode()
    assert "622************0128" in confirm and BANK_CARD not in confirm
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    done = client.get(response["Location"])
    html = done.content.decode()
    assert "no-store" in done["Cache-Control"]
    application = Application.objects.get(id_hash=member.id_hash)
    password = re.search(r'class="query-password"[^>]*>([A-Z0-9]{8})<', html).group(1)
    assert application.reference in html
    assert check_query_password(application, password)
    assert application.state == ApplicationState.SUBMITTED
    gender = "male" if int(member.id_number[16]) % 2 else "female"  # 17th digit: odd for men
    assert (application.amount, application.window, application.gender) == (600, "current", gender)
    assert Attachment.objects.filter(application=application).count() == 4
    assert application.reference in sms_file.read_text(encoding="utf-8")
    assert client.get(response["Location"]).status_code == 302  # the password is shown only once


def test_someone_not_in_the_registry_gets_no_text_and_no_code_works(client, demo, sms_file):
    url = f"/apply/{demo.year}/"
    response = client.post(url, {"name": "李四", "id_number": "11010519491231002X"})
    assert response.status_code == 302  # the same answer as a member's: the registry is not revealed
    html = client.get(url).content.decode()
    assert re.search(r"验证码已发送至尾号\d{4}的手机", html)
    assert "通过所在单位工会统一申报" in html
    assert not sms_file.exists()
    for code in ("000000", "123456"):
        assert "验证码不正确" in client.post(url, {"code": code}).content.decode()
    assert "第二步：填写申请表" not in client.get(url).content.decode()


def test_a_wrong_code_is_refused_with_tries_left(client, demo, sms_file):
    member = MemberFactory()
    url = f"/apply/{demo.year}/"
    client.post(url, {"name": member.name, "id_number": member.id_number})
    wrong = "000000" if _last_code(sms_file) != "000000" else "111111"
    html = client.post(url, {"code": wrong}).content.decode()
    assert "4" in html and "验证码" in html


def test_bad_details_keep_what_was_typed_and_explain_next_to_the_field(client, demo, sms_file):
    url = _through_identity(client, demo, MemberFactory(), sms_file)
    html = client.post(
        url,
        _details(demo, mobile="12345", bank_branch="工商银行", certificate_issued_on="2001-01-01", new_level=""),
    ).content.decode()
    assert "不是有效的11位手机号码" in html
    assert "请写至支行" in html
    assert "不在本年度" in html
    assert 'value="数控车工"' in html
    assert 'value="S000033010600123"' in html
    assert "请修改以下" in html  # a summary at the top, so errors below the first screen are not missed


def test_a_card_number_failing_luhn_asks_to_confirm_it(client, demo, sms_file):
    url = _through_identity(client, demo, MemberFactory(), sms_file)
    html = client.post(url, _details(demo, bank_card="6222021234567890123")).content.decode()
    assert "卡号未通过校验" in html
    response = client.post(url, _details(demo, bank_card="6222021234567890123", bank_card_confirmed="on"))
    assert response.status_code == 302


def test_good_files_are_kept_when_another_one_fails(client, demo, sms_file):
    url = _through_identity(client, demo, MemberFactory(), sms_file)
    client.post(url, _details(demo))
    bad = io.BytesIO(b"MZ not an image at all")
    bad.name = "virus.png"
    html = client.post(url, {"id_front": _png(), "id_back": _png(), "certificate": _png(), "bank_card": bad})
    html = html.content.decode()
    assert html.count("只能上传JPG、PNG图片或PDF文件") == 2  # beside the bad file and in the summary
    assert 'href="#id_bank_card"' in html
    assert 'href="#id_id_front"' not in html  # the good files carry no error
    assert html.count("已上传，可重新选择文件替换") == 3
    assert client.post(url, {"bank_card": _png()}).status_code == 302


def test_a_closed_campaign_says_so_instead_of_showing_the_form(client, campaign_2022):
    response = client.get("/apply/2022/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "2022年度申报已于2022年12月15日23:59截止" in html
    assert 'name="id_number"' not in html


def test_without_an_open_campaign_apply_explains_and_links_to_the_self_check(client, campaign_2022):
    html = client.get("/apply/").content.decode()
    assert "目前没有正在受理的奖励活动" in html
    assert "/apply/2022/check/" in html
