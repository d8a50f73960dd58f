"""Full ID and bank card numbers are masked until asked for; every opening of personal data is recorded."""

import pytest

from applications.core.constants import ApplicationState as S
from applications.models import PersonalDataAccess, ReviewUnit
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db

What = PersonalDataAccess.What
LOG = "/admin/personal_data_access/"


@pytest.fixture
def application(campaign_2022):
    return ApplicationFactory(state=S.SUBMITTED)


def _review(pk):
    return f"/admin/applications/review/{pk}/"


def test_the_review_page_masks_both_numbers(client, reviewer, application):
    client.force_login(reviewer)
    html = client.get(_review(application.pk)).content.decode()
    assert application.masked_id in html and application.id_number not in html
    assert application.masked_bank_card in html and application.bank_card not in html
    assert not PersonalDataAccess.objects.exists()


@pytest.mark.parametrize(("field", "what"), [("id_number", What.ID_NUMBER), ("bank_card", What.BANK_CARD)])
def test_revealing_a_number_shows_it_once_and_records_who(client, reviewer, application, field, what):
    client.force_login(reviewer)
    response = client.post(_review(application.pk), {"reveal": field, "opinion": "材料齐全，待核实"})
    html = response.content.decode()
    assert response.status_code == 200
    assert getattr(application, field) in html
    assert "材料齐全，待核实" in html  # the opinion typed so far survives
    record = PersonalDataAccess.objects.get()
    assert (record.user, record.username, record.application, record.what) == (reviewer, "t-xihu", application, what)
    assert record.ip_address == "127.0.0.1"
    # The next visit is masked again: nothing was kept in the session.
    assert getattr(application, field) not in client.get(_review(application.pk)).content.decode()


def test_revealing_does_not_change_the_application(client, reviewer, application):
    client.force_login(reviewer)
    client.post(_review(application.pk), {"reveal": "id_number", "action": "unit_approve"})
    application.refresh_from_db()
    assert application.state == S.SUBMITTED and not application.events.exists()


def test_another_units_reviewer_cannot_reveal(client, reviewer, campaign_2022):
    other = ApplicationFactory(state=S.SUBMITTED, unit=ReviewUnit.objects.get(name="拱墅区总工会"))
    client.force_login(reviewer)
    assert client.post(_review(other.pk), {"reveal": "id_number"}).status_code == 404
    assert not PersonalDataAccess.objects.exists()


def test_opening_an_attachment_is_recorded(client, service_center, application):
    from django.core.files.base import ContentFile

    attachment = application.attachments.create(
        kind="certificate", file=ContentFile(b"%PDF-1.4\n", name="c.pdf"), content_type="application/pdf", size=9
    )
    client.force_login(service_center)
    assert client.get(f"/attachments/{attachment.pk}/").status_code == 200
    record = PersonalDataAccess.objects.get()
    assert (record.what, record.application, record.detail) == (What.ATTACHMENT, application, "等级证书")


def test_a_refused_attachment_is_not_recorded(client, reviewer, campaign_2022):
    from django.core.files.base import ContentFile

    other = ApplicationFactory(state=S.SUBMITTED, unit=ReviewUnit.objects.get(name="拱墅区总工会"))
    attachment = other.attachments.create(
        kind="certificate", file=ContentFile(b"%PDF-1.4\n", name="c.pdf"), content_type="application/pdf", size=9
    )
    client.force_login(reviewer)
    assert client.get(f"/attachments/{attachment.pk}/").status_code == 404
    assert not PersonalDataAccess.objects.exists()


def test_the_city_service_center_reads_the_log(client, reviewer, service_center, application):
    client.force_login(reviewer)
    client.post(_review(application.pk), {"reveal": "bank_card"})
    client.force_login(service_center)
    html = client.get(LOG).content.decode()
    assert "t-xihu" in html and "完整银行卡号" in html and application.reference in html
    assert application.bank_card not in html


@pytest.mark.parametrize("who", ["reviewer", "economic", "editor"])
def test_other_roles_cannot_read_the_log(client, request, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(LOG)
    assert response.status_code in (302, 403)
    assert "个人信息查看记录" not in response.content.decode()
