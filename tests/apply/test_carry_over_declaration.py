"""Online, a certificate of the carry-over window needs the declaration; a record of last year refuses it."""

import re

import pytest

from applications.models import Application
from applications.programme.demo import ensure_demo_campaign
from applications.programme.history_import import import_history
from tests.apply.test_flow import _details, _png, _through_identity
from tests.factories import MemberFactory
from tests.members.test_members import write_csv

pytestmark = pytest.mark.django_db

DECLARATION_MISSING = "请核实后勾选此项声明"


@pytest.fixture
def demo(campaign_2022):
    return ensure_demo_campaign(campaign_2022)


def _field_html(html, name):
    """The markup of one field's wrapper, from its input to the next field."""
    start = html.index(f'name="{name}"')
    return html[html.rfind('<div id="div_id_', 0, start) : html.find('<div id="div_id_', start)]


def test_a_carry_over_certificate_without_the_declaration_is_refused_beside_it_keeping_the_input(
    client, demo, sms_file
):
    url = _through_identity(client, demo, MemberFactory(), sms_file)
    response = client.post(url, _details(demo, certificate_issued_on=demo.carry_over_end.isoformat()))
    html = response.content.decode()
    assert response.status_code == 200
    assert DECLARATION_MISSING in _field_html(html, "carry_over_declared")
    assert 'value="S000033010600123"' in html and 'value="杭州某某机械有限公司"' in html
    assert f'value="{demo.carry_over_end.isoformat()}"' in html


def test_with_the_declaration_a_carry_over_application_goes_through_and_records_it(client, demo, sms_file):
    member = MemberFactory()
    url = _through_identity(client, demo, member, sms_file)
    details = _details(demo, certificate_issued_on=demo.carry_over_end.isoformat(), carry_over_declared="on")
    assert client.post(url, details).status_code == 302
    files = {kind: _png() for kind in ("id_front", "id_back", "certificate", "bank_card")}
    assert client.post(url, files).status_code == 302
    assert f"未申请过{demo.year - 1}年度奖励" in client.get(url).content.decode()  # on the summary
    assert client.post(url).status_code == 302
    application = Application.objects.get(id_hash=member.id_hash)
    assert (application.window, application.carry_over_declared) == ("carry_over", True)


def test_a_certificate_of_this_years_window_needs_no_declaration(client, demo, sms_file):
    url = _through_identity(client, demo, MemberFactory(), sms_file)
    assert client.post(url, _details(demo)).status_code == 302


def test_someone_on_last_years_list_is_told_at_the_details_step(client, demo, sms_file, tmp_path):
    member = MemberFactory()
    header = ["姓名", "身份证号码", "技能等级", "结果", "所属工会"]
    rows = [[member.name, member.id_number, "高级工", "已奖励", "西湖区总工会"]]
    import_history(write_csv(tmp_path / "h.csv", rows, header=header), year=demo.year - 1)
    url = _through_identity(client, demo, member, sms_file)
    details = _details(demo, certificate_issued_on=demo.carry_over_end.isoformat(), carry_over_declared="on")
    html = client.post(url, details).content.decode()
    assert "不能补报" in _field_html(html, "carry_over_declared")
    assert client.post(url, _details(demo)).status_code == 302  # a certificate of this year's window is fine


@pytest.mark.parametrize("migrant", ["no", "yes"])
def test_going_back_to_the_details_keeps_the_migrant_answer_and_the_declaration(client, demo, sms_file, migrant):
    """Found on the way: the kept answer is a bool, the radio's choices "yes"/"no", so none was checked."""
    url = _through_identity(client, demo, MemberFactory(), sms_file)
    details = _details(demo, certificate_issued_on=demo.carry_over_end.isoformat(), carry_over_declared="on")
    details |= {"is_migrant": migrant, "hukou_place": "安徽省阜阳市", "years_in_hangzhou": "3"}
    assert client.post(url, details).status_code == 302
    html = client.get(url, {"step": "details"}).content.decode()
    assert re.search(rf'<input[^>]*value="{migrant}"[^>]*checked', html) or re.search(
        rf'<input[^>]*checked[^>]*value="{migrant}"', html
    )
    assert re.search(r'<input[^>]*name="carry_over_declared"[^>]*checked', html)
