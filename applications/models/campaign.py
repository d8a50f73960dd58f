"""A yearly reward campaign and the skill levels it rewards."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.admin.widgets import AdminDateTimeInput
from wagtail.models import Orderable


class SkillLevel(models.Model):
    """A level of the national vocational skill scale (五级/初级工 … 一级/高级技师, and newer titles)."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)
    national_grade = models.CharField(_("国家等级"), max_length=20, blank=True)
    rank = models.PositiveSmallIntegerField(
        _("高低次序"), unique=True, help_text=_("数字越大，等级越高；用于判断是否晋级。")
    )

    panels = [FieldPanel("name"), FieldPanel("code"), FieldPanel("national_grade"), FieldPanel("rank")]

    class Meta:
        ordering = ["rank"]
        verbose_name = _("技能等级")
        verbose_name_plural = _("技能等级")

    def __str__(self):
        return self.name


class CampaignQuerySet(models.QuerySet):
    def open_now(self, now=None):
        """Campaigns that take applications at `now`."""
        now = now or timezone.now()
        return self.filter(is_open=True, deadline__gte=now)

    def current(self, now=None):
        """The campaign the public site leads with: the newest open one, else the newest."""
        return self.open_now(now).order_by("-year").first() or self.order_by("-year").first()

    def chosen_or_404(self, year):
        """The campaign a query string names (`?campaign=2022`), or the current one when it names none;
        Http404 for a value that is not the year of a campaign."""
        if not year:
            return self.current()
        campaign = self.filter(year=int(year)).first() if year.isdigit() else None
        if campaign is None:
            raise Http404
        return campaign


