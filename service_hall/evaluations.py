"""查看评价 (好差评, 一事一评): rating a closed case once, the rectification of a bad rating, exclusions and figures.

A case is closed when paid or rejected; an application withdrawn (replaced) is never rated. The worker
reaches the form after a status lookup of their closed case, or from the link in the outcome SMS: a
signed token (salted for this purpose only, expiring) naming the application, never the ID number.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from applications.core.constants import ApplicationState
from applications.core.sms import FORBIDDEN_NUMBER_RE, queue_sms
from applications.models import Application
from service_hall import working_days
from service_hall.models import Grade, Rating, Rectification
from service_hall.models.evaluation import BAD_GRADES, GOOD_GRADES
from service_hall.privacy import PUBLIC_TEXT_MESSAGE, holds_personal_number, unfit_for_public

CLOSED_STATES = (ApplicationState.PAID, ApplicationState.REJECTED)
TOKEN_SALT = "service_hall.evaluations.rate"
REPLY_TEXT = "【杭州市总工会】您对高技能人才奖励申报（编号{reference}）的评价已收到{unit}的答复，可在“查看评价”中查看。"


def token_days():
    return getattr(settings, "RATING_LINK_DAYS", 90)


def rectification_days():
    return getattr(settings, "RECTIFICATION_WORKING_DAYS", 5)


class RatingRefused(Exception):
    """The case cannot be rated (not closed, already rated, link expired); the message can be shown."""


def is_closed(application: Application) -> bool:
    return application.state in CLOSED_STATES


def may_be_rated(application: Application) -> bool:
    return is_closed(application) and not Rating.objects.filter(application=application).exists()


def token_for(application: Application) -> str:
    """A signed token naming the application for this purpose only (it expires; see `application_for`)."""
    for _attempt in range(10):
        token = signing.dumps({"a": application.pk, "s": application.state}, salt=TOKEN_SALT, compress=True)
        if not FORBIDDEN_NUMBER_RE.search(token):  # an SMS may not hold a run of 12 digits
            return token
    raise RuntimeError("no token fit for a text message")


def rating_path(application: Application) -> str:
    return reverse("evaluation_rate", args=[token_for(application)])


def rating_url(application: Application) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + rating_path(application)


def sms_suffix(application: Application) -> str:
    """The sentence the outcome SMS ends with: where to rate the service."""
    return f"欢迎对本次服务进行评价：{rating_url(application)}"


def application_for(token: str) -> Application:
    """The closed application a token names; RatingRefused when the link is broken, expired or not closed."""
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=token_days() * 86400)
    except signing.SignatureExpired:
        raise RatingRefused("评价链接已过期。") from None
    except signing.BadSignature:
        raise RatingRefused("评价链接无效。") from None
    application = (
        Application.objects.filter(pk=data.get("a")).select_related("campaign", "unit").first()
        if isinstance(data, dict)
        else None
    )
    if application is None:
        raise RatingRefused("评价链接无效。")
    if not is_closed(application):
        raise RatingRefused("该申报尚未办结，办结后方可评价。")
    return application


def masked_name(name: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***: the family name's first character only."""
    name = (name or "").strip()
    return (name[:1] + "*" * max(1, len(name) - 1)) if name else "*"


def rate(application: Application, *, grade, comment="", publish_comment=True, now=None, **sub_ratings) -> Rating:
    """Record the worker's one rating of a closed case; a bad one opens a rectification item for its unit."""
    now = now or timezone.now()
    if not is_closed(application):
        raise RatingRefused("该申报尚未办结，办结后方可评价。")
    if comment and publish_comment and unfit_for_public(comment):
        raise RatingRefused(PUBLIC_TEXT_MESSAGE)
    if holds_personal_number(comment):
        raise RatingRefused("评价内容中请不要填写身份证号码或银行卡号。")
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                application=application,
                campaign=application.campaign,
                unit=application.unit,
                grade=int(grade),
                comment=(comment or "").strip(),
                publish_comment=publish_comment,
                masked_name=masked_name(application.name),
                created_at=now,
                **{key: (int(value) if value else None) for key, value in sub_ratings.items()},
            )
            if rating.grade in BAD_GRADES:
                Rectification.objects.create(
                    rating=rating,
                    unit=application.unit,
                    opened_at=now,
                    due_at=working_days.deadline(now, rectification_days()),
                )
    except IntegrityError:
        raise RatingRefused("该申报已评价过，每件事项只能评价一次。") from None
    return rating


