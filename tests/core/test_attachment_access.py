"""Attachments are private: only the application's review unit and the city union may open them."""

import datetime

import pytest

from applications.apply.copies import CleanUpload
from applications.apply.submission import Applicant, submit
from applications.models import ReviewUnit, SkillLevel
from applications.programme.demo import ensure_demo_campaign
from applications.programme.staff import create_staff
from tests.factories import make_id_number

pytestmark = pytest.mark.django_db

PNG = CleanUpload(b"\x89PNG pretend image", "image/png", "png")


@pytest.fixture
def attachment(campaign_2022):
    campaign = ensure_demo_campaign(campaign_2022)
    applicant = Applicant(
        unit=ReviewUnit.objects.get(name="西湖区总工会"),
        name="赵六",
        gender="female",
        birth_date=datetime.date(1992, 3, 4),
        education="college",
        occupation="电工",
        previous_level=None,
        previous_level_obtained_on=None,
        new_level=SkillLevel.objects.get(code="senior_worker"),
        certificate_number="C1",
        certificate_issued_on=campaign.window_start,
        id_number=make_id_number(datetime.date(1992, 3, 4), seq=22),
        mobile="13900003333",
        bank_card="6222021234567890128",
        bank_branch="中国银行杭州西湖支行",
        employer="某公司",
        grassroots_union="某公司工会",
    )
    return submit(campaign, applicant, {"id_front": PNG}).application.attachments.get()


def _get(client, attachment):
    return client.get(f"/attachments/{attachment.pk}/")


def test_anonymous_requests_get_404(client, attachment):
    assert _get(client, attachment).status_code == 404


def test_the_file_is_not_under_the_public_media_url(attachment, settings):
    assert not attachment.file.path.startswith(str(settings.MEDIA_ROOT))
    assert attachment.file.path.startswith(str(settings.PRIVATE_MEDIA_ROOT))


@pytest.mark.parametrize(
    ("role", "unit", "status"),
    [
        ("unit_reviewer", "西湖区总工会", 200),
        ("unit_reviewer", "拱墅区总工会", 404),
        ("city_service_center", None, 200),
        ("economic_dept", None, 404),
        ("editor", None, 404),
    ],
)
def test_only_the_own_unit_and_the_city_service_center_open_it(client, attachment, role, unit, status):
    user, _created = create_staff(f"u-{role}-{unit}", role, password="pw-for-tests-1", unit_name=unit)
    client.force_login(user)
    response = _get(client, attachment)
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content).startswith(b"\x89PNG")
        assert "no-store" in response["Cache-Control"]
        assert response["Content-Disposition"].startswith("inline")
