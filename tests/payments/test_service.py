"""Payments: batches, their approval, the transfer file, results from the bank, failed payments corrected,
reconciliation. (Who may approve or confirm what, and the attacks on it: tests/security/test_money.py.)"""

import csv
import datetime
import io
import json
import re
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.db.models import DateTimeField, Value
from openpyxl import Workbook, load_workbook
from stdnum import luhn

from applications.core.constants import ApplicationState as S
from applications.core.constants import Role
from applications.models import Application, ApplicationEvent, PaymentBatch, PaymentItem, ReviewUnit
from applications.payments import corrections as card_corrections
from applications.payments import service as payments
from applications.payments.service import PaymentError
from applications.programme.staff import create_staff
from applications.review.progress import unit_progress
from applications.review.workflow import WorkflowError, allowed_actions, take
from tests.factories import ApplicationFactory, CampaignFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2022, 12, 20, 10, 0, tzinfo=SHANGHAI)
PASSWORD = "K7MP3WQX"
Result = PaymentItem.Result


def approved(campaign, unit="西湖区总工会", at=NOW - datetime.timedelta(days=1), **fields):
    """An application the city approved at `at` (with its approval event)."""
    application = ApplicationFactory(
        campaign=campaign, state=S.APPROVED, unit=ReviewUnit.objects.get(name=unit), **fields
    )
    ApplicationEvent.objects.create(
        application=application, actor_label="市总工会", from_state=S.UNIT_APPROVED, to_state=S.APPROVED, created_at=at
    )
    return application


def sent(path):
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def checker():
    """A second city service center account, who approves batches and confirms card corrections."""
    return create_staff("t-service-2", Role.CITY_SERVICE_CENTER, password="pw-for-tests")[0]


def approved_by_checker(batch):
    return payments.approve_batch(batch, checker(), now=NOW)


def exported(batch):
    """The batch approved by a second account, then its transfer file exported by its creator."""
    approved_by_checker(batch)
    payments.transfer_file(batch, batch.created_by, now=NOW)
    batch.refresh_from_db()
    return batch


def corrected(application, user, bank_card, bank_branch, **options):
    """A card correction entered by `user` and confirmed by the second account."""
    correction = card_corrections.request_correction(application, user, bank_card, bank_branch, **options)
    card_corrections.confirm_correction(correction, checker())
    application.refresh_from_db()
    return application


def result_csv(rows, header=("申报编号", "状态", "原因"), encoding="utf-8"):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile("回执.csv", out.getvalue().encode(encoding), content_type="text/csv")


def result_xlsx(rows, header=("申报编号", "状态", "原因")):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["某某银行代发工资结果"])
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile("回执.xlsx", out.getvalue())


def valid_card(body="622202123456789012"):
    return body + luhn.calc_check_digit(body)


# Choosing and creating batches.


def test_a_batch_takes_every_payable_application_with_a_snapshot_of_name_card_and_amount(campaign_2022, service_center):
    first = approved(campaign_2022, amount=500)
    second = approved(campaign_2022, unit="拱墅区总工会", amount=800)
    ApplicationFactory(campaign=campaign_2022, state=S.UNIT_APPROVED)  # not approved yet
    ApplicationFactory(campaign=campaign_2022, state=S.PAID)  # paid
    batch = payments.create_batch(campaign_2022, service_center, note="12月第一批")
    assert (batch.number, batch.state, batch.created_by, batch.note) == (
        "2022-001",
        "open",
        service_center,
        "12月第一批",
    )
    items = list(batch.items.order_by("pk"))
    assert [item.application for item in items] == [second, first]  # in Annex 1 order: 拱墅区 before 西湖区
    assert [(item.name, item.bank_card, item.bank_branch, item.amount, item.result) for item in items] == [
        (a.name, a.bank_card, a.bank_branch, a.amount, "pending") for a in (second, first)
    ]


def test_an_application_is_never_in_two_open_batches(campaign_2022, service_center):
    application = approved(campaign_2022)
    payments.create_batch(campaign_2022, service_center)
    with pytest.raises(PaymentError, match="没有符合条件"):
        payments.create_batch(campaign_2022, service_center)
    with pytest.raises(PaymentError, match="不能放入发放批次"):
        payments.create_batch(campaign_2022, service_center, applications=[application])
    assert PaymentItem.objects.filter(application=application).count() == 1


