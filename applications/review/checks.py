"""What a reviewer sees checked on an application: each rule with its result and reason."""

from dataclasses import dataclass

from applications.core.constants import ApplicationState
from applications.models import Application
from applications.programme import carry_over, eligibility


@dataclass(frozen=True)
class Check:
    label: str
    ok: bool
    detail: str


def checks_for(application):
    """The rule checks of the review screen, recomputed from today's data."""
    rules = eligibility.rules_for(application.campaign)
    decision = eligibility.check_certificate(
        rules,
        application.new_level.code,
        application.certificate_issued_on,
        previous_level_code=application.previous_level.code if application.previous_level_id else None,
        today=application.submitted_at.date(),
    )
    others = (
        Application.objects.filter(id_hash=application.id_hash, campaign__year__in=[rules.year, rules.year - 1])
        .exclude(pk=application.pk)
        .select_related("campaign")
    )
    duplicates = [f"{other.campaign.year}年度 {other.reference}（{other.get_state_display()}）" for other in others]
    member = application.member
    return [
        Check("发证时间、等级与金额", decision.eligible, decision.reason),
        Check(
            "实名认证会员",
            bool(member and member.is_verified) or application.channel == "unit",
            "已与会员库核对"
            if member and member.is_verified
            else "单位统一申报，由基层工会核对"
            if application.channel == "unit"
            else "会员库中未找到或未认证",
        ),
        Check(
            "本年度及上一年度的其他申报",
            not any(other.state != ApplicationState.WITHDRAWN for other in others if other.campaign.year == rules.year),
            "；".join(duplicates) if duplicates else "没有",
        ),
        Check("基层工会", bool(application.grassroots_union.strip()), application.grassroots_union or "未填写"),
        *certificate_checks(application),
        _previous_year_check(application),
    ]


def certificate_checks(application):
    """发证机构 (section 二(二), against the campaign's rules today) and 证书核验 (the stored register check)."""
    from django.utils import timezone

    from applications.certificates import issuers, verification
    from applications.models import CertificateCheck, IssuerType

    if application.certificate_issuer_type:
        label = IssuerType(application.certificate_issuer_type).label
        problem = issuers.issuer_problem(
            issuers.rules_for(application.campaign), application.certificate_issuer_type, application.certificate_issuer
        )
        issuer = Check(
            "发证机构",
            problem is None,
            f"{label}：{application.certificate_issuer}" + (f"。{problem}" if problem else ""),
        )
    else:
        issuer = Check("发证机构", False, "未填写（本项要求提出前的申报），请对照证书核对")
    detail = verification.describe(application)
    if application.certificate_confirmed_by_id and application.certificate_check == CertificateCheck.DIFFERS:
        detail += (
            f"；已由{application.certificate_confirmed_by}于"
            f"{timezone.localtime(application.certificate_confirmed_at):%Y-%m-%d %H:%M}核对确认"
            + ("" if application.certificate_confirmed_state == application.state else "（在上一环节）")
        )
    return [issuer, Check("证书核验", application.certificate_check == CertificateCheck.MATCH, detail)]


def _previous_year_check(application):
    """上年度记录：无 / 有（来源、结果）, from earlier campaigns and the imported history alike. Only a
    carry-over certificate fails on a record; for one of this year's window it is shown for information."""
    records = carry_over.previous_records(application.campaign.year, application.id_hash, exclude_pk=application.pk)
    if not records:
        detail = "无"
    else:
        detail = "有：" + "；".join(str(record) for record in records)
    if application.window == eligibility.CARRY_OVER:
        declared = "申请人已声明符合上年度奖励条件且未申请过上年度奖励" if application.carry_over_declared else "未声明"
        detail = f"{detail}（补报；{declared}）"
        return Check("上年度记录", not records and application.carry_over_declared, detail)
    return Check("上年度记录", True, detail)
