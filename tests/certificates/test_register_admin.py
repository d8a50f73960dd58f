"""证书库 in the admin: the certificate register, read-only, for the city service center alone, numbers masked."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications.models import Certificate
from applications.programme.staff import create_staff
from tests.factories import CertificateFactory, make_id_number

pytestmark = pytest.mark.django_db

LIST = "/admin/applications/certificate/"
ID_CHEN = make_id_number(datetime.date(1986, 7, 14), 52)
ID_SUN = make_id_number(datetime.date(1979, 2, 28), 37)


@pytest.fixture
def register():
    """Three certificates, created out of order: 陈静 (technician), 孙浩 (senior worker), 周婷 (technician)."""
    return {
        "zhou": CertificateFactory(number="HZ2022000300", name="周婷", level="技师"),
        "chen": CertificateFactory(number="hz 2022 000100", name="陈静", id_number=ID_CHEN, level="技师"),
        "sun": CertificateFactory(number="HZ2022000200", name="孙浩", id_number=ID_SUN, level="高级工"),
    }


@pytest.fixture
def grassroots(site_2022):
    return create_staff(
        "t-jiceng",
        "grassroots_union",
        password="pw-for-tests-1",
        unit_name="西湖区总工会",
        grassroots_name="杭州示例机械有限公司工会",
    )[0]


def _rows(html):
    """The register's names in the order the list shows them."""
    return sorted((html.index(name), name) for name in ("陈静", "孙浩", "周婷") if name in html)


def _names(client, **params):
    response = client.get(LIST, params)
    assert response.status_code == 200
    return [name for _index, name in _rows(response.content.decode())]


def test_the_city_service_center_finds_the_register_in_the_menu(client, service_center):
    client.force_login(service_center)
    html = client.get("/admin/").content.decode()
    assert LIST in html and "证书库" in html


def test_the_list_shows_every_column_by_number_with_id_numbers_masked(client, service_center, register):
    client.force_login(service_center)
    response = client.get(LIST)
    html = response.content.decode()

    assert response.status_code == 200
    for heading in ("证书编号", "姓名", "身份证号码", "职业(工种)", "等级", "发证日期", "发证机构", "更新时间"):
        assert heading in html, heading
    assert _names(client) == ["陈静", "孙浩", "周婷"]  # HZ2022000100, …200, …300
    assert "HZ2022000100" in html and "杭州市人力资源和社会保障局" in html and "电工" in html
    assert f"330***********{ID_CHEN[-4:]}" in html and f"330***********{ID_SUN[-4:]}" in html
    for certificate in Certificate.objects.all():
        assert certificate.id_number not in html
        assert certificate.id_number[6:14] not in html  # not even the birth date


@pytest.mark.parametrize("who", ["reviewer", "grassroots", "editor", "economic"])
def test_nobody_else_sees_the_register_or_its_menu_item(client, request, who, register):
    client.force_login(request.getfixturevalue(who))
    assert client.get(LIST).status_code == 403
    assert client.get(LIST, {"q": ID_CHEN}).status_code == 403
    assert LIST not in client.get("/admin/").content.decode()


def test_signed_out_visitors_are_sent_to_sign_in(client, register):
    response = client.get(LIST)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_the_permission_is_the_city_service_centers_alone(service_center, reviewer, grassroots, editor, economic):
    assert service_center.has_perm("applications.view_certificate")
    others = (reviewer, grassroots, editor, economic)
    assert not any(user.has_perm("applications.view_certificate") for user in others)
    for action in ("add", "change", "delete"):
        assert not service_center.has_perm(f"applications.{action}_certificate")


def test_the_list_offers_no_add_edit_or_delete(client, service_center, register):
    client.force_login(service_center)
    html = client.get(LIST).content.decode()
    pk = register["chen"].pk
    for url in (f"{LIST}create/", f"{LIST}edit/{pk}/", f"{LIST}delete/{pk}/", f"{LIST}inspect/{pk}/"):
        assert url not in html, url


@pytest.mark.parametrize("who", ["service_center", "economic"])
def test_adding_editing_or_deleting_by_url_is_refused(client, request, who, register):
    client.force_login(request.getfixturevalue(who))
    chen = register["chen"]
    values = {"number": "HZ2022000100", "name": "篡改", "id_number": ID_SUN, "occupation": "电工", "level": "技师"}
    for url in (f"{LIST}create/", f"{LIST}edit/{chen.pk}/", f"{LIST}delete/{chen.pk}/"):
        assert client.get(url).status_code == 403, url
        assert client.post(url, values).status_code == 403, url
    assert client.get(f"{LIST}inspect/{chen.pk}/").status_code == 404
    chen.refresh_from_db()
    assert (chen.name, chen.id_number, Certificate.objects.count()) == ("陈静", ID_CHEN, 3)


@pytest.mark.parametrize("term", ["HZ2022000100", "hz2022000100", " hz 2022 0001 00 ", "2022000100"])
def test_a_certificate_number_is_found_whatever_its_spaces_and_case(client, service_center, register, term):
    client.force_login(service_center)
    assert _names(client, q=term) == ["陈静"]


def test_a_part_of_a_number_finds_every_certificate_holding_it(client, service_center, register):
    client.force_login(service_center)
    assert _names(client, q="hz20220") == ["陈静", "孙浩", "周婷"]


def test_a_name_is_found(client, service_center, register):
    client.force_login(service_center)
    assert _names(client, q="孙浩") == ["孙浩"]
    assert _names(client, q=" 周 ") == ["周婷"]


def test_an_exact_id_number_is_found_through_its_keyed_hash(client, service_center, register):
    client.force_login(service_center)
    html = client.get(LIST, {"q": ID_SUN}).content.decode()
    assert [name for _i, name in _rows(html)] == ["孙浩"]
    start = html.index("<tbody", html.index('<table class="listing'))
    rows = html[start : html.index("</tbody>", start)]
    assert "孙浩" in rows and ID_SUN not in rows  # only in the search box and the links that keep it, as typed
    assert _names(client, q=ID_SUN.lower()) == ["孙浩"]


def test_a_part_of_an_id_number_finds_nobody(client, service_center, register):
    """The ID number is encrypted: only the whole number, through its keyed hash, finds a person."""
    client.force_login(service_center)
    assert _names(client, q=ID_CHEN[:17]) == []
    assert _names(client, q=ID_CHEN[-6:]) == []


def test_an_eighteen_digit_certificate_number_is_still_found_by_number(client, service_center, register):
    CertificateFactory(number="143300000030012345", name="吴刚")
    client.force_login(service_center)
    assert "吴刚" in client.get(LIST, {"q": "1433 0000 0030 0123 45"}).content.decode()


def test_the_level_filter_lists_that_level_only(client, service_center, register):
    client.force_login(service_center)
    html = client.get(LIST).content.decode()
    assert "?level=%E9%AB%98%E7%BA%A7%E5%B7%A5" in html or "level=高级工" in html  # the filter offers 高级工
    assert _names(client, level="技师") == ["陈静", "周婷"]
    assert _names(client, level="高级工") == ["孙浩"]


def test_an_empty_search_says_so(client, service_center, register):
    client.force_login(service_center)
    response = client.get(LIST, {"q": "不存在的人"})
    assert response.status_code == 200 and _rows(response.content.decode()) == []


def _list_queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST).status_code == 200
    return len(queries)


def test_the_query_count_does_not_grow_with_the_rows(client, service_center):
    client.force_login(service_center)
    CertificateFactory.create_batch(2)
    few = _list_queries(client)
    CertificateFactory.create_batch(40)
    assert _list_queries(client) == few