def test_the_database_is_the_last_guard_against_a_second_pending_item(campaign_2022, service_center, monkeypatch):
    application = approved(campaign_2022)
    payments.create_batch(campaign_2022, service_center)
    # As if a concurrent batch had chosen the applications before this one committed.
    monkeypatch.setattr(
        payments,
        "payable",
        lambda campaign: Application.objects.filter(pk=application.pk).annotate(
            approved_at=Value(None, output_field=DateTimeField())
        ),
    )
    with pytest.raises(PaymentError, match="刚刚已被放入另一个发放批次"):
        payments.create_batch(campaign_2022, service_center)
    assert PaymentBatch.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentItem.objects.create(
            batch=PaymentBatch.objects.get(),
            application=application,
            name="x",
            bank_card="1",
            bank_branch="x",
            amount=1,
        )


def test_an_empty_selection_is_refused(campaign_2022, service_center):
    ApplicationFactory(campaign=campaign_2022, state=S.SUBMITTED)
    with pytest.raises(PaymentError, match="没有符合条件的待发放申报"):
        payments.create_batch(campaign_2022, service_center)
    assert not PaymentBatch.objects.exists()


def test_selection_by_unit(campaign_2022, service_center):
    xihu = approved(campaign_2022)
    approved(campaign_2022, unit="拱墅区总工会")
    batch = payments.create_batch(campaign_2022, service_center, unit=ReviewUnit.objects.get(name="西湖区总工会"))
    assert [item.application for item in batch.items.all()] == [xihu]


def test_selection_by_approval_dates_is_inclusive_in_local_time(campaign_2022, service_center):
    day = datetime.date(2022, 12, 10)
    start_of_day = approved(campaign_2022, at=datetime.datetime(2022, 12, 10, 0, 0, tzinfo=SHANGHAI))
    end_of_day = approved(campaign_2022, at=datetime.datetime(2022, 12, 11, 23, 59, tzinfo=SHANGHAI))
    approved(campaign_2022, at=datetime.datetime(2022, 12, 9, 23, 59, tzinfo=SHANGHAI))
    approved(campaign_2022, at=datetime.datetime(2022, 12, 12, 0, 0, tzinfo=SHANGHAI))
    choice = {"approved_from": day, "approved_to": day + datetime.timedelta(days=1)}
    assert payments.preview(campaign_2022, **choice).count == 2
    batch = payments.create_batch(campaign_2022, service_center, **choice)
    assert {item.application for item in batch.items.all()} == {start_of_day, end_of_day}


def test_a_reversed_date_range_is_refused(campaign_2022, service_center):
    approved(campaign_2022)
    with pytest.raises(PaymentError) as error:
        payments.create_batch(
            campaign_2022,
            service_center,
            approved_from=datetime.date(2022, 12, 2),
            approved_to=datetime.date(2022, 12, 1),
        )
    assert "approved_to" in error.value.errors


def test_the_preview_gives_count_total_and_units_and_a_changed_choice_is_not_created(campaign_2022, service_center):
    approved(campaign_2022, amount=500)
    approved(campaign_2022, amount=800)
    approved(campaign_2022, unit="拱墅区总工会", amount=600)
    selection = payments.preview(campaign_2022)
    assert (selection.count, selection.total) == (3, 1900)
    assert selection.by_unit == (("拱墅区总工会", 1, 600), ("西湖区总工会", 2, 1300))
    approved(campaign_2022, amount=600)  # approved meanwhile
    with pytest.raises(PaymentError, match="有变化"):
        payments.create_batch(campaign_2022, service_center, expected=(3, 1900))
    assert not PaymentBatch.objects.exists()
    assert payments.create_batch(campaign_2022, service_center, expected=(4, 2500)).items.count() == 4


def test_batch_numbers_count_up_per_campaign(campaign_2022, service_center):
    approved(campaign_2022)
    assert payments.create_batch(campaign_2022, service_center).number == "2022-001"
    approved(campaign_2022)
    assert payments.create_batch(campaign_2022, service_center).number == "2022-002"
    other = CampaignFactory(year=2023)
    approved(other)
    assert payments.create_batch(other, service_center).number == "2023-001"


