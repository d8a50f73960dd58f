"""Certificates: who may issue one (per campaign), the register to check them against, the check's result.

Section 二(二) of the notice rewards only certificates issued by Zhejiang, Hangzhou or district HR
(人社) departments, or by third-party evaluation bodies and enterprises recognised by HR in Hangzhou.
Which issuers are recognised is rule data of each campaign (`RecognisedIssuer`, edited inline on the
campaign); the rule itself is `applications.certificates.issuers`. The register (`Certificate`) is
filled by `import_certificates`; `applications.certificates.register` reads it.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.models import Orderable

from applications.core.crypto import EncryptedCharField, KeyedIdNumberMixin
from applications.models.campaign import Campaign


class IssuerType(models.TextChoices):
    HR = "hr", _("人社部门")
    THIRD_PARTY = "third_party", _("认可的第三方评价机构")
    ENTERPRISE = "enterprise", _("企业")


class CertificateCheck(models.TextChoices):
    """The result of comparing an application's certificate with the register ("" = not checked yet)."""

    MATCH = "match", _("一致")
    NOT_FOUND = "not_found", _("证书库中未找到")
    DIFFERS = "differs", _("不一致")


class RecognisedIssuer(Orderable):
    """An issuer a campaign recognises: a third-party evaluation body, an enterprise, or an HR body whose
    name is not of the form “<浙江省|杭州市|区县市>人力资源和社会保障局”."""

    campaign = ParentalKey(Campaign, on_delete=models.CASCADE, related_name="recognised_issuers")
    issuer_type = models.CharField(_("发证机构类型"), max_length=20, choices=IssuerType.choices)
    name = models.CharField(_("机构名称"), max_length=100)

    panels = [FieldRowPanel([FieldPanel("issuer_type"), FieldPanel("name")])]

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(fields=["campaign", "issuer_type", "name"], name="unique_recognised_issuer")
        ]
        verbose_name = _("认可的发证机构")
        verbose_name_plural = _("认可的发证机构")

    def __str__(self):
        return f"{self.get_issuer_type_display()}：{self.name}"


class Certificate(KeyedIdNumberMixin, models.Model):
    """One certificate of the register (证书库), as the HR data source gives it."""

    number = models.CharField(_("证书编号"), max_length=60, unique=True)
    name = models.CharField(_("姓名"), max_length=40)
    id_number = EncryptedCharField(_("身份证号码"))
    id_hash = models.CharField(max_length=64, editable=False, db_index=True)
    occupation = models.CharField(_("职业(工种)"), max_length=60)
    level = models.CharField(_("等级"), max_length=40)
    issued_on = models.DateField(_("发证日期"))
    issuer = models.CharField(_("发证机构"), max_length=100)
    source = models.CharField(_("来源"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    class Meta:
        ordering = ["number"]
        verbose_name = _("证书")
        verbose_name_plural = _("证书库")

    def __str__(self):
        return f"{self.number} {self.name}"

    def save(self, *args, **kwargs):
        self.number = "".join(self.number.split()).upper()  # as the register looks numbers up
        super().save(*args, **kwargs)
