"""The registry of real-name-verified union members (实名认证会员)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel

from ..crypto import EncryptedCharField, KeyedIdNumberMixin, mask
from .units import ReviewUnit


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

    def __str__(self):
        return f"{self.name}（{self.masked_id}）"

    @property
    def masked_mobile(self):
        return mask(self.mobile, head=3, tail=4)
