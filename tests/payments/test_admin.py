"""The payment screens: who may see and do what, and each screen doing what it says."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook
from stdnum import luhn

from applications.core.constants import ApplicationState as S
from applications.core.constants import Role
from applications.models import ApplicationEvent, BankCardCorrection, PaymentBatch, PersonalDataAccess, ReviewUnit
from applications.payments import service as payments
from applications.payments.corrections import request_correction
from applications.programme.staff import create_staff
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db

INDEX, NEW = "/admin/payments/", "/admin/payments/new/"


def approved(campaign, unit="西湖区总工会", **fields):
    application = ApplicationFactory(
        campaign=campaign, state=S.APPROVED, unit=ReviewUnit.objects.get(name=unit), **fields
    )
    ApplicationEvent.objects.create(
        application=application, actor_label="市总工会", from_state=S.UNIT_APPROVED, to_state=S.APPROVED
    )
    return application


@pytest.fixture
def batch(campaign_2022, service_center):
    approved(campaign_2022, amount=500, name="张三", bank_card="6222021234567890123")
    approved(campaign_2022, amount=800, unit="拱墅区总工会")
    return payments.create_batch(campaign_2022, service_center)


def batch_urls(batch):
    base = f"/admin/payments/{batch.pk}/"
    return [base, f"{base}approve/", f"{base}transfer-file/", f"{base}mark-paid/", f"{base}bank-result/"]


def checker():
    """A second city service center account, who approves batches and confirms card corrections."""
    return create_staff("t-service-2", Role.CITY_SERVICE_CENTER, password="pw-for-tests")[0]


def export(batch, user):
    """The batch approved by the second account, then its transfer file exported by `user`."""
    payments.approve_batch(batch, checker())
    return payments.transfer_file(batch, user)


def failed_application(campaign, service_center, reason="户名与卡号不符"):
    application = approved(campaign)
    batch = payments.create_batch(campaign, service_center, applications=[application])
    export(batch, service_center)
    upload = SimpleUploadedFile("r.csv", f"申报编号,状态,原因\n{application.reference},失败,{reason}\n".encode())
    assert payments.import_bank_result(batch, upload, service_center).ok
    application.refresh_from_db()
    return application


# Who may do what.


def test_anonymous_visitors_are_sent_to_sign_in_and_change_nothing(client, batch):
    for url in [INDEX, NEW, *batch_urls(batch)]:
        response = client.post(url) if "transfer" in url else client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.post(f"/admin/payments/{batch.pk}/mark-paid/")
    batch.refresh_from_db()
    assert (batch.state, batch.exported_at) == ("open", None)


@pytest.mark.parametrize("role_fixture", ["editor", "reviewer"])
def test_editors_and_unit_reviewers_get_404_everywhere(request, client, batch, campaign_2022, role_fixture):
    client.force_login(request.getfixturevalue(role_fixture))
    application = failed_application(campaign_2022, request.getfixturevalue("service_center"))
    for url in [INDEX, NEW, *batch_urls(batch), f"/admin/payments/correct-card/{application.pk}/"]:
        assert client.get(url).status_code == 404, url
        assert (
            client.post(url, {"bank_card": "6222021234567890123", "bank_branch": "中国银行杭州分行"}).status_code == 404
        )
    application.refresh_from_db()
    batch.refresh_from_db()
    assert (application.state, batch.state, batch.exported_at) == (S.PAYMENT_FAILED, "open", None)
    assert INDEX not in client.get("/admin/").content.decode()


def test_the_economic_department_reads_batches_and_figures_but_not_people_and_changes_nothing(client, batch, economic):
    client.force_login(economic)
    html = client.get(INDEX).content.decode()
    assert batch.number in html and "1300" in html
    detail = client.get(f"/admin/payments/{batch.pk}/").content.decode()
    assert "1300" in detail and "对账" in detail
    assert "张三" not in detail and "622" not in detail and "导出转账文件</button>" not in detail
    assert client.get(NEW).status_code == 404
    assert client.post(f"/admin/payments/{batch.pk}/transfer-file/").status_code == 404
    assert client.post(f"/admin/payments/{batch.pk}/mark-paid/").status_code == 404
    assert client.get(f"/admin/payments/{batch.pk}/bank-result/").status_code == 404
    batch.refresh_from_db()
    assert batch.exported_at is None
    assert INDEX in client.get("/admin/").content.decode()


# The service center's screens.


def test_creating_a_batch_shows_count_and_total_first_then_creates_exactly_that(client, campaign_2022, service_center):
    approved(campaign_2022, amount=500)
    approved(campaign_2022, amount=800)
    approved(campaign_2022, amount=600, unit="拱墅区总工会")
    client.force_login(service_center)
    assert "新建发放批次" in client.get(INDEX).content.decode()
    xihu = ReviewUnit.objects.get(name="西湖区总工会")
    fields = {"campaign": campaign_2022.pk, "unit": xihu.pk, "note": "西湖区第一批"}
    html = client.post(NEW, {**fields, "action": "preview"}).content.decode()
    assert "符合条件：2 份，合计 1300 元" in html and "创建批次（2 份，1300 元）" in html
    assert 'name="expected_count" value="2"' in html and 'name="expected_total" value="1300"' in html
    assert not PaymentBatch.objects.exists()
    response = client.post(NEW, {**fields, "action": "create", "expected_count": 2, "expected_total": 1300})
    batch = PaymentBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/admin/payments/{batch.pk}/"
    assert (batch.items.count(), batch.note) == (2, "西湖区第一批")


def test_a_create_form_with_errors_keeps_what_was_typed(client, campaign_2022, service_center):
    approved(campaign_2022)
    client.force_login(service_center)
    html = client.post(
        NEW,
        {
            "campaign": campaign_2022.pk,
            "approved_from": "2022-12-10",
            "approved_to": "2022-12-01",
            "references": "HZ2022000000",
            "note": "我的备注",
            "action": "preview",
        },
    ).content.decode()
    assert "截止日不能早于起始日。" in html and "本活动中没有这些申报编号：HZ2022000000" in html
    assert "我的备注" in html and "2022-12-10" in html and "HZ2022000000" in html


def test_an_empty_choice_is_refused_on_screen(client, campaign_2022, service_center):
    client.force_login(service_center)
    html = client.post(NEW, {"campaign": campaign_2022.pk, "action": "preview"}).content.decode()
    assert "符合条件：0 份，合计 0 元" in html and "创建批次（" not in html
    html = client.post(
        NEW, {"campaign": campaign_2022.pk, "action": "create", "expected_count": 0, "expected_total": 0}
    ).content.decode()
    assert "没有符合条件的待发放申报" in html
    assert not PaymentBatch.objects.exists()


def test_the_batch_screen_shows_masked_cards_and_the_figures(client, batch, service_center):
    client.force_login(service_center)
    html = client.get(f"/admin/payments/{batch.pk}/").content.decode()
    assert "张三" in html and "622************0123" in html and "6222021234567890123" not in html
    assert "1300" in html and "导出转账文件" in html and "整批标记已发放" not in html


def test_a_long_batch_pages_its_items_and_keeps_the_filter(client, batch, service_center, monkeypatch):
    from applications.payments.admin import batches as payment_admin

    monkeypatch.setattr(payment_admin, "ITEMS_PER_PAGE", 1)
    client.force_login(service_center)
    html = client.get(f"/admin/payments/{batch.pk}/?result=pending").content.decode()
    assert "第 1 / 2 页" in html and 'href="?result=pending&amp;page=2"' in html
    html = client.get(f"/admin/payments/{batch.pk}/approve/").content.decode()
    assert "第 1 / 2 页" in html and 'href="?page=2"' in html


def test_exporting_the_transfer_file_downloads_it_and_records_the_export(client, batch, service_center):
    payments.approve_batch(batch, checker())
    client.force_login(service_center)
    assert client.get(f"/admin/payments/{batch.pk}/transfer-file/").status_code == 405
    response = client.post(f"/admin/payments/{batch.pk}/transfer-file/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="transfer-2022-001-')
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert "6222021234567890123" in [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    access = PersonalDataAccess.objects.get()
    assert (access.user, access.what) == (service_center, "export")
    assert "2022-001" in access.detail and "2笔" in access.detail
    html = client.get(f"/admin/payments/{batch.pk}/").content.decode()
    assert "整批标记已发放" in html and "导入银行回执" in html


def test_marking_paid_asks_for_confirmation_first(client, batch, service_center, django_capture_on_commit_callbacks):
    export(batch, service_center)
    client.force_login(service_center)
    html = client.get(f"/admin/payments/{batch.pk}/mark-paid/").content.decode()
    assert "将批次 2022-001 的 2 笔、合计 1300 元全部登记为已发放？" in html
    batch.refresh_from_db()
    assert batch.state == "open"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/payments/{batch.pk}/mark-paid/")
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.state == "settled"
    assert set(batch.items.values_list("application__state", flat=True)) == {S.PAID}


def test_a_bank_result_with_errors_is_shown_row_by_row_and_nothing_is_applied(client, batch, service_center):
    export(batch, service_center)
    client.force_login(service_center)
    first = batch.items.first().application
    upload = SimpleUploadedFile("r.csv", f"申报编号,状态,原因\n{first.reference},成功,\nHZ2022999999,失败,\n".encode())
    html = client.post(f"/admin/payments/{batch.pk}/bank-result/", {"file": upload}).content.decode()
    assert "没有导入任何一行" in html
    assert "第3行：状态为失败时须填写原因" in html and "申报编号HZ2022999999不存在" in html
    first.refresh_from_db()
    assert first.state == S.APPROVED


def test_a_bank_result_is_applied_and_reported(client, batch, service_center):
    export(batch, service_center)
    client.force_login(service_center)
    first, second = (item.application for item in batch.items.all())
    upload = SimpleUploadedFile(
        "r.csv", f"申报编号,状态,原因\n{first.reference},成功,\n{second.reference},失败,账户已销户\n".encode()
    )
    response = client.post(f"/admin/payments/{batch.pk}/bank-result/", {"file": upload}, follow=True)
    html = response.content.decode()
    assert "已导入银行回执：成功1笔，失败1笔。本批次已全部登记，已结算。" in html
    assert "账户已销户" in html


# Correcting the bank card from the review page.


def test_the_review_page_offers_the_card_correction_only_to_the_service_center(
    client, campaign_2022, service_center, reviewer
):
    application = failed_application(campaign_2022, service_center)
    client.force_login(service_center)
    html = client.get(f"/admin/applications/review/{application.pk}/").content.decode()
    assert "户名与卡号不符" in html and f'action="/admin/payments/correct-card/{application.pk}/"' in html
    client.force_login(reviewer)
    html = client.get(f"/admin/applications/review/{application.pk}/").content.decode()
    assert "户名与卡号不符" in html and "correct-card" not in html and "由市总工会职工服务中心更正" in html


def test_a_wrong_card_is_explained_next_to_the_field_and_the_typed_values_are_kept(
    client, campaign_2022, service_center
):
    application = failed_application(campaign_2022, service_center)
    client.force_login(service_center)
    url = f"/admin/payments/correct-card/{application.pk}/"
    html = client.post(url, {"bank_card": "6222abc", "bank_branch": "杭州某行", "note": "持新卡"}).content.decode()
    assert "银行卡号应为12至19位数字。" in html and "开户行请写至支行" in html
    assert 'value="6222abc"' in html and 'value="杭州某行"' in html and 'value="持新卡"' in html
    application.refresh_from_db()
    assert application.state == S.PAYMENT_FAILED


def test_a_corrected_card_confirmed_by_another_account_puts_the_application_back_for_a_later_batch(
    client, campaign_2022, service_center
):
    application = failed_application(campaign_2022, service_center)
    old_card = application.bank_card
    client.force_login(service_center)
    body = "622202123456789012"
    card = body + luhn.calc_check_digit(body)
    response = client.post(
        f"/admin/payments/correct-card/{application.pk}/",
        {"bank_card": card, "bank_branch": "中国建设银行杭州城西支行"},
    )
    assert response["Location"] == f"/admin/applications/review/{application.pk}/"
    application.refresh_from_db()
    assert (application.state, application.bank_card) == (S.PAYMENT_FAILED, old_card)
    review = client.get(response["Location"]).content.decode()
    assert "待职工服务中心的另一位同事" in review and "correct-bank-card" not in review
    correction = BankCardCorrection.objects.get()
    client.force_login(checker())
    assert "622*********" in client.get("/admin/payments/card-corrections/").content.decode()
    response = client.post(f"/admin/payments/card-corrections/{correction.pk}/", {"action": "confirm"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert (application.state, application.bank_card) == (S.APPROVED, card)
    assert payments.preview(campaign_2022).count == 1


def test_the_correction_screen_is_only_for_failed_payments(client, campaign_2022, service_center):
    application = approved(campaign_2022)
    client.force_login(service_center)
    response = client.get(f"/admin/payments/correct-card/{application.pk}/")
    assert response.status_code == 302 and response["Location"] == f"/admin/applications/review/{application.pk}/"


def test_the_list_shows_the_campaign_reconciliation_and_failed_payments(client, campaign_2022, service_center):
    failed_application(campaign_2022, service_center)
    client.force_login(service_center)
    html = client.get(INDEX, {"campaign": 2022}).content.decode()
    assert "发放失败、待更正银行卡：1 份" in html and "state__exact=payment_failed" in html
    assert client.get(INDEX, {"campaign": "abc"}).status_code == 404
    assert client.get(INDEX, {"campaign": datetime.date.today().year + 50}).status_code == 404


def test_voiding_a_batch_asks_for_a_reason_and_keeps_what_was_typed(client, batch, service_center):
    client.force_login(service_center)
    url = f"/admin/payments/{batch.pk}/cancel/"
    assert "作废本批次" in client.get(f"/admin/payments/{batch.pk}/").content.decode()
    html = client.post(url, {"reason": " "}).content.decode()
    assert "请填写作废原因" in html and 'aria-invalid="true"' in html
    batch.refresh_from_db()
    assert batch.state == PaymentBatch.State.OPEN
    response = client.post(url, {"reason": "误选了单位"})
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.state == PaymentBatch.State.CANCELLED and "误选了单位" in batch.note


@pytest.mark.parametrize("role_fixture", ["economic", "reviewer"])
def test_only_the_service_center_voids_a_batch(request, client, batch, role_fixture):
    client.force_login(request.getfixturevalue(role_fixture))
    assert client.post(f"/admin/payments/{batch.pk}/cancel/", {"reason": "x"}).status_code == 404
    batch.refresh_from_db()
    assert batch.state == PaymentBatch.State.OPEN


def test_the_checker_sees_the_full_new_card_only_on_request_and_it_is_recorded(client, campaign_2022, service_center):
    application = failed_application(campaign_2022, service_center)
    body = "622202123456789012"
    card = body + luhn.calc_check_digit(body)
    correction = request_correction(application, service_center, card, "中国银行杭州分行", note="持新卡办理")
    client.force_login(checker())
    url = f"/admin/payments/card-corrections/{correction.pk}/"
    page = client.get(url).content.decode()
    assert card not in page and correction.masked_bank_card in page and "持新卡办理" in page
    assert "户名与卡号不符" in page
    assert not PersonalDataAccess.objects.exists()
    page = client.post(url, {"action": "reveal"}).content.decode()
    assert card in page
    access = PersonalDataAccess.objects.get()
    assert (access.user, access.what, access.application) == (checker(), "bank_card", application)
    correction.refresh_from_db()
    assert correction.state == BankCardCorrection.State.PENDING


def test_the_menu_and_the_batch_list_lead_to_the_pending_corrections(client, campaign_2022, service_center):
    application = failed_application(campaign_2022, service_center)
    body = "622202123456789012"
    request_correction(application, service_center, body + luhn.calc_check_digit(body), "中国银行杭州分行")
    client.force_login(checker())
    assert "/admin/payments/card-corrections/" in client.get("/admin/").content.decode()
    html = client.get(INDEX, {"campaign": 2022}).content.decode()
    assert "银行卡更正待复核：1 项" in html
    listing = client.get("/admin/payments/card-corrections/").content.decode()
    assert application.reference in listing and "待复核：1 项" in listing
