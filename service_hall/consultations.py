"""在线咨询: asking (after a code texted to the mobile), routing, answering, publishing and the city's figures.

A question is accepted only once the mobile's code is verified; the asker then gets a reference and an
access code (shown once and texted), and sees the answer at `/consultations/<reference>/` with them.
Questions per mobile and per client address are capped a day; codes use the caps of
`applications.apply.codes` (per mobile, per client, site-wide). Wrong access codes slow the client
(`throttle.Backoff`), as the status lookup does.
"""

import datetime
import hmac
import secrets
import statistics
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.apply import codes
from applications.apply.status import normalise_query_password
from applications.core import throttle
from applications.core.client_address import client_key
from applications.core.crypto import keyed_hash
from applications.core.sms import queue_sms, send_sms
from applications.models import Application
from home import page_cache
from service_hall import working_days
from service_hall.models import Desk, Question, Topic
from service_hall.privacy import PERSONAL_NUMBER_MESSAGE, PUBLIC_TEXT_MESSAGE, holds_personal_number, unfit_for_public

CODE_PURPOSE = "consultation"
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
ACCESS_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
DAY = datetime.timedelta(days=1)
ANSWERED_TEXT = "【杭州市总工会】您的咨询已答复，请凭编号查看（编号{reference}）。"
ACCEPTED_TEXT = "【杭州市总工会】您的咨询已受理，编号{reference}，查询码{code}，答复后将短信通知您。"


def answer_days():
    return getattr(settings, "CONSULTATION_ANSWER_WORKING_DAYS", 2)


def question_caps():
    return [
        throttle.Cap("question-mobile-day", getattr(settings, "CONSULTATION_MAX_PER_MOBILE_PER_DAY", 3), DAY),
        throttle.Cap("question-client-day", getattr(settings, "CONSULTATION_MAX_PER_CLIENT_PER_DAY", 20), DAY),
    ]


def access_backoff():
    return throttle.Backoff(
        "question-access", free=10, base=datetime.timedelta(seconds=30), ceiling=datetime.timedelta(minutes=15)
    )


class QuestionRefused(Exception):
    """The question cannot be taken; the message can be shown to the person."""


def route(topic: str, application: Application | None) -> tuple[str, object]:
    """The desk that answers: policy → the economic work department; a named application → its review unit;
    anything else → the city service center."""
    if topic == Topic.POLICY:
        return Desk.ECONOMIC_DEPT, None
    if application is not None:
        return Desk.UNIT, application.unit
    return Desk.SERVICE_CENTER, None


def _mobile_hash(mobile: str) -> str:
    return keyed_hash(f"consultation-mobile:{mobile}")


@dataclass(frozen=True)
class Recipient:
    """What `codes.issue_code` needs of whoever gets the code: here a mobile number, no member."""

    id_hash: str
    mobile: str


def send_code(mobile: str, *, binding: str, client: str | None, now=None):
    """Text a code to `mobile` under the caps of the application codes. Raises `codes.CodeError`."""
    recipient = Recipient(id_hash=_mobile_hash(mobile), mobile=mobile)
    return codes.issue_code(
        CODE_PURPOSE, id_hash=recipient.id_hash, member=recipient, binding=binding, client=client, now=now
    )


def verify_code(mobile: str, code: str, *, binding: str, now=None):
    return codes.verify_code(_mobile_hash(mobile), CODE_PURPOSE, code, binding=binding, now=now)


def find_application(reference: str) -> Application | None:
    reference = (reference or "").strip().upper()
    if not reference:
        return None
    return Application.objects.filter(reference=reference).select_related("unit").first()


def _access_hash(reference: str, access_code: str) -> str:
    return keyed_hash(f"consultation-access:{reference}:{normalise_query_password(access_code)}")


def new_reference():
    return "ZX" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


def ask(*, topic, text, mobile, name="", application_reference="", client=None, now=None):
    """Take a question whose mobile is verified: returns (question, access code). Raises QuestionRefused."""
    now = now or timezone.now()
    if holds_personal_number(text) or holds_personal_number(name):
        raise QuestionRefused(PERSONAL_NUMBER_MESSAGE)
    full = throttle.take_all(
        [(cap, key) for cap, key in zip(question_caps(), [mobile, client_key(client)], strict=True)], now=now
    )
    if full is not None:
        raise QuestionRefused("今日提交的咨询已达上限，请明天再试，或先查看下方已公开的常见问题。")
    application = find_application(application_reference)
    # A reference naming someone else's application routes the question there but shows nothing of it.
    desk, unit = route(topic, application)
    access_code = "".join(secrets.choice(ACCESS_ALPHABET) for _ in range(8))
    for _attempt in range(5):
        reference = new_reference()
        try:
            with transaction.atomic():
                question = Question.objects.create(
                    reference=reference,
                    access_hash=_access_hash(reference, access_code),
                    topic=topic,
                    text=text.strip(),
                    mobile=mobile,
                    name=name.strip(),
                    application=application,
                    desk=desk,
                    unit=unit,
                    created_at=now,
                    due_at=working_days.deadline(now, answer_days()),
                )
            break
        except IntegrityError:
            continue
    else:
        raise RuntimeError("no free consultation reference")
    send_sms(
        mobile,
        ACCEPTED_TEXT.format(reference=reference, code=access_code),
        purpose="consultation_accepted",
        logged_text=ACCEPTED_TEXT.format(reference=reference, code="********"),
    )
    return question, access_code


