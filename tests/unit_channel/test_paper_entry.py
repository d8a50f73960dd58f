"""The unit channel: a review unit enters a paper Annex 3; it starts approved by the unit."""

import pytest

from applications.apply.submission import NOTHING_TO_REPLACE
from applications.core.constants import ApplicationState as S
from applications.models import Application
from applications.programme.demo import ensure_demo_campaign
from applications.programme.staff import create_staff
from tests.factories import ApplicationFactory, make_id_number, register_member

pytestmark = pytest.mark.django_db

URL = "/admin/applications/enter/"


@pytest.fixture
def demo(campaign_2022):
    return ensure_demo_campaign(campaign_2022)


def _reviewer(client, unit="西湖区总工会"):
    user = create_staff(f"paper-{unit}", "unit_reviewer", password="pw-for-tests-1", unit_name=unit)[0]
    client.force_login(user)
    return user


def _paper(demo, **overrides):
    import datetime

    xihu = demo.quotas.get(unit__name="西湖区总工会").unit_id
    data = {
        "unit": str(xihu),
        "name": "陈七",
        "id_number": make_id_number(datetime.date(1979, 9, 9), seq=71),
        "education": "junior",
        "occupation": "焊工",
        "previous_level": "",
        "previous_level_obtained_on": "",
        "new_level": str(demo.reward_levels.get(level__code="senior_technician").level_id),
        "certificate_number": "P0007",
        "certificate_issued_on": demo.window_start.isoformat(),
        "certificate_issuer_type": "hr",
        "certificate_issuer": "杭州市人力资源和社会保障局",
        "mobile": "13900005555",
        "bank_card": "6222021234567890128",
        "bank_branch": "杭州银行西湖支行",
        "employer": "杭州示例焊接有限公司",
        "grassroots_union": "杭州示例焊接有限公司工会",
        "is_migrant": "no",
        "grassroots_opinion": "经核对，情况属实。",
        "paper_consent": "on",
    }
    data |= overrides
    register_member(data["name"], data["id_number"])  # condition 一: only members are entered
    return data


def test_a_paper_application_starts_approved_by_the_unit(client, demo):
    reviewer = _reviewer(client)
    response = client.post(URL, _paper(demo))
    assert response.status_code == 302
    application = Application.objects.get(name="陈七")
    assert (application.channel, application.state, application.amount) == ("unit", S.UNIT_APPROVED, 800)
    event = application.events.get()
    assert (event.actor, event.opinion) == (reviewer, "经核对，情况属实。")
    assert application.query_password_hash  # a password exists, but the unit channel never shows it


def test_paper_entry_validates_like_the_online_form_and_keeps_the_input(client, demo):
    _reviewer(client)
    html = client.post(URL, _paper(demo, id_number="330106197909090710", grassroots_union="")).content.decode()
    assert "校验位不正确" in html
    assert 'value="焊工"' in html
    assert not Application.objects.filter(name="陈七").exists()


def test_a_reviewer_can_only_enter_for_their_own_unit(client, demo):
    _reviewer(client)
    gongshu = demo.quotas.get(unit__name="拱墅区总工会").unit_id
    html = client.post(URL, _paper(demo, unit=str(gongshu))).content.decode()
    assert "选择一个有效的选项" in html or "Select a valid choice" in html
    assert not Application.objects.filter(name="陈七").exists()


@pytest.mark.parametrize("role", ["city_service_center", "economic_dept", "editor"])
def test_only_unit_reviewers_enter_paper_applications(client, demo, role):
    client.force_login(create_staff(f"p-{role}", role, password="pw-for-tests-1")[0])
    assert client.get(URL).status_code == 404


# The city service center's replacement screen (the attacks are in tests/security/test_unit_channel.py).

REPLACE = "/admin/applications/enter/replace/"


def test_the_service_center_replaces_only_a_live_application(client, demo, service_center):
    client.force_login(service_center)
    response = client.post(REPLACE, _paper(demo))
    assert NOTHING_TO_REPLACE in response.context["form"].errors["id_number"]
    assert not Application.objects.filter(name="陈七").exists()


def test_a_confirmation_for_another_application_shows_the_live_one_again(client, demo, service_center):
    existing = ApplicationFactory(campaign=demo, id_number=_paper(demo)["id_number"], state=S.UNIT_APPROVED)
    client.force_login(service_center)
    data = _paper(demo) | {"replace-reference": "HZ2022000001", "replace-confirmed": "on", "replace-reason": "理由"}
    response = client.post(REPLACE, data)
    assert response.status_code == 200
    assert response.context["replacement"].initial["reference"] == existing.reference
    existing.refresh_from_db()
    assert existing.state == S.UNIT_APPROVED


def test_the_service_center_sees_the_replacement_menu_and_reviewers_the_paper_entry(client, demo, service_center):
    client.force_login(service_center)
    html = client.get("/admin/").content.decode()
    assert REPLACE in html and URL + '"' not in html
    _reviewer(client)
    html = client.get("/admin/").content.decode()
    assert REPLACE not in html and URL in html


@pytest.mark.parametrize("registry", ["absent", "other_name", "unverified"])
def test_paper_entry_refuses_a_person_the_member_registry_does_not_hold(client, demo, registry):
    """Condition 一 binds the unit channel too: the reason and what to do, and nothing is stored."""
    from applications.members.directory import NOT_A_MEMBER
    from applications.models import Member

    _reviewer(client)
    data = _paper(demo)
    if registry == "absent":
        Member.objects.all().delete()
    elif registry == "other_name":
        data["name"] = "陈七七"
    else:
        Member.objects.update(is_verified=False)
    response = client.post(URL, data)
    assert response.status_code == 200
    assert response.context["form"].errors["id_number"] == [NOT_A_MEMBER]
    assert NOT_A_MEMBER in response.content.decode()
    assert not Application.objects.exists()


def test_the_service_center_replacement_refuses_a_non_member_too(client, demo, service_center):
    from applications.members.directory import NOT_A_MEMBER
    from applications.models import Member

    client.force_login(service_center)
    data = _paper(demo)
    Member.objects.all().delete()
    response = client.post(REPLACE, data)
    assert NOT_A_MEMBER in response.context["form"].errors["id_number"]
