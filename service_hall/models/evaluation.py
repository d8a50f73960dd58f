"""好差评: one rating per closed case, and the rectification a bad one opens."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Grade(models.IntegerChoices):
    VERY_SATISFIED = 5, _("非常满意")
    SATISFIED = 4, _("满意")
    FAIRLY_SATISFIED = 3, _("基本满意")
    DISSATISFIED = 2, _("不满意")
    VERY_DISSATISFIED = 1, _("非常不满意")


GOOD_GRADES = (Grade.VERY_SATISFIED, Grade.SATISFIED)
BAD_GRADES = (Grade.DISSATISFIED, Grade.VERY_DISSATISFIED)
SUB_RATINGS = {
    "efficiency": _("办事效率"),
    "guide": _("办事指南"),
    "convenience": _("便捷度"),
    "platform": _("平台操作"),
}


class Rating(models.Model):
    application = models.OneToOneField(
        "applications.Application", on_delete=models.CASCADE, related_name="rating", verbose_name=_("申报")
    )
    campaign = models.ForeignKey("applications.Campaign", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        "applications.ReviewUnit", verbose_name=_("审核单位"), on_delete=models.PROTECT, related_name="ratings"
    )
    grade = models.PositiveSmallIntegerField(_("总体评价"), choices=Grade.choices)
    efficiency = models.PositiveSmallIntegerField(_("办事效率"), choices=Grade.choices, null=True, blank=True)
    guide = models.PositiveSmallIntegerField(_("办事指南"), choices=Grade.choices, null=True, blank=True)
    convenience = models.PositiveSmallIntegerField(_("便捷度"), choices=Grade.choices, null=True, blank=True)
    platform = models.PositiveSmallIntegerField(_("平台操作"), choices=Grade.choices, null=True, blank=True)
    comment = models.TextField(_("评价内容"), max_length=300, blank=True)
    publish_comment = models.BooleanField(_("同意公开评价内容"), default=True)
    masked_name = models.CharField(_("评价人"), max_length=20)
    created_at = models.DateTimeField(_("评价时间"), default=timezone.now)
    excluded = models.BooleanField(_("已剔除"), default=False)
    excluded_reason = models.TextField(_("剔除原因"), blank=True)
    excluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    excluded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("评价")
        verbose_name_plural = _("评价")
        ordering = ["-created_at"]
        permissions = [
            ("view_all_ratings", "Can see every unit's ratings and rectifications"),
            ("rectify_rating", "Can rectify bad ratings of their unit"),
            ("exclude_rating", "Can exclude a mistaken or malicious rating"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(grade__gte=1, grade__lte=5), name="rating_grade_1_to_5"),
            models.CheckConstraint(
                condition=models.Q(excluded=False) | ~models.Q(excluded_reason=""), name="rating_exclusion_has_reason"
            ),
        ]

    def __str__(self):
        return f"{self.application.reference} {self.get_grade_display()}"

    @property
    def is_bad(self):
        return self.grade in BAD_GRADES


class Rectification(models.Model):
    """整改: the unit that handled a badly rated case checks it, rectifies and replies to the worker."""

    rating = models.OneToOneField(Rating, on_delete=models.CASCADE, related_name="rectification")
    unit = models.ForeignKey(
        "applications.ReviewUnit", verbose_name=_("审核单位"), on_delete=models.PROTECT, related_name="rectifications"
    )
    opened_at = models.DateTimeField(_("发起时间"), default=timezone.now)
    due_at = models.DateTimeField(_("整改时限"))
    finding = models.TextField(_("核实情况"), blank=True)
    measures = models.TextField(_("整改措施"), blank=True)
    reply = models.TextField(_("答复评价人"), max_length=300, blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("整改")
        verbose_name_plural = _("整改")
        ordering = ["due_at"]

    def __str__(self):
        return f"{self.rating.application.reference}"

    @property
    def done(self):
        return self.replied_at is not None

    def is_overdue(self, now=None):
        if self.done or self.rating.excluded:
            return False
        return self.due_at < (now or timezone.now())
