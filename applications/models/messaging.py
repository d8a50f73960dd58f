"""Text messages sent and one-time codes issued."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SmsMessage(models.Model):
    """Every text message the portal sends, as sent (never with a full ID or card number).

    One-time codes are sent at once (sent or failed). Confirmations and outcome texts are queued
    and sent by the task worker (`core/sms.py`), retried until sent or `SMS_QUEUE_MAX_ATTEMPTS`.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("待发送")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    to = models.CharField(_("手机号码"), max_length=11)
    text = models.TextField(_("内容"))
    purpose = models.CharField(_("用途"), max_length=40)
    backend = models.CharField(_("通道"), max_length=20)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices)
    error = models.CharField(_("错误"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_try_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["next_try_at"], name="sms_queued_due", condition=models.Q(status="queued"))]
        verbose_name = _("短信")
        verbose_name_plural = _("短信")

    def __str__(self):
        return f"{self.to} {self.created_at:%Y-%m-%d %H:%M}"


class OneTimeCode(models.Model):
    """A six-digit code sent to a member's registered mobile, stored only as a hash."""

    id_hash = models.CharField(max_length=64, db_index=True)
    purpose = models.CharField(max_length=40)
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    # A keyed hash of a random token kept in the session that asked for the code: only that session may try it.
    binding = models.CharField(max_length=64, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("短信验证码")
        verbose_name_plural = _("短信验证码")

    def __str__(self):
        return f"{self.purpose} {self.created_at:%Y-%m-%d %H:%M}"
