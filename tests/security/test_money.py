"""Maker-checker on money: no single account can send a reward to a bank card on its own.

A payment batch's transfer file leaves only after a second city service center account (never the
batch's creator) approved the batch; a bank card correction takes effect only when a second
account (never the one who entered it) confirms it, and the applicant is texted the new card's
last four digits. Every step is recorded: the batch's history, the application's history.
"""

import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from openpyxl import load_workbook
from stdnum import luhn

from applications.core.constants import ApplicationState as S
from applications.models import (
    ApplicationEvent,
    BankCardCorrection,
    PaymentBatch,
    PaymentBatchEvent,
    PersonalDataAccess,
    ReviewUnit,
)
from applications.payments import corrections as card_corrections
from applications.payments import service as payments
from applications.payments.service import PaymentError
from applications.programme.staff import create_staff
from tests.concurrency import at_once
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db

PASSWORD = "K7MP3WQX"  # the factories' query password
INSIDER_CARD_BODY = "621700123456789012"
INSIDER_CARD = INSIDER_CARD_BODY + luhn.calc_check_digit(INSIDER_CARD_BODY)


def approved(campaign, amount=600, **fields):
    application = ApplicationFactory(
        campaign=campaign,
        state=S.APPROVED,
        unit=ReviewUnit.objects.get(name="西湖区总工会"),
        amount=amount,
        **fields,
    )
    ApplicationEvent.objects.create(
        application=application, actor_label="市总工会", from_state=S.UNIT_APPROVED, to_state=S.APPROVED
    )
    return application


@pytest.fixture
def batch(campaign_2022, service_center):
    approved(campaign_2022, amount=500, name="张三", bank_card="6222021234567890123")
    approved(campaign_2022, amount=800)
    return payments.create_batch(campaign_2022, service_center)


@pytest.fixture
def failed(campaign_2022, service_center, second_service_center):
    """An application whose payment the bank returned (its batch approved by the second account)."""
    application = approved(campaign_2022)
    batch = payments.create_batch(campaign_2022, service_center, applications=[application])
    payments.approve_batch(batch, second_service_center)
    payments.transfer_file(batch, service_center)
    upload = SimpleUploadedFile("r.csv", f"申报编号,状态,原因\n{application.reference},失败,户名与卡号不符\n".encode())
    assert payments.import_bank_result(batch, upload, service_center).ok
    application.refresh_from_db()
    return application


def sent(path):
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


# Batches: a second account approves before the transfer file is exported.


def test_the_creator_cannot_approve_their_own_batch(batch, service_center):
    with pytest.raises(PaymentError, match="不能由您本人复核"):
        payments.approve_batch(batch, service_center)
    batch.refresh_from_db()
    assert (batch.approved_by, batch.approved_at) == (None, None)
    # Whatever the code does, the database refuses it too.
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentBatch.objects.filter(pk=batch.pk).update(approved_by=service_center, approved_at=timezone.now())


def test_the_creator_cannot_approve_their_own_batch_on_screen(client, batch, service_center):
    client.force_login(service_center)
    page = client.get(f"/admin/payments/{batch.pk}/approve/").content.decode()
    assert "本批次由您创建，您不能复核" in page and "复核通过（" not in page
    response = client.post(
        f"/admin/payments/{batch.pk}/approve/", {"expected_count": 2, "expected_total": 1300}, follow=True
    )
    assert "不能由您本人复核" in response.content.decode()
    batch.refresh_from_db()
    assert batch.approved_by is None


def test_an_unapproved_batch_exports_no_transfer_file(batch, service_center):
    with pytest.raises(PaymentError, match="尚未复核"):
        payments.transfer_file(batch, service_center)
    batch.refresh_from_db()
    assert batch.exported_at is None
    assert not batch.events.filter(action=PaymentBatchEvent.Action.EXPORTED).exists()


