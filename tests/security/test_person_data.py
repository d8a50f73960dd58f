"""A person's whole data (export as a ZIP, erasure) is the city service center's alone: everyone else gets a
404 as if the screens did not exist, whatever the method, and nothing is exported, erased or recorded."""

import pytest

from applications.models import Application, PersonalDataAccess, PersonDataRequest
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db

URL = "/admin/person-data/"
ERASE = "/admin/person-data/erase/"
REASON = "本人书面申请。"


@pytest.fixture
def application(site_2022):
    return ApplicationFactory(state="rejected")


def _attempts(client, application):
    data = {"id_number": application.id_number, "reason": REASON}
    return [
        client.get(URL),
        client.post(URL, {**data, "action": "export"}),
        client.post(URL, {**data, "action": "erase"}),
        client.post(ERASE, {**data, "confirmed": "on"}),
    ]


@pytest.mark.parametrize("role", ["editor", "reviewer", "economic"])
def test_other_staff_get_a_404_and_nothing_is_exported_or_erased(request, client, application, role):
    client.force_login(request.getfixturevalue(role))
    for response in _attempts(client, application):
        assert response.status_code == 404
        assert response.get("Content-Type") != "application/zip"
    application.refresh_from_db()
    assert application.name != "已匿名"
    assert not PersonDataRequest.objects.exists()
    assert not PersonalDataAccess.objects.filter(what__in=["person_export", "person_erasure"]).exists()


def test_the_unit_reviewer_of_the_persons_own_unit_gets_a_404_too(client, reviewer, application):
    assert application.unit == reviewer.staff_profile.unit  # sees the application, not the whole person
    client.force_login(reviewer)
    assert all(response.status_code == 404 for response in _attempts(client, application))
    assert Application.objects.get(pk=application.pk).id_number == application.id_number


def test_anonymous_visitors_are_sent_to_sign_in_and_nothing_happens(client, application):
    for response in _attempts(client, application):
        assert response.status_code == 302 and "/login/" in response["Location"]
    assert not PersonDataRequest.objects.exists()


def test_a_deactivated_service_center_account_gets_nothing(client, service_center, application):
    service_center.is_active = False
    service_center.save()
    client.force_login(service_center)
    assert all(response.status_code in (302, 404) for response in _attempts(client, application))
    assert not PersonDataRequest.objects.exists()


def test_the_menu_shows_the_screens_to_the_service_center_only(client, service_center, editor):
    client.force_login(editor)
    html = client.get("/admin/").content.decode()
    assert "/admin/person-data/" not in html and "/admin/retention/" not in html
    client.force_login(service_center)
    html = client.get("/admin/").content.decode()
    assert "/admin/person-data/" in html and "/admin/retention/" in html
