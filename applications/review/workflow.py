"""The review workflow, declared once: states, who may move an application from which to which.

Each transition checks the actor and the state and writes its audit event in one
transaction. The state change is a compare-and-set (`UPDATE … WHERE state = <from>`), so when
two reviewers act on the same application at once exactly one wins and the other is told.

The payment steps (paid, payment failed, bank card corrected) are declared here too, but they
are taken only through the payment services (`via="payments"`): `applications.payments.service`, which
keeps each payment item in step with its application, and `applications.payments.corrections`, where
a corrected card takes effect only once a second person confirms it. The review screen never
offers them.

A grassroots union's entry (`Application.grassroots_entry`) starts as submitted with its 初审 opinion
as the first event. Its review unit approves it to the city, rejects it, or sends it back to the
grassroots union with a reason (returned, still live: the ID number stays taken); the grassroots
union corrects it and resubmits it (`unit_channel.grassroots.resubmit`), back to submitted.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.core.access import (
    CHANGE_BATCH,
    FINAL_REVIEW,
    GRASSROOTS_ENTRY,
    PRE_REVIEW,
    can_view,
    visible_applications,
)
from applications.core.constants import ApplicationState as S
from applications.models import Application, ApplicationEvent


class WorkflowError(Exception):
    """The action cannot be taken; the message says why, in Chinese."""


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    permission: str
    verb: str
    opinion_required: bool = False
    only_via: str = ""  # when set, taken only by that service module, never from the review screen
    applies_to: Callable | None = None  # when set, only applications it accepts may take this step


def entered_by_grassroots(application):
    return application.grassroots_entry_id is not None


TRANSITIONS = {
    "unit_approve": Transition(S.SUBMITTED, S.UNIT_APPROVED, PRE_REVIEW, _("预审通过")),
    "unit_reject": Transition(S.SUBMITTED, S.REJECTED, PRE_REVIEW, _("驳回"), True),
    "return_to_grassroots": Transition(
        S.SUBMITTED, S.RETURNED, PRE_REVIEW, _("退回基层工会"), True, applies_to=entered_by_grassroots
    ),
    "resubmit": Transition(
        S.RETURNED,
        S.SUBMITTED,
        GRASSROOTS_ENTRY,
        _("更正后重新提交"),
        only_via="grassroots",
        applies_to=entered_by_grassroots,
    ),
    "city_approve": Transition(S.UNIT_APPROVED, S.APPROVED, FINAL_REVIEW, _("审核通过")),
    "city_reject": Transition(S.UNIT_APPROVED, S.REJECTED, FINAL_REVIEW, _("驳回"), True),
    "pay": Transition(S.APPROVED, S.PAID, CHANGE_BATCH, _("标记已发放"), only_via="payments"),
    "payment_fail": Transition(
        S.APPROVED, S.PAYMENT_FAILED, CHANGE_BATCH, _("标记发放失败"), True, only_via="payments"
    ),
    "correct_bank_card": Transition(
        S.PAYMENT_FAILED, S.APPROVED, CHANGE_BATCH, _("更正银行卡信息"), only_via="payments"
    ),
}

# Approvals that a differing certificate (证书核验 不一致) holds back until a reviewer confirms it on the
# application's review page (`certificates.verification.confirm`); bulk approval therefore leaves it out.
HELD_BY_DIFFERING_CERTIFICATE = ("unit_approve", "city_approve")

CHUNK = 500  # ids per query in take_all (SQLite limits the parameters of one statement)

# The state reason the applicant sees is the opinion of the step that led there.
STATES_WITH_REASON = (S.REJECTED, S.PAYMENT_FAILED)


def allowed_actions(user, application):
    """The actions `user` may take on `application` now (for the review screen's buttons)."""
    return [
        name
        for name, transition in TRANSITIONS.items()
        if not transition.only_via and _may(user, transition, application)
    ]


def _permitted(user, transition, application):
    """The user holds the transition's permission and may see this application (own unit or city), and the
    step applies to it (a return to the grassroots union only for a grassroots union's entry)."""
    if transition.applies_to is not None and not transition.applies_to(application):
        return False
    return user.has_perm(transition.permission) and can_view(user, application)


def _may(user, transition, application):
    return application.state == transition.source and _permitted(user, transition, application)


ROUTES = {"payments": "发放批次", "grassroots": "基层工会的更正申请表页面"}


def _check_route(transition, via):
    if transition.only_via and via != transition.only_via:
        raise WorkflowError(f"“{transition.verb}”只能在{ROUTES[transition.only_via]}中办理。")


def _check_opinion(transition, opinion):
    if transition.opinion_required and not opinion:
        if transition.target == S.RETURNED:
            raise WorkflowError(f"{transition.verb}须填写原因，基层工会据此更正后重新提交。")
        raise WorkflowError(f"{transition.verb}须填写原因，申请人会在进度查询和短信中看到。")


def _check_certificate(action, application):
    from applications.certificates.verification import needs_confirmation

    if action in HELD_BY_DIFFERING_CERTIFICATE and needs_confirmation(application):
        raise WorkflowError(
            f"证书核验不一致（{application.certificate_differences}与证书库不同），"
            "请在审阅页核对证书并确认后再逐份办理。"
        )


def take(action, application, user, opinion="", *, now=None, via=""):
    """Move `application` by `action` on behalf of `user`, or raise WorkflowError; returns it refreshed.

    `via` names the service module taking a step that is reserved to it (see `Transition.only_via`).
    """
    transition = TRANSITIONS[action]
    opinion = (opinion or "").strip()
    now = now or timezone.now()
    _check_route(transition, via)
    if transition.applies_to is not None and not transition.applies_to(application) and can_view(user, application):
        raise WorkflowError(f"只有基层工会录入的申报可以{transition.verb}。")
    if not _permitted(user, transition, application):
        raise WorkflowError("您无权办理这份申报。")
    _check_opinion(transition, opinion)
    _check_certificate(action, application)
    with transaction.atomic():
        changes = {"state": transition.target, "updated_at": now}
        if transition.target in STATES_WITH_REASON:
            changes["state_reason"] = opinion
        won = Application.objects.filter(pk=application.pk, state=transition.source).update(**changes)
        if not won:
            current = Application.objects.get(pk=application.pk)
            raise WorkflowError(
                f"这份申报现在是“{current.get_state_display()}”，不能再{transition.verb}；"
                "可能已有其他人办理，请刷新后查看。"
            )
        ApplicationEvent.objects.create(
            application_id=application.pk,
            actor=user,
            actor_label=user.get_full_name() or user.get_username(),
            from_state=transition.source,
            to_state=transition.target,
            opinion=opinion,
            created_at=now,
        )
    application.refresh_from_db()
    if transition.target == S.REJECTED:
        transaction.on_commit(lambda: _tell_rejected(application))
    return application


def take_all(action, applications, user, opinion="", *, now=None, via=""):
    """Move every application of `applications` (a queryset or primary keys) by `action`, or none of them.

    One compare-and-set UPDATE and one event per application, for steps taken on a whole payment
    batch at once. Raises WorkflowError, changing nothing, if any of them is not in the step's
    source state or not visible to `user`. Returns the number moved.
    """
    transition = TRANSITIONS[action]
    opinion = (opinion or "").strip()
    now = now or timezone.now()
    _check_route(transition, via)
    if not user.has_perm(transition.permission) or transition.applies_to is not None:
        raise WorkflowError("您无权办理这些申报。")
    _check_opinion(transition, opinion)
    if hasattr(applications, "values_list"):
        ids = list(applications.order_by().values_list("pk", flat=True))
    else:
        ids = list(dict.fromkeys(getattr(application, "pk", application) for application in applications))
    chunks = [ids[start : start + CHUNK] for start in range(0, len(ids), CHUNK)]
    visible = visible_applications(user, Application.objects.all())
    if any(visible.filter(pk__in=chunk).count() != len(chunk) for chunk in chunks):
        raise WorkflowError("您无权办理这些申报。")
    with transaction.atomic():
        changes = {"state": transition.target, "updated_at": now}
        if transition.target in STATES_WITH_REASON:
            changes["state_reason"] = opinion
        moved = sum(
            Application.objects.filter(pk__in=chunk, state=transition.source).update(**changes) for chunk in chunks
        )
        if moved != len(ids):
            stuck = [
                reference
                for chunk in chunks
                for reference in Application.objects.filter(pk__in=chunk)
                .exclude(state=transition.target)
                .values_list("reference", flat=True)
            ]
            raise WorkflowError(
                f"有申报现在不是“{S(transition.source).label}”，不能{transition.verb}"
                f"（{'、'.join(stuck[:10])}）；可能已有其他人办理，请刷新后查看。"
            )
        label = user.get_full_name() or user.get_username()
        ApplicationEvent.objects.bulk_create(
            [
                ApplicationEvent(
                    application_id=pk,
                    actor=user,
                    actor_label=label,
                    from_state=transition.source,
                    to_state=transition.target,
                    opinion=opinion,
                    created_at=now,
                )
                for pk in ids
            ],
            batch_size=1000,
        )
    return moved


def take_many(action, applications, user, opinion=""):
    """Bulk approve or reject with one opinion; each application in its own transaction.

    Returns (done, refused) where refused pairs each application with the reason.
    """
    done, refused = [], []
    for application in applications:
        try:
            done.append(take(action, application, user, opinion))
        except WorkflowError as error:
            refused.append((application, str(error)))
    return done, refused


def _tell_rejected(application):
    from applications.core.sms import queue_sms
    from service_hall.evaluations import sms_suffix  # the 好差评 link of the closed case

    queue_sms(
        application.mobile,
        f"【杭州市总工会】您的{application.campaign.year}年度高技能人才奖励申报（编号{application.reference}）"
        "未通过审核，原因请凭查询密码在进度查询中查看；修改后可重新申报。" + sms_suffix(application),
        purpose="application_rejected",
    )
