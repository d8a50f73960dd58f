"""Correcting the bank card of a failed payment: one person enters it, a second confirms it.

- `request_correction`: a city service center account enters the applicant's corrected card and
  branch (checked by `payments.clean_bank_card`). Nothing on the application changes yet: the
  correction waits as a pending BankCardCorrection, and the request is a step in the
  application's history (payment_failed to payment_failed). One pending correction per
  application (a check here, a database constraint behind it).
- `confirm_correction`: another account holding `approve_paymentbatch` (never the requester: a
  check here, a database constraint behind it) confirms. In one transaction the card and branch
  are written to the application and the `correct_bank_card` workflow step takes it back to
  approved, for a later batch. The applicant is texted the last four digits of the new card,
  never the whole number, so a correction they did not ask for does not go unnoticed.
- `reject_correction`: that other account sends it back with a reason (a step in the history
  too); the application stays payment_failed and a new correction can be entered.
"""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from applications.core.access import APPROVE_BATCH, CHANGE_BATCH, can_view
from applications.core.constants import ApplicationState as S
from applications.core.crypto import mask
from applications.models import Application, ApplicationEvent, BankCardCorrection
from applications.payments.service import PaymentError, clean_bank_card
from applications.review.workflow import WorkflowError, take

logger = logging.getLogger("portal.payments")

State = BankCardCorrection.State
# Confirming takes the `correct_bank_card` step, which needs change_paymentbatch too.

ALREADY_PENDING = "这份申报已有一项待复核的银行卡更正，请等复核人确认或退回后再提交。"
OWN_CORRECTION = "这项银行卡更正是您提交的，不能由您本人复核；请职工服务中心的另一位同事复核。"
REJECTED_PREFIX = "银行卡更正未通过复核"


def _label(user):
    return user.get_full_name() or user.get_username()


def _history(application, user, opinion, now):
    """A step in the application's history that leaves its state as it is (payment_failed)."""
    ApplicationEvent.objects.create(
        application_id=application.pk,
        actor=user,
        actor_label=_label(user),
        from_state=S.PAYMENT_FAILED,
        to_state=S.PAYMENT_FAILED,
        opinion=opinion,
        created_at=now,
    )


def pending_correction(application):
    """The application's correction awaiting a second person, or None."""
    return (
        BankCardCorrection.objects.filter(application=application, state=State.PENDING)
        .select_related("requested_by")
        .first()
    )


def request_correction(application, user, bank_card, bank_branch, *, confirmed=False, note="", now=None):
    """Enter the corrected card of a payment_failed application; it waits for a second person.

    Returns the pending BankCardCorrection, or raises PaymentError (with field errors for the
    form). The application's card, branch and state do not change.
    """
    if not user.has_perm(CHANGE_BATCH):
        raise PaymentError("您无权办理发放。")
    card, branch = clean_bank_card(bank_card, bank_branch, confirmed=confirmed)
    note = (note or "").strip()[:200]
    now = now or timezone.now()
    try:
        with transaction.atomic():
            locked = Application.objects.select_for_update().get(pk=application.pk)
            if not can_view(user, locked):
                raise PaymentError("您无权办理这份申报。")
            if locked.state != S.PAYMENT_FAILED:
                raise PaymentError(f"这份申报现在是“{locked.get_state_display()}”，不是发放失败，无需更正银行卡信息。")
            if BankCardCorrection.objects.filter(application=locked, state=State.PENDING).exists():
                raise PaymentError(ALREADY_PENDING)
            correction = BankCardCorrection.objects.create(
                application=locked,
                bank_card=card,
                bank_branch=branch,
                note=note,
                requested_by=user,
                requested_at=now,
            )
            opinion = f"银行卡更正已提交，待复核：卡号{mask(card)}，开户行{branch}"
            _history(locked, user, f"{opinion}。{note}" if note else opinion, now)
    except IntegrityError as error:  # a correction entered at the same moment by someone else
        raise PaymentError(ALREADY_PENDING) from error
    logger.info("%s asked to correct the bank card of %s", user.get_username(), locked.reference)
    return correction


