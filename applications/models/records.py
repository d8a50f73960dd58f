"""How long personal data is kept, the consent given for it, and a person's requests about their own data.

The rules that use these records: `applications.records` (retention, consent, person_data).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.models.application import Application
from applications.models.campaign import Campaign

# The defaults, with their reasons in the README ("Retention, consent and a person's data").
DEFAULT_COPIES_MONTHS = 6
DEFAULT_PERSONAL_DATA_YEARS = 3
DEFAULT_PAYMENT_RECORD_YEARS = 30


class RetentionPolicy(models.Model):
    """A campaign's retention periods, counted from the day its case closes (paid, rejected or withdrawn)."""

    campaign = models.OneToOneField(
        Campaign, verbose_name=_("奖励活动"), on_delete=models.CASCADE, related_name="retention_policy"
    )
    copies_months = models.PositiveSmallIntegerField(
        _("材料保存期限（月）"),
        default=DEFAULT_COPIES_MONTHS,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_("办结后满此月数，删除身份证、证书、银行卡等材料的复印件和含个人信息的批量文件。"),
    )
    personal_data_years = models.PositiveSmallIntegerField(
        _("个人信息保存期限（年）"),
        default=DEFAULT_PERSONAL_DATA_YEARS,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_(
            "办结后满此年数，将姓名、身份证号码、手机号码、银行卡号、工作单位等匿名化，只留统计所需的等级、单位、金额、日期和状态。"
        ),
    )
    payment_record_years = models.PositiveSmallIntegerField(
        _("发放记录保存期限（年）"),
        default=DEFAULT_PAYMENT_RECORD_YEARS,
        validators=[MinValueValidator(10), MaxValueValidator(50)],
        help_text=_("会计档案：发放后满此年数，删除简化的发放记录（打码姓名、申报编号、金额、批次、发放日期）。"),
    )
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修改人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("保存期限")
        verbose_name_plural = _("保存期限")

    def __str__(self):
        return f"{self.campaign.year} {self._meta.verbose_name}"

    def clean(self):
        if self.copies_months and self.personal_data_years and self.copies_months > self.personal_data_years * 12:
            raise ValidationError({"copies_months": _("材料保存期限不能长于个人信息保存期限。")})
        if (
            self.personal_data_years
            and self.payment_record_years
            and self.payment_record_years < self.personal_data_years
        ):
            raise ValidationError({"payment_record_years": _("发放记录保存期限不能短于个人信息保存期限。")})


class ConsentText(models.Model):
    """One version of a campaign's notice and consent text for sensitive personal data; never edited in place."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("奖励活动"), on_delete=models.CASCADE, related_name="consent_texts"
    )
    version = models.PositiveSmallIntegerField(_("版本"))
    text = models.TextField(_("告知同意内容"))
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by_label = models.CharField(_("创建人"), max_length=150)

    class Meta:
        ordering = ["campaign", "-version"]
        verbose_name = _("敏感个人信息告知同意书")
        verbose_name_plural = _("敏感个人信息告知同意书")
        constraints = [models.UniqueConstraint(fields=["campaign", "version"], name="one_consent_text_per_version")]

    def __str__(self):
        return f"{self.campaign.year} 第{self.version}版"


class Consent(models.Model):
    """The separate consent to the sensitive data of one application: which text, when, and how given."""

    class Method(models.TextChoices):
        ONLINE = "online", _("网上勾选同意")
        PAPER_FORM = "paper_form", _("纸质申请表签字同意（录入人核对）")
        ANNEX4 = "annex4", _("纸质申请表签字同意（汇总表导入时核对）")

    application = models.OneToOneField(
        Application, verbose_name=_("申报"), on_delete=models.CASCADE, related_name="consent"
    )
    text = models.ForeignKey(
        ConsentText, verbose_name=_("告知同意书"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveSmallIntegerField(_("版本"), null=True, blank=True)
    method = models.CharField(_("方式"), max_length=20, choices=Method.choices)
    given_at = models.DateTimeField(_("同意时间"), default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核对人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("记录人"), max_length=150)

    class Meta:
        verbose_name = _("告知同意记录")
        verbose_name_plural = _("告知同意记录")

    def __str__(self):
        return f"{self.application.reference} {self.get_method_display()}"


class RetentionRecord(models.Model):
    """What the retention steps have done to one application, and when."""

    application = models.OneToOneField(
        Application, verbose_name=_("申报"), on_delete=models.CASCADE, related_name="retention"
    )
    copies_deleted_at = models.DateTimeField(_("材料删除时间"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("匿名化时间"), null=True, blank=True, db_index=True)
    payment_records_deleted_at = models.DateTimeField(_("发放记录删除时间"), null=True, blank=True)
    erased_by_request = models.ForeignKey(
        "applications.PersonDataRequest",
        verbose_name=_("依申请删除"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("保存期限执行记录")
        verbose_name_plural = _("保存期限执行记录")

    def __str__(self):
        return str(self.application_id)


class PersonDataRequest(models.Model):
    """A person's request about their own data, handled by the city service center: who, why, what was done."""

    class Kind(models.TextChoices):
        EXPORT = "export", _("导出本人信息")
        ERASE = "erase", _("删除本人信息")

    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    id_hash = models.CharField(max_length=64, db_index=True, editable=False)
    person_label = models.CharField(_("本人"), max_length=80, help_text=_("打码的姓名和身份证号码。"))
    reason = models.TextField(_("依据和理由"))
    summary = models.JSONField(_("处理结果"), default=dict, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("经办人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(_("经办人"), max_length=150)
    ip_address = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("个人信息查阅、删除记录")
        verbose_name_plural = _("个人信息查阅、删除记录")
        permissions = [("handle_person_data", _("可导出或删除某人的全部个人信息（依本人申请）"))]

    def __str__(self):
        return f"{self.get_kind_display()} {self.person_label} {self.created_at:%Y-%m-%d %H:%M}"
