"""The unit channel never touches or describes another unit's application.

A review unit's paper entry and Annex 4 upload refuse an ID number that already has a live
application anywhere in the campaign, with one message that names nothing of it; replacing a live
application by a higher level across units or channels is the city service center's, recorded.
"""

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from openpyxl import load_workbook

from applications.apply.submission import UNIT_DUPLICATE, Applicant, Replacement, SubmissionError, submit
from applications.core.constants import ApplicationState as S
from applications.core.crypto import keyed_hash
from applications.core.identity import gender_and_birth_date
from applications.members.directory import NOT_A_MEMBER
from applications.models import Application, Member, ReviewUnit, SkillLevel
from applications.programme.demo import ensure_demo_campaign
from applications.programme.staff import create_staff
from applications.unit_channel.admin.annex4 import SESSION_KEY
from applications.unit_channel.annex4 import import_rows, parse_summary_table, validate_rows
from tests.concurrency import at_once
from tests.factories import ApplicationFactory
from tests.unit_channel.test_annex4_import import OPINION, person, workbook_bytes
from tests.unit_channel.test_paper_entry import _paper

pytestmark = pytest.mark.django_db

ENTER = "/admin/applications/enter/"
REPLACE = "/admin/applications/enter/replace/"
UPLOAD = "/admin/applications/annex4/"
CHECK = "/admin/applications/annex4/check/"
ANNOTATED = "/admin/applications/annex4/annotated.xlsx"
XIHU_CARD = "6222021202000000017"


@pytest.fixture
def demo(campaign_2022):
    return ensure_demo_campaign(campaign_2022)


def _unit(name):
    return ReviewUnit.objects.get(name=name)


def _staff(username, role, unit=None):
    return create_staff(username, role, password="pw-for-tests-1", unit_name=unit)[0]


@pytest.fixture
def gongshu_reviewer(demo):
    return _staff("gongshu-reviewer", "unit_reviewer", "拱墅区总工会")


@pytest.fixture
def xihu_application(demo):
    """A live online application in 西湖区, at the lowest rewarded level, under review."""
    return ApplicationFactory(
        campaign=demo,
        unit=_unit("西湖区总工会"),
        new_level=SkillLevel.objects.get(code="senior_worker"),
        state=S.SUBMITTED,
        bank_card=XIHU_CARD,
        mobile="13800001111",
    )


def _untouched(application):
    fresh = Application.objects.get(pk=application.pk)
    assert (fresh.state, fresh.unit_id, fresh.bank_card, fresh.mobile) == (
        application.state,
        application.unit_id,
        application.bank_card,
        application.mobile,
    )
    assert not fresh.events.filter(to_state=S.WITHDRAWN).exists()


def _says_nothing_of(text, application):
    for detail in (
        application.reference,
        application.unit.name,
        application.new_level.name,
        application.get_state_display(),
        application.get_channel_display(),
        str(application.campaign.year),
    ):
        assert detail not in text


def _form_errors(response):
    return [message for messages in response.context["form"].errors.values() for message in messages]


def _higher_paper(demo, application, unit_name, **overrides):
    return _paper(
        demo,
        unit=str(_unit(unit_name).pk),
        id_number=application.id_number,
        new_level=str(SkillLevel.objects.get(code="senior_technician").pk),
        bank_card="6222021234567890128",
        mobile="13900005555",
        **overrides,
    )


# Paper entry.


def test_a_reviewer_cannot_take_another_units_applicant_by_paper_entry(
    client, demo, gongshu_reviewer, xihu_application
):
    client.force_login(gongshu_reviewer)
    response = client.post(ENTER, _higher_paper(demo, xihu_application, "拱墅区总工会"))
    assert response.status_code == 200
    assert _form_errors(response) == [UNIT_DUPLICATE]
    _untouched(xihu_application)
    assert not Application.objects.filter(campaign=demo, unit__name="拱墅区总工会").exists()
    html = response.content.decode()
    assert xihu_application.reference not in html and "西湖区总工会" not in html
    _says_nothing_of(UNIT_DUPLICATE, xihu_application)


