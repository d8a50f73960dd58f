"""The carry-over rule in the unit channel: paper entry confirms the paper form's declaration, the Annex 4
uploader confirms it for the carry-over rows, and last year's records refuse them as online."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from applications.models import Application
from applications.programme.history_import import import_history
from applications.unit_channel.admin.annex4 import SESSION_KEY
from tests.members.test_members import write_csv
from tests.unit_channel.test_annex4_import import OPINION, person, run, workbook_bytes
from tests.unit_channel.test_paper_entry import URL, _paper, _reviewer

pytestmark = pytest.mark.django_db

HEADER = ["姓名", "身份证号码", "技能等级", "结果", "所属工会"]


@pytest.fixture
def demo(campaign_2022):
    from applications.programme.demo import ensure_demo_campaign

    return ensure_demo_campaign(campaign_2022)


def _history(tmp_path, year, name, id_number):
    path = write_csv(tmp_path / "history.csv", [[name, id_number, "技师", "已奖励", "西湖区总工会"]], header=HEADER)
    import_history(path, year=year)


def _carry_over(campaign):
    return datetime.datetime.combine(campaign.carry_over_end, datetime.time())


# Paper entry.


def test_paper_entry_of_a_carry_over_form_needs_the_confirmed_declaration(client, demo):
    _reviewer(client)
    data = _paper(demo, certificate_issued_on=demo.carry_over_end.isoformat())
    html = client.post(URL, data).content.decode()
    assert "请核实后勾选此项声明" in html and 'value="焊工"' in html
    assert f"已核对：申请表上申请人声明符合{demo.year - 1}年度奖励条件" in html
    assert not Application.objects.filter(name="陈七").exists()

    assert client.post(URL, data | {"carry_over_declared": "on"}).status_code == 302
    application = Application.objects.get(name="陈七")
    assert (application.window, application.carry_over_declared) == ("carry_over", True)


def test_paper_entry_of_someone_on_last_years_list_is_refused(client, demo, tmp_path):
    _reviewer(client)
    data = _paper(demo, certificate_issued_on=demo.carry_over_end.isoformat(), carry_over_declared="on")
    _history(tmp_path, demo.year - 1, data["name"], data["id_number"])
    html = client.post(URL, data).content.decode()
    assert "不能补报" in html
    assert not Application.objects.filter(name="陈七").exists()


def test_paper_entry_of_this_years_window_needs_no_declaration(client, demo, tmp_path):
    _reviewer(client)
    data = _paper(demo)
    _history(tmp_path, demo.year - 1, data["name"], data["id_number"])
    assert client.post(URL, data).status_code == 302


# Annex 4.


@pytest.fixture
def setup(demo):
    from applications.models import ReviewUnit
    from applications.programme.staff import create_staff

    unit = ReviewUnit.objects.get(name="西湖区总工会")
    user = create_staff("t-xihu-carry", "unit_reviewer", password="pw-for-tests", unit_name=unit.name)[0]
    return demo, unit, user


def test_annex4_carry_over_rows_need_the_uploaders_confirmation(setup):
    campaign, unit, user = setup
    data = workbook_bytes([person(1, campaign), person(2, campaign, 发证时间=_carry_over(campaign))])
    results, outcome = run(data, campaign, unit, user)
    assert [result.carry_over for result in results] == [False, True]
    assert outcome.refused and not Application.objects.exists()
    assert [(error.row, error.column) for error in outcome.errors] == [(5, "发证时间")]
    assert "在导入时勾选确认" in outcome.errors[0].message

    results, outcome = run(data, campaign, unit, user, carry_over_declared=True)
    assert not outcome.refused and outcome.count == 2
    declared = dict(Application.objects.values_list("name", "carry_over_declared"))
    assert declared == {"职工1": False, "职工2": True}


def test_annex4_rows_on_last_years_list_are_errors_before_import(setup, tmp_path):
    campaign, unit, user = setup
    row = person(2, campaign, 发证时间=_carry_over(campaign))
    _history(tmp_path, campaign.year - 1, row["姓名"], row["身份证号"])
    results, outcome = run(workbook_bytes([row]), campaign, unit, user, carry_over_declared=True)
    assert not results[0].ok and "不能补报" in results[0].errors[0].message
    assert outcome.refused and not Application.objects.exists()


def test_the_annex4_screen_asks_for_the_confirmation_and_passes_it(client, setup):
    campaign, _unit, user = setup
    client.force_login(user)
    data = workbook_bytes([person(1, campaign), person(2, campaign, 发证时间=_carry_over(campaign))])
    client.post(
        "/admin/applications/annex4/",
        {
            "file": SimpleUploadedFile("t.xlsx", data),
            "grassroots_union": "示例工会",
            "grassroots_opinion": OPINION,
            "paper_consent": "on",
        },
    )
    html = client.get("/admin/applications/annex4/check/").content.decode()
    assert "第5行的发证时间在补报时间段内（1 人）" in html and 'name="carry_over_declared"' in html
    token = client.session[SESSION_KEY]["token"]
    post = {"token": token, "mode": "all", "expected": "2"}
    html = client.post("/admin/applications/annex4/import/", post).content.decode()
    assert "在导入时勾选确认" in html and not Application.objects.exists()
    response = client.post("/admin/applications/annex4/import/", post | {"carry_over_declared": "yes"})
    assert response.status_code == 302 and Application.objects.count() == 2
