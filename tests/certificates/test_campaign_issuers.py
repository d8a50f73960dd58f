"""The recognised issuers are campaign rule data: edited inline by the economic work department, recorded as
rule changes, copied to the next year, shown on the campaign for those who only read."""

import pytest

from applications.models import CampaignChange, RecognisedIssuer
from applications.programme.rollover import prepare_next_campaign
from tests.security.test_members_and_rules import campaign_form_data

pytestmark = pytest.mark.django_db


def edit_url(campaign):
    return f"/admin/applications/campaign/edit/{campaign.pk}/"


def with_issuer(data, issuer_type, name):
    index = int(data["recognised_issuers-TOTAL_FORMS"])
    return {
        **data,
        "recognised_issuers-TOTAL_FORMS": str(index + 1),
        f"recognised_issuers-{index}-issuer_type": issuer_type,
        f"recognised_issuers-{index}-name": name,
        f"recognised_issuers-{index}-ORDER": str(index + 1),
        f"recognised_issuers-{index}-id": "",
    }


def test_the_economic_department_adds_an_issuer_and_the_change_is_recorded(client, campaign_2022, economic):
    client.force_login(economic)
    html = client.get(edit_url(campaign_2022)).content.decode()
    assert "认可的发证机构（第三方评价机构、企业）" in html
    data = with_issuer(campaign_form_data(campaign_2022, economic), "third_party", "杭州市示例评价中心")
    response = client.post(edit_url(campaign_2022), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    issuer = RecognisedIssuer.objects.get()
    assert (issuer.campaign, issuer.issuer_type, issuer.name) == (campaign_2022, "third_party", "杭州市示例评价中心")
    change = CampaignChange.objects.get()
    assert change.user == economic
    assert change.changes == [
        {
            "field": "issuer:third_party:杭州市示例评价中心",
            "label": "认可的发证机构：认可的第三方评价机构",
            "before": "—",
            "after": "杭州市示例评价中心",
        }
    ]


@pytest.mark.parametrize("role_fixture", ["editor", "reviewer", "service_center"])
def test_other_roles_cannot_change_the_list(request, client, campaign_2022, economic, role_fixture):
    data = with_issuer(campaign_form_data(campaign_2022, economic), "enterprise", "某公司")
    client.force_login(request.getfixturevalue(role_fixture))
    assert client.post(edit_url(campaign_2022), data).status_code in (302, 403)
    assert not RecognisedIssuer.objects.exists()


def test_those_who_read_the_campaign_see_the_list(client, campaign_2022, editor):
    RecognisedIssuer.objects.create(campaign=campaign_2022, issuer_type="enterprise", name="杭州示例电器有限公司")
    client.force_login(editor)
    html = client.get(f"/admin/applications/campaign/inspect/{campaign_2022.pk}/").content.decode()
    assert "企业：杭州示例电器有限公司" in html


def test_the_next_year_starts_with_the_same_list(campaign_2022, economic):
    RecognisedIssuer.objects.create(campaign=campaign_2022, issuer_type="enterprise", name="杭州示例电器有限公司")
    new = prepare_next_campaign(campaign_2022, economic)
    assert list(new.recognised_issuers.values_list("issuer_type", "name")) == [("enterprise", "杭州示例电器有限公司")]
    first = new.changes.get()
    assert any(change["field"] == "issuer:enterprise:杭州示例电器有限公司" for change in first.changes)
