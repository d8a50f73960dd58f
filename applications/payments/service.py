"""Paying the rewards: approved applications go into a batch, the bank transfers, the results come back.

- `create_batch` puts approved applications (of a unit, approved in a date range, chosen one by
  one, or all) that are neither awaiting the bank nor paid into a new batch, copying the name,
  bank card, branch and amount as sent to the bank.
- `approve_batch`: a second city service center account (holding `approve_paymentbatch`, never
  the batch's creator) checks the count, the total and the items and approves the batch.
- `transfer_file` writes an approved batch's transfer file (.xlsx) for the bank (formats of both
  files: `applications.payments.files`); an unapproved batch exports nothing.
- `mark_paid` settles a whole batch as paid; `import_bank_result` reads the bank's result file
  (reference, status, reason), checks every row and applies all of them or none.
- A failed payment puts the application in `payment_failed` with the bank's reason; its corrected
  card is checked by `clean_bank_card` and takes effect only once a second person confirms it
  (`applications.payments.corrections`).
- `reconciliation` gives the figures an auditor checks: paid total = sum of the paid applications.

Each action is one transaction; every step of a batch leaves a PaymentBatchEvent, every state
change of an application goes through `applications.review.workflow` and leaves an ApplicationEvent;
the text messages go out once the transaction has committed. The database constraints are the
last guard, whatever happens above them: on PaymentItem (one pending item per application, one
paid item) against paying twice, on PaymentBatch (the approver is not the creator) against a
transfer file only one person has checked.
"""

import datetime
import io
import logging
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_tasks import task

from applications.core.access import ADD_BATCH, APPROVE_BATCH, CHANGE_BATCH
from applications.core.bank_details import luhn_ok, validate_bank_branch, validate_bank_card
from applications.core.constants import ApplicationState as S
from applications.models import Application, ApplicationEvent, Campaign, PaymentBatch, PaymentBatchEvent, PaymentItem
from applications.payments.files import PaymentFileError, TransferRow, parse_bank_result, write_transfer_file
from applications.programme.eligibility import format_date
from applications.review.workflow import WorkflowError, take, take_all

logger = logging.getLogger("portal.payments")

Result = PaymentItem.Result
Action = PaymentBatchEvent.Action
CHUNK = 500  # ids per query (SQLite limits the parameters of one statement)