def test_only_the_service_center_creates_batches(campaign_2022, economic, reviewer):
    approved(campaign_2022)
    for user in (economic, reviewer):
        with pytest.raises(PaymentError, match="无权"):
            payments.create_batch(campaign_2022, user)


# The transfer file.


def _sheet(content):
    return load_workbook(io.BytesIO(content)).active


def test_the_transfer_file_has_the_header_the_columns_in_order_and_cards_as_text(campaign_2022, service_center):
    first = approved(campaign_2022, amount=800, name='=HYPERLINK("http://x")', bank_card="6222021234567890123")
    second = approved(campaign_2022, amount=600, bank_branch="+中国银行杭州分行")
    batch = approved_by_checker(payments.create_batch(campaign_2022, service_center))
    sheet = _sheet(payments.transfer_file(batch, service_center, now=NOW))
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "杭州市职工高技能人才奖励发放转账明细"
    facts = {row[0]: row[1] for row in rows[1:6]}
    assert facts["批次号"] == "2022-001" and facts["笔数"] == 2 and facts["合计金额(元)"] == 1400
    assert facts["导出时间"] == "2022-12-20 10:00"
    assert rows[6] == ("序号", "姓名", "银行卡号", "银行卡开户行", "金额(元)", "申报编号")
    assert rows[7] == (1, '\'=HYPERLINK("http://x")', "6222021234567890123", first.bank_branch, 800, first.reference)
    assert rows[8] == (2, second.name, second.bank_card, "'+中国银行杭州分行", 600, second.reference)
    assert len(rows) == 9
    card, reference = sheet.cell(8, 3), sheet.cell(8, 6)
    assert (card.data_type, card.number_format, reference.data_type, reference.number_format) == ("s", "@", "s", "@")
    assert sheet.page_setup.orientation == "landscape" and sheet.freeze_panes == "A8"
    batch.refresh_from_db()
    assert batch.exported_at == NOW


def test_the_first_export_time_is_kept(campaign_2022, service_center):
    approved(campaign_2022)
    batch = exported(payments.create_batch(campaign_2022, service_center))
    payments.transfer_file(batch, service_center, now=NOW + datetime.timedelta(hours=1))
    batch.refresh_from_db()
    assert batch.exported_at == NOW


def test_a_settled_batch_exports_nothing(campaign_2022, service_center):
    approved(campaign_2022)
    batch = exported(payments.create_batch(campaign_2022, service_center))
    payments.mark_paid(batch, service_center, now=NOW)
    with pytest.raises(PaymentError, match="已结算"):
        payments.transfer_file(batch, service_center)


def test_a_re_export_lists_only_the_items_still_awaiting_the_bank(campaign_2022, service_center):
    paid, pending = approved(campaign_2022), approved(campaign_2022)
    batch = exported(payments.create_batch(campaign_2022, service_center))
    assert payments.import_bank_result(batch, result_csv([(paid.reference, "成功", "")]), service_center).ok
    rows = list(_sheet(payments.transfer_file(batch, service_center)).iter_rows(values_only=True))
    assert [row[5] for row in rows[7:]] == [pending.reference]
    assert rows[3][1] == 1


# Marking a batch paid.


def test_marking_a_batch_paid_pays_every_application_records_events_and_texts_the_amount(
    campaign_2022, service_center, sms_file, django_capture_on_commit_callbacks
):
    first, second = approved(campaign_2022, amount=500), approved(campaign_2022, amount=800)
    batch = exported(payments.create_batch(campaign_2022, service_center))
    with django_capture_on_commit_callbacks(execute=True):
        assert payments.mark_paid(batch, service_center, now=NOW) == 2
    assert (batch.state, batch.settled_by, batch.settled_at) == ("settled", service_center, NOW)
    assert set(batch.items.values_list("result", "settled_at")) == {("paid", NOW)}
    for application in (first, second):
        application.refresh_from_db()
        assert application.state == S.PAID
        event = application.events.last()
        assert (event.actor, event.from_state, event.to_state, event.created_at) == (
            service_center,
            "approved",
            "paid",
            NOW,
        )
        assert "2022-001" in event.opinion
    messages = {message["to"]: message["text"] for message in sent(sms_file)}
    assert set(messages) == {first.mobile, second.mobile}
    text = messages[first.mobile]
    assert "500元" in text and first.reference in text and "2022年12月20日" in text
    assert first.bank_card not in text and not re.search(r"\d{12,}", text)


