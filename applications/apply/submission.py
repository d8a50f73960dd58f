"""Submitting an application: the rules, one live application per person, all in one transaction.

Used by the online form and (later) by reviewers entering paper forms, so it takes plain
values and never a request.
"""

import datetime
import logging
import secrets
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from applications.core.constants import LIVE_STATES, ApplicationState, Channel
from applications.core.crypto import keyed_hash
from applications.models import Application, ApplicationEvent, Attachment, Campaign, Member, ReviewUnit, SkillLevel
from applications.programme import carry_over, eligibility

logger = logging.getLogger(__name__)

REFERENCE_DIGITS = 6
# The private store is full or failing (ENOSPC, EROFS, EIO): nothing was submitted.
STORE_FAILED = (
    "上传的材料暂时无法保存（系统存储空间不足或故障），申报没有提交。"
    "请稍后再试；如仍不行，请联系所属区、县（市）总工会。"
)


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
    certificate_issuer_type: str = ""  # an IssuerType; blank only where no channel asked (older callers)
    certificate_issuer: str = ""
    carry_over_declared: bool = False


@dataclass(frozen=True)
class Submitted:
    application: Application
    query_password: str
    replaced: Application | None


def applied_in_previous_campaign(campaign, id_hash):
    """Whether the person applied in the year before (any outcome): an earlier campaign in the database
    or the imported history of that year (`programme.carry_over`, the one rule every channel asks)."""
    return carry_over.applied_last_year(campaign, id_hash)


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
        if decision.rule == "applied_last_campaign":  # beside the declaration the record contradicts
            field = "carry_over_declared"
        raise SubmissionError(decision.reason, field)
    _check_issuer(campaign, applicant)
    if decision.window == eligibility.CARRY_OVER and not applicant.carry_over_declared:
        raise SubmissionError(carry_over.declaration_missing(campaign.year), "carry_over_declared")
    return decision


def _check_issuer(campaign, applicant):
    """Section 二(二): the issuer stated must be one the campaign accepts (`certificates.issuers`)."""
    from applications.certificates import issuers

    if applicant.certificate_issuer_type or applicant.certificate_issuer:
        problem = issuers.issuer_problem(
            issuers.rules_for(campaign), applicant.certificate_issuer_type, applicant.certificate_issuer
        )
        if problem:
            raise SubmissionError(problem, "certificate_issuer")


# A higher level replaces only an application still under review. Once the city union has
# approved one (approved, then paid or payment_failed) its amount is due to the bank: it may be
# in a batch or its transfer file at the bank right now, and withdrawing it then could pay a
# withdrawn application or pay the person twice. The city service center handles such a case.
REPLACEABLE_STATES = (ApplicationState.SUBMITTED, ApplicationState.UNIT_APPROVED)

# What the unit channel (paper entry, the Annex 4 table) says about an ID number that already has a
# live application: the same words whoever holds it, so a reviewer learns nothing of another unit's.
UNIT_DUPLICATE = (
    "此身份证号码在本年度已有申报，不能重复录入；如需以更高等级取代原申报，请联系市总工会职工服务中心办理。"
)
NOTHING_TO_REPLACE = "此身份证号码本年度没有可取代的申报；新的纸质申请表请由所属审核单位录入。"


@dataclass(frozen=True)
class Replacement:
    """The city service center's recorded decision to replace a live application by a higher level.

    `reference` is the application they were shown, which must still be the live one; `reason` is
    written into both applications' events.
    """

    reference: str
    reason: str


def live_application(campaign, id_number):
    """The person's live application in `campaign` (any unit, any channel), or None. For the city only."""
    return (
        Application.objects.select_related("unit", "new_level")
        .filter(campaign=campaign, id_hash=keyed_hash(id_number), state__in=LIVE_STATES)
        .first()
    )


def _withdraw(existing, *, reason, opinion, actor, now):
    ApplicationEvent.objects.create(
        application=existing,
        actor=actor,
        actor_label=str(actor) if actor else "申请人",
        from_state=existing.state,
        to_state=ApplicationState.WITHDRAWN,
        opinion=opinion,
        created_at=now,
    )
    existing.state = ApplicationState.WITHDRAWN
    existing.state_reason = reason
    existing.save(update_fields=["state", "state_reason", "updated_at"])
    return existing