@pytest.mark.parametrize(
    ("unit_name", "channel", "state", "level"),
    [
        ("西湖区总工会", "individual", S.SUBMITTED, "senior_worker"),
        ("拱墅区总工会", "individual", S.SUBMITTED, "senior_worker"),
        ("拱墅区总工会", "unit", S.UNIT_APPROVED, "technician"),
        ("西湖区总工会", "unit", S.UNIT_APPROVED, "senior_technician"),
        ("西湖区总工会", "individual", S.APPROVED, "senior_worker"),
        ("余杭区总工会", "individual", S.PAID, "technician"),
        ("西湖区总工会", "unit", S.PAYMENT_FAILED, "senior_worker"),
    ],
    ids=["other-unit", "own-unit", "own-unit-paper", "other-unit-paper-same-level", "approved", "paid", "failed"],
)
def test_paper_entry_gives_one_message_whoever_holds_the_live_application(
    client, demo, gongshu_reviewer, unit_name, channel, state, level
):
    existing = ApplicationFactory(
        campaign=demo,
        unit=_unit(unit_name),
        channel=channel,
        state=state,
        new_level=SkillLevel.objects.get(code=level),
    )
    client.force_login(gongshu_reviewer)
    response = client.post(ENTER, _higher_paper(demo, existing, "拱墅区总工会"))
    assert _form_errors(response) == [UNIT_DUPLICATE]
    assert existing.reference not in response.content.decode()
    _untouched(existing)
    assert Application.objects.filter(campaign=demo).count() == 1


def test_posting_the_replacement_fields_to_paper_entry_changes_nothing(
    client, demo, gongshu_reviewer, xihu_application
):
    client.force_login(gongshu_reviewer)
    data = _higher_paper(demo, xihu_application, "拱墅区总工会") | {
        "replace-reference": xihu_application.reference,
        "replace-confirmed": "on",
        "replace-reason": "我来取代",
    }
    response = client.post(ENTER, data)
    assert _form_errors(response) == [UNIT_DUPLICATE]
    _untouched(xihu_application)


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_unit_reviewer_cannot_open_the_service_centers_replacement(
    client, demo, gongshu_reviewer, xihu_application, method
):
    client.force_login(gongshu_reviewer)
    data = _higher_paper(demo, xihu_application, "拱墅区总工会") | {
        "replace-reference": xihu_application.reference,
        "replace-confirmed": "on",
        "replace-reason": "我来取代",
    }
    response = getattr(client, method)(REPLACE, data if method == "post" else None)
    assert response.status_code == 404
    _untouched(xihu_application)


def test_submit_refuses_a_replacement_by_anyone_but_the_service_center(demo, gongshu_reviewer, xihu_application):
    applicant = _applicant(demo, xihu_application, "拱墅区总工会")
    with pytest.raises(PermissionDenied):
        submit(
            demo,
            applicant,
            {},
            channel="unit",
            actor=gongshu_reviewer,
            replace=Replacement(xihu_application.reference, "我来取代"),
        )
    _untouched(xihu_application)


# The Annex 4 summary table.


def _annex4_row(demo, application):
    gender = "男" if gender_and_birth_date(application.id_number)[0] == "male" else "女"
    return person(1, demo, 身份证号=application.id_number, 性别=gender, 技术等级="高级技师")


def test_the_annex4_check_refuses_another_units_applicant_without_describing_it(
    client, demo, gongshu_reviewer, xihu_application
):
    client.force_login(gongshu_reviewer)
    data = workbook_bytes([_annex4_row(demo, xihu_application), person(2, demo)])
    client.post(
        UPLOAD,
        {
            "file": SimpleUploadedFile("拱墅.xlsx", data),
            "grassroots_union": "示例公司工会",
            "grassroots_opinion": OPINION,
            "paper_consent": "on",
        },
    )
    html = client.get(CHECK).content.decode()
    assert UNIT_DUPLICATE in html
    assert xihu_application.reference not in html and "西湖区总工会" not in html
    workbook = load_workbook(io.BytesIO(client.get(ANNOTATED).getvalue()))
    sheet = workbook.worksheets[0]
    notes = [cell.value for cell in sheet[4] if cell.value and "身份证号：" in str(cell.value)]
    assert notes == [f"身份证号：{UNIT_DUPLICATE}"]
    assert xihu_application.reference not in str([[cell.value for cell in row] for row in sheet.iter_rows()])
    assert client.session[SESSION_KEY]
    _untouched(xihu_application)