def test_a_batch_is_marked_paid_only_after_its_transfer_file_was_exported(campaign_2022, service_center):
    application = approved(campaign_2022)
    batch = payments.create_batch(campaign_2022, service_center)
    with pytest.raises(PaymentError, match="请先导出转账文件"):
        payments.mark_paid(batch, service_center)
    application.refresh_from_db()
    assert application.state == S.APPROVED


def test_a_settled_batch_cannot_be_marked_paid_again(campaign_2022, service_center):
    approved(campaign_2022)
    batch = exported(payments.create_batch(campaign_2022, service_center))
    payments.mark_paid(batch, service_center)
    with pytest.raises(PaymentError, match="已结算"):
        payments.mark_paid(batch, service_center)
    assert ApplicationEvent.objects.filter(to_state=S.PAID).count() == 1


def test_a_paid_application_is_never_in_a_batch_again(campaign_2022, service_center):
    application = approved(campaign_2022)
    batch = exported(payments.create_batch(campaign_2022, service_center))
    payments.mark_paid(batch, service_center)
    Application.objects.filter(pk=application.pk).update(state=S.APPROVED)  # even if its state were put back
    with pytest.raises(PaymentError):
        payments.create_batch(campaign_2022, service_center)
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentItem.objects.create(
            batch=batch, application=application, name="x", bank_card="1", bank_branch="x", amount=1, result="paid"
        )


def test_if_an_application_changed_state_nothing_of_the_batch_is_marked(campaign_2022, service_center):
    first, second = approved(campaign_2022), approved(campaign_2022)
    batch = exported(payments.create_batch(campaign_2022, service_center))
    Application.objects.filter(pk=second.pk).update(state=S.WITHDRAWN)
    with pytest.raises(PaymentError, match=second.reference):
        payments.mark_paid(batch, service_center)
    first.refresh_from_db()
    batch.refresh_from_db()
    assert (first.state, batch.state) == (S.APPROVED, "open")
    assert not batch.items.exclude(result="pending").exists()


def test_payment_steps_are_not_offered_on_the_review_screen(campaign_2022, service_center):
    application = approved(campaign_2022)
    assert allowed_actions(service_center, application) == []
    with pytest.raises(WorkflowError, match="只能在发放批次中办理"):
        take("pay", application, service_center)
    application.refresh_from_db()
    assert application.state == S.APPROVED


# The bank's result file.


def test_a_result_file_with_errors_applies_nothing_and_names_each_row(campaign_2022, service_center):
    mine, other_batch_app = approved(campaign_2022), approved(campaign_2022, unit="拱墅区总工会")
    done, duplicate = approved(campaign_2022), approved(campaign_2022)
    batch = exported(
        payments.create_batch(campaign_2022, service_center, applications=[mine, done, duplicate], now=NOW)
    )
    payments.create_batch(campaign_2022, service_center, applications=[other_batch_app])
    payments.import_bank_result(batch, result_csv([(done.reference, "成功", "")]), service_center)
    unpaid = ApplicationFactory(campaign=campaign_2022, state=S.SUBMITTED)
    rows = [
        (mine.reference, "成功", ""),
        ("HZ2022999999", "成功", ""),
        (other_batch_app.reference, "成功", ""),
        (done.reference, "失败", "户名不符"),
        (duplicate.reference, "已退回", ""),
        (unpaid.reference.lower(), "失败", ""),
        (duplicate.reference, "失败", "账号6222021234567890123已销户"),
    ]
    outcome = payments.import_bank_result(batch, result_csv(rows), service_center)
    assert not outcome.ok
    assert outcome.errors == [
        "第3行：申报编号HZ2022999999不存在。",
        f"第4行：申报编号{other_batch_app.reference}不在本批次（2022-001）中。",
        f"第5行：申报编号{done.reference}在本批次中已登记为“已发放”，不能重复登记。",
        "第6行：状态“已退回”无法识别，请填写“成功”或“失败”。",
        "第7行：状态为失败时须填写原因（申请人会在短信和进度查询中看到）。",
        f"第7行：申报编号{unpaid.reference}不在本批次（2022-001）中。",
        f"第8行：申报编号{duplicate.reference}与第6行重复；原因中不能含银行卡号或身份证号码（申请人会在短信中看到），请删去号码。",
    ]
    mine.refresh_from_db()
    assert mine.state == S.APPROVED
    assert batch.items.get(application=mine).result == "pending"