def test_an_unapproved_batch_exports_no_transfer_file_on_screen(client, batch, service_center):
    client.force_login(service_center)
    detail = client.get(f"/admin/payments/{batch.pk}/").content.decode()
    assert "本批次尚未复核" in detail and "导出转账文件</button>" not in detail
    response = client.post(f"/admin/payments/{batch.pk}/transfer-file/")
    assert response.status_code == 302 and response["Location"] == f"/admin/payments/{batch.pk}/"
    assert b"6222021234567890123" not in response.content
    batch.refresh_from_db()
    assert batch.exported_at is None and not PersonalDataAccess.objects.exists()
    assert "尚未复核" in client.get(response["Location"]).content.decode()


def test_a_second_account_checks_count_total_and_masked_items_then_approves_then_the_file_exports(
    client, batch, service_center, second_service_center
):
    client.force_login(second_service_center)
    page = client.get(f"/admin/payments/{batch.pk}/approve/").content.decode()
    assert "复核批次 2022-001：2 笔，合计 1300 元" in page and "复核通过（2 笔，1300 元）" in page
    assert "张三" in page and "622************0123" in page and "6222021234567890123" not in page
    response = client.post(f"/admin/payments/{batch.pk}/approve/", {"expected_count": 2, "expected_total": 1300})
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.approved_by == second_service_center and batch.approved_at is not None
    with pytest.raises(PaymentError, match=r"已于.*复核通过"):
        payments.approve_batch(batch, second_service_center)
    client.force_login(service_center)
    response = client.post(f"/admin/payments/{batch.pk}/transfer-file/")
    assert response.status_code == 200
    cells = [
        cell for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True) for cell in row
    ]
    assert "6222021234567890123" in cells


def test_an_approval_of_figures_that_changed_since_the_screen_was_shown_is_refused(batch, second_service_center):
    with pytest.raises(PaymentError, match="有变化"):
        payments.approve_batch(batch, second_service_center, expected=(2, 1400))
    batch.refresh_from_db()
    assert batch.approved_by is None


def test_every_step_of_a_batch_is_recorded_in_order_and_shown_on_its_page(
    client, campaign_2022, batch, service_center, second_service_center
):
    payments.approve_batch(batch, second_service_center)
    payments.transfer_file(batch, service_center)
    payments.transfer_file(batch, second_service_center)  # each export is a step
    first, second = batch.items.order_by("pk")
    upload = SimpleUploadedFile("r.csv", f"申报编号,状态,原因\n{first.application.reference},成功,\n".encode())
    assert payments.import_bank_result(batch, upload, service_center).ok
    payments.mark_paid(batch, service_center)
    steps = [(event.action, event.user) for event in batch.events.all()]
    assert steps == [
        ("created", service_center),
        ("approved", second_service_center),
        ("exported", service_center),
        ("exported", second_service_center),
        ("paid", service_center),
        ("paid", service_center),
        ("settled", service_center),
    ]
    notes = [event.note for event in batch.events.all()]
    assert notes[:4] == ["2笔，1300元"] * 4
    assert notes[4] == f"导入银行回执：成功1笔（{first.amount}元），失败0笔"
    assert notes[5] == f"整批登记已发放：1笔，{second.amount}元"
    assert notes[6] == "已发放2笔，1300元；发放失败0笔"

    approved(campaign_2022)
    voided = payments.create_batch(campaign_2022, service_center)
    payments.cancel_batch(voided, service_center, "误选了单位")
    assert [event.action for event in voided.events.all()] == ["created", "cancelled"]
    assert "误选了单位" in voided.events.last().note

    client.force_login(service_center)
    html = client.get(f"/admin/payments/{batch.pk}/").content.decode()
    labels = ["创建", "复核通过", "导出转账文件", "登记发放结果", "结算"]
    history = html[html.index("办理记录") :]
    positions = [history.index(f"<td>{label}</td>") for label in labels]
    assert positions == sorted(positions)


# Bank card corrections: a second account confirms before the card changes.


