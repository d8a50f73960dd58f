"""One row per attempt to sign in to /admin/, successful or not."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SignInReason(models.TextChoices):
    SIGNED_IN = "signed_in", _("登录成功（密码和动态验证码）")
    SIGNED_IN_PASSWORD_ONLY = "password_only", _("登录成功（未要求动态验证码）")
    BAD_PASSWORD = "bad_password", _("用户名或密码错误")
    BAD_TOKEN = "bad_token", _("动态验证码错误或未填写")
    NO_DEVICE = "no_device", _("尚未绑定动态验证码")
    LOCKED = "locked", _("失败次数过多，等待期间被拒绝")


class SignInEvent(models.Model):
    username = models.CharField(_("用户名"), max_length=254)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sign_in_events",
    )
    ip = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)
    succeeded = models.BooleanField(_("成功"))
    reason = models.CharField(_("结果"), max_length=20, choices=SignInReason.choices)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("登录记录")
        verbose_name_plural = _("登录记录")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["username", "created_at"], name="staff_auth_username_time")]

    def __str__(self):
        return f"{self.username} {self.get_reason_display()} {self.get_created_at_display()}"

    def get_created_at_display(self):
        """Local time to the second (also what the admin's detail view shows)."""
        return f"{timezone.localtime(self.created_at):%Y-%m-%d %H:%M:%S}"

    def get_succeeded_display(self):
        return _("是") if self.succeeded else _("否")
