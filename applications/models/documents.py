"""Files made in the background for staff: a unit's filled Annex 3 forms as one PDF, and the like."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.core.storage import private_storage
from applications.models.campaign import Campaign
from applications.models.units import ReviewUnit


def _bundle_path(instance, filename):
    return f"bundles/{instance.campaign.year}/{filename}"


class DocumentBundle(models.Model):
    """A generated file, kept for download by its unit's reviewers (and the city union)."""

    class Kind(models.TextChoices):
        APPLICATION_FORMS = "application_forms", _("申请表(附件3)合订PDF")

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("类型"), max_length=30, choices=Kind.choices)
    campaign = models.ForeignKey(Campaign, verbose_name=_("奖励活动"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        ReviewUnit,
        verbose_name=_("审核单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("为空表示全市"),
    )
    states = models.CharField(_("包含状态"), max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField(_("总数"), default=0)
    done = models.PositiveIntegerField(_("已完成"), default=0)
    file = models.FileField(storage=private_storage, upload_to=_bundle_path, max_length=200, blank=True)
    error = models.TextField(_("错误"), blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # Written when the task claims the bundle and after each chunk; a running bundle without
    # progress for bundles.STALLED_AFTER is marked failed (its worker died).
    progress_at = models.DateTimeField(_("最近进展"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("批量文件")
        verbose_name_plural = _("批量文件")

    def __str__(self):
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def percent(self):
        return round(100 * self.done / self.total) if self.total else (100 if self.state == self.State.DONE else 0)