def test_a_card_correction_changes_nothing_until_another_account_confirms_it(
    client, failed, service_center, second_service_center, sms_file, django_capture_on_commit_callbacks
):
    old_card = failed.bank_card
    client.force_login(service_center)
    response = client.post(
        f"/admin/payments/correct-card/{failed.pk}/",
        {"bank_card": INSIDER_CARD, "bank_branch": "中国建设银行杭州城西支行", "note": "本人持新卡办理"},
    )
    assert response.status_code == 302
    failed.refresh_from_db()
    assert (failed.state, failed.bank_card) == (S.PAYMENT_FAILED, old_card)
    correction = BankCardCorrection.objects.get()
    assert (correction.state, correction.requested_by, correction.bank_card) == (
        "pending",
        service_center,
        INSIDER_CARD,
    )
    assert payments.preview(failed.campaign).count == 0
    request = failed.events.last()
    assert (request.actor, request.from_state, request.to_state) == (service_center, S.PAYMENT_FAILED, S.PAYMENT_FAILED)
    assert request.opinion.startswith("银行卡更正已提交，待复核：卡号621") and INSIDER_CARD not in request.opinion
    assert not sent(sms_file)

    client.force_login(second_service_center)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/payments/card-corrections/{correction.pk}/", {"action": "confirm"})
    assert response.status_code == 302
    failed.refresh_from_db()
    correction.refresh_from_db()
    assert (failed.state, failed.bank_card, failed.bank_branch) == (
        S.APPROVED,
        INSIDER_CARD,
        "中国建设银行杭州城西支行",
    )
    assert (correction.state, correction.decided_by) == ("confirmed", second_service_center)
    confirm = failed.events.last()
    assert (confirm.actor, confirm.from_state, confirm.to_state) == (
        second_service_center,
        S.PAYMENT_FAILED,
        S.APPROVED,
    )
    assert payments.preview(failed.campaign).count == 1


def test_both_steps_of_a_correction_are_in_the_applicants_history(
    client, failed, service_center, second_service_center
):
    correction = card_corrections.request_correction(failed, service_center, INSIDER_CARD, "中国银行杭州分行")
    html = client.post("/status/", {"id_number": failed.id_number, "password": PASSWORD}).content.decode()
    assert "银行卡信息更正待复核" in html and INSIDER_CARD not in html
    card_corrections.confirm_correction(correction, second_service_center)
    html = client.post("/status/", {"id_number": failed.id_number, "password": PASSWORD}).content.decode()
    assert "银行卡信息更正待复核" in html and "银行卡信息已更正，待重新发放" in html and INSIDER_CARD not in html


def test_the_requester_cannot_confirm_their_own_correction(client, failed, service_center):
    correction = card_corrections.request_correction(failed, service_center, INSIDER_CARD, "中国银行杭州分行")
    with pytest.raises(PaymentError, match="不能由您本人复核"):
        card_corrections.confirm_correction(correction, service_center)
    with pytest.raises(PaymentError, match="不能由您本人复核"):
        card_corrections.reject_correction(correction, service_center, "写错了")
    client.force_login(service_center)
    page = client.get(f"/admin/payments/card-corrections/{correction.pk}/").content.decode()
    assert "这项更正是您提交的，您不能复核" in page and 'value="confirm"' not in page
    response = client.post(f"/admin/payments/card-corrections/{correction.pk}/", {"action": "confirm"}, follow=True)
    assert "不能由您本人复核" in response.content.decode()
    failed.refresh_from_db()
    correction.refresh_from_db()
    assert (failed.state, failed.bank_card != INSIDER_CARD, correction.state) == (S.PAYMENT_FAILED, True, "pending")
    with pytest.raises(IntegrityError), transaction.atomic():
        BankCardCorrection.objects.filter(pk=correction.pk).update(state="confirmed", decided_by=service_center)


