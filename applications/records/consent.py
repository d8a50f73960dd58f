"""Notice and separate consent for sensitive personal data (PIPL art. 17, 29): ID card images, bank card.

Each campaign has its consent text in versions (`ConsentText`): editing never changes a version, it
adds the next one, so each application's `Consent` names the exact words the person agreed to. A
campaign without a text yet gets version 1 from `DEFAULT_TEXT` the first time one is needed.
Online, the person ticks the box (`SensitiveDataConsentForm`); on paper, the person signs the Annex 3
form and whoever enters it (paper entry, the Annex 4 import) confirms the signature was checked.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from applications.models import Consent, ConsentText
from applications.records.retention import policy_for

DEFAULT_TEXT = (
    "为审核和发放高技能人才奖励，本人同意杭州市总工会及所属区、县（市）、产业工会处理本人的敏感个人信息："
    "身份证正反面照片、银行卡号及银行卡照片。这些信息仅用于核实身份、审核申报和将奖励金发放到本人银行卡，"
    "不向其他单位提供（法律法规另有规定的除外）。本人可以撤回同意，但撤回后申报将无法继续办理。"
)


def current_text(campaign) -> ConsentText:
    """The campaign's newest consent text, making version 1 from `DEFAULT_TEXT` if it has none."""
    text = campaign.consent_texts.order_by("-version").first()
    if text is not None:
        return text
    try:
        with transaction.atomic():
            return ConsentText.objects.create(
                campaign=campaign, version=1, text=DEFAULT_TEXT, created_by_label="系统默认"
            )
    except IntegrityError:  # made by another request meanwhile
        return campaign.consent_texts.order_by("-version").first()


def new_version(campaign, text, user) -> ConsentText:
    """Save `text` as the campaign's next version (the old ones stay, as people agreed to them)."""
    with transaction.atomic():
        latest = ConsentText.objects.select_for_update().filter(campaign=campaign)
        number = (latest.aggregate(n=Max("version"))["n"] or 0) + 1
        return ConsentText.objects.create(
            campaign=campaign,
            version=number,
            text=text.strip(),
            created_by=user,
            created_by_label=user.get_full_name() or user.get_username(),
        )


def retention_notice(campaign) -> str:
    """The periods, in words the applicant reads before giving any data."""
    policy = policy_for(campaign)
    return gettext(
        "保存期限：申报办结（发放、未通过或撤回）后，身份证、证书、银行卡等材料的照片保存%(months)s个月后删除；"
        "姓名、身份证号码、手机号码、银行卡号、工作单位等个人信息保存%(years)s年后匿名化，"
        "只保留统计所需的等级、单位、金额和日期；奖励发放记录按会计档案规定以简化形式"
        "（姓名只留姓氏、申报编号、金额、批次、发放日期）保存%(payment_years)s年。"
        "您可以向市总工会职工服务中心申请查阅、复制或删除本人信息。"
    ) % {
        "months": policy.copies_months,
        "years": policy.personal_data_years,
        "payment_years": policy.payment_record_years,
    }


@dataclass(frozen=True)
class ConsentGiven:
    """What `submission.submit` records with a new application: the text agreed to, how and when."""

    method: str
    given_at: object = None
    text_id: int | None = None
    version: int | None = None
    confirmed_by: object = None

    def record(self, application):
        actor = self.confirmed_by
        return Consent.objects.create(
            application=application,
            text_id=self.text_id,
            version=self.version,
            method=self.method,
            given_at=self.given_at or timezone.now(),
            confirmed_by=actor,
            actor_label=(actor.get_full_name() or actor.get_username()) if actor else "申请人",
        )


def online(text: ConsentText, given_at) -> ConsentGiven:
    return ConsentGiven(Consent.Method.ONLINE, given_at, text.pk, text.version)


def on_paper(campaign, user, method=Consent.Method.PAPER_FORM) -> ConsentGiven:
    """The signed paper form's consent, confirmed by `user` as they enter it (the campaign's current text)."""
    text = current_text(campaign)
    return ConsentGiven(method, timezone.now(), text.pk, text.version, user)
