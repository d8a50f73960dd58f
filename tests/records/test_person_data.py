"""A person's own data: the city service center exports it as a ZIP or erases it, with who and why recorded."""

import datetime
import io
import json
import zipfile

import pytest

from applications.core.constants import ApplicationState
from applications.models import Application, Attachment, PaymentItem, PersonalDataAccess, PersonDataRequest, SmsMessage
from applications.records import person_data, retention
from applications.review.progress import unit_progress
from service_hall import evaluations
from service_hall.models import Desk, Question
from tests.factories import ApplicationFactory, CampaignFactory, MemberFactory
from tests.records.cases import at, closed_case, message

pytestmark = pytest.mark.django_db
S = ApplicationState
URL = "/admin/person-data/"
ERASE = "/admin/person-data/erase/"
REASON = "本人于2026年11月30日持身份证到中心书面申请。"


@pytest.fixture
def campaign(site_2022):
    return CampaignFactory()


@pytest.fixture
def person(campaign):
    """One person's two closed applications (paid, and rejected in another campaign), a text, a question, a rating."""
    member = MemberFactory()
    paid = closed_case(campaign, S.PAID, id_number=member.id_number, name=member.name, mobile=member.mobile)
    other = CampaignFactory()
    rejected = closed_case(other, S.REJECTED, id_number=member.id_number, name=member.name, mobile=member.mobile)
    message(member.mobile, at(datetime.date(2023, 3, 1)), text=f"【杭州市总工会】申报{paid.reference}已发放。")
    Question.objects.create(
        reference="QP1",
        access_hash="x",
        topic="payment",
        text="我的奖励发了吗？",
        mobile=member.mobile,
        name=member.name,
        desk=Desk.SERVICE_CENTER,
        due_at=at(datetime.date(2023, 1, 10)),
    )
    evaluations.rate(paid, grade=4, comment="我是" + member.name + "，很满意")
    return member, paid, rejected


def _zip(response):
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))


def test_the_service_center_exports_everything_held_on_a_person_as_a_zip(client, service_center, person):
    member, paid, rejected = person
    stranger = ApplicationFactory()
    client.force_login(service_center)
    response = client.post(URL, {"id_number": member.id_number, "reason": REASON, "action": "export"})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert "no-store" in response["Cache-Control"]
    archive = _zip(response)
    names = archive.namelist()
    applications = json.loads(archive.read("applications.json"))
    assert {a["申报编号"] for a in applications} == {paid.reference, rejected.reference}
    assert stranger.reference not in json.dumps(applications, ensure_ascii=False)
    first = next(a for a in applications if a["申报编号"] == paid.reference)
    assert first["身份证号码"] == member.id_number and first["银行卡号"] == paid.bank_card
    assert first["发放记录"][0]["金额(元)"] == 600 and first["办理记录"]
    assert len([n for n in names if n.startswith(f"copies/{paid.reference}/")]) == 4
    assert archive.read(f"copies/{paid.reference}/id_front.png") == b"png"
    assert paid.reference in archive.read("messages.json").decode()
    assert "我的奖励发了吗？" in archive.read("consultations.json").decode()
    assert "很满意" in archive.read("ratings.json").decode()
    assert json.loads(archive.read("member.json"))["身份证号码"] == member.id_number
    record = PersonDataRequest.objects.get()
    assert (record.kind, record.user, record.reason) == ("export", service_center, REASON)
    assert member.id_number not in record.person_label
    assert PersonalDataAccess.objects.filter(what="person_export", user=service_center, member=member).exists()


def test_erasure_shows_what_will_go_first_and_changes_nothing_until_confirmed(client, service_center, person):
    member, paid, _rejected = person
    client.force_login(service_center)
    html = client.post(URL, {"id_number": member.id_number, "reason": REASON, "action": "erase"}).content.decode()
    assert "申报：2 份" in html and "材料复印件：8 份" in html and paid.reference in html
    paid.refresh_from_db()
    assert paid.name == member.name and not PersonDataRequest.objects.exists()
    html = client.post(ERASE, {"id_number": member.id_number, "reason": REASON}).content.decode()
    assert "请勾选确认删除。" in html
    assert Application.objects.get(pk=paid.pk).name == member.name


