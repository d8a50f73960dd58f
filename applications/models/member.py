"""The registry of real-name-verified union members (实名认证会员)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel

from applications.core.crypto import EncryptedCharField, KeyedIdNumberMixin, mask
from applications.models.units import ReviewUnit


class Member(KeyedIdNumberMixin, models.Model):
    name = models.CharField(_("姓名"), max_length=40)
    id_number = EncryptedCharField(_("身份证号码"))
    id_hash = models.CharField(max_length=64, unique=True, editable=False)
    mobile = models.CharField(_("手机号码"), max_length=11)
    unit = models.ForeignKey(ReviewUnit, verbose_name=_("所属工会"), on_delete=models.PROTECT, related_name="members")
    employer = models.CharField(_("工作单位"), max_length=100)
    grassroots_union = models.CharField(_("基层工会"), max_length=100, blank=True)
    is_verified = models.BooleanField(_("已实名认证"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("id_number")]),
        FieldRowPanel([FieldPanel("mobile"), FieldPanel("unit")]),
        FieldRowPanel([FieldPanel("employer"), FieldPanel("grassroots_union")]),
        FieldPanel("is_verified"),
    ]

    class Meta:
        ordering = ["unit__sort_order", "name"]
        verbose_name = _("工会会员")
        verbose_name_plural = _("工会会员")
        # The registry decides who may apply and where the code goes: the city service center's alone.
        permissions = [("manage_members", _("可管理工会会员名册"))]

    def __str__(self):
        return f"{self.name}（{self.masked_id}）"

    @property
    def masked_mobile(self):
        return mask(self.mobile, head=3, tail=4)


class MemberChange(models.Model):
    """One create, change or delete of a member: who, when, and each field before and after (masked)."""

    class Action(models.TextChoices):
        CREATED = "created", _("新增")
        CHANGED = "changed", _("修改")
        DELETED = "deleted", _("删除")

    member = models.ForeignKey(
        Member, verbose_name=_("会员"), null=True, blank=True, on_delete=models.SET_NULL, related_name="changes"
    )
    member_label = models.CharField(_("会员"), max_length=80, help_text=_("姓名和打码的身份证号码，删除后仍可辨认。"))
    action = models.CharField(_("操作"), max_length=10, choices=Action.choices)
    # [{"field": "mobile", "label": "手机号码", "before": "139****0001", "after": "138****0002"}, ...]
    changes = models.JSONField(_("变更内容"), default=list, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("操作人"), max_length=150)
    source = models.CharField(_("途径"), max_length=40, blank=True, help_text=_("如：管理后台、import_members"))
    ip_address = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)
    changed_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("会员名册变更记录")
        verbose_name_plural = _("会员名册变更记录")

    def __str__(self):
        return f"{self.member_label} {self.get_action_display()} {self.changed_at:%Y-%m-%d %H:%M}"
