"""Review units (Annex 1 rows) and their guidance numbers per campaign."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel

from applications.core.constants import UnitKind
from applications.models.campaign import Campaign


class ReviewUnit(models.Model):
    """A district or industry union that pre-reviews its members' applications."""

    name = models.CharField(_("名称"), max_length=60, unique=True)
    kind = models.CharField(_("类别"), max_length=20, choices=UnitKind.choices)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    contact_person = models.CharField(_("联系人"), max_length=40, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("kind")]),
        FieldRowPanel([FieldPanel("contact_person"), FieldPanel("contact_phone")]),
        FieldPanel("address"),
        FieldRowPanel([FieldPanel("sort_order"), FieldPanel("is_active")]),
    ]

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("审核单位")
        verbose_name_plural = _("审核单位")

    def __str__(self):
        return self.name


class Quota(models.Model):
    """A unit's guidance number in a campaign: a target, never a cap (上不封顶)."""

    campaign = ParentalKey(Campaign, verbose_name=_("奖励活动"), on_delete=models.CASCADE, related_name="quotas")
    unit = models.ForeignKey(ReviewUnit, verbose_name=_("审核单位"), on_delete=models.PROTECT, related_name="quotas")
    guidance_number = models.PositiveIntegerField(_("指导数"))

    panels = [FieldRowPanel([FieldPanel("unit"), FieldPanel("guidance_number")])]

    class Meta:
        ordering = ["unit__sort_order", "unit__name"]
        constraints = [models.UniqueConstraint(fields=["campaign", "unit"], name="unique_quota_per_unit")]
        verbose_name = _("指导数")
        verbose_name_plural = _("任务分解表")

    def __str__(self):
        return f"{self.campaign.year} {self.unit.name} {self.guidance_number}"


class GrassrootsUnion(models.Model):
    """A grassroots union (基层工会) under one review unit that enters its members' paper forms online.

    Its entries arrive at its review unit for pre-review (基层工会初审 → 审核单位预审 → 市总工会审核);
    its accounts (role grassroots_union) see only the applications it entered.
    """

    unit = models.ForeignKey(
        ReviewUnit, verbose_name=_("所属审核单位"), on_delete=models.PROTECT, related_name="grassroots_unions"
    )
    name = models.CharField(_("名称"), max_length=100)
    created_at = models.DateTimeField(_("开设时间"), auto_now_add=True)

    class Meta:
        ordering = ["unit__sort_order", "name"]
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="unique_grassroots_union_per_unit")]
        permissions = [("manage_grassroots_accounts", _("可为本审核单位的基层工会开设账号"))]
        verbose_name = _("基层工会")
        verbose_name_plural = _("基层工会")

    def __str__(self):
        return f"{self.name}（{self.unit.name}）"
