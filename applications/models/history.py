"""Earlier years' applicants (上年度记录): what the carry-over rule checks for a year the portal did not run.

Each import of a file is one `HistoryImport` (the year, the file name it came from, who imported it and
when); its rows are `PreviousApplicant`s, stored like applications: the ID number encrypted, found
through its keyed hash, shown masked, and only to the city service center (`import_history`).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.core.crypto import EncryptedCharField, KeyedIdNumberMixin
from applications.models.campaign import SkillLevel


class HistoryImport(models.Model):
    """One file of earlier years' applicants, imported for one year. Importing a file of the same name for
    the same year again replaces this import and its rows (`programme.history_import`)."""

    year = models.PositiveSmallIntegerField(_("年度"))
    source = models.CharField(_("来源文件"), max_length=200)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("导入人"), max_length=150)
    imported_at = models.DateTimeField(_("导入时间"), default=timezone.now)
    row_count = models.PositiveIntegerField(_("记录数"), default=0)

    class Meta:
        ordering = ["-year", "-imported_at"]
        verbose_name = _("上年度记录导入")
        verbose_name_plural = _("上年度记录导入")
        constraints = [models.UniqueConstraint(fields=["year", "source"], name="one_history_import_per_year_source")]

    def __str__(self):
        return f"{self.year}年度 {self.source}"


class PreviousApplicant(KeyedIdNumberMixin, models.Model):
    """One applicant of an earlier year, as the city union's records of that year list them."""

    class Result(models.TextChoices):
        REWARDED = "rewarded", _("已奖励")
        NOT_REWARDED = "not_rewarded", _("未获奖励")

    batch = models.ForeignKey(
        HistoryImport, verbose_name=_("导入批次"), on_delete=models.CASCADE, related_name="applicants"
    )
    year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    name = models.CharField(_("姓名"), max_length=40)
    id_number = EncryptedCharField(_("身份证号码"))
    id_hash = models.CharField(max_length=64, editable=False, db_index=True)
    level = models.ForeignKey(SkillLevel, verbose_name=_("技能等级"), on_delete=models.PROTECT, related_name="+")
    result = models.CharField(_("结果"), max_length=20, choices=Result.choices)
    union = models.CharField(_("所属工会"), max_length=60)

    class Meta:
        ordering = ["-year", "batch", "pk"]
        verbose_name = _("上年度申报记录")
        verbose_name_plural = _("上年度申报记录")
        indexes = [models.Index(fields=["id_hash", "year"], name="previous_applicant_lookup")]
        # Earlier years' personal data: the city service center's alone, as the member registry is.
        permissions = [("import_history", _("可导入和查看上年度申报记录"))]

    def __str__(self):
        return f"{self.year}年度 {self.name}（{self.masked_id}）"
