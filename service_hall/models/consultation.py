"""A question asked in 在线咨询, its answer and, when staff choose, its edited public version."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Topic(models.TextChoices):
    POLICY = "policy", _("政策")
    APPLYING = "applying", _("申报")
    REVIEW = "review", _("审核")
    PAYMENT = "payment", _("发放")
    OTHER = "other", _("其他")


class Desk(models.TextChoices):
    """Who answers: the application's review unit, the city service center, or (policy) the economic work department."""

    UNIT = "unit", _("审核单位")
    SERVICE_CENTER = "service_center", _("市总工会职工服务中心")
    ECONOMIC_DEPT = "economic_dept", _("市总工会经济工作部")


class QuestionQuerySet(models.QuerySet):
    def unanswered(self):
        return self.filter(answered_at__isnull=True)

    def overdue(self, now=None):
        return self.unanswered().filter(due_at__lt=now or timezone.now())

    def published(self):
        return self.filter(is_public=True, answered_at__isnull=False).order_by("-published_at", "-pk")


class Question(models.Model):
    reference = models.CharField(_("咨询编号"), max_length=16, unique=True)
    access_hash = models.CharField(max_length=64, editable=False)
    topic = models.CharField(_("咨询类别"), max_length=20, choices=Topic.choices)
    text = models.TextField(_("咨询内容"), max_length=500)
    mobile = models.CharField(_("手机号码"), max_length=11)
    name = models.CharField(_("姓名"), max_length=40, blank=True)
    application = models.ForeignKey(
        "applications.Application", null=True, blank=True, on_delete=models.SET_NULL, related_name="questions"
    )
    desk = models.CharField(_("答复部门"), max_length=20, choices=Desk.choices)
    unit = models.ForeignKey(
        "applications.ReviewUnit",
        verbose_name=_("审核单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="questions",
    )
    created_at = models.DateTimeField(_("提问时间"), default=timezone.now)
    due_at = models.DateTimeField(_("答复时限"))
    answer = models.TextField(_("答复内容"), blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_public = models.BooleanField(_("公开"), default=False)
    public_question = models.TextField(_("公开的问题"), blank=True)
    public_answer = models.TextField(_("公开的答复"), blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = QuestionQuerySet.as_manager()

    class Meta:
        verbose_name = _("咨询")
        verbose_name_plural = _("咨询")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["desk", "unit", "answered_at"]), models.Index(fields=["is_public"])]
        permissions = [
            ("answer_question", "Can answer questions of their desk"),
            ("answer_all_questions", "Can answer every desk's questions (city service center)"),
            ("answer_policy_questions", "Can answer policy questions (economic work department)"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(desk="unit", unit__isnull=False) | ~models.Q(desk="unit"),
                name="question_unit_desk_has_unit",
            )
        ]

    def __str__(self):
        return self.reference

    @property
    def answered(self):
        return self.answered_at is not None

    def is_overdue(self, now=None):
        return not self.answered and self.due_at < (now or timezone.now())
