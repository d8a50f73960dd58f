"""Section 二(二): who may issue a rewarded certificate, one rule for every channel (certificates.issuers)."""

import pytest

from applications.apply.forms import ApplicationDetailsForm
from applications.apply.submission import SubmissionError
from applications.certificates.issuers import issuer_problem, issuer_type_from_text, rules_for
from applications.models import RecognisedIssuer
from applications.programme import eligibility
from applications.programme.demo import ensure_demo_campaign
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db

LISTED_BODY = "杭州市示例职业技能评价中心"
LISTED_ENTERPRISE = "杭州示例汽车零部件有限公司"
LISTED_HR_BODY = "杭州市职业能力建设指导服务中心"


@pytest.fixture
def campaign(campaign_2022):
    campaign = ensure_demo_campaign(campaign_2022)
    for order, (issuer_type, name) in enumerate(
        [("third_party", LISTED_BODY), ("enterprise", LISTED_ENTERPRISE), ("hr", LISTED_HR_BODY)]
    ):
        RecognisedIssuer.objects.create(campaign=campaign, issuer_type=issuer_type, name=name, sort_order=order)
    return campaign


@pytest.mark.parametrize(
    "name",
    [
        "浙江省人力资源和社会保障厅",
        "杭州市人力资源和社会保障局",
        "西湖区人力资源和社会保障局",
        "建德市人力社保局",
        "淳安县人社局",
        " 杭州市 人力资源和社会保障局 ",
        LISTED_HR_BODY,
    ],
)
def test_hr_departments_of_the_province_the_city_and_its_districts_are_accepted_by_name(campaign, name):
    assert issuer_problem(rules_for(campaign), "hr", name) is None


@pytest.mark.parametrize(
    "name",
    [
        "上海市人力资源和社会保障局",
        "宁波市人力资源和社会保障局",
        "杭州市市场监督管理局",
        "杭州市人力资源和社会保障局培训部",
    ],
)
def test_other_hr_departments_and_other_bodies_are_refused_as_hr(campaign, name):
    problem = issuer_problem(rules_for(campaign), "hr", name)
    assert problem and "人社部门" in problem and name in problem


@pytest.mark.parametrize(
    "issuer_type, name, accepted",
    [
        ("third_party", LISTED_BODY, True),
        ("third_party", "杭州市示例职业技能评价中心（杭州）", False),
        ("third_party", "另一家评价机构", False),
        ("third_party", LISTED_ENTERPRISE, False),  # listed, but as an enterprise
        ("third_party", "杭州市人力资源和社会保障局", False),  # an HR department is not a third party
        ("enterprise", LISTED_ENTERPRISE, True),
        ("enterprise", " 杭州示例汽车零部件 有限公司", True),  # spaces do not count
        ("enterprise", "杭州未列入名单有限公司", False),
        ("enterprise", LISTED_BODY, False),
    ],
)
def test_third_parties_and_enterprises_must_be_on_the_campaigns_list_with_their_type(
    campaign, issuer_type, name, accepted
):
    problem = issuer_problem(rules_for(campaign), issuer_type, name)
    assert (problem is None) is accepted
    if not accepted:
        assert "名单" in problem


def test_full_width_and_half_width_brackets_are_the_same_name(campaign):
    RecognisedIssuer.objects.create(campaign=campaign, issuer_type="enterprise", name="示例（杭州）电气有限公司")
    assert issuer_problem(rules_for(campaign), "enterprise", "示例(杭州)电气有限公司") is None


def test_another_campaigns_list_does_not_count(campaign):
    other = CampaignFactory()
    assert issuer_problem(rules_for(other), "third_party", LISTED_BODY) is not None
    assert issuer_problem(rules_for(other), "hr", "杭州市人力资源和社会保障局") is None


def test_a_missing_type_or_name_is_refused(campaign):
    rules = rules_for(campaign)
    assert issuer_problem(rules, "", LISTED_BODY) == "请选择发证机构类型。"
    assert "请填写发证机构名称" in issuer_problem(rules, "third_party", "  ")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("人社部门", "hr"),
        ("认可的第三方评价机构", "third_party"),
        ("第三方评价机构", "third_party"),
        ("企业", "enterprise"),
        (" 企 业 ", "enterprise"),
        ("学校", None),
        ("", None),
    ],
)
def test_a_spreadsheet_cell_names_a_type_by_its_label_or_a_short_form(text, expected):
    assert issuer_type_from_text(text) == expected


def _details(campaign, **overrides):
    data = {
        "unit": str(campaign.quotas.get(unit__name="西湖区总工会").unit_id),
        "education": "senior",
        "occupation": "车工",
        "new_level": str(campaign.reward_levels.get(level__code="technician").level_id),
        "certificate_number": "S0001",
        "certificate_issued_on": campaign.window_start.isoformat(),
        "certificate_issuer_type": "third_party",
        "certificate_issuer": LISTED_BODY,
        "mobile": "13900001111",
        "bank_card": "6222021234567890128",
        "bank_branch": "中国工商银行杭州西湖支行",
        "employer": "杭州示例机械有限公司",
        "grassroots_union": "杭州示例机械有限公司工会",
        "is_migrant": "no",
    }
    return data | overrides


def test_the_online_form_asks_for_the_issuer_and_checks_it_beside_the_field(campaign):
    rules = eligibility.rules_for(campaign)
    assert ApplicationDetailsForm(rules, _details(campaign)).is_valid()
    missing = ApplicationDetailsForm(rules, _details(campaign, certificate_issuer_type="", certificate_issuer=""))
    assert not missing.is_valid()
    assert {"certificate_issuer_type", "certificate_issuer"} <= set(missing.errors)
    unlisted = ApplicationDetailsForm(rules, _details(campaign, certificate_issuer="未列入的评价机构"))
    assert not unlisted.is_valid()
    assert "名单" in unlisted.errors["certificate_issuer"][0]
    assert LISTED_BODY in ApplicationDetailsForm(rules).issuer_suggestions()


def test_submission_refuses_an_issuer_the_campaign_does_not_accept(campaign):
    """The service checks too, whichever channel (or script) calls it."""
    from applications.apply.submission import submit
    from tests.certificates.test_verification import applicant_for

    with pytest.raises(SubmissionError) as refused:
        applicant = applicant_for(campaign, certificate_issuer_type="enterprise", certificate_issuer="无名公司")
        submit(campaign, applicant, {})
    assert refused.value.field == "certificate_issuer" and "名单" in refused.value.message