@pytest.mark.parametrize("make_file", [result_csv, result_xlsx], ids=["csv", "xlsx"])
def test_a_result_file_pays_some_fails_others_and_leaves_the_rest_pending(
    campaign_2022, service_center, sms_file, django_capture_on_commit_callbacks, make_file
):
    paid, failed, later = approved(campaign_2022, amount=800), approved(campaign_2022), approved(campaign_2022)
    batch = exported(payments.create_batch(campaign_2022, service_center))
    rows = [(paid.reference, "成功", ""), (failed.reference, "失败", "户名与卡号不符。")]
    with django_capture_on_commit_callbacks(execute=True):
        outcome = payments.import_bank_result(batch, make_file(rows), service_center, now=NOW)
    assert (outcome.ok, outcome.paid, outcome.failed, outcome.settled) == (True, 1, 1, False)
    for application in (paid, failed, later):
        application.refresh_from_db()
    assert (paid.state, failed.state, later.state) == (S.PAID, S.PAYMENT_FAILED, S.APPROVED)
    assert failed.state_reason == "户名与卡号不符。"
    item = batch.items.get(application=failed)
    assert (item.result, item.reason, item.settled_at) == ("failed", "户名与卡号不符。", NOW)
    event = failed.events.last()
    assert (event.actor, event.from_state, event.to_state, event.opinion) == (
        service_center,
        "approved",
        "payment_failed",
        "户名与卡号不符。",
    )
    batch.refresh_from_db()
    assert batch.state == "open"
    texts = {message["to"]: message["text"] for message in sent(sms_file)}
    assert "800元" in texts[paid.mobile] and "已于" in texts[paid.mobile]
    failure = texts[failed.mobile]
    assert "发放失败，原因：户名与卡号不符。请尽快联系西湖区总工会" in failure and failed.reference in failure
    assert failed.bank_card not in failure and not re.search(r"\d{12,}", failure)
    with django_capture_on_commit_callbacks(execute=True):
        final = payments.import_bank_result(batch, make_file([(later.reference, "paid", "")]), service_center)
    batch.refresh_from_db()
    assert final.settled and batch.state == "settled"


def test_the_transfer_file_with_status_columns_added_is_accepted(campaign_2022, service_center):
    approved(campaign_2022)
    approved(campaign_2022)
    batch = exported(payments.create_batch(campaign_2022, service_center))
    workbook = load_workbook(io.BytesIO(payments.transfer_file(batch, service_center)))
    sheet = workbook.active
    sheet.cell(7, 7, "状态")
    sheet.cell(7, 8, "原因")
    sheet.cell(8, 7, "成功")
    sheet.cell(9, 7, "失败")
    sheet.cell(9, 8, "账户已冻结")
    out = io.BytesIO()
    workbook.save(out)
    outcome = payments.import_bank_result(batch, SimpleUploadedFile("bank.xlsx", out.getvalue()), service_center)
    assert (outcome.paid, outcome.failed, outcome.settled) == (1, 1, True)


def test_a_gbk_csv_from_the_bank_is_read(campaign_2022, service_center):
    application = approved(campaign_2022)
    batch = exported(payments.create_batch(campaign_2022, service_center))
    outcome = payments.import_bank_result(
        batch, result_csv([(application.reference, "失败", "账户已销户")], encoding="gbk"), service_center
    )
    assert outcome.ok and outcome.failed == 1


@pytest.mark.parametrize(
    ("upload", "error"),
    [
        (SimpleUploadedFile("x.csv", "姓名,金额\n张三,600\n".encode()), "没有找到含“申报编号”和“状态”两列的表头"),
        (SimpleUploadedFile("x.csv", "申报编号,状态\n".encode()), "没有回执数据"),
        (SimpleUploadedFile("x.xls", b"\xd0\xcf\x11\xe0old"), "另存为 .xlsx 或 .csv"),
        (SimpleUploadedFile("x.xlsx", b"PK\x03\x04broken"), "无法读取 .xlsx 文件"),
    ],
    ids=["no-header", "no-rows", "old-xls", "broken-xlsx"],
)
def test_unreadable_result_files_are_refused_with_a_reason(campaign_2022, service_center, upload, error):
    approved(campaign_2022)
    batch = exported(payments.create_batch(campaign_2022, service_center))
    outcome = payments.import_bank_result(batch, upload, service_center)
    assert not outcome.ok and error in outcome.errors[0]


