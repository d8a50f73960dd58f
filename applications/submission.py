"""Submitting an application: the rules, one live application per person, all in one transaction.

Used by the online form and (later) by reviewers entering paper forms, so it takes plain
values and never a request.
"""

import datetime
import secrets
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from . import eligibility
from .constants import LIVE_STATES, ApplicationState, Channel
from .crypto import keyed_hash
from .models import Application, ApplicationEvent, Attachment, Campaign, Member, ReviewUnit, SkillLevel

REFERENCE_DIGITS = 6


class SubmissionError(Exception):
    """The application cannot be accepted; `message` says why in Chinese, `field` where, if anywhere."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Applicant:
    """The Annex 3 values of one application, already validated field by field."""

    unit: ReviewUnit
    name: str
    gender: str
    birth_date: datetime.date
    education: str
    occupation: str
    previous_level: SkillLevel | None
    previous_level_obtained_on: datetime.date | None
    new_level: SkillLevel
    certificate_number: str
    certificate_issued_on: datetime.date
    id_number: str
    mobile: str
    bank_card: str
    bank_branch: str
    employer: str
    is_migrant: bool = False
    hukou_place: str = ""
    years_in_hangzhou: int | None = None
    grassroots_union: str = ""
    grassroots_opinion: str = ""


@dataclass(frozen=True)
class Submitted:
    application: Application
    query_password: str
    replaced: Application | None


def applied_in_previous_campaign(campaign, id_hash):
    """Whether the person applied in the campaign of the year before (any outcome)."""
    return Application.objects.filter(campaign__year=campaign.year - 1, id_hash=id_hash).exists()


def _new_reference(campaign):
    for _attempt in range(10):
        reference = f"HZ{campaign.year}{secrets.randbelow(10**REFERENCE_DIGITS):0{REFERENCE_DIGITS}d}"
        if not Application.objects.filter(reference=reference).exists():
            return reference
    raise SubmissionError("系统繁忙，请稍后再试。")


def _decide(campaign, applicant, id_hash, now):
    rules = eligibility.rules_for(campaign)
    acceptance = eligibility.accepting(rules, now)
    if not acceptance.open:
        raise SubmissionError(acceptance.reason)
    decision = eligibility.check_certificate(
        rules,
        applicant.new_level.code,
        applicant.certificate_issued_on,
        previous_level_code=applicant.previous_level.code if applicant.previous_level else None,
        applied_last_campaign=applied_in_previous_campaign(campaign, id_hash),
        today=timezone.localtime(now).date(),
    )
    if not decision.eligible:
        field = "certificate_issued_on" if decision.rule in ("outside_window", "future_date") else "new_level"
        raise SubmissionError(decision.reason, field)
    return decision


# A higher level replaces only an application still under review. Once the city union has
# approved one (approved, then paid or payment_failed) its amount is due to the bank: it may be
# in a batch or its transfer file at the bank right now, and withdrawing it then could pay a
# withdrawn application or pay the person twice. The city service center handles such a case.
REPLACEABLE_STATES = (ApplicationState.SUBMITTED, ApplicationState.UNIT_APPROVED)


def _replace_or_refuse(existing, applicant, reference, now):
    """A live application still under review at a lower level gives way; anything else stops the new one."""
    if existing.state not in REPLACEABLE_STATES and applicant.new_level.rank > existing.new_level.rank:
        raise SubmissionError(
            f"您在{existing.campaign.year}年度的申报（编号{existing.reference}，{existing.new_level.name}）"
            "市总工会已审核通过，正在发放或已发放，不能再以更高等级重新申报；如有疑问请联系市总工会职工服务中心。",
            "new_level",
        )
    if applicant.new_level.rank > existing.new_level.rank:
        reason = f"已由更高等级（{applicant.new_level.name}）的申报{reference}取代。"
        ApplicationEvent.objects.create(
            application=existing,
            actor_label="申请人",
            from_state=existing.state,
            to_state=ApplicationState.WITHDRAWN,
            opinion=reason,
            created_at=now,
        )
        existing.state = ApplicationState.WITHDRAWN
        existing.state_reason = reason
        existing.save(update_fields=["state", "state_reason", "updated_at"])
        return existing
    raise SubmissionError(
        f"您在{existing.campaign.year}年度已有一份申报（编号{existing.reference}，{existing.new_level.name}），"
        "同一人每年度只能按最高等级享受一次奖励。请到“进度查询”查看办理情况。",
        "new_level",
    )


def submit(
    campaign: Campaign,
    applicant: Applicant,
    attachments,
    *,
    channel=Channel.INDIVIDUAL,
    member: Member | None = None,
    actor=None,
    now=None,
) -> Submitted:
    """Check the rules and store the application with its attachments, or raise SubmissionError.

    `attachments` maps an AttachmentKind to a CleanUpload. Online applications start as
    submitted; paper ones entered by a review unit (channel unit) start as unit_approved.
    Returns the application and its query password, which is stored only as a hash.
    """
    from .status_lookup import hash_query_password, new_query_password

    now = now or timezone.now()
    id_hash = keyed_hash(applicant.id_number)
    decision = _decide(campaign, applicant, id_hash, now)
    password = new_query_password()
    state = ApplicationState.UNIT_APPROVED if channel == Channel.UNIT else ApplicationState.SUBMITTED
    try:
        with transaction.atomic():
            reference = _new_reference(campaign)
            existing = (
                Application.objects.select_for_update()
                .select_related("new_level", "campaign")
                .filter(campaign=campaign, id_hash=id_hash, state__in=LIVE_STATES)
                .first()
            )
            replaced = _replace_or_refuse(existing, applicant, reference, now) if existing else None
            application = Application.objects.create(
                campaign=campaign,
                reference=reference,
                channel=channel,
                state=state,
                member=member,
                amount=decision.amount,
                window=decision.window,
                eligibility_reason=decision.reason,
                query_password_hash=hash_query_password(password, id_hash),
                submitted_at=now,
                filled_on=timezone.localtime(now).date(),
                **vars(applicant),
            )
            for kind, upload in attachments.items():
                attachment = Attachment(
                    application=application, kind=kind, content_type=upload.content_type, size=len(upload.content)
                )
                attachment.file.save(f"{kind}.{upload.extension}", ContentFile(upload.content), save=False)
                attachment.save()
            ApplicationEvent.objects.create(
                application=application,
                actor=actor,
                actor_label=str(actor) if actor else "申请人",
                to_state=state,
                opinion=applicant.grassroots_opinion if channel == Channel.UNIT else "",
                created_at=now,
            )
    except IntegrityError as error:
        raise SubmissionError(
            "同一身份证号码的申报刚刚已经提交，请勿重复申报。请到“进度查询”查看办理情况。", "id_number"
        ) from error
    transaction.on_commit(lambda: _confirm_by_sms(application))
    return Submitted(application, password, replaced)


def _confirm_by_sms(application):
    from .sms import send_sms

    send_sms(
        application.mobile,
        f"【杭州市总工会】您的{application.campaign.year}年度高技能人才奖励申报已提交，编号{application.reference}，"
        "请凭身份证号码和查询密码查询进度。",
        purpose="application_submitted",
    )
