"""证书核验: an application's certificate against the register, stored at submission, recomputed on import."""

import datetime

import pytest

from applications.apply.submission import Applicant, submit
from applications.certificates import verification
from applications.certificates.register import (
    CertificateRegister,
    LocalCertificateRegister,
    RegisterUnavailable,
    get_certificate_register,
)
from applications.core.constants import Channel
from applications.core.identity import gender_and_birth_date
from applications.models import Certificate, CertificateCheck, ReviewUnit, SkillLevel
from applications.programme.demo import ensure_demo_campaign
from tests.certificates.helpers import HR, a_day_later, register_certificate, registered
from tests.factories import ApplicationFactory, make_id_number

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(campaign_2022):
    return ensure_demo_campaign(campaign_2022)


def applicant_for(campaign, n=1, **changes):
    id_number = make_id_number(datetime.date(1986, 4, 5), seq=300 + n)
    gender, birth_date = gender_and_birth_date(id_number)
    values = {
        "unit": ReviewUnit.objects.get(name="西湖区总工会"),
        "name": f"核验{n}",
        "gender": gender,
        "birth_date": birth_date,
        "education": "senior",
        "occupation": "数控车工",
        "previous_level": None,
        "previous_level_obtained_on": None,
        "new_level": SkillLevel.objects.get(code="technician"),
        "certificate_number": f"Z2022{n:06d}",
        "certificate_issued_on": campaign.window_start + datetime.timedelta(days=20),
        "id_number": id_number,
        "mobile": "13900002222",
        "bank_card": "6222021234567890128",
        "bank_branch": "中国工商银行杭州西湖支行",
        "employer": "杭州示例机械有限公司",
        "grassroots_union": "杭州示例机械有限公司工会",
        "certificate_issuer_type": "hr",
        "certificate_issuer": HR,
    }
    return Applicant(**(values | changes))


@pytest.fixture
def application(campaign):
    return ApplicationFactory(
        campaign=campaign, certificate_issuer_type="hr", certificate_issuer=HR, occupation="数控车工"
    )


def test_a_certificate_equal_to_the_register_matches(application):
    assert verification.compare(application, registered(application)) == verification.Verification("match")


def test_a_certificate_the_register_does_not_hold_is_not_found(application):
    assert verification.verify(application).status == CertificateCheck.NOT_FOUND


@pytest.mark.parametrize(
    "field, change",
    [
        ("姓名", {"name": "别人"}),
        ("身份证号码", {"id_hash": "0" * 64}),
        ("等级", {"level": "高级技师"}),
        ("发证日期", {"issued_on": "next day"}),
        ("发证机构", {"issuer": "西湖区人力资源和社会保障局"}),
        ("职业", {"occupation": "钳工"}),
    ],
)
def test_a_certificate_differing_in_one_field_names_that_field(application, field, change):
    if change.get("issued_on") == "next day":
        change = {"issued_on": a_day_later(application.certificate_issued_on)}
    result = verification.compare(application, registered(application, **change))
    assert result.status == CertificateCheck.DIFFERS and result.differences == (field,)


def test_every_differing_field_is_named_in_order(application):
    result = verification.compare(
        application, registered(application, occupation="钳工", name="别人", issued_on=datetime.date(2000, 1, 1))
    )
    assert result.differences == ("姓名", "发证日期", "职业")
    assert verification.Verification(result.status, result.differences).fields()["certificate_differences"] == (
        "姓名、发证日期、职业"
    )


@pytest.mark.parametrize("level", ["技师", "二级", "二级/技师", "二级（技师）", " 技 师 "])
def test_the_register_may_name_the_level_by_its_title_or_national_grade(application, level):
    assert verification.compare(application, registered(application, level=level)).status == "match"


@pytest.mark.parametrize("level", ["三级/技师", "高级工", ""])
def test_a_level_that_is_not_the_applications_differs(application, level):
    assert verification.compare(application, registered(application, level=level)).differences == ("等级",)


def test_names_compare_without_spaces_and_with_either_bracket_width(application):
    application.certificate_issuer = "示例（杭州）评价中心"
    other = registered(application, issuer="示例(杭州)评价中心", name=f" {application.name} ")
    assert verification.compare(application, other).status == "match"


def test_an_application_from_before_issuers_were_asked_is_not_compared_on_the_issuer(application):
    application.certificate_issuer_type = application.certificate_issuer = ""
    assert verification.compare(application, registered(application, issuer="任何机构")).status == "match"