def test_the_annex4_import_never_replaces_another_units_applicant(demo, gongshu_reviewer):
    """Checked while the ID number was free, imported after someone else applied: refused, untouched."""
    gongshu = _unit("拱墅区总工会")
    row = person(1, demo, 技术等级="高级技师")
    results = validate_rows(parse_summary_table(workbook_bytes([row])), demo, gongshu, grassroots_union="示例工会")
    assert results[0].ok
    xihu = ApplicationFactory(
        campaign=demo,
        unit=_unit("西湖区总工会"),
        id_number=row["身份证号"],
        new_level=SkillLevel.objects.get(code="senior_worker"),
        bank_card=XIHU_CARD,
    )
    outcome = import_rows(
        results, demo, gongshu, gongshu_reviewer, grassroots_opinion=OPINION, grassroots_union="示例工会"
    )
    assert outcome.refused and outcome.count == 0
    assert [error.message for error in outcome.errors] == [UNIT_DUPLICATE]
    _untouched(xihu)
    assert Application.objects.filter(campaign=demo).count() == 1


# Online: the person may replace only their own online application in the same unit.


def _applicant(demo, application, unit_name, level="senior_technician"):
    return Applicant(
        unit=_unit(unit_name),
        name=application.name,
        gender=application.gender,
        birth_date=application.birth_date,
        education="senior",
        occupation="车工",
        previous_level=None,
        previous_level_obtained_on=None,
        new_level=SkillLevel.objects.get(code=level),
        certificate_number="S0009",
        certificate_issued_on=demo.window_start,
        id_number=application.id_number,
        mobile="13900007777",
        bank_card="6222021234567890128",
        bank_branch="中国工商银行杭州支行",
        employer="杭州某某机械有限公司",
        grassroots_union="杭州某某机械有限公司工会",
    )


@pytest.mark.parametrize(
    ("channel", "state", "unit_name"),
    [
        ("unit", S.UNIT_APPROVED, "西湖区总工会"),
        ("unit", S.SUBMITTED, "西湖区总工会"),
        ("individual", S.SUBMITTED, "拱墅区总工会"),
    ],
    ids=["unit-channel", "unit-channel-submitted", "online-other-unit"],
)
def test_online_a_higher_level_does_not_replace_a_unit_channel_or_other_units_application(
    demo, channel, state, unit_name
):
    existing = ApplicationFactory(
        campaign=demo,
        unit=_unit(unit_name),
        channel=channel,
        state=state,
        new_level=SkillLevel.objects.get(code="senior_worker"),
    )
    with pytest.raises(SubmissionError, match="请联系市总工会职工服务中心") as refused:
        submit(demo, _applicant(demo, existing, "西湖区总工会"), {})
    assert existing.reference in refused.value.message  # their own application, described to them
    _untouched(existing)
    assert Application.objects.filter(campaign=demo).count() == 1


# The city service center's recorded replacement.


def test_the_service_center_replaces_across_units_with_a_recorded_reason(
    client, demo, service_center, xihu_application
):
    client.force_login(service_center)
    data = _higher_paper(demo, xihu_application, "拱墅区总工会")
    shown = client.post(REPLACE, data)
    assert shown.status_code == 200
    html = shown.content.decode()
    assert xihu_application.reference in html and "西湖区总工会" in html  # the city sees every application
    _untouched(xihu_application)  # nothing happens before the explicit confirmation

    reason = "申请人持高级技师证书来中心办理，原申报在西湖区。"
    confirmed = data | {
        "replace-reference": xihu_application.reference,
        "replace-confirmed": "on",
        "replace-reason": reason,
    }
    response = client.post(REPLACE, confirmed)
    assert response.status_code == 302
    old = Application.objects.get(pk=xihu_application.pk)
    new = Application.objects.get(campaign=demo, state__in=[S.SUBMITTED, S.UNIT_APPROVED])
    assert old.state == S.WITHDRAWN and new.reference in old.state_reason
    assert (new.unit.name, new.channel, new.state, new.amount) == ("拱墅区总工会", "unit", S.SUBMITTED, 800)
    withdrawal = old.events.get(to_state=S.WITHDRAWN)
    assert withdrawal.actor == service_center and reason in withdrawal.opinion and new.reference in withdrawal.opinion
    first = new.events.get()
    assert first.actor == service_center and reason in first.opinion and old.reference in first.opinion