class Campaign(ClusterableModel):
    """One year of the reward programme: its rules are data that editors change each year."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    name = models.CharField(_("名称"), max_length=120)
    is_demo = models.BooleanField(
        _("演示活动"), default=False, help_text=_("演示活动在网站上处处标明“演示”，不发放真实奖励。")
    )
    based_on = models.ForeignKey(
        "self",
        verbose_name=_("依据的活动"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("本活动没有自己的通知时，网站链接到所依据活动的通知。"),
    )
    window_start = models.DateField(_("发证时间起"))
    window_end = models.DateField(_("发证时间止"))
    carry_over_start = models.DateField(_("补报发证时间起"), null=True, blank=True)
    carry_over_end = models.DateField(_("补报发证时间止"), null=True, blank=True)
    deadline = models.DateTimeField(_("申报截止时间"), help_text=_("北京时间；此刻之后不再受理。"))
    is_open = models.BooleanField(_("开放申报"), default=False)

    objects = CampaignQuerySet.as_manager()

    panels = [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("year"), FieldPanel("name")]),
                FieldPanel("is_open"),
                # To the second: the default widget drops seconds, turning 23:59:59 into 23:59:00 on every save.
                FieldPanel("deadline", widget=AdminDateTimeInput(format="%Y-%m-%d %H:%M:%S")),
            ],
            heading=_("基本信息"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("window_start"), FieldPanel("window_end")]),
                FieldRowPanel([FieldPanel("carry_over_start"), FieldPanel("carry_over_end")]),
            ],
            heading=_("证书发证时间"),
        ),
        InlinePanel("reward_levels", heading=_("奖励等级和金额"), label=_("奖励等级")),
        InlinePanel("quotas", heading=_("任务分解表（指导数，上不封顶）"), label=_("指导数")),
        InlinePanel(
            "recognised_issuers",
            heading=_("认可的发证机构（第三方评价机构、企业）"),
            label=_("认可的发证机构"),
            help_text=_(
                "浙江省、杭州市及各区、县（市）的人力资源和社会保障厅（局）按名称认可，无须列出；"
                "经人社部门认可的第三方评价机构和企业须列在这里，申报时填写的发证机构须与名单一致。"
            ),
        ),
        MultiFieldPanel([FieldPanel("is_demo"), FieldPanel("based_on")], heading=_("演示")),
    ]

    class Meta:
        ordering = ["-year"]
        verbose_name = _("奖励活动")
        verbose_name_plural = _("奖励活动")

    def __str__(self):
        return self.display_name

    def clean(self):
        errors = {}
        if self.window_start and self.window_end and self.window_start > self.window_end:
            errors["window_end"] = _("发证时间止不能早于发证时间起。")
        carry = (self.carry_over_start, self.carry_over_end)
        if any(carry) and not all(carry):
            errors["carry_over_end"] = _("补报发证时间须同时填写起止日期，或都不填。")
        elif all(carry):
            if self.carry_over_start > self.carry_over_end:
                errors["carry_over_end"] = _("补报发证时间止不能早于补报发证时间起。")
            elif self.window_start and self.carry_over_end >= self.window_start:
                errors["carry_over_end"] = _("补报时间段须在本年度发证时间之前。")
        if errors:
            raise ValidationError(errors)

    @property
    def display_name(self):
        return _("%(name)s（演示）") % {"name": self.name} if self.is_demo else self.name

    @property
    def has_carry_over(self):
        return bool(self.carry_over_start and self.carry_over_end)

    def accepts_applications(self, now=None):
        """True while the campaign is open and its deadline has not passed."""
        return self.is_open and (now or timezone.now()) <= self.deadline

    def days_left(self, now=None):
        """Whole days from today (Beijing time) to the deadline day; 0 on the day itself."""
        now = timezone.localtime(now or timezone.now())
        return (timezone.localtime(self.deadline).date() - now.date()).days

    @property
    def notice(self):
        """The live notice page of this campaign, or of the campaign it is based on."""
        own = self.notice_pages.live().order_by("-first_published_at").first()
        if own is None and self.based_on_id and self.based_on_id != self.pk:
            return self.based_on.notice
        return own

    def ordered_reward_levels(self):
        return self.reward_levels.select_related("level").order_by("level__rank")

    def total_guidance(self):
        return self.quotas.aggregate(total=models.Sum("guidance_number"))["total"] or 0

    @staticmethod
    def shift_year(value, years=1):
        """The same calendar day (and time) `years` later; 28 February for 29 February."""
        if value is None:
            return None
        try:
            return value.replace(year=value.year + years)
        except ValueError:
            return value.replace(year=value.year + years, day=28)


class RewardLevel(Orderable):
    """A level a campaign rewards and its amount in yuan."""

    campaign = ParentalKey(Campaign, on_delete=models.CASCADE, related_name="reward_levels")
    level = models.ForeignKey(SkillLevel, verbose_name=_("技能等级"), on_delete=models.PROTECT, related_name="+")
    amount = models.PositiveIntegerField(_("奖励金额(元)"))

    panels = [FieldRowPanel([FieldPanel("level"), FieldPanel("amount")])]

    class Meta(Orderable.Meta):
        constraints = [models.UniqueConstraint(fields=["campaign", "level"], name="unique_reward_level")]
        verbose_name = _("奖励等级")
        verbose_name_plural = _("奖励等级")

    def __str__(self):
        return f"{self.level.name} {self.amount}元"


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The last second of `day` in the site's time zone (Asia/Shanghai)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59, 59)))


class CampaignChange(models.Model):
    """One change to the rules that decide money (levels and amounts, windows, deadline, open flag,
    quotas): who made it, when, and each value before and after. Written by
    `applications.programme.campaign_history`."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("奖励活动"), on_delete=models.CASCADE, related_name="changes")
    # [{"field": "deadline", "label": "申报截止时间", "before": "…", "after": "…"}, ...]
    changes = models.JSONField(_("变更内容"), default=list)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("操作人"), max_length=150)
    source = models.CharField(_("途径"), max_length=40, blank=True)
    changed_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("奖励活动变更记录")
        verbose_name_plural = _("奖励活动变更记录")

    def __str__(self):
        return f"{self.campaign.year} {self.actor_label} {self.changed_at:%Y-%m-%d %H:%M}"