@pytest.mark.parametrize(
    "change, expected, differences",
    [
        ({}, CertificateCheck.MATCH, ""),
        (None, CertificateCheck.NOT_FOUND, ""),
        ({"issued_on": "next day"}, CertificateCheck.DIFFERS, "发证日期"),
    ],
)
def test_submission_stores_the_check_on_the_application(campaign, change, expected, differences):
    applicant = applicant_for(campaign)
    if change is not None:
        values = {
            "number": applicant.certificate_number,
            "name": applicant.name,
            "id_number": applicant.id_number,
            "occupation": applicant.occupation,
            "level": applicant.new_level.name,
            "issued_on": applicant.certificate_issued_on,
            "issuer": applicant.certificate_issuer,
        }
        if change.get("issued_on") == "next day":
            change = {"issued_on": a_day_later(applicant.certificate_issued_on)}
        Certificate.objects.create(**(values | change))
    application = submit(campaign, applicant, {}).application
    application.refresh_from_db()
    assert application.certificate_check == expected
    assert application.certificate_differences == differences
    assert application.certificate_checked_at is not None


class DownRegister(CertificateRegister):
    def find(self, number):
        raise RegisterUnavailable("HR data service timed out")


class FakeHrService(CertificateRegister):
    """Stands in for a remote HR data service: knows one certificate, whatever the local table holds."""

    answers = {}

    def find(self, number):
        return self.answers.get(number)


def test_the_register_is_chosen_by_a_dotted_path_in_settings(settings, campaign):
    assert isinstance(get_certificate_register(), LocalCertificateRegister)
    settings.CERTIFICATE_REGISTER = "tests.certificates.test_verification.FakeHrService"
    assert isinstance(get_certificate_register(), FakeHrService)
    applicant = applicant_for(campaign, n=2)
    register_certificate(applicant, issuer=HR)  # in the local table only: the service does not know it
    assert submit(campaign, applicant, {}).application.certificate_check == CertificateCheck.NOT_FOUND

    applicant = applicant_for(campaign, n=3)
    FakeHrService.answers = {applicant.certificate_number: registered(applicant)}
    try:
        assert submit(campaign, applicant, {}).application.certificate_check == CertificateCheck.MATCH
    finally:
        FakeHrService.answers = {}


def test_a_register_that_cannot_answer_leaves_the_check_blank_and_the_submission_goes_on(settings, campaign):
    settings.CERTIFICATE_REGISTER = "tests.certificates.test_verification.DownRegister"
    application = submit(campaign, applicant_for(campaign, n=4), {}).application
    assert application.pk and application.certificate_check == ""
    assert verification.describe(application).startswith("未核验")


def test_refresh_recomputes_only_what_changed(campaign):
    first = submit(campaign, applicant_for(campaign, n=5), {}).application
    second = submit(campaign, applicant_for(campaign, n=6), {}).application
    assert {first.certificate_check, second.certificate_check} == {CertificateCheck.NOT_FOUND}
    register_certificate(first)
    counts = verification.refresh(verification.with_certificate_numbers([first.certificate_number.lower()]))
    assert counts == {"match": 1, "not_found": 0, "differs": 0}
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.certificate_check == CertificateCheck.MATCH and second.certificate_check == CertificateCheck.NOT_FOUND


def test_paper_entry_and_the_annex4_import_store_the_check(client, campaign):
    """The unit channel goes through the same submission: its applications are checked too."""
    from applications.programme.staff import create_staff
    from tests.unit_channel.test_paper_entry import _paper

    user = create_staff("t-cert-paper", "unit_reviewer", password="pw-for-tests-1", unit_name="西湖区总工会")[0]
    client.force_login(user)
    data = _paper(campaign)
    response = client.post("/admin/applications/enter/", data)
    assert response.status_code == 302
    from applications.models import Application

    entered = Application.objects.get(certificate_number="P0007")
    assert entered.channel == Channel.UNIT and entered.certificate_check == CertificateCheck.NOT_FOUND
    assert entered.certificate_issuer_type == "hr" and entered.certificate_issuer == HR


def test_recheck_certificates_refreshes_live_applications_from_the_configured_register(settings, application):
    from io import StringIO

    from django.core.management import call_command

    settings.CERTIFICATE_REGISTER = "tests.certificates.test_verification.FakeHrService"
    FakeHrService.answers = {application.certificate_number: registered(application, name="别人")}
    try:
        out = StringIO()
        call_command("recheck_certificates", stdout=out)
    finally:
        FakeHrService.answers = {}
    application.refresh_from_db()
    assert (application.certificate_check, application.certificate_differences) == ("differs", "姓名")
    assert "不一致 1" in out.getvalue()


def test_recheck_certificates_says_when_the_register_cannot_answer(settings, application):
    from django.core.management import CommandError, call_command

    settings.CERTIFICATE_REGISTER = "tests.certificates.test_verification.DownRegister"
    with pytest.raises(CommandError, match="证书库暂时无法访问"):
        call_command("recheck_certificates")
