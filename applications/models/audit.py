"""Who opened which piece of personal data: full ID or bank card numbers, copies, forms and exports."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PersonalDataAccess(models.Model):
    """One opening of personal data by a member of staff; written by `applications.core.audit.record`."""

    class What(models.TextChoices):
        ID_NUMBER = "id_number", _("完整身份证号码")
        BANK_CARD = "bank_card", _("完整银行卡号")
        ATTACHMENT = "attachment", _("附件材料")
        FORM_PDF = "form_pdf", _("申请表PDF")
        EXPORT = "export", _("导出文件")
        PERSON_EXPORT = "person_export", _("某人全部信息导出")
        PERSON_ERASURE = "person_erasure", _("某人信息删除")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(_("用户名"), max_length=150)
    application = models.ForeignKey(
        "applications.Application",
        verbose_name=_("申报"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="data_accesses",
    )
    member = models.ForeignKey(
        "applications.Member",
        verbose_name=_("会员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="data_accesses",
    )
    what = models.CharField(_("查看内容"), max_length=20, choices=What.choices)
    detail = models.CharField(_("说明"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)
    accessed_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-accessed_at", "-pk"]
        verbose_name = _("个人信息查看记录")
        verbose_name_plural = _("个人信息查看记录")

    def __str__(self):
        return f"{self.username} {self.get_what_display()} {self.accessed_at:%Y-%m-%d %H:%M}"