def _check_checker(user):
    if not (user.has_perm(APPROVE_BATCH) and user.has_perm(CHANGE_BATCH)):
        raise PaymentError("您无权复核银行卡更正。")


def _locked_pending(correction, user):
    """The correction's row locked, still pending and not the user's own, or PaymentError."""
    locked = (
        BankCardCorrection.objects.select_for_update()
        .select_related("application__campaign", "application__unit")
        .get(pk=correction.pk)
    )
    if locked.state != State.PENDING:
        raise PaymentError(f"这项银行卡更正已{locked.get_state_display()}，无需再复核。")
    if locked.requested_by_id == user.pk:
        raise PaymentError(OWN_CORRECTION)
    if not can_view(user, locked.application):
        raise PaymentError("您无权办理这份申报。")
    return locked


def confirm_correction(correction, user, *, now=None):
    """A second person confirms: the new card takes effect and the application is approved again.

    One transaction: the correction is marked confirmed, the application gets the card and branch,
    and the `correct_bank_card` step (payment_failed to approved) records the change. Once it has
    committed the applicant gets a text naming the last four digits of the new card.
    """
    _check_checker(user)
    now = now or timezone.now()
    try:
        with transaction.atomic():
            locked = _locked_pending(correction, user)
            application = locked.application
            BankCardCorrection.objects.filter(pk=locked.pk, state=State.PENDING).update(
                state=State.CONFIRMED, decided_by=user, decided_at=now
            )
            changed = Application.objects.filter(pk=application.pk, state=S.PAYMENT_FAILED).update(
                bank_card=locked.bank_card, bank_branch=locked.bank_branch, updated_at=now
            )
            if not changed:
                application.refresh_from_db()
                raise PaymentError(
                    f"这份申报现在是“{application.get_state_display()}”，不是发放失败，不能再更正银行卡信息。"
                )
            opinion = f"银行卡信息已更正并经复核：卡号{mask(locked.bank_card)}，开户行{locked.bank_branch}"
            take("correct_bank_card", application, user, opinion, now=now, via="payments")
            transaction.on_commit(lambda: _tell_corrected(application, locked))
    except IntegrityError as error:  # the database's own maker-checker constraint
        raise PaymentError(OWN_CORRECTION) from error
    except WorkflowError as error:
        raise PaymentError(str(error)) from error
    logger.info("%s confirmed the bank card correction of %s", user.get_username(), application.reference)
    correction.refresh_from_db()
    return correction


def reject_correction(correction, user, reason, *, now=None):
    """A second person sends the correction back with a reason; the application stays payment_failed.

    The reason is a step in the application's history, which the applicant sees in the status lookup.
    """
    _check_checker(user)
    reason = (reason or "").strip()
    if not reason:
        raise PaymentError("退回须填写原因。", {"reason": "请填写退回原因，申请人可以在进度查询中看到。"})
    now = now or timezone.now()
    try:
        with transaction.atomic():
            locked = _locked_pending(correction, user)
            BankCardCorrection.objects.filter(pk=locked.pk, state=State.PENDING).update(
                state=State.REJECTED, decided_by=user, decided_at=now, decision_note=reason[:200]
            )
            _history(locked.application, user, f"{REJECTED_PREFIX}：{reason}", now)
    except IntegrityError as error:
        raise PaymentError(OWN_CORRECTION) from error
    logger.info("%s rejected the bank card correction of %s", user.get_username(), locked.application.reference)
    correction.refresh_from_db()
    return correction


def corrected_message(application, correction):
    """The text telling the applicant their card was changed: its last four digits, never the number."""
    return (
        f"【杭州市总工会】您的{application.campaign.year}年度高技能人才奖励（编号{application.reference}）"
        f"收款银行卡已更正为尾号{correction.last_four}的银行卡（{correction.bank_branch}），"
        f"将重新发放{application.amount}元。"
        f"如非本人申请，请立即联系{application.unit.name}或市总工会职工服务中心。"
    )


def _tell_corrected(application, correction):
    from applications.core.sms import queue_sms

    try:
        queue_sms(application.mobile, corrected_message(application, correction), purpose="bank_card_corrected")
    except ValueError as error:
        logger.error("SMS for %s (bank_card_corrected) not sent: %s", application.reference, error)
