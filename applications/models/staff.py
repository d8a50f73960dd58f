"""What a staff account needs beyond its Wagtail groups: the review unit it works for, and for a
grassroots union's account, that grassroots union (always one of that unit's)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from applications.models.units import GrassrootsUnion, ReviewUnit


class StaffProfile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile")
    unit = models.ForeignKey(
        ReviewUnit, verbose_name=_("审核单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    grassroots = models.ForeignKey(
        GrassrootsUnion,
        verbose_name=_("基层工会"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )

    class Meta:
        verbose_name = _("工作人员资料")
        verbose_name_plural = _("工作人员资料")

    def __str__(self):
        return f"{self.user} ({self.unit or '-'})"