def test_erasure_anonymises_keeps_the_reduced_payment_record_and_the_figures(
    client, service_center, person, campaign, django_capture_on_commit_callbacks
):
    member, paid, rejected = person
    figures = (unit_progress(campaign), evaluations.summaries(campaign))
    client.force_login(service_center)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ERASE, {"id_number": member.id_number, "reason": REASON, "confirmed": "on"})
    assert response.status_code == 302
    for application in (paid, rejected):
        application.refresh_from_db()
        assert (
            application.name == retention.ANONYMISED_NAME and application.id_number == "" and application.mobile == ""
        )
        assert application.retention.erased_by_request is not None
    assert not Attachment.objects.filter(application__in=[paid, rejected]).exists()
    item = PaymentItem.objects.get(application=paid)
    assert item.amount == 600 and item.bank_card == "" and item.name == retention.masked_name(member.name)
    assert not SmsMessage.objects.filter(to=member.mobile).exists()
    question = Question.objects.get(reference="QP1")
    assert (question.mobile, question.name, question.text) == ("", "", person_data.ERASED_TEXT)
    rating = paid.rating
    rating.refresh_from_db()
    assert rating.comment == "" and rating.grade == 4
    assert (unit_progress(campaign), evaluations.summaries(campaign)) == figures
    record = PersonDataRequest.objects.get(kind="erase")
    assert record.user == service_center and record.reason == REASON and record.summary["applications"] == 2
    assert PersonalDataAccess.objects.filter(what="person_erasure", user=service_center).exists()


def test_erasure_is_refused_while_an_application_is_in_progress(client, service_center, campaign):
    member = MemberFactory()
    live = closed_case(campaign, S.APPROVED, id_number=member.id_number, name=member.name)
    client.force_login(service_center)
    html = client.post(ERASE, {"id_number": member.id_number, "reason": REASON, "confirmed": "on"}).content.decode()
    assert "有办理中的申报" in html and live.reference in html
    live.refresh_from_db()
    assert live.name == member.name and Attachment.objects.filter(application=live).count() == 4
    assert not PersonDataRequest.objects.exists()


def test_a_bad_id_number_is_explained_beside_the_field(client, service_center, site_2022):
    client.force_login(service_center)
    html = client.post(URL, {"id_number": "123", "reason": REASON, "action": "export"}).content.decode()
    assert "身份证号码" in html and not PersonDataRequest.objects.exists()
    assert 'value="本人于' not in html or REASON in html  # the reason typed is kept


def test_the_carry_over_history_of_the_person_is_exported_and_erased(client, service_center, person):
    from applications.models import HistoryImport, PreviousApplicant, SkillLevel

    member = person[0]
    batch = HistoryImport.objects.create(year=2021, source="history-2021.xlsx", actor_label="导入")
    row = PreviousApplicant.objects.create(
        batch=batch,
        year=2021,
        name=member.name,
        id_number=member.id_number,
        level=SkillLevel.objects.get(code="technician"),
        result="rewarded",
        union="西湖区总工会",
    )
    client.force_login(service_center)
    response = client.post(URL, {"id_number": member.id_number, "reason": REASON, "action": "export"})
    history = json.loads(_zip(response).read("history.json"))
    assert history == [
        {"年度": 2021, "姓名": member.name, "身份证号码": member.id_number, "技能等级": "技师", "结果": "已奖励"}
    ]
    client.post(ERASE, {"id_number": member.id_number, "reason": REASON, "confirmed": "on"})
    row.refresh_from_db()
    assert (row.name, row.id_number) == (retention.ANONYMISED_NAME, "")


def test_the_persons_certificates_in_the_register_are_exported_and_no_one_elses(client, service_center, person):
    from tests.factories import CertificateFactory

    member = person[0]
    CertificateFactory(
        number="P2022001", name=member.name, id_number=member.id_number, issued_on=datetime.date(2022, 5, 6)
    )
    CertificateFactory(number="P2022002")  # someone else's
    client.force_login(service_center)
    response = client.post(URL, {"id_number": member.id_number, "reason": REASON, "action": "export"})
    certificates = json.loads(_zip(response).read("certificates.json"))
    assert [(c["证书编号"], c["身份证号码"], c["发证日期"]) for c in certificates] == [
        ("P2022001", member.id_number, "2022-05-06")
    ]