# A failed payment, corrected, paid in a later batch.


def _status_html(client, application):
    return client.post("/status/", {"id_number": application.id_number, "password": PASSWORD}).content.decode()


def test_failed_then_corrected_then_paid_in_a_later_batch(
    client, campaign_2022, service_center, sms_file, django_capture_on_commit_callbacks
):
    application = approved(campaign_2022, amount=800)
    first = exported(payments.create_batch(campaign_2022, service_center))
    payments.import_bank_result(first, result_csv([(application.reference, "失败", "户名与卡号不符")]), service_center)
    html = _status_html(client, application)
    assert "发放失败：户名与卡号不符。请尽快联系西湖区总工会" in html and "奖励发放失败" in html
    assert application.bank_card not in html

    with pytest.raises(PaymentError) as error:
        card_corrections.request_correction(application, service_center, "6222 0212", "杭州西湖")
    assert set(error.value.errors) == {"bank_card", "bank_branch"}
    card = valid_card()
    correction = card_corrections.request_correction(
        application, service_center, card[:4] + " " + card[4:], "中国农业银行杭州文三路支行", note="本人持新卡办理"
    )
    request = application.events.last()
    assert (request.actor, request.from_state, request.to_state) == (service_center, "payment_failed", "payment_failed")
    assert card not in request.opinion and card[-4:] in request.opinion and "本人持新卡办理" in request.opinion
    assert "银行卡信息更正待复核" in _status_html(client, application)
    card_corrections.confirm_correction(correction, checker())
    application.refresh_from_db()
    assert application.state == S.APPROVED
    assert (application.bank_card, application.bank_branch) == (card, "中国农业银行杭州文三路支行")
    event = application.events.last()
    assert (event.actor, event.from_state, event.to_state) == (checker(), "payment_failed", "approved")
    assert card not in event.opinion and card[-4:] in event.opinion
    assert "银行卡信息已更正，待重新发放" in _status_html(client, application)

    second = exported(payments.create_batch(campaign_2022, service_center))
    assert second.number == "2022-002"
    item = second.items.get()
    assert (item.application, item.bank_card, item.bank_branch) == (application, card, "中国农业银行杭州文三路支行")
    with django_capture_on_commit_callbacks(execute=True):
        payments.mark_paid(second, service_center, now=NOW)
    html = _status_html(client, application)
    assert "已发放" in html and "奖励800元已于2022年12月20日发放到您的银行卡" in html
    with pytest.raises(PaymentError):
        payments.create_batch(campaign_2022, service_center)


def test_a_card_failing_the_luhn_check_needs_the_confirmation(campaign_2022, service_center):
    application = approved(campaign_2022)
    batch = exported(payments.create_batch(campaign_2022, service_center))
    payments.import_bank_result(batch, result_csv([(application.reference, "失败", "卡号错误")]), service_center)
    application.refresh_from_db()
    wrong = valid_card()[:-1] + str((int(valid_card()[-1]) + 1) % 10)
    with pytest.raises(PaymentError) as error:
        card_corrections.request_correction(application, service_center, wrong, "中国银行杭州分行")
    assert "勾选" in error.value.errors["bank_card"]
    corrected(application, service_center, wrong, "中国银行杭州分行", confirmed=True)
    assert (application.state, application.bank_card) == (S.APPROVED, wrong)


def test_only_a_failed_payment_is_corrected(campaign_2022, service_center, economic):
    application = approved(campaign_2022)
    with pytest.raises(PaymentError, match="不是发放失败"):
        card_corrections.request_correction(application, service_center, valid_card(), "中国银行杭州分行")
    Application.objects.filter(pk=application.pk).update(state=S.PAYMENT_FAILED)
    application.refresh_from_db()
    with pytest.raises(PaymentError, match="无权"):
        card_corrections.request_correction(application, economic, valid_card(), "中国银行杭州分行")


