"""The carry-over rule: one question (did the person apply last year?) asked of earlier campaigns in the
database and of the imported history alike, the declaration, and the reviewer's check 上年度记录."""

import datetime

import pytest

from applications.apply.submission import SubmissionError, submit
from applications.core.crypto import keyed_hash
from applications.programme import carry_over
from applications.programme.demo import ensure_demo_campaign
from applications.programme.history_import import import_history
from applications.review.checks import checks_for
from tests.apply.test_submission import ID_NUMBER, PNG, _applicant
from tests.factories import ApplicationFactory, CampaignFactory
from tests.members.test_members import write_csv

pytestmark = pytest.mark.django_db

HEADER = ["姓名", "身份证号码", "技能等级", "结果", "所属工会"]


@pytest.fixture
def campaign(campaign_2022):
    return ensure_demo_campaign(campaign_2022)


def _history(tmp_path, year, id_number=ID_NUMBER, result="已奖励", name="history.csv"):
    path = write_csv(tmp_path / name, [["王五", id_number, "技师", result, "西湖区总工会"]], header=HEADER)
    return import_history(path, year=year)


def _submit(campaign, **kwargs):
    return submit(campaign, _applicant(campaign, **kwargs), {"certificate": PNG})


def _previous_campaign_application(campaign, state="paid"):
    previous = CampaignFactory(year=campaign.year - 1)
    return ApplicationFactory(campaign=previous, id_number=ID_NUMBER, state=state, reference="HZ0000000001")


def test_no_record_anywhere_means_no_previous_application(campaign):
    assert carry_over.previous_records(campaign.year, keyed_hash(ID_NUMBER)) == []
    assert not carry_over.applied_last_year(campaign, keyed_hash(ID_NUMBER))


def test_a_history_row_of_last_year_is_a_previous_application(campaign, tmp_path):
    _history(tmp_path, campaign.year - 1, result="未通过")
    [record] = carry_over.previous_records(campaign.year, keyed_hash(ID_NUMBER))
    assert str(record) == f"{campaign.year - 1}年度，来源：导入文件 history.csv，结果：未获奖励"
    assert carry_over.applied_last_year(campaign, keyed_hash(ID_NUMBER))


def test_a_history_row_of_another_year_does_not_count(campaign, tmp_path):
    _history(tmp_path, campaign.year - 2)
    assert not carry_over.applied_last_year(campaign, keyed_hash(ID_NUMBER))


def test_an_application_in_last_years_campaign_counts_whatever_its_outcome(campaign):
    _previous_campaign_application(campaign, state="rejected")
    [record] = carry_over.previous_records(campaign.year, keyed_hash(ID_NUMBER))
    assert record.source == f"{campaign.year - 1}年度申报 HZ0000000001" and record.result == "未通过"


def test_carry_over_with_a_history_row_is_refused(campaign, tmp_path):
    _history(tmp_path, campaign.year - 1)
    with pytest.raises(SubmissionError, match="不能补报") as refused:
        _submit(campaign, issued=campaign.carry_over_start, carry_over_declared=True)
    assert refused.value.field == "carry_over_declared"


def test_carry_over_with_an_earlier_campaign_in_the_database_is_refused(campaign):
    _previous_campaign_application(campaign)
    with pytest.raises(SubmissionError, match="不能补报"):
        _submit(campaign, issued=campaign.carry_over_end, carry_over_declared=True)


def test_carry_over_without_any_record_and_with_the_declaration_is_accepted(campaign, tmp_path):
    _history(tmp_path, campaign.year - 1, id_number="11010519491231002X")  # someone else
    application = _submit(campaign, issued=campaign.carry_over_end, carry_over_declared=True).application
    assert (application.window, application.carry_over_declared, application.amount) == ("carry_over", True, 600)


def test_carry_over_without_the_declaration_is_refused_on_the_declaration(campaign):
    with pytest.raises(SubmissionError, match="请核实后勾选此项声明") as refused:
        _submit(campaign, issued=campaign.carry_over_end)
    assert refused.value.field == "carry_over_declared"


def test_a_certificate_of_this_years_window_needs_no_declaration_even_with_a_record(campaign, tmp_path):
    _history(tmp_path, campaign.year - 1)
    application = _submit(campaign, issued=campaign.window_start).application
    assert (application.window, application.carry_over_declared) == ("current", False)


def _check(application):
    return next(check for check in checks_for(application) if check.label == "上年度记录")


def test_the_review_check_says_none_without_a_record(campaign):
    application = _submit(campaign, issued=campaign.carry_over_end, carry_over_declared=True).application
    check = _check(application)
    assert check.ok and check.detail.startswith("无（补报；申请人已声明")


def test_the_review_check_names_source_and_result_of_a_record(campaign, tmp_path):
    application = _submit(campaign, issued=campaign.carry_over_end, carry_over_declared=True).application
    _history(tmp_path, campaign.year - 1, result="已发放")  # the history arrives after the submission
    check = _check(application)
    assert not check.ok
    assert f"有：{campaign.year - 1}年度，来源：导入文件 history.csv，结果：已奖励" in check.detail


def test_the_review_check_is_information_only_for_this_years_window(campaign):
    _previous_campaign_application(campaign)
    application = _submit(campaign, issued=campaign.window_start + datetime.timedelta(days=3)).application
    check = _check(application)
    last = campaign.year - 1
    assert check.ok and check.detail == f"有：{last}年度，来源：{last}年度申报 HZ0000000001，结果：已发放"


def test_the_reviewer_sees_the_check_on_the_review_page(client, campaign, reviewer, tmp_path):
    application = _submit(campaign, issued=campaign.carry_over_end, carry_over_declared=True).application
    client.force_login(reviewer)
    html = client.get(f"/admin/applications/review/{application.pk}/").content.decode()
    assert "✔ 上年度记录</strong>：无（补报；申请人已声明" in html
    _history(tmp_path, campaign.year - 1)
    html = client.get(f"/admin/applications/review/{application.pk}/").content.decode()
    assert "✖ 上年度记录</strong>：有：" in html and "导入文件 history.csv，结果：已奖励" in html
    assert ID_NUMBER not in html