def _replace_or_refuse(existing, applicant, channel, reference, now):
    """The person's own online application still under review at a lower level gives way; anything else
    stops the new one. The unit channel never replaces: it only hears that the ID number is taken."""
    if channel == Channel.UNIT:
        raise SubmissionError(UNIT_DUPLICATE, "id_number")
    year, described = existing.campaign.year, f"编号{existing.reference}，{existing.new_level.name}"
    higher = applicant.new_level.rank > existing.new_level.rank
    if higher and existing.state not in REPLACEABLE_STATES:
        raise SubmissionError(
            f"您在{year}年度的申报（{described}）市总工会已审核通过，正在发放或已发放，不能再以更高等级重新申报；"
            "如有疑问请联系市总工会职工服务中心。",
            "new_level",
        )
    if higher and (existing.channel != Channel.INDIVIDUAL or existing.unit_id != applicant.unit.pk):
        raise SubmissionError(
            f"您在{year}年度已有一份申报（{described}，{existing.get_channel_display()}，{existing.unit.name}）。"
            "以更高等级取代单位统一申报或其他审核单位的申报，须由市总工会职工服务中心办理，"
            "请联系市总工会职工服务中心。",
            "new_level",
        )
    if higher:
        reason = f"已由更高等级（{applicant.new_level.name}）的申报{reference}取代。"
        return _withdraw(existing, reason=reason, opinion=reason, actor=None, now=now)
    raise SubmissionError(
        f"您在{year}年度已有一份申报（{described}），同一人每年度只能按最高等级享受一次奖励。"
        "请到“进度查询”查看办理情况。",
        "new_level",
    )


def replacement_refused(existing, new_level):
    """Why the city service center cannot replace `existing` by an application at `new_level`, or None.

    The reason describes `existing`: only for those who may see every application."""
    if existing.state not in REPLACEABLE_STATES:
        return SubmissionError(
            f"原申报{existing.reference}状态为“{existing.get_state_display()}”，市总工会已审核通过，不能取代。"
        )
    if new_level.rank <= existing.new_level.rank:
        return SubmissionError(
            f"新申报的等级（{new_level.name}）不高于原申报{existing.reference}的等级"
            f"（{existing.new_level.name}），不能取代。",
            "new_level",
        )
    return None


def _replace_for_service_center(existing, applicant, replace, actor, reference, now):
    """The city service center's replacement: across units and channels, of an application still under review."""
    if existing is None:
        raise SubmissionError(NOTHING_TO_REPLACE, "id_number")
    if existing.reference != replace.reference:
        raise SubmissionError(f"此身份证号码的在办申报已不是{replace.reference}，请核对后重新确认。")
    refused = replacement_refused(existing, applicant.new_level)
    if refused:
        raise refused
    return _withdraw(
        existing,
        reason=f"已由更高等级（{applicant.new_level.name}）的申报{reference}取代（市总工会职工服务中心办理）。",
        opinion=f"市总工会职工服务中心以更高等级（{applicant.new_level.name}）的申报{reference}取代，"
        f"理由：{replace.reason}",
        actor=actor,
        now=now,
    )


def _first_opinion(applicant, channel, replace, replaced):
    if replace is not None:
        return (
            f"以更高等级取代原申报{replaced.reference}（{replaced.new_level.name}，{replaced.unit.name}），"
            f"理由：{replace.reason}"
        )
    return applicant.grassroots_opinion if channel == Channel.UNIT else ""


def _remove_files(names):
    """Delete copies written by a submission that did not commit (a process killed meanwhile leaves
    them to `purge_pending_uploads`, which removes folders of references that were never committed)."""
    from applications.core.storage import private_storage

    for name in names:
        try:
            private_storage().delete(name)
        except OSError:
            logger.exception("could not remove %s of a submission that did not commit", name)


