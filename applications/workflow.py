"""The review workflow, declared once: states, who may move an application from which to which.

Each transition checks the actor and the state and writes its audit event in one
transaction. The state change is a compare-and-set (`UPDATE … WHERE state = <from>`), so when
two reviewers act on the same application at once exactly one wins and the other is told.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .access import can_view
from .constants import ApplicationState as S
from .models import Application, ApplicationEvent


class WorkflowError(Exception):
    """The action cannot be taken; the message says why, in Chinese."""


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    permission: str
    verb: str
    opinion_required: bool = False


TRANSITIONS = {
    "unit_approve": Transition(S.SUBMITTED, S.UNIT_APPROVED, "applications.pre_review_application", "预审通过"),
    "unit_reject": Transition(S.SUBMITTED, S.REJECTED, "applications.pre_review_application", "驳回", True),
    "city_approve": Transition(S.UNIT_APPROVED, S.APPROVED, "applications.final_review_application", "审核通过"),
    "city_reject": Transition(S.UNIT_APPROVED, S.REJECTED, "applications.final_review_application", "驳回", True),
}


def allowed_actions(user, application):
    """The actions `user` may take on `application` now (for the review screen's buttons)."""
    return [name for name, transition in TRANSITIONS.items() if _may(user, transition, application)]


def _permitted(user, transition, application):
    """The user holds the transition's permission and may see this application (own unit or city)."""
    return user.has_perm(transition.permission) and can_view(user, application)


def _may(user, transition, application):
    return application.state == transition.source and _permitted(user, transition, application)


def take(action, application, user, opinion="", *, now=None):
    """Move `application` by `action` on behalf of `user`, or raise WorkflowError; returns it refreshed."""
    transition = TRANSITIONS[action]
    opinion = (opinion or "").strip()
    now = now or timezone.now()
    if not _permitted(user, transition, application):
        raise WorkflowError("您无权办理这份申报。")
    if transition.opinion_required and not opinion:
        raise WorkflowError("驳回须填写原因，申请人会在进度查询和短信中看到。")
    with transaction.atomic():
        changes = {"state": transition.target, "updated_at": now}
        if transition.target == S.REJECTED:
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
    from .sms import send_sms

    send_sms(
        application.mobile,
        f"【杭州市总工会】您的{application.campaign.year}年度高技能人才奖励申报（编号{application.reference}）"
        "未通过审核，原因请凭查询密码在进度查询中查看；修改后可重新申报。",
        purpose="application_rejected",
    )
