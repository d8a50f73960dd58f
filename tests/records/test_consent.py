"""Notice and separate consent: online (ticked, not ticked, which version), on paper and through Annex 4; the
consent text in versions, edited by the city service center only."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from applications.core.crypto import decrypt, encrypt
from applications.models import Application, Consent, ConsentText
from applications.records import consent
from applications.records.forms import CONSENT_REQUIRED, PAPER_CONSENT_REQUIRED
from tests.apply.test_flow import _details, _png, _through_identity
from tests.factories import MemberFactory
from tests.unit_channel import test_annex4_upload as annex4
from tests.unit_channel.test_annex4_import import person, workbook_bytes
from tests.unit_channel.test_paper_entry import URL as PAPER_URL
from tests.unit_channel.test_paper_entry import _paper, _reviewer

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(campaign_2022):
    from applications.programme.demo import ensure_demo_campaign

    return ensure_demo_campaign(campaign_2022)


def _submit(client, demo, member, sms_file, captured):
    url = _through_identity(client, demo, member, sms_file)
    assert client.post(url, _details(demo)).status_code == 302
    assert (
        client.post(url, {kind: _png() for kind in ("id_front", "id_back", "certificate", "bank_card")}).status_code
        == 302
    )
    with captured(execute=True):
        assert client.post(url).status_code == 302
    return Application.objects.get(id_hash=member.id_hash)


def test_the_identity_step_states_the_retention_periods_before_any_data(client, demo):
    html = client.get(f"/apply/{demo.year}/").content.decode()
    assert "保存6个月后删除" in html and "保存3年后匿名化" in html and "保存30年" in html


def test_the_details_step_shows_the_consent_text_and_refuses_without_the_box_ticked(client, demo, sms_file):
    member = MemberFactory()
    url = _through_identity(client, demo, member, sms_file)
    html = client.get(url).content.decode()
    assert consent.DEFAULT_TEXT in html and "告知同意书第1版" in html and "保存6个月后删除" in html
    data = _details(demo)
    del data["sensitive_consent"]
    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert str(CONSENT_REQUIRED) in html
    assert 'value="中国工商银行杭州西湖支行"' in html  # nothing typed is lost
    assert "第三步：上传材料" not in client.get(url).content.decode()


def test_the_consent_is_recorded_with_the_application_with_its_text_version(
    client, demo, sms_file, django_capture_on_commit_callbacks, service_center
):
    consent.current_text(demo)
    newer = consent.new_version(
        demo, "第二版告知同意内容：身份证照片、银行卡号及照片仅用于审核和发放。", service_center
    )
    member = MemberFactory()
    application = _submit(client, demo, member, sms_file, django_capture_on_commit_callbacks)
    given = Consent.objects.get(application=application)
    assert (given.method, given.text, given.version) == (Consent.Method.ONLINE, newer, 2)
    assert given.actor_label == "申请人" and given.confirmed_by is None
    assert abs((given.given_at - application.submitted_at).total_seconds()) < 60


def test_a_flow_from_before_consent_was_asked_is_sent_back_to_the_details_step(client, demo, sms_file):
    member = MemberFactory()
    url = _through_identity(client, demo, member, sms_file)
    client.post(url, _details(demo))
    client.post(url, {kind: _png() for kind in ("id_front", "id_back", "certificate", "bank_card")})
    session = client.session
    key = f"apply-{demo.year}"
    state = json.loads(decrypt(session[key]))
    state.pop("consent")
    session[key] = encrypt(json.dumps(state))
    session.save()
    response = client.post(url)
    assert response.status_code == 302
    assert not Application.objects.filter(id_hash=member.id_hash).exists()
    assert "第二步：填写申请表" in client.get(url).content.decode()


def test_a_paper_entry_records_that_the_signed_consent_was_checked_and_by_whom(client, demo):
    reviewer = _reviewer(client)
    response = client.post(PAPER_URL, _paper(demo))
    assert response.status_code == 302
    given = Consent.objects.get(application__name="陈七")
    assert given.method == Consent.Method.PAPER_FORM and given.confirmed_by == reviewer
    assert given.version == 1


def test_the_review_page_shows_how_consent_was_given(client, demo, service_center):
    reviewer = _reviewer(client)
    client.post(PAPER_URL, _paper(demo))
    application = Application.objects.get(name="陈七")
    client.force_login(service_center)
    html = client.get(f"/admin/applications/review/{application.pk}/").content.decode()
    assert "纸质申请表签字同意（录入人核对）：告知同意书第1版" in html and reviewer.get_username() in html


def test_a_paper_entry_without_the_confirmation_is_refused_beside_the_box(client, demo):
    _reviewer(client)
    data = _paper(demo)
    del data["paper_consent"]
    html = client.post(PAPER_URL, data).content.decode()
    assert str(PAPER_CONSENT_REQUIRED) in html
    assert not Application.objects.filter(name="陈七").exists()


def test_an_annex4_import_records_the_checked_paper_consent_for_every_row(client, demo, reviewer):
    client.force_login(reviewer)
    annex4.upload(client, workbook_bytes([person(n, demo) for n in (1, 2)]))
    assert annex4.confirm(client, "all", 2).status_code == 302
    consents = Consent.objects.filter(application__name__in=["职工1", "职工2"])
    assert consents.count() == 2
    assert {(c.method, c.confirmed_by_id) for c in consents} == {(Consent.Method.ANNEX4, reviewer.pk)}


def test_an_annex4_upload_without_the_confirmation_is_refused(client, demo, reviewer):
    client.force_login(reviewer)
    response = client.post(
        annex4.UPLOAD,
        {
            "file": SimpleUploadedFile("表.xlsx", workbook_bytes([person(1, demo)])),
            "grassroots_union": "示例公司工会",
            "grassroots_opinion": annex4.OPINION,
        },
    )
    assert response.status_code == 200
    assert "签字同意个人信息处理告知，再勾选此项" in response.content.decode()


# The consent text in versions.

EDIT = "/admin/retention/{year}/"


def test_editing_the_consent_text_adds_a_version_and_keeps_the_old_ones(client, demo, service_center):
    client.force_login(service_center)
    first = consent.current_text(demo)
    text = "新的告知同意内容：为审核和发放奖励，处理身份证照片、银行卡号及照片，仅用于本次申报。"
    response = client.post(EDIT.format(year=demo.year), {"form": "consent", "text": text})
    assert response.status_code == 302
    versions = list(ConsentText.objects.filter(campaign=demo).order_by("version"))
    assert [(v.version, v.text) for v in versions] == [(1, first.text), (2, text)]
    assert versions[1].created_by == service_center
    assert consent.current_text(demo) == versions[1]
    html = client.get(EDIT.format(year=demo.year)).content.decode()
    assert first.text in html and text in html


def test_the_retention_periods_are_edited_with_their_rules_checked(client, demo, service_center):
    client.force_login(service_center)
    url = EDIT.format(year=demo.year)
    bad = {"form": "periods", "copies_months": "60", "personal_data_years": "3", "payment_record_years": "30"}
    assert "材料保存期限不能长于个人信息保存期限" in client.post(url, bad).content.decode()
    good = {**bad, "copies_months": "12"}
    assert client.post(url, good).status_code == 302
    demo.refresh_from_db()
    assert demo.retention_policy.copies_months == 12 and demo.retention_policy.updated_by == service_center
    assert "保存12个月后删除" in client.get(f"/apply/{demo.year}/").content.decode()


@pytest.mark.parametrize("role", ["editor", "reviewer", "economic"])
def test_nobody_else_edits_the_periods_or_the_consent_text(request, client, demo, role):
    client.force_login(request.getfixturevalue(role))
    url = EDIT.format(year=demo.year)
    assert client.get("/admin/retention/").status_code == 404
    assert client.get(url).status_code == 404
    assert client.post(url, {"form": "consent", "text": "x" * 40}).status_code == 404
    assert client.post(url, {"form": "periods", "copies_months": "1"}).status_code == 404
    assert not ConsentText.objects.filter(campaign=demo, version__gt=1).exists()