def test_the_confirmation_texts_the_last_four_digits_of_the_new_card_and_never_the_number(
    failed, service_center, second_service_center, sms_file, django_capture_on_commit_callbacks
):
    correction = card_corrections.request_correction(failed, service_center, INSIDER_CARD, "中国银行杭州分行")
    with django_capture_on_commit_callbacks(execute=True):
        card_corrections.confirm_correction(correction, second_service_center)
    texts = [message["text"] for message in sent(sms_file) if message["to"] == failed.mobile]
    corrected = [text for text in texts if "已更正" in text]
    assert len(corrected) == 1
    text = corrected[0]
    assert f"银行卡已更正为尾号{INSIDER_CARD[-4:]}的银行卡" in text and "如非本人申请，请立即联系" in text
    assert INSIDER_CARD not in text and not re.search(r"\d{12,}", text)


def test_a_second_pending_correction_for_the_same_application_is_refused(
    client, failed, service_center, second_service_center
):
    card_corrections.request_correction(failed, service_center, INSIDER_CARD, "中国银行杭州分行")
    other_body = "622848123456789012"
    other = other_body + luhn.calc_check_digit(other_body)
    with pytest.raises(PaymentError, match="已有一项待复核"):
        card_corrections.request_correction(failed, second_service_center, other, "中国农业银行杭州分行")
    client.force_login(second_service_center)
    page = client.post(
        f"/admin/payments/correct-card/{failed.pk}/", {"bank_card": other, "bank_branch": "中国农业银行杭州分行"}
    ).content.decode()
    assert "已有一项银行卡更正待复核" in page
    assert BankCardCorrection.objects.filter(application=failed).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        BankCardCorrection.objects.create(
            application=failed, bank_card=other, bank_branch="中国农业银行杭州分行", requested_by=second_service_center
        )


def test_a_rejected_correction_leaves_the_card_and_is_in_the_history_with_its_reason(
    client, failed, service_center, second_service_center
):
    old_card = failed.bank_card
    correction = card_corrections.request_correction(failed, service_center, INSIDER_CARD, "中国银行杭州分行")
    client.force_login(second_service_center)
    page = client.post(f"/admin/payments/card-corrections/{correction.pk}/", {"action": "reject", "reason": ""})
    assert "请修改下面标出的内容" in page.content.decode()
    response = client.post(
        f"/admin/payments/card-corrections/{correction.pk}/", {"action": "reject", "reason": "卡号与复印件不符"}
    )
    assert response.status_code == 302
    failed.refresh_from_db()
    correction.refresh_from_db()
    assert (failed.state, failed.bank_card) == (S.PAYMENT_FAILED, old_card)
    assert (correction.state, correction.decided_by, correction.decision_note) == (
        "rejected",
        second_service_center,
        "卡号与复印件不符",
    )
    assert failed.events.last().opinion == "银行卡更正未通过复核：卡号与复印件不符"
    html = client.post("/status/", {"id_number": failed.id_number, "password": PASSWORD}).content.decode()
    assert "银行卡信息更正未通过复核" in html and "卡号与复印件不符" in html
    # A new correction can be entered afterwards.
    card_corrections.request_correction(
        failed, service_center, INSIDER_CARD[:-1] + "0", "中国银行杭州分行", confirmed=True
    )


# Nobody outside the city service center approves or confirms.


@pytest.mark.parametrize("role_fixture", ["reviewer", "economic", "editor"])
def test_other_roles_cannot_approve_a_batch_or_confirm_a_correction(
    request, client, batch, failed, service_center, role_fixture
):
    user = request.getfixturevalue(role_fixture)
    correction = card_corrections.request_correction(failed, service_center, INSIDER_CARD, "中国银行杭州分行")
    with pytest.raises(PaymentError, match="无权"):
        payments.approve_batch(batch, user)
    with pytest.raises(PaymentError, match="无权"):
        card_corrections.confirm_correction(correction, user)
    with pytest.raises(PaymentError, match="无权"):
        card_corrections.reject_correction(correction, user, "x")
    client.force_login(user)
    approve = f"/admin/payments/{batch.pk}/approve/"
    assert client.get(approve).status_code == 404
    assert client.post(approve, {"expected_count": 2, "expected_total": 1300}).status_code == 404
    assert client.get("/admin/payments/card-corrections/").status_code == 404
    detail = f"/admin/payments/card-corrections/{correction.pk}/"
    assert client.get(detail).status_code == 404
    assert client.post(detail, {"action": "confirm"}).status_code == 404
    batch.refresh_from_db()
    failed.refresh_from_db()
    correction.refresh_from_db()
    assert (batch.approved_by, failed.state, correction.state) == (None, S.PAYMENT_FAILED, "pending")


