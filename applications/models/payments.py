"""Payment batches: approved applications paid to bank cards, with the bank's result per application."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.core.crypto import EncryptedCharField, mask
from applications.models.application import Application
from applications.models.campaign import Campaign


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
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("复核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("复核时间"), null=True, blank=True)
    exported_at = models.DateTimeField(_("导出转账文件时间"), null=True, blank=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("结算人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    settled_at = models.DateTimeField(_("结算时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("发放批次")
        verbose_name_plural = _("发放批次")
        permissions = [("approve_paymentbatch", _("可复核发放批次（不能复核本人创建的批次）"))]
        constraints = [
            # Maker-checker, whatever the code above does: nobody approves a batch they created.
            models.CheckConstraint(
                condition=models.Q(approved_by__isnull=True) | ~models.Q(approved_by=models.F("created_by")),
                name="batch_approved_by_another",
            )
        ]

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


class PaymentBatchEvent(models.Model):
    """One step in a batch's history: created, approved, transfer file exported, settled, voided."""

    class Action(models.TextChoices):
        CREATED = "created", _("创建")
        APPROVED = "approved", _("复核通过")
        EXPORTED = "exported", _("导出转账文件")
        PAID = "paid", _("登记发放结果")
        SETTLED = "settled", _("结算")
        CANCELLED = "cancelled", _("作废")

    batch = models.ForeignKey(PaymentBatch, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(_("操作人"), max_length=150)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("发放批次记录")
        verbose_name_plural = _("发放批次记录")

    def __str__(self):
        return f"{self.batch.number} {self.get_action_display()}"


class BankCardCorrection(models.Model):
    """A corrected bank card for a failed payment: it takes effect only when a second person confirms it."""

    class State(models.TextChoices):
        PENDING = "pending", _("待复核")
        CONFIRMED = "confirmed", _("已确认生效")
        REJECTED = "rejected", _("已退回")

    application = models.ForeignKey(
        Application, verbose_name=_("申报"), on_delete=models.CASCADE, related_name="card_corrections"
    )
    bank_card = EncryptedCharField(_("银行卡号"))
    bank_branch = models.CharField(_("银行卡开户行"), max_length=100)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提交人"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("复核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("复核时间"), null=True, blank=True)
    decision_note = models.CharField(_("复核意见"), max_length=200, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("银行卡更正")
        verbose_name_plural = _("银行卡更正")
        constraints = [
            models.UniqueConstraint(
                fields=["application"], condition=models.Q(state="pending"), name="one_pending_card_correction"
            ),
            models.CheckConstraint(
                condition=models.Q(decided_by__isnull=True) | ~models.Q(decided_by=models.F("requested_by")),
                name="card_correction_decided_by_another",
            ),
        ]

    def __str__(self):
        return f"{self.application.reference} {self.get_state_display()}"

    @property
    def masked_bank_card(self):
        return mask(self.bank_card)

    @property
    def last_four(self):
        return self.bank_card[-4:]
