"""An application for the reward (Annex 3), its attachments and its history."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.core.constants import LIVE_STATES, ApplicationState, AttachmentKind, Channel, Gender
from applications.core.crypto import EncryptedCharField, KeyedIdNumberMixin, mask
from applications.core.storage import private_storage
from applications.models.campaign import Campaign, SkillLevel
from applications.models.certificates import CertificateCheck, IssuerType
from applications.models.member import Member
from applications.models.units import GrassrootsUnion, ReviewUnit


class Education(models.TextChoices):
    JUNIOR = "junior", _("初中及以下")
    SENIOR = "senior", _("高中、中专、技校")
    COLLEGE = "college", _("大专")
    BACHELOR = "bachelor", _("本科")
    POSTGRADUATE = "postgraduate", _("研究生")


class Application(KeyedIdNumberMixin, models.Model):
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("奖励活动"), on_delete=models.PROTECT, related_name="applications"
    )
    reference = models.CharField(_("申报编号"), max_length=20, unique=True)
    channel = models.CharField(_("申报方式"), max_length=20, choices=Channel.choices)
    state = models.CharField(
        _("状态"), max_length=20, choices=ApplicationState.choices, default=ApplicationState.SUBMITTED
    )
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="applications")

    # Annex 3, in its order.
    unit = models.ForeignKey(
        ReviewUnit, verbose_name=_("所属区县市(产业)工会"), on_delete=models.PROTECT, related_name="applications"
    )
    filled_on = models.DateField(_("填报日期"), default=timezone.localdate)
    name = models.CharField(_("姓名"), max_length=40)
    gender = models.CharField(_("性别"), max_length=10, choices=Gender.choices)
    education = models.CharField(_("学历"), max_length=20, choices=Education.choices)
    occupation = models.CharField(_("申报奖励工种"), max_length=60)
    previous_level = models.ForeignKey(
        SkillLevel,
        verbose_name=_("原有最高技能等级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    previous_level_obtained_on = models.DateField(_("原有技能等级取得时间"), null=True, blank=True)
    new_level = models.ForeignKey(
        SkillLevel, verbose_name=_("现晋升的技能等级"), on_delete=models.PROTECT, related_name="+"
    )
    certificate_number = models.CharField(_("等级证书编号"), max_length=60)
    certificate_issued_on = models.DateField(_("发证时间"))
    # Not on the printed Annex 3; asked in every channel (section 二(二)). Blank on applications made before.
    certificate_issuer_type = models.CharField(_("发证机构类型"), max_length=20, choices=IssuerType.choices, blank=True)
    certificate_issuer = models.CharField(_("发证机构"), max_length=100, blank=True)
    id_number = EncryptedCharField(_("身份证号码"))
    id_hash = models.CharField(max_length=64, editable=False, db_index=True)
    birth_date = models.DateField(_("出生日期"))
    mobile = models.CharField(_("手机号码"), max_length=11)
    bank_card = EncryptedCharField(_("银行卡号"))
    bank_branch = models.CharField(_("银行卡开户行"), max_length=100)
    employer = models.CharField(_("工作单位"), max_length=100)
    is_migrant = models.BooleanField(_("是否外来务工人员"), default=False)
    hukou_place = models.CharField(_("户籍地"), max_length=60, blank=True)
    years_in_hangzhou = models.PositiveSmallIntegerField(_("来杭年限"), null=True, blank=True)
    grassroots_union = models.CharField(_("基层工会"), max_length=100, blank=True)
    grassroots_opinion = models.TextField(_("基层工会意见"), blank=True)
    # A certificate of the carry-over window: the applicant declared (online; on the paper form, as the
    # entering unit confirmed) meeting last year's conditions without having applied last year.
    carry_over_declared = models.BooleanField(_("已声明符合上年度奖励条件且未申请过上年度奖励"), default=False)
    # Set when a grassroots union entered it online (its 初审): its review unit pre-reviews it first.
    grassroots_entry = models.ForeignKey(
        GrassrootsUnion,
        verbose_name=_("录入的基层工会"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
    )

    # Decided by the rules at submission.
    amount = models.PositiveIntegerField(_("奖励金额(元)"))
    window = models.CharField(_("发证时间段"), max_length=20)
    eligibility_reason = models.TextField(_("资格审核结果"), blank=True)

    # 证书核验: the certificate compared with the register (applications.certificates.verification), stored
    # so the review list filters on it; recomputed at submission and when the register is imported.
    certificate_check = models.CharField(
        _("证书核验"), max_length=20, choices=CertificateCheck.choices, blank=True, default=""
    )
    certificate_differences = models.CharField(_("不一致的项目"), max_length=100, blank=True)
    certificate_checked_at = models.DateTimeField(_("证书核验时间"), null=True, blank=True)
    # A reviewer's one-by-one confirmation of a differing certificate, valid in the state it was given in.
    certificate_confirmed_state = models.CharField(max_length=20, blank=True)
    certificate_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("证书核验确认人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    certificate_confirmed_at = models.DateTimeField(_("证书核验确认时间"), null=True, blank=True)

    query_password_hash = models.CharField(max_length=128, blank=True)
    state_reason = models.TextField(_("最近一次驳回或撤回原因"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("申报")
        verbose_name_plural = _("申报")
        permissions = [
            ("view_unit_applications", _("可查看本审核单位的申报及材料")),
            ("view_all_applications", _("可查看全部申报及材料")),
            ("pre_review_application", _("可预审本审核单位的申报")),
            ("final_review_application", _("可终审申报")),
            ("grassroots_entry_application", _("可录入本基层工会的纸质申请表并查看、更正其申报")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "id_hash"],
                condition=models.Q(state__in=LIVE_STATES),
                name="one_live_application_per_person",
            )
        ]
        # The review list orders by -submitted_at (then -pk) and filters by unit and state: with these
        # a page is an index range scan, not a sort of every application (bench/review_list.py).
        indexes = [
            models.Index(fields=["submitted_at", "id"], name="application_submitted"),
            models.Index(fields=["state", "submitted_at", "id"], name="application_state_submitted"),
            models.Index(fields=["unit", "submitted_at", "id"], name="application_unit_submitted"),
            models.Index(fields=["unit", "state", "submitted_at"], name="application_unit_state"),
            models.Index(fields=["campaign", "state"], name="application_campaign_state"),
            models.Index(fields=["certificate_check", "submitted_at", "id"], name="application_certificate_check"),
        ]

    def __str__(self):
        return f"{self.reference} {self.name}"

    @property
    def masked_bank_card(self):
        return mask(self.bank_card)

    @property
    def is_live(self):
        return self.state in LIVE_STATES


def _attachment_path(instance, filename):
    return f"{instance.application.campaign.year}/{instance.application.reference}/{instance.kind}-{filename}"


class Attachment(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("材料"), max_length=20, choices=AttachmentKind.choices)
    file = models.FileField(storage=private_storage, upload_to=_attachment_path, max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["application", "kind"], name="one_attachment_per_kind")]
        verbose_name = _("附件材料")
        verbose_name_plural = _("附件材料")

    def __str__(self):
        return f"{self.application.reference} {self.get_kind_display()}"


class ApplicationEvent(models.Model):
    """One step in an application's history: who, when, from which state to which, and why."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    actor_label = models.CharField(_("操作人"), max_length=60)
    from_state = models.CharField(max_length=20, choices=ApplicationState.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=ApplicationState.choices)
    opinion = models.TextField(_("意见"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")

    def __str__(self):
        return f"{self.application.reference}: {self.from_state or '-'} → {self.to_state}"