# At the same moment: exactly one wins (PostgreSQL, real concurrent connections).


def _at_once(*calls):
    """Run the calls released together; "won" or the PaymentError message of each."""
    results = at_once(*calls, expected=PaymentError)
    return [result.message if isinstance(result, PaymentError) else "won" for result in results]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrent connections (PostgreSQL)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_corrections_entered_at_once_leave_one_pending(failed, service_center, second_service_center):
    other = "622848123456789012"
    other += luhn.calc_check_digit(other)
    outcomes = _at_once(
        lambda: card_corrections.request_correction(failed, service_center, INSIDER_CARD, "中国银行杭州分行"),
        lambda: card_corrections.request_correction(failed, second_service_center, other, "中国农业银行杭州分行"),
    )
    assert sorted(outcomes) == sorted(["won", card_corrections.ALREADY_PENDING])
    assert BankCardCorrection.objects.filter(application=failed).count() == 1
    assert failed.events.filter(to_state=S.PAYMENT_FAILED, from_state=S.PAYMENT_FAILED).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrent connections (PostgreSQL)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_correction_confirmed_and_rejected_at_once_is_decided_once(failed, service_center, second_service_center):
    third = create_staff("t-service-3", "city_service_center", password="pw-for-tests")[0]
    before = failed.events.count()
    correction = card_corrections.request_correction(failed, service_center, INSIDER_CARD, "中国银行杭州分行")
    outcomes = _at_once(
        lambda: card_corrections.confirm_correction(correction, second_service_center),
        lambda: card_corrections.reject_correction(correction, third, "卡号不符"),
    )
    assert sorted(outcome == "won" for outcome in outcomes) == [False, True]
    correction.refresh_from_db()
    failed.refresh_from_db()
    assert (correction.state == "confirmed") == (failed.state == S.APPROVED)
    assert failed.events.count() == before + 2  # the request, then one decision


# Control characters (U+0000–U+001F but tab, line feed and return, which openpyxl accepts) cannot
# be held by a worksheet: openpyxl refuses them, so one applicant's branch typed with one (a crafted
# form post; a browser's text box never sends one) stopped the whole batch's transfer file.

CONTROL_BRANCH = "中国工商银行杭州\x01西湖\x1f支行"


def test_a_control_character_in_a_stored_branch_never_stops_the_transfer_file(
    campaign_2022, service_center, second_service_center
):
    approved(campaign_2022, amount=500, name="张三", bank_branch=CONTROL_BRANCH)  # stored before the check below
    approved(campaign_2022, amount=800, name="李四")
    batch = payments.create_batch(campaign_2022, service_center)
    payments.approve_batch(batch, second_service_center)
    data = payments.transfer_file(batch, service_center)
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert ("张三", "中国工商银行杭州西湖支行") in [(row[1], row[3]) for row in rows]
    assert "李四" in [row[1] for row in rows]


@pytest.mark.parametrize("branch", [CONTROL_BRANCH, "中国工商银行杭州西湖\x00支行", "中国工商银行\x0b杭州西湖支行"])
def test_a_branch_with_a_control_character_is_refused_in_every_channel(failed, service_center, branch):
    from django.core.exceptions import ValidationError

    from applications.core.bank_details import validate_bank_branch

    with pytest.raises(ValidationError, match="控制字符"):
        validate_bank_branch(branch)  # what the online form, paper entry and the Annex 4 import ask
    with pytest.raises(PaymentError) as refused:
        card_corrections.request_correction(failed, service_center, INSIDER_CARD, branch, confirmed=True)
    assert "控制字符" in refused.value.errors["bank_branch"]  # shown beside the field
    assert not BankCardCorrection.objects.exists()