def reply(rectification: Rectification, *, finding, measures, reply_text, user, now=None) -> Rectification:
    """The unit's check, rectification and reply; the worker is texted that a reply is there."""
    if rectification.done:
        raise RatingRefused("该整改事项已答复。")
    if unfit_for_public(reply_text):
        raise RatingRefused(PUBLIC_TEXT_MESSAGE)
    now = now or timezone.now()
    updated = Rectification.objects.filter(pk=rectification.pk, replied_at__isnull=True).update(
        finding=finding.strip(), measures=measures.strip(), reply=reply_text.strip(), replied_at=now, replied_by=user
    )
    if not updated:
        raise RatingRefused("该整改事项已答复。")
    rectification.refresh_from_db()
    application = rectification.rating.application
    queue_sms(
        application.mobile,
        REPLY_TEXT.format(reference=application.reference, unit=rectification.unit.name),
        purpose="rating_reply",
    )
    return rectification


def exclude(rating: Rating, *, reason, user, now=None) -> Rating:
    """Leave a mistaken or malicious rating out of the figures, with the reason (counted as excluded)."""
    if not (reason or "").strip():
        raise RatingRefused("请填写剔除原因。")
    rating.excluded = True
    rating.excluded_reason = reason.strip()
    rating.excluded_by = user
    rating.excluded_at = now or timezone.now()
    rating.save(update_fields=["excluded", "excluded_reason", "excluded_by", "excluded_at"])
    return rating


@dataclass(frozen=True)
class Summary:
    label: str
    counts: list  # (grade label, count), best grade first
    total: int
    excluded: int

    @property
    def shares(self):
        """(grade, label, count, per cent of counted ratings) for the stacked bar, best grade first."""
        return [
            (grade, label, count, round(100 * count / self.total, 1) if self.total else 0)
            for grade, label, count in self.counts
        ]

    @property
    def satisfaction(self):
        """The share (per cent) of the top two grades among counted ratings, or None without ratings."""
        if not self.total:
            return None
        good = sum(count for grade, _label, count in self.counts if grade in GOOD_GRADES)
        return round(100 * good / self.total, 1)


def _summary(label, cells) -> Summary:
    """One row from {(grade, excluded): count}."""
    counted = {grade: n for (grade, excluded), n in cells.items() if not excluded}
    return Summary(
        label=label,
        counts=[(grade, grade.label, counted.get(grade.value, 0)) for grade in Grade],
        total=sum(counted.values()),
        excluded=sum(n for (_grade, excluded), n in cells.items() if excluded),
    )


def summaries(campaign):
    """The campaign's figures: the whole city first, then one per review unit with ratings (one query)."""
    rows = (
        Rating.objects.filter(campaign=campaign)
        .values_list("unit__sort_order", "unit__name", "grade", "excluded")
        .annotate(n=Count("pk"))
        .order_by("unit__sort_order", "unit__name")
    )
    city, units = {}, {}
    for _order, name, grade, excluded, n in rows:
        key = (grade, excluded)
        city[key] = city.get(key, 0) + n
        cells = units.setdefault(name, {})
        cells[key] = cells.get(key, 0) + n
    return [_summary("全市", city)] + [_summary(name, cells) for name, cells in units.items()]


def published_comments(campaign, limit=50):
    """Comments the workers agreed to show, not excluded, with the masked name and the unit's reply."""
    return (
        Rating.objects.filter(campaign=campaign, excluded=False, publish_comment=True)
        .exclude(comment="")
        .select_related("unit", "rectification")
        .order_by("-created_at")[:limit]
    )


def open_rectifications(queryset):
    """Items still to be answered: not replied, and their rating not excluded (an excluded one needs no reply)."""
    return queryset.filter(replied_at__isnull=True, rating__excluded=False)


def overdue_rectifications(queryset, now=None):
    return open_rectifications(queryset).filter(due_at__lt=now or timezone.now())