def test_the_service_center_must_confirm_and_give_a_reason(client, demo, service_center, xihu_application):
    client.force_login(service_center)
    data = _higher_paper(demo, xihu_application, "拱墅区总工会") | {"replace-reference": xihu_application.reference}
    response = client.post(REPLACE, data | {"replace-reason": "   "})
    assert response.status_code == 200
    errors = response.context["replacement"].errors
    assert "confirmed" in errors and "reason" in errors
    _untouched(xihu_application)


def test_the_service_center_cannot_replace_an_application_the_city_approved(client, demo, service_center):
    approved = ApplicationFactory(
        campaign=demo, state=S.APPROVED, new_level=SkillLevel.objects.get(code="senior_worker")
    )
    client.force_login(service_center)
    data = _higher_paper(demo, approved, "拱墅区总工会") | {
        "replace-reference": approved.reference,
        "replace-confirmed": "on",
        "replace-reason": "试图取代",
    }
    response = client.post(REPLACE, data)
    assert response.status_code == 200 and "不能取代" in " ".join(_form_errors(response))
    _untouched(approved)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrent connections (PostgreSQL)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_units_entering_one_person_at_once_get_one_application_and_the_one_message(campaign_2022):

    campaign = ensure_demo_campaign(campaign_2022)
    model = ApplicationFactory.build(campaign=campaign)
    entries = []
    for unit_name in ("西湖区总工会", "拱墅区总工会"):
        reviewer = _staff(f"race-{unit_name}", "unit_reviewer", unit_name)
        entries.append((_applicant(campaign, model, unit_name), reviewer))
    outcomes = at_once(
        *(lambda entry=entry: submit(campaign, entry[0], {}, channel="unit", actor=entry[1]) for entry in entries),
        expected=SubmissionError,
    )
    assert sum(not isinstance(outcome, SubmissionError) for outcome in outcomes) == 1
    assert [outcome.message for outcome in outcomes if isinstance(outcome, SubmissionError)] == [UNIT_DUPLICATE]
    assert Application.objects.filter(campaign=campaign).count() == 1


# The member registry check (condition 一) tells a reviewer nothing of another unit's application: a
# reviewer who types an ID number another unit holds a live application for, under a name the registry
# does not hold, learns only that the person is not a verified member or already has an application.


def _nothing_of(application, html):
    for told in (application.reference, "西湖区总工会", XIHU_CARD, application.mobile):
        assert told not in html, told


def test_paper_entry_of_a_non_member_names_nothing_of_the_other_units_application(
    client, demo, gongshu_reviewer, xihu_application
):
    gongshu = gongshu_reviewer.staff_profile.unit_id
    data = _paper(demo, unit=str(gongshu), id_number=xihu_application.id_number, name="冒名者")
    Member.objects.filter(id_hash=keyed_hash(xihu_application.id_number), name="冒名者").delete()
    client.force_login(gongshu_reviewer)
    response = client.post(ENTER, data)
    assert response.status_code == 200
    errors = response.context["form"].errors["id_number"]
    assert errors and set(errors) <= {NOT_A_MEMBER, UNIT_DUPLICATE}
    _nothing_of(xihu_application, response.content.decode())
    _untouched(xihu_application)


def test_the_annex4_check_of_a_non_member_names_nothing_of_the_other_units_application(
    client, demo, gongshu_reviewer, xihu_application
):
    row = _annex4_row(demo, xihu_application) | {"姓名": "冒名者"}
    client.force_login(gongshu_reviewer)
    upload = SimpleUploadedFile("拱墅.xlsx", workbook_bytes([row]))
    data = {"file": upload, "grassroots_union": "示例公司工会", "grassroots_opinion": OPINION, "paper_consent": "on"}
    client.post(UPLOAD, data)
    html = client.get(CHECK).content.decode()
    assert NOT_A_MEMBER in html or UNIT_DUPLICATE in html
    _nothing_of(xihu_application, html)
    _untouched(xihu_application)