class PaymentError(Exception):
    """The action cannot be taken; `message` says why in Chinese, `errors` maps form fields to messages."""

    def __init__(self, message, errors=None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


def _require(user, permission):
    if not user.has_perm(permission):
        raise PaymentError("您无权办理发放。")


def _chunks(values):
    values = list(values)
    return [values[start : start + CHUNK] for start in range(0, len(values), CHUNK)]


def _start_of(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _record(batch, action, user, note, now):
    """One step in the batch's history (PaymentBatchEvent), in the transaction of the step."""
    PaymentBatchEvent.objects.create(
        batch=batch,
        action=action,
        user=user,
        actor_label=user.get_full_name() or user.get_username(),
        note=note[:200],
        created_at=now,
    )


def _figures(items):
    """(count, total) of a queryset of payment items."""
    figures = items.aggregate(count=Count("pk"), total=Coalesce(Sum("amount"), Value(0)))
    return figures["count"], figures["total"]


def _amounts(count, total):
    return f"{count}笔，{total}元"


# Choosing what to pay.


def payable(campaign):
    """Approved applications of `campaign` neither awaiting the bank in a batch nor ever paid.

    Each carries `approved_at`, the moment of its latest move to approved (the city's approval,
    or the correction of its bank card after a failed payment).
    """
    latest_approval = ApplicationEvent.objects.filter(application=OuterRef("pk"), to_state=S.APPROVED).order_by(
        "-created_at", "-pk"
    )
    blocking = PaymentItem.objects.filter(application=OuterRef("pk"), result__in=[Result.PENDING, Result.PAID])
    return (
        Application.objects.filter(campaign=campaign, state=S.APPROVED)
        .exclude(Exists(blocking))
        .annotate(approved_at=Subquery(latest_approval.values("created_at")[:1]))
    )


def select_payable(campaign, *, unit=None, approved_from=None, approved_to=None, applications=None):
    """The payable applications chosen by unit, by approval date (inclusive, local dates) or one by one.

    `applications` (Application objects or primary keys) must all be payable, or PaymentError
    names those that are not. Ordered as the transfer file lists them: by unit, then reference.
    """
    if approved_from and approved_to and approved_from > approved_to:
        raise PaymentError("审核通过日期的起始日不能晚于截止日。", {"approved_to": "截止日不能早于起始日。"})
    queryset = payable(campaign).select_related("unit")
    if unit is not None:
        queryset = queryset.filter(unit=unit)
    if approved_from:
        queryset = queryset.filter(approved_at__gte=_start_of(approved_from))
    if approved_to:
        queryset = queryset.filter(approved_at__lt=_start_of(approved_to + datetime.timedelta(days=1)))
    if applications is not None:
        wanted = {getattr(application, "pk", application) for application in applications}
        chosen = [pk for chunk in _chunks(wanted) for pk in queryset.filter(pk__in=chunk).values_list("pk", flat=True)]
        missing = wanted - set(chosen)
        if missing:
            references = Application.objects.filter(pk__in=list(missing)[:CHUNK]).values_list("reference", flat=True)
            raise PaymentError(
                f"以下申报不能放入发放批次（不是“市总工会已审核通过，待发放”，已在待发放批次中、已发放，"
                f"或不符合筛选条件）：{'、'.join(sorted(references)[:20])}",
                {"references": "有申报不能放入发放批次。"},
            )
        queryset = queryset.filter(pk__in=[pk for chunk in _chunks(chosen) for pk in chunk])
    return queryset.order_by("unit__sort_order", "unit__name", "reference")


@dataclass(frozen=True)
class Selection:
    """How many applications a choice holds and their total, overall and per unit."""

    count: int
    total: int
    by_unit: tuple = ()


def preview(campaign, **choice):
    """The figures of `select_payable(campaign, **choice)`, to check before creating the batch."""
    queryset = select_payable(campaign, **choice)
    rows = (
        queryset.order_by()
        .values("unit__name", "unit__sort_order")
        .annotate(count=Count("pk"), total=Sum("amount"))
        .order_by("unit__sort_order", "unit__name")
    )
    by_unit = tuple((row["unit__name"], row["count"], row["total"]) for row in rows)
    return Selection(count=sum(row[1] for row in by_unit), total=sum(row[2] for row in by_unit), by_unit=by_unit)


def next_number(campaign):
    """The campaign's next batch number: year, dash, three-digit sequence (2022-001)."""
    prefix = f"{campaign.year}-"
    numbers = PaymentBatch.objects.filter(number__startswith=prefix).values_list("number", flat=True)
    sequence = max((int(n[len(prefix) :]) for n in numbers if n[len(prefix) :].isdigit()), default=0)
    return f"{prefix}{sequence + 1:03d}"


EMPTY_SELECTION = "没有符合条件的待发放申报（须为市总工会已审核通过、不在其他待发放批次中、未发放过）。"
CONCURRENT_BATCH = "其中有申报刚刚已被放入另一个发放批次（或另一个批次同时在创建），请刷新后重新核对再创建。"


def create_batch(
    campaign,
    user,
    *,
    unit=None,
    approved_from=None,
    approved_to=None,
    applications=None,
    note="",
    expected=None,
    now=None,
):
    """A new open batch of the chosen payable applications, or PaymentError (an empty choice is refused).

    `expected`, a (count, total) pair the person checked on screen, must still hold, or nothing is
    created. Batches of one campaign are created one at a time (the campaign row is locked).
    """
    _require(user, ADD_BATCH)
    now = now or timezone.now()
    try:
        with transaction.atomic():
            Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
            chosen = list(
                select_payable(
                    campaign, unit=unit, approved_from=approved_from, approved_to=approved_to, applications=applications
                ).only("pk", "name", "bank_card", "bank_branch", "amount", "reference", "unit")
            )
            if not chosen:
                raise PaymentError(EMPTY_SELECTION)
            figures = (len(chosen), sum(application.amount for application in chosen))
            if expected is not None and tuple(expected) != figures:
                raise PaymentError(
                    f"符合条件的申报在您核对之后有变化（现为 {figures[0]} 份、{figures[1]} 元），请核对后再创建。"
                )
            batch = PaymentBatch.objects.create(
                campaign=campaign,
                number=next_number(campaign),
                note=(note or "").strip(),
                created_by=user,
                created_at=now,
            )
            PaymentItem.objects.bulk_create(
                [
                    PaymentItem(
                        batch=batch,
                        application=application,
                        name=application.name,
                        bank_card=application.bank_card,
                        bank_branch=application.bank_branch,
                        amount=application.amount,
                    )
                    for application in chosen
                ],
                batch_size=CHUNK,
            )
            _record(batch, Action.CREATED, user, _amounts(*figures), now)
    except IntegrityError as error:
        raise PaymentError(CONCURRENT_BATCH) from error
    logger.info("%s created payment batch %s: %s items, %s yuan", user.get_username(), batch.number, *figures)
    return batch


def _locked(batch):
    """The batch as it is now, its row locked until the transaction ends (actions on a batch queue up)."""
    return PaymentBatch.objects.select_for_update().get(pk=batch.pk)


def _check_open(batch, *, exported=True):
    if batch.state != PaymentBatch.State.OPEN:
        raise PaymentError(f"批次{batch.number}{batch.get_state_display()}，不能再办理。")
    if exported and batch.exported_at is None:
        raise PaymentError("请先导出转账文件并在银行办理转账，再登记发放结果。")


def _settle_if_done(batch, user, now):
    if batch.items.filter(result=Result.PENDING).exists():
        return False
    PaymentBatch.objects.filter(pk=batch.pk).update(state=PaymentBatch.State.SETTLED, settled_by=user, settled_at=now)
    batch.refresh_from_db()
    paid, failed = _figures(batch.items.filter(result=Result.PAID)), batch.items.filter(result=Result.FAILED).count()
    _record(batch, Action.SETTLED, user, f"已发放{_amounts(*paid)}；发放失败{failed}笔", now)
    return True


def cancel_batch(batch, user, reason, *, now=None):
    """Void an open batch whose transfer file was never exported: nothing can have reached the bank.

    Its items are removed, so their applications are free for another batch; the batch keeps its
    number (never reused), who cancelled it and why, and how many and how much it held.
    """
    _require(user, CHANGE_BATCH)
    reason = (reason or "").strip()
    if not reason:
        raise PaymentError("作废须填写原因。", {"reason": "请填写作废原因。"})
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked(batch)
        _check_open(locked, exported=False)
        if locked.exported_at is not None:
            raise PaymentError("转账文件已导出，银行可能已在办理，不能作废；请按银行回执登记结果。")
        figures = _figures(locked.items.all())
        locked.items.all().delete()
        note = f"作废：{reason}（原{_amounts(*figures)}）"
        PaymentBatch.objects.filter(pk=locked.pk).update(
            state=PaymentBatch.State.CANCELLED, settled_by=user, settled_at=now, note=note[:200]
        )
        _record(locked, Action.CANCELLED, user, note, now)
    logger.info("%s cancelled payment batch %s: %s", user.get_username(), locked.number, note)
    batch.refresh_from_db()
    return batch


# The second person's approval (maker-checker).

OWN_BATCH = "这个批次是您创建的，不能由您本人复核；请职工服务中心的另一位同事复核。"


def approve_batch(batch, user, *, expected=None, now=None):
    """A second city service center account approves an open batch, so its transfer file can be exported.

    The approver holds `approve_paymentbatch` and did not create the batch (a check here, with a
    message, and a database constraint behind it). `expected`, the (count, total) the approver
    checked on screen, must still hold.
    """
    _require(user, APPROVE_BATCH)
    now = now or timezone.now()
    try:
        with transaction.atomic():
            locked = _locked(batch)
            _check_open(locked, exported=False)
            if locked.approved_by_id is not None:
                raise PaymentError(f"批次{locked.number}已于{_when(locked.approved_at)}复核通过，无需再复核。")
            if locked.created_by_id == user.pk:
                raise PaymentError(OWN_BATCH)
            figures = _figures(locked.items.all())
            if expected is not None and tuple(expected) != figures:
                raise PaymentError(
                    f"批次{locked.number}的明细在您核对之后有变化（现为{_amounts(*figures)}），请重新核对后再复核。"
                )
            PaymentBatch.objects.filter(pk=locked.pk, approved_by__isnull=True).update(
                approved_by=user, approved_at=now
            )
            _record(locked, Action.APPROVED, user, _amounts(*figures), now)
    except IntegrityError as error:  # the database's own maker-checker constraint
        raise PaymentError(OWN_BATCH) from error
    logger.info("%s approved payment batch %s: %s", user.get_username(), locked.number, _amounts(*figures))
    batch.refresh_from_db()
    return batch


def _when(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


# The transfer file (its format: applications.payments.files).


def transfer_file(batch, user, *, now=None):
    """The approved batch's transfer file (.xlsx bytes) of its items awaiting the bank.

    Only an open batch a second person approved exports, and only its pending items: an item the
    bank has already paid or returned is never sent again. The first export time is kept on the
    batch; every export is a step in its history.
    """
    _require(user, CHANGE_BATCH)
    now = now or timezone.now()
    with transaction.atomic():
        batch = _locked(batch)
        _check_open(batch, exported=False)
        if batch.approved_by_id is None:
            raise PaymentError(
                f"批次{batch.number}尚未复核：须由职工服务中心的另一位同事核对笔数、金额和明细并复核通过后，"
                "才能导出转账文件。"
            )
        items = batch.items.filter(result=Result.PENDING).order_by("pk")
        count, total = _figures(items)
        if not count:
            raise PaymentError(f"批次{batch.number}没有待银行转账的明细。")
        out = io.BytesIO()
        try:
            write_transfer_file(
                out,
                number=batch.number,
                campaign_name=batch.campaign.display_name,
                count=count,
                total=total,
                rows=(
                    TransferRow(item.name, item.bank_card, item.bank_branch, item.amount, item.application.reference)
                    for item in items.select_related("application").iterator(chunk_size=CHUNK)
                ),
                exported_at=now,
            )
        except PaymentFileError as error:
            raise PaymentError(error.message) from error
        if batch.exported_at is None:
            PaymentBatch.objects.filter(pk=batch.pk).update(exported_at=now)
        _record(batch, Action.EXPORTED, user, _amounts(count, total), now)
    return out.getvalue()


# Results.


def _strip_end(text):
    return text.strip().rstrip("。.；;，,")


def message_for(item):
    """The text an applicant gets for a settled item: paid (amount, date) or failed (reason, what to do).

    No card number: the texts name the reference and the amount only.
    """
    application = item.application
    about = (
        f"【杭州市总工会】您的{application.campaign.year}年度高技能人才奖励"
        f"（编号{application.reference}）{item.amount}元"
    )
    if item.result == Result.PAID:
        day = format_date(timezone.localtime(item.settled_at).date())
        from service_hall.evaluations import sms_suffix  # the 好差评 link of the closed case

        return f"{about}已于{day}发放至您申报时登记的银行卡，请注意查收。{sms_suffix(application)}"
    if item.result == Result.FAILED:
        return (
            f"{about}发放失败，原因：{_strip_end(item.reason)}。请尽快联系{application.unit.name}"
            "提供本人正确的银行卡号和开户行（写至支行），更正后将重新发放。"
        )
    return None


@task()
def tell_payment_results(item_ids):
    """Text each applicant of these settled items their result (a background task: a batch has thousands)."""
    from applications.core.sms import queue_sms

    items = PaymentItem.objects.filter(pk__in=item_ids).select_related("application__campaign", "application__unit")
    for item in items.order_by("pk"):
        text = message_for(item)
        if text is None:
            continue
        try:
            queue_sms(item.application.mobile, text, purpose=f"payment_{item.result}")
        except ValueError as error:
            logger.error("SMS for %s (payment_%s) not sent: %s", item.application.reference, item.result, error)


def _tell_after_commit(item_ids):
    """Queue the text messages of these items once the transaction has committed, 500 items a task."""
    for chunk in _chunks(item_ids):
        transaction.on_commit(lambda chunk=chunk: _enqueue(chunk))


def _enqueue(item_ids):
    try:
        tell_payment_results.enqueue(item_ids)
    except Exception:
        logger.exception("could not queue the payment messages; sending them now")
        tell_payment_results.call(item_ids)


def _pay(batch, items, user, now):
    """Mark `items` (pending, of `batch`) and their applications paid; returns their ids."""
    items = list(items)
    take_all(
        "pay",
        [item.application_id for item in items],
        user,
        f"随发放批次{batch.number}发放",
        now=now,
        via="payments",
    )
    updated = sum(
        PaymentItem.objects.filter(pk__in=chunk, result=Result.PENDING).update(result=Result.PAID, settled_at=now)
        for chunk in _chunks(item.pk for item in items)
    )
    if updated != len(items):
        raise PaymentError("有明细刚刚已被他人登记结果，请刷新后查看。")
    return [item.pk for item in items]


def mark_paid(batch, user, *, now=None):
    """Every pending item of the open, exported batch paid, its application paid, the batch settled.

    Each paid applicant gets a text message (amount and reference, no card number).
    Returns the number of items paid.
    """
    _require(user, CHANGE_BATCH)
    now = now or timezone.now()
    try:
        with transaction.atomic():
            locked = _locked(batch)
            _check_open(locked)
            pending = locked.items.filter(result=Result.PENDING)
            figures = _figures(pending)
            paid = _pay(locked, pending.only("pk", "application_id"), user, now)
            if not paid:
                raise PaymentError(f"批次{locked.number}没有待登记结果的明细。")
            _record(locked, Action.PAID, user, f"整批登记已发放：{_amounts(*figures)}", now)
            _settle_if_done(locked, user, now)
            _tell_after_commit(paid)
    except WorkflowError as error:
        raise PaymentError(str(error)) from error
    batch.refresh_from_db()
    return len(paid)


@dataclass
class BankResult:
    """What an import of the bank's result file did, or the errors that stopped it (nothing applied)."""

    errors: list = field(default_factory=list)
    paid: int = 0
    failed: int = 0
    settled: bool = False

    @property
    def ok(self):
        return not self.errors


def _check_against_batch(batch, rows):
    """Per-row errors of rows that do not match a pending item of `batch`; returns (items by reference, errors)."""
    items = {
        item.application.reference: item
        for item in batch.items.select_related("application__campaign", "application__unit")
    }
    unknown = {row.reference for row in rows if row.reference and row.reference not in items}
    elsewhere = {
        reference
        for chunk in _chunks(unknown)
        for reference in Application.objects.filter(reference__in=chunk).values_list("reference", flat=True)
    }
    errors = []
    for row in rows:
        item = items.get(row.reference)
        if not row.reference:
            continue
        if item is None:
            where = f"不在本批次（{batch.number}）中" if row.reference in elsewhere else "不存在"
            errors.append(f"第{row.row}行：申报编号{row.reference}{where}。")
        elif item.result != Result.PENDING:
            errors.append(
                f"第{row.row}行：申报编号{row.reference}在本批次中已登记为“{item.get_result_display()}”，不能重复登记。"
            )
    return items, errors


def import_bank_result(batch, file, user, *, now=None):
    """Apply the bank's result file (an uploaded .xlsx or .csv) to the open batch: all rows or none.

    Every row is checked first (format, reference known, in this batch, still pending); any
    error stops the import with the errors per row and nothing changed. Otherwise paid rows make
    their applications paid, failed rows make theirs payment_failed with the bank's reason
    (the applicant sees it and is told by SMS how to correct the card). Items not in the file
    stay pending; the batch is settled when none is left. Returns a BankResult.
    """
    _require(user, CHANGE_BATCH)
    now = now or timezone.now()
    try:
        rows, errors = parse_bank_result(getattr(file, "name", "") or "", file.read())
    except PaymentFileError as error:
        return BankResult(errors=[error.message])
    try:
        with transaction.atomic():
            locked = _locked(batch)
            _check_open(locked)
            items, batch_errors = _check_against_batch(locked, rows)
            errors = sorted(errors + batch_errors, key=lambda text: int(re.match(r"第(\d+)行", text).group(1)))
            if errors:
                return BankResult(errors=errors)
            paid = [items[row.reference] for row in rows if row.result == Result.PAID]
            failed = [(items[row.reference], row.reason) for row in rows if row.result == Result.FAILED]
            told = _pay(locked, paid, user, now) if paid else []
            for item, reason in failed:
                if not PaymentItem.objects.filter(pk=item.pk, result=Result.PENDING).update(
                    result=Result.FAILED, reason=reason, settled_at=now
                ):
                    raise PaymentError("有明细刚刚已被他人登记结果，请刷新后查看。")
                take("payment_fail", item.application, user, reason, now=now, via="payments")
                told.append(item.pk)
            _record(
                locked,
                Action.PAID,
                user,
                f"导入银行回执：成功{len(paid)}笔（{sum(item.amount for item in paid)}元），失败{len(failed)}笔",
                now,
            )
            settled = _settle_if_done(locked, user, now)
            _tell_after_commit(told)
    except PaymentError as error:
        return BankResult(errors=[error.message])
    except WorkflowError as error:
        return BankResult(errors=[str(error)])
    batch.refresh_from_db()
    return BankResult(paid=len(paid), failed=len(failed), settled=settled)


# Correcting a bank card after a failed payment.


def clean_bank_card(bank_card, bank_branch, *, confirmed=False):
    """The card and branch checked as the application form checks them; PaymentError with field errors."""
    errors = {}
    card = re.sub(r"\s+", "", bank_card or "")
    branch = (bank_branch or "").strip()
    try:
        validate_bank_card(card)
    except ValidationError as invalid:
        errors["bank_card"] = invalid.messages[0]
    else:
        if not luhn_ok(card) and not confirmed:
            errors["bank_card"] = "卡号未通过校验，可能有误，请核对；如确认无误，请勾选“我已核对，卡号无误”。"
    try:
        validate_bank_branch(branch)
    except ValidationError as invalid:
        errors["bank_branch"] = invalid.messages[0]
    if len(branch) > Application._meta.get_field("bank_branch").max_length:
        errors["bank_branch"] = "开户行名称过长。"
    if errors:
        raise PaymentError("请更正标出的项目。", errors)
    return card, branch


# Reconciliation.


@dataclass(frozen=True)
class ResultFigures:
    result: str
    label: str
    count: int
    total: int


@dataclass(frozen=True)
class Reconciliation:
    """The figures of a batch or a campaign: items per result, and the paid applications they must match.

    `mismatched` lists references where an item and its application disagree: a paid item whose
    application is not paid, a paid application without a paid item (campaign only), or a paid
    item whose amount differs from the application's.
    """

    by_result: tuple
    count: int
    total: int
    paid_count: int
    paid_total: int
    paid_applications_count: int
    paid_applications_total: int
    mismatched: tuple = ()

    @property
    def balanced(self):
        return (
            self.paid_count == self.paid_applications_count
            and self.paid_total == self.paid_applications_total
            and not self.mismatched
        )

    def figures(self, result):
        return next(row for row in self.by_result if row.result == result)


def reconciliation(target):
    """Reconcile a PaymentBatch or, for a Campaign, all its batches that were not cancelled."""
    if isinstance(target, PaymentBatch):
        items = PaymentItem.objects.filter(batch=target)
        paid_applications = Application.objects.filter(
            Exists(PaymentItem.objects.filter(batch=target, result=Result.PAID, application=OuterRef("pk"))),
            state=S.PAID,
        )
        paid_without_item = Application.objects.none()
    else:
        items = PaymentItem.objects.filter(batch__campaign=target).exclude(batch__state=PaymentBatch.State.CANCELLED)
        paid_applications = Application.objects.filter(campaign=target, state=S.PAID)
        paid_without_item = paid_applications.exclude(
            Exists(PaymentItem.objects.filter(application=OuterRef("pk"), result=Result.PAID))
        )
    rows = {row["result"]: row for row in items.values("result").annotate(count=Count("pk"), total=Sum("amount"))}
    by_result = tuple(
        ResultFigures(result, str(label), rows.get(result, {}).get("count", 0), rows.get(result, {}).get("total") or 0)
        for result, label in Result.choices
    )
    applications = paid_applications.aggregate(
        count=Count("pk"), total=Coalesce(Sum("amount"), Value(0), output_field=IntegerField())
    )
    wrong = items.filter(result=Result.PAID).filter(~Q(application__state=S.PAID) | ~Q(amount=F("application__amount")))
    mismatched = {
        *wrong.values_list("application__reference", flat=True)[:50],
        *paid_without_item.values_list("reference", flat=True)[:50],
    }
    paid = next(row for row in by_result if row.result == Result.PAID)
    return Reconciliation(
        by_result=by_result,
        count=sum(row.count for row in by_result),
        total=sum(row.total for row in by_result),
        paid_count=paid.count,
        paid_total=paid.total,
        paid_applications_count=applications["count"],
        paid_applications_total=applications["total"],
        mismatched=tuple(sorted(mismatched)),
    )
