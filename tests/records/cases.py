"""Closed cases at chosen moments, with copies, payments, messages, questions and ratings, for the records tests."""

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone

from applications.core.constants import ApplicationState
from applications.models import ApplicationEvent, Attachment, PaymentBatch, PaymentItem, SmsMessage
from tests.factories import ApplicationFactory

S = ApplicationState


def at(day: datetime.date, hour=10):
    """`day` at `hour` o'clock, Beijing time."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def closed_case(campaign, state=S.PAID, closed_on=datetime.date(2023, 3, 15), *, copies=True, batch=None, **fields):
    """An application of `campaign` that reached `state` on `closed_on` (10:00), with its four copies, and
    (paid) a payment item in `batch` settled that day."""
    application = ApplicationFactory(campaign=campaign, state=state, **fields)
    ApplicationEvent.objects.create(
        application=application,
        actor_label="申请人",
        to_state=S.SUBMITTED,
        created_at=at(closed_on) - datetime.timedelta(days=40),
    )
    ApplicationEvent.objects.create(
        application=application,
        actor_label="市总工会",
        from_state=S.SUBMITTED,
        to_state=state,
        opinion=f"{application.name}的申报",
        created_at=at(closed_on),
    )
    if copies:
        for kind in ("id_front", "id_back", "certificate", "bank_card"):
            attachment = Attachment(application=application, kind=kind, content_type="image/png", size=3)
            attachment.file.save(f"{kind}.png", ContentFile(b"png"), save=True)
    if state == S.PAID:
        batch = batch or PaymentBatch.objects.create(
            campaign=campaign, number=f"B{application.pk:06d}", created_at=at(closed_on) - datetime.timedelta(days=7)
        )
        PaymentItem.objects.create(
            batch=batch,
            application=application,
            name=application.name,
            bank_card=application.bank_card,
            bank_branch=application.bank_branch,
            amount=application.amount,
            result=PaymentItem.Result.PAID,
            settled_at=at(closed_on),
        )
    return application


def message(to, created, text="【杭州市总工会】您的申报已提交。", status=SmsMessage.Status.SENT):
    return SmsMessage.objects.create(
        to=to, text=text, purpose="application_submitted", backend="file", status=status, created_at=created
    )