def submit(
    campaign: Campaign,
    applicant: Applicant,
    attachments,
    *,
    channel=Channel.INDIVIDUAL,
    member: Member | None = None,
    actor=None,
    replace: Replacement | None = None,
    now=None,
    grassroots=None,
    consent=None,
) -> Submitted:
    """Check the rules and store the application with its attachments, or raise SubmissionError.

    `attachments` maps an AttachmentKind to a CleanUpload. Online applications start as
    submitted; paper ones entered by a review unit (channel unit) start as unit_approved.
    An ID number with a live application is refused, except that a higher level replaces the
    person's own online application under review in the same unit, and `replace` (the city
    service center only, `access.may_replace_applications`; raises PermissionDenied for anyone
    else) replaces any application under review; the new one then starts as submitted, for its
    unit to review. Returns the application and its query password, which is stored only as a hash.
    `grassroots` (a GrassrootsUnion of `applicant.unit`, channel unit): its own entry, with its 初审
    opinion as the first event; it starts as submitted, for its review unit's pre-review.
    `consent` (`applications.records.consent.ConsentGiven`) is recorded with the application.
    """
    from applications.apply.status import hash_query_password, new_query_password
    from applications.core.access import may_replace_applications

    if replace is not None:
        if not may_replace_applications(actor):
            raise PermissionDenied("只有市总工会职工服务中心可以以更高等级取代原申报。")
        if not replace.reason.strip():
            raise SubmissionError("请填写取代原申报的理由。")
        replace = Replacement(replace.reference, replace.reason.strip())

    if grassroots is not None and (channel != Channel.UNIT or grassroots.unit_id != applicant.unit.pk):
        raise PermissionDenied("基层工会只能为本单位所属审核单位录入单位统一申报。")

    now = now or timezone.now()
    id_hash = keyed_hash(applicant.id_number)
    decision = _decide(campaign, applicant, id_hash, now)
    checked = _verify_certificate(applicant, now)
    password = new_query_password()
    unit_approved = channel == Channel.UNIT and replace is None and grassroots is None
    state = ApplicationState.UNIT_APPROVED if unit_approved else ApplicationState.SUBMITTED
    written = []  # copies stored so far: removed again if the transaction does not commit
    try:
        with transaction.atomic():
            reference = _new_reference(campaign)
            existing = (
                Application.objects.select_for_update()
                .select_related("new_level", "campaign", "unit")
                .filter(campaign=campaign, id_hash=id_hash, state__in=LIVE_STATES)
                .first()
            )
            if replace is not None:
                replaced = _replace_for_service_center(existing, applicant, replace, actor, reference, now)
            elif existing is not None:
                replaced = _replace_or_refuse(existing, applicant, channel, reference, now)
            else:
                replaced = None
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
                **checked,
                grassroots_entry=grassroots,
                **vars(applicant),
            )
            for kind, upload in attachments.items():
                attachment = Attachment(
                    application=application, kind=kind, content_type=upload.content_type, size=len(upload.content)
                )
                filename = f"{kind}.{upload.extension}"
                name = attachment.file.field.generate_filename(attachment, filename)  # where save writes it
                try:
                    attachment.file.save(filename, ContentFile(upload.content), save=False)
                except OSError as error:  # the store is full or failing: remove what was half written
                    logger.error("copies of %s not stored: %r", reference, error)
                    written.append(name)
                    raise SubmissionError(STORE_FAILED) from error
                written.append(attachment.file.name)
                attachment.save()
            ApplicationEvent.objects.create(
                application=application,
                actor=actor,
                actor_label=str(actor) if actor else "申请人",
                to_state=state,
                opinion=_first_opinion(applicant, channel, replace, replaced),
                created_at=now,
            )
            if consent is not None:
                consent.record(application)
    except IntegrityError as error:
        _remove_files(written)
        if channel == Channel.UNIT and replace is None:
            raise SubmissionError(UNIT_DUPLICATE, "id_number") from error
        raise SubmissionError(
            "同一身份证号码的申报刚刚已经提交，请勿重复申报。请到“进度查询”查看办理情况。", "id_number"
        ) from error
    except BaseException:
        _remove_files(written)
        raise
    transaction.on_commit(lambda: _confirm_by_sms(application))
    return Submitted(application, password, replaced)


def _verify_certificate(applicant, now):
    """证书核验 against the register, before the transaction (the register may be a remote service)."""
    from applications.certificates import verification

    result = verification.verify(applicant)
    return result.fields(now) if result else {}


def _confirm_by_sms(application):
    from applications.core.sms import queue_sms

    queue_sms(
        application.mobile,
        f"【杭州市总工会】您的{application.campaign.year}年度高技能人才奖励申报已提交，编号{application.reference}，"
        "请凭身份证号码和查询密码查询进度。",
        purpose="application_submitted",
    )


def check_rules(campaign, applicant: Applicant, *, now=None):
    """The eligibility decision for `applicant` as `submit` makes it, or SubmissionError: for a
    correction of an application already stored (a grassroots union's entry sent back to it)."""
    now = now or timezone.now()
    return _decide(campaign, applicant, keyed_hash(applicant.id_number), now)