@dataclass(frozen=True)
class AccessResult:
    question: Question | None = None
    message: str = ""


def open_question(reference: str, access_code: str, client: str | None, *, now=None) -> AccessResult:
    """The asker's question, when the access code matches; one message for every failure."""
    backoff = access_backoff()
    key = client_key(client)
    wait = throttle.attempt([(backoff, key)], now=now)
    if wait:
        return AccessResult(message=_("查询失败次数过多，请%(seconds)s秒后再试。") % {"seconds": wait})
    reference = (reference or "").strip().upper()
    question = Question.objects.filter(reference=reference).first()
    computed = _access_hash(reference, access_code)
    if question is None or not hmac.compare_digest(question.access_hash, computed):
        return AccessResult(message=_("咨询编号或查询码不正确。"))
    throttle.not_a_failure(backoff, key)
    return AccessResult(question=question)


def answer(question: Question, text: str, user, *, now=None) -> Question:
    """Record the answer (or a corrected one) and text the asker that it is there (no content in the SMS).

    The first answer is a compare-and-set on `answered_at`: of two staff answering at once, one text goes out.
    """
    now = now or timezone.now()
    text = text.strip()
    with transaction.atomic():
        first = Question.objects.filter(pk=question.pk, answered_at__isnull=True).update(
            answer=text, answered_by=user, answered_at=now
        )
        if not first:
            Question.objects.filter(pk=question.pk).update(answer=text, answered_by=user)
        if first:
            queue_sms(
                question.mobile, ANSWERED_TEXT.format(reference=question.reference), purpose="consultation_answered"
            )
    question.refresh_from_db()
    return question


def publish(question: Question, public_question: str, public_answer: str, *, user=None, now=None) -> Question:
    """Show an edited question and answer in the published list (never the name or mobile)."""
    if not question.answered:
        raise ValueError("only an answered question is published")
    for text in (public_question, public_answer):
        if unfit_for_public(text):
            raise QuestionRefused(PUBLIC_TEXT_MESSAGE)
    question.public_question = public_question.strip()
    question.public_answer = public_answer.strip()
    question.is_public = True
    question.published_at = question.published_at or now or timezone.now()
    question.published_by = user
    question.save(update_fields=["public_question", "public_answer", "is_public", "published_at", "published_by"])
    page_cache.purge()  # FAQ blocks on cached Wagtail pages show it
    return question


def faq(references, topic=None, count=5):
    """Published questions for an FAQ block: those named (in that order), else the latest of `topic` (or any)."""
    published = Question.objects.published()
    if references:
        wanted = [reference.strip().upper() for reference in references if reference.strip()]
        found = {question.reference: question for question in published.filter(reference__in=wanted)}
        return [found[reference] for reference in wanted if reference in found][:count]
    if topic:
        published = published.filter(topic=topic)
    return list(published[:count])


def search_published(query: str, limit=10):
    """Published questions whose edited question or answer holds `query` (substring: Chinese has no spaces)."""
    query = (query or "").strip()[:100]
    if not query:
        return []
    found = Question.objects.published().filter(Q(public_question__icontains=query) | Q(public_answer__icontains=query))
    return list(found[:limit])


def unpublish(question: Question) -> Question:
    question.is_public = False
    question.save(update_fields=["is_public"])
    page_cache.purge()
    return question


def age_in_working_days(question: Question, now=None) -> int:
    return working_days.working_days_between(question.created_at, question.answered_at or now or timezone.now())


@dataclass(frozen=True)
class Figures:
    total: int
    by_topic: list
    by_desk: list
    median_hours: float | None
    overdue: int


def figures(queryset, now=None) -> Figures:
    """Questions per topic and per desk/unit, the median time to answer (hours) and the overdue count."""
    now = now or timezone.now()
    topics = dict(Topic.choices)
    by_topic = [
        (topics.get(row["topic"], row["topic"]), row["n"])
        for row in queryset.values("topic").annotate(n=Count("pk")).order_by("topic")
    ]
    desks = dict(Desk.choices)
    by_desk = [
        (row["unit__name"] or desks.get(row["desk"], row["desk"]), row["n"])
        for row in queryset.values("desk", "unit__name").annotate(n=Count("pk")).order_by("desk", "unit__name")
    ]
    spans = [
        (answered - created).total_seconds() / 3600
        for created, answered in queryset.filter(answered_at__isnull=False).values_list("created_at", "answered_at")
    ]
    return Figures(
        total=queryset.count(),
        by_topic=by_topic,
        by_desk=by_desk,
        median_hours=round(statistics.median(spans), 1) if spans else None,
        overdue=queryset.overdue(now).count(),
    )
