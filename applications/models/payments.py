"""Payment batches: approved applications paid to bank cards, with the bank's result per application."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..crypto import EncryptedCharField, mask
from .application import Application
from .campaign import Campaign


class PaymentBatch(models.Model):
    """A set of approved applications sent to the bank in one transfer file."""

    class State(models.TextChoices):
        OPEN = "open", _("待发放")
        SETTLED = "settled", _("已结算")
        CANCELLED = "cancelled", _("已作废")

    campaign = models.ForeignKey(Campaign, verbose_name=_("奖励活动"), on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("批次号"), max_length=20, unique=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.OPEN)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    exported_at = models.DateTimeField(_("导出转账文件时间"), null=True, blank=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("结算人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    settled_at = models.DateTimeField(_("结算时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("发放批次")
        verbose_name_plural = _("发放批次")

    def __str__(self):
        return self.number


class PaymentItem(models.Model):
    """One application in a batch, with the name, card and amount as sent to the bank."""

    class Result(models.TextChoices):
        PENDING = "pending", _("待银行回执")
        PAID = "paid", _("已发放")
        FAILED = "failed", _("发放失败")

    batch = models.ForeignKey(PaymentBatch, verbose_name=_("批次"), on_delete=models.CASCADE, related_name="items")
    application = models.ForeignKey(
        Application, verbose_name=_("申报"), on_delete=models.PROTECT, related_name="payment_items"
    )
    name = models.CharField(_("姓名"), max_length=40)
    bank_card = EncryptedCharField(_("银行卡号"))
    bank_branch = models.CharField(_("银行卡开户行"), max_length=100)
    amount = models.PositiveIntegerField(_("金额(元)"))
    result = models.CharField(_("结果"), max_length=10, choices=Result.choices, default=Result.PENDING)
    reason = models.CharField(_("失败原因"), max_length=200, blank=True)
    settled_at = models.DateTimeField(_("回执时间"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("发放明细")
        verbose_name_plural = _("发放明细")
        constraints = [
            # In at most one batch awaiting the bank, and paid at most once, whatever the code above does.
            models.UniqueConstraint(
                fields=["application"], condition=models.Q(result="pending"), name="one_pending_payment"
            ),
            models.UniqueConstraint(fields=["application"], condition=models.Q(result="paid"), name="paid_once"),
        ]
        indexes = [models.Index(fields=["batch", "result"], name="payment_item_batch_result")]

    def __str__(self):
        return f"{self.batch.number} {self.application.reference}"

    @property
    def masked_bank_card(self):
        return mask(self.bank_card)