def test_progress_counts_a_failed_payment_as_approved_and_awaiting_payment(campaign_2022, service_center):
    application = approved(campaign_2022, amount=600)
    batch = exported(payments.create_batch(campaign_2022, service_center))
    payments.import_bank_result(batch, result_csv([(application.reference, "失败", "户名不符")]), service_center)
    row = unit_progress(campaign_2022, units=[application.unit])[0]
    assert (row.submitted, row.unit_approved, row.approved, row.awaiting_payment, row.payment_failed, row.paid) == (
        1,
        1,
        1,
        1,
        1,
        0,
    )
    assert (row.amount_approved, row.amount_paid) == (600, 0)


# Reconciliation.


def test_reconciliation_of_a_batch_and_of_the_campaign(campaign_2022, service_center):
    paid = [approved(campaign_2022, amount=amount) for amount in (500, 800)]
    failed = approved(campaign_2022, amount=600)
    pending = approved(campaign_2022, amount=600)
    batch = exported(payments.create_batch(campaign_2022, service_center))
    rows = [(a.reference, "成功", "") for a in paid] + [(failed.reference, "失败", "户名不符")]
    payments.import_bank_result(batch, result_csv(rows), service_center)

    figures = payments.reconciliation(batch)
    assert [(row.result, row.count, row.total) for row in figures.by_result] == [
        ("pending", 1, 600),
        ("paid", 2, 1300),
        ("failed", 1, 600),
    ]
    assert (figures.count, figures.total) == (4, 2500)
    assert (figures.paid_applications_count, figures.paid_applications_total) == (2, 1300)
    assert figures.balanced
    assert pending.payment_items.get().result == "pending"

    campaign = payments.reconciliation(campaign_2022)
    assert campaign.balanced and campaign.paid_total == 1300


def test_reconciliation_shows_a_paid_application_without_a_paid_item(campaign_2022, service_center):
    application = approved(campaign_2022)
    batch = exported(payments.create_batch(campaign_2022, service_center))
    payments.mark_paid(batch, service_center)
    stray = ApplicationFactory(campaign=campaign_2022, state=S.PAID, amount=500)
    figures = payments.reconciliation(campaign_2022)
    assert not figures.balanced
    assert (figures.paid_total, figures.paid_applications_total) == (application.amount, application.amount + 500)
    assert figures.mismatched == (stray.reference,)
    assert payments.reconciliation(batch).balanced


def test_a_batch_not_yet_exported_can_be_voided_and_its_applications_go_in_a_new_one(campaign_2022, service_center):
    first, second = approved(campaign_2022), approved(campaign_2022)
    batch = payments.create_batch(campaign_2022, service_center)
    with pytest.raises(PaymentError, match="须填写原因"):
        payments.cancel_batch(batch, service_center, "  ")
    payments.cancel_batch(batch, service_center, "误选了单位")
    assert batch.state == PaymentBatch.State.CANCELLED and not batch.items.exists()
    assert batch.note == "作废：误选了单位（原2笔，1200元）" and batch.settled_by == service_center
    first.refresh_from_db()
    second.refresh_from_db()
    assert {first.state, second.state} == {S.APPROVED}
    again = payments.create_batch(campaign_2022, service_center)
    assert again.number != batch.number and again.items.count() == 2


def test_an_exported_batch_cannot_be_voided(campaign_2022, service_center, economic):
    approved(campaign_2022)
    batch = exported(payments.create_batch(campaign_2022, service_center))
    with pytest.raises(PaymentError, match="不能作废"):
        payments.cancel_batch(batch, service_center, "重复")
    with pytest.raises(PaymentError, match="无权"):
        payments.cancel_batch(batch, economic, "重复")
    batch.refresh_from_db()
    assert batch.state == PaymentBatch.State.OPEN and batch.items.count() == 1


def test_an_approved_batch_can_still_be_voided_until_its_transfer_file_is_exported(campaign_2022, service_center):
    approved(campaign_2022)
    batch = approved_by_checker(payments.create_batch(campaign_2022, service_center))
    payments.cancel_batch(batch, service_center, "金额有误")
    assert batch.state == PaymentBatch.State.CANCELLED and batch.approved_by == checker()
