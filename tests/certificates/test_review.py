"""证书核验 on the review screens: the check, the list filter, the dashboard counts, and bulk approval
leaving out differing certificates until a reviewer confirms each on its review page."""

import pytest

from applications.core.constants import ApplicationState as S
from applications.models import Application, CertificateCheck
from applications.review.progress import city_totals, unit_progress
from applications.review.workflow import WorkflowError, take
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db

LIST = "/admin/applications/application/"
BULK = "/admin/applications/bulk/"


def review_url(application):
    return f"/admin/applications/review/{application.pk}/"


@pytest.fixture
def three(campaign_2022):
    """One application to 西湖区总工会 per result, all awaiting pre-review, and one not checked yet."""
    from applications.programme.demo import ensure_demo_campaign

    campaign = ensure_demo_campaign(campaign_2022)
    made = {
        result: ApplicationFactory(campaign=campaign, name=f"核验{result or '无'}", certificate_check=result)
        for result in (CertificateCheck.MATCH, CertificateCheck.NOT_FOUND, CertificateCheck.DIFFERS, "")
    }
    made[CertificateCheck.DIFFERS].certificate_differences = "发证日期、职业"
    made[CertificateCheck.DIFFERS].save()
    return made


def test_the_review_page_shows_the_check_naming_the_differing_fields(client, reviewer, three):
    client.force_login(reviewer)
    html = client.get(review_url(three[CertificateCheck.DIFFERS])).content.decode()
    assert "证书核验</strong>：不一致：发证日期、职业与证书库不同" in html
    assert "核对无误，确认证书" in html
    assert "证书核验</strong>：一致" in client.get(review_url(three[CertificateCheck.MATCH])).content.decode()
    assert "证书库中未找到" in client.get(review_url(three[CertificateCheck.NOT_FOUND])).content.decode()
    assert "未核验" in client.get(review_url(three[""])).content.decode()


@pytest.mark.parametrize(
    "value, expected",
    [("match", "核验match"), ("not_found", "核验not_found"), ("differs", "核验differs"), ("unchecked", "核验无")],
)
def test_the_list_filters_on_the_result(client, reviewer, three, value, expected):
    client.force_login(reviewer)
    html = client.get(LIST, {"certificate": value}).content.decode()
    shown = {application.name for application in three.values() if application.name in html}
    assert shown == {expected}


def test_the_list_shows_the_result_in_a_column(client, reviewer, three):
    client.force_login(reviewer)
    html = client.get(LIST).content.decode()
    assert "不一致：发证日期、职业" in html and "证书库中未找到" in html


def test_bulk_approval_leaves_out_a_differing_certificate_even_when_posted(client, reviewer, three):
    client.force_login(reviewer)
    html = client.get(BULK).content.decode()
    differs = three[CertificateCheck.DIFFERS]
    assert f'name="application" value="{differs.pk}"' not in html  # no checkbox for it
    assert "证书核验不一致，须逐份核对办理（1 份）" in html and differs.reference in html
    client.post(BULK, {"action": "unit_approve", "application": [a.pk for a in three.values()]})
    states = dict(Application.objects.values_list("certificate_check", "state"))
    assert states[CertificateCheck.DIFFERS] == S.SUBMITTED
    assert {states["match"], states["not_found"], states[""]} == {S.UNIT_APPROVED}


def test_the_workflow_refuses_to_approve_a_differing_certificate_not_confirmed(reviewer, three):
    with pytest.raises(WorkflowError, match="证书核验不一致"):
        take("unit_approve", three[CertificateCheck.DIFFERS], reviewer)
    # Rejecting needs no confirmation.
    assert take("unit_reject", three[CertificateCheck.DIFFERS], reviewer, "证书与证书库不符").state == S.REJECTED


def test_a_reviewer_confirms_on_the_review_page_and_then_approves(client, reviewer, three):
    client.force_login(reviewer)
    differs = three[CertificateCheck.DIFFERS]
    response = client.post(review_url(differs), {"action": "unit_approve"}, follow=True)
    assert "证书核验不一致" in response.content.decode()
    differs.refresh_from_db()
    assert differs.state == S.SUBMITTED

    client.post(review_url(differs), {"action": "confirm_certificate"})
    differs.refresh_from_db()
    assert differs.certificate_confirmed_by == reviewer and differs.certificate_confirmed_state == S.SUBMITTED
    assert "核对确认" in client.get(review_url(differs)).content.decode()
    client.post(review_url(differs), {"action": "unit_approve"})
    differs.refresh_from_db()
    assert differs.state == S.UNIT_APPROVED


def test_a_confirmed_certificate_may_go_in_bulk_but_the_next_step_confirms_again(
    client, reviewer, service_center, three
):
    differs = three[CertificateCheck.DIFFERS]
    client.force_login(reviewer)
    client.post(review_url(differs), {"action": "confirm_certificate"})
    client.post(BULK, {"action": "unit_approve", "application": [differs.pk]})
    differs.refresh_from_db()
    assert differs.state == S.UNIT_APPROVED

    client.force_login(service_center)
    assert f'name="application" value="{differs.pk}"' not in client.get(BULK).content.decode()
    client.post(BULK, {"action": "city_approve", "application": [differs.pk]})
    differs.refresh_from_db()
    assert differs.state == S.UNIT_APPROVED


def test_only_someone_who_may_act_now_confirms(client, service_center, three):
    """The city cannot confirm an application still at its unit's step; a match needs no confirmation."""
    client.force_login(service_center)
    for result in (CertificateCheck.DIFFERS, CertificateCheck.MATCH):
        assert client.post(review_url(three[result]), {"action": "confirm_certificate"}).status_code == 404
    assert not Application.objects.exclude(certificate_confirmed_by=None).exists()


def test_the_dashboard_counts_live_applications_by_result(client, reviewer, three):
    rejected = ApplicationFactory(
        campaign=three["match"].campaign, certificate_check=CertificateCheck.DIFFERS, state=S.REJECTED
    )
    rows = unit_progress(rejected.campaign)
    total = city_totals(rows)
    assert (total.certificate_match, total.certificate_not_found, total.certificate_differs) == (1, 1, 1)
    assert total.certificate_unchecked == 1
    client.force_login(reviewer)
    html = client.get("/admin/progress/").content.decode()
    assert "证书核验（有效申报）" in html and "查看证书核验不一致的申报" in html
    home = client.get("/admin/").content.decode()
    assert "证书核验：一致 1，证书库中未找到 1，不一致 1，未核验 1。" in home


def test_the_economic_department_sees_the_counts_without_a_link_to_applications(client, economic, three):
    client.force_login(economic)
    html = client.get("/admin/progress/").content.decode()
    assert "证书核验（有效申报）" in html and "查看证书核验不一致的申报" not in html
