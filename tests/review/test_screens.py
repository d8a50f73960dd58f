"""The review list and review page: scoped to the reviewer's unit, masked, with the actions."""

import pytest

from applications.core.constants import ApplicationState as S
from applications.models import ReviewUnit
from applications.programme.staff import create_staff
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db

LIST = "/admin/applications/application/"


def _login(client, role, unit=None):
    user = create_staff(f"r-{role}-{unit or 'city'}", role, password="pw-for-tests-1", unit_name=unit)[0]
    client.force_login(user)
    return user


@pytest.fixture
def xihu_and_gongshu(campaign_2022):
    xihu = ApplicationFactory(state=S.SUBMITTED, name="西湖申请人")
    gongshu = ApplicationFactory(state=S.SUBMITTED, name="拱墅申请人", unit=ReviewUnit.objects.get(name="拱墅区总工会"))
    return xihu, gongshu


def test_a_reviewer_lists_only_their_units_applications_masked(client, xihu_and_gongshu):
    xihu, _gongshu = xihu_and_gongshu
    _login(client, "unit_reviewer", "西湖区总工会")
    html = client.get(LIST).content.decode()
    assert "西湖申请人" in html and "拱墅申请人" not in html
    assert xihu.masked_id in html and xihu.id_number not in html


def test_another_units_application_is_404_everywhere(client, xihu_and_gongshu):
    _xihu, gongshu = xihu_and_gongshu
    _login(client, "unit_reviewer", "西湖区总工会")
    assert client.get(f"/admin/applications/review/{gongshu.pk}/").status_code == 404
    assert client.post(f"/admin/applications/review/{gongshu.pk}/", {"action": "unit_approve"}).status_code == 404
    assert gongshu.reference not in client.get(LIST, {"q": "拱墅申请人"}).content.decode()
    assert gongshu.reference not in client.get(LIST, {"q": gongshu.id_number}).content.decode()


def test_search_by_exact_id_number_uses_the_keyed_hash(client, xihu_and_gongshu):
    xihu, _gongshu = xihu_and_gongshu
    _login(client, "city_service_center")
    html = client.get(LIST, {"q": xihu.id_number.lower()}).content.decode()
    assert xihu.reference in html and _gongshu.reference not in html


def test_the_city_sees_every_unit(client, xihu_and_gongshu):
    _login(client, "city_service_center")
    html = client.get(LIST).content.decode()
    assert "西湖申请人" in html and "拱墅申请人" in html


@pytest.mark.parametrize("role", ["editor", "economic_dept"])
def test_roles_without_review_rights_do_not_see_the_list(client, xihu_and_gongshu, role):
    _login(client, role)
    assert client.get(LIST).status_code in (302, 403)


def test_the_review_page_shows_fields_checks_copies_history_and_approves(client, xihu_and_gongshu):
    xihu, _gongshu = xihu_and_gongshu
    _login(client, "unit_reviewer", "西湖区总工会")
    url = f"/admin/applications/review/{xihu.pk}/"
    html = client.get(url).content.decode()
    for text in ("申报奖励工种", "规则核对", "附件材料", "办理记录", xihu.masked_bank_card, "预审通过", "驳回"):
        assert text in html
    assert xihu.bank_card not in html and xihu.id_number not in html
    response = client.post(url, {"action": "unit_approve", "opinion": "材料齐全"})
    assert response.status_code == 302
    xihu.refresh_from_db()
    assert xihu.state == S.UNIT_APPROVED
    assert "材料齐全" in client.get(url).content.decode()


def test_a_rejection_without_a_reason_keeps_the_page_and_says_why(client, xihu_and_gongshu):
    xihu, _gongshu = xihu_and_gongshu
    _login(client, "unit_reviewer", "西湖区总工会")
    html = client.post(f"/admin/applications/review/{xihu.pk}/", {"action": "unit_reject", "opinion": ""})
    assert "须填写原因" in html.content.decode()
    xihu.refresh_from_db()
    assert xihu.state == S.SUBMITTED


def test_the_list_makes_a_bounded_number_of_queries(client, campaign_2022, django_assert_max_num_queries):
    _login(client, "city_service_center")
    ApplicationFactory.create_batch(5)
    client.get(LIST)
    with django_assert_max_num_queries(40) as few:
        client.get(LIST)
    ApplicationFactory.create_batch(40)
    with django_assert_max_num_queries(len(few.captured_queries) + 2):
        client.get(LIST)


def test_bulk_approval_with_one_opinion_stays_within_the_unit(client, xihu_and_gongshu):
    xihu, gongshu = xihu_and_gongshu
    second = ApplicationFactory(state=S.SUBMITTED, name="西湖申请人二")
    _login(client, "unit_reviewer", "西湖区总工会")
    html = client.get("/admin/applications/bulk/").content.decode()
    assert xihu.reference in html and gongshu.reference not in html
    response = client.post(
        "/admin/applications/bulk/",
        {"application": [xihu.pk, second.pk, gongshu.pk], "action": "unit_approve", "opinion": "同意"},
    )
    assert response.status_code == 302
    states = {a.pk: a.state for a in type(xihu).objects.all()}
    assert states[xihu.pk] == states[second.pk] == S.UNIT_APPROVED
    assert states[gongshu.pk] == S.SUBMITTED  # another unit's application is untouched


def test_the_city_sees_which_applications_lack_a_grassroots_union(client, xihu_and_gongshu):
    xihu, gongshu = xihu_and_gongshu
    type(xihu).objects.filter(pk=gongshu.pk).update(grassroots_union="")
    _login(client, "city_service_center")
    html = client.get(LIST, {"grassroots": "missing"}).content.decode()
    assert gongshu.reference in html and xihu.reference not in html
