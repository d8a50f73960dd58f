"""Retention: personal data lives as long as its purpose needs, then goes (PIPL art. 19 and 47).

A case closes when its application is paid, rejected or withdrawn; its closing day is the local
(Beijing) date of the latest event that took it into that state. Counted from that day, with each
campaign's `RetentionPolicy` (defaults in `applications.models.records`):

- ``copies``: ``copies_months`` later, the copies (ID card, certificate, bank card) are deleted;
- ``bundles``: generated files holding personal data go ``copies_months`` after they were made;
- ``personal_data``: ``personal_data_years`` later, the application is anonymised (`anonymise`):
  name, ID number, mobile, bank card, employer, hukou and free texts go; level, unit, amount,
  dates and state stay, so every figure stays as it was; the payment items are reduced to a
  masked name, the reference, amount, batch and paid date; the keyed ID hash stays only while
  the next campaign's carry-over rule still reads it (`hash_still_needed`);
- ``payment_records``: ``payment_record_years`` after the payment, the reduced payment items go
  (the accounting archive period).

Each step is a `RetentionStep`; `settings.RETENTION_STEPS` lists them by dotted path, in order,
so another app adds its own (service_hall's questions, the carry-over history) without touching
this module. `run` goes step by step, batch by batch (one transaction each, `BATCH_SIZE` rows at
most in memory), and returns what it did, or with ``dry_run`` what it would do, changing nothing.
"""

import datetime
import logging
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.module_loading import import_string

from applications.core.constants import ApplicationState
from applications.models import (
    Application,
    ApplicationEvent,
    Attachment,
    BankCardCorrection,
    Campaign,
    DocumentBundle,
    PaymentItem,
    RetentionPolicy,
    RetentionRecord,
    SmsMessage,
)

logger = logging.getLogger(__name__)

S = ApplicationState
CLOSED_STATES = (S.PAID, S.REJECTED, S.WITHDRAWN)
BATCH_SIZE = 200
ANONYMISED_NAME = "已匿名"
DEFAULT_SMS_LOG_MONTHS = 12


def policy_for(campaign) -> RetentionPolicy:
    """The campaign's periods: its saved policy, else the defaults (unsaved)."""
    try:
        return campaign.retention_policy
    except RetentionPolicy.DoesNotExist:
        return RetentionPolicy(campaign=campaign)


def add_period(day: datetime.date, *, months=0, years=0) -> datetime.date:
    """`day` plus whole months or years (31 January + 1 month = 28/29 February)."""
    return day + relativedelta(months=months, years=years)


def local_day(moment) -> datetime.date:
    return timezone.localtime(moment).date()


def closed_at():
    """The moment an application entered its closing state: the latest event into its current state."""
    return Subquery(
        ApplicationEvent.objects.filter(application=OuterRef("pk"), to_state=OuterRef("state"))
        .order_by("-created_at", "-pk")
        .values("created_at")[:1]
    )


def _shortest(field):
    """The shortest value of a period over every campaign (saved policies and the default)."""
    from django.db.models import Min

    saved = RetentionPolicy.objects.aggregate(shortest=Min(field))["shortest"]
    default = RetentionPolicy._meta.get_field(field).default
    return min(default, saved) if saved is not None else default


def _before_day_after(day: datetime.date):
    """The first moment of the day after `day`, Beijing time: what happened on `day` or earlier is before it."""
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time()))


def _may_be_due(today, *, months=0, years=0):
    """A cutoff no row due on `today` can be after, whatever its campaign's period (the shortest one):
    rows past it are left to the exact check without reading them."""
    return _before_day_after(today - relativedelta(months=months, years=years))


def closed_applications():
    """The closed applications, each with `closed_at`."""
    return Application.objects.filter(state__in=CLOSED_STATES).annotate(closed_at=closed_at()).exclude(closed_at=None)


def masked_name(name: str) -> str:
    """张三 → 张*: the first character only."""
    name = (name or "").strip()
    return (name[:1] + "*" * max(1, len(name) - 1)) if name else "*"


@dataclass
class StepReport:
    """What one step did (or would do): how many, and the first few labels (references) for the log."""

    name: str
    label: str
    count: int = 0
    examples: list = field(default_factory=list)
    errors: int = 0

    def add(self, labels):
        self.count += len(labels)
        room = 20 - len(self.examples)
        if room > 0:
            self.examples.extend(labels[:room])


class RetentionStep:
    """One retention rule. Subclasses give `name`, `label`, `due` and `act`.

    `due(today, after_pk)` returns up to `BATCH_SIZE` (pk, label) pairs due on `today` with pk
    greater than `after_pk`, in pk order; `act(pks, now)` does the step to them, inside the
    transaction `run` opened, and must re-check what it needs (rows may have changed meanwhile).
    """

    name = ""
    label = ""

    def due(self, today, after_pk, limit):
        raise NotImplementedError

    def act(self, pks, now):
        raise NotImplementedError


def _due_applications(queryset, is_due, today, after_pk, limit):
    """Up to `limit` (pk, reference) of `queryset` (closed applications with `closed_at`) due on `today`,
    after `after_pk` in pk order, each checked against its own campaign's policy (exact month and year
    arithmetic, so the boundary day is exact)."""
    policies, found, last = {}, [], after_pk
    while len(found) < limit:
        chunk = list(
            queryset.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "reference", "closed_at", "campaign_id")[:limit]
        )
        if not chunk:
            break
        for pk, reference, moment, campaign_id in chunk:
            if campaign_id not in policies:
                policies[campaign_id] = policy_for(Campaign.objects.get(pk=campaign_id))
            if is_due(policies[campaign_id], local_day(moment), today):
                found.append((pk, reference))
        last = chunk[-1][0]
    return found[:limit]


def _delete_files_after_commit(names):
    from applications.core.storage import private_storage

    def delete():
        for name in names:
            try:
                private_storage().delete(name)
            except OSError:
                logger.exception("retention: could not delete %s", name)

    transaction.on_commit(delete)


def _mark(pks, **values):
    for pk in pks:
        RetentionRecord.objects.update_or_create(application_id=pk, defaults=values)


class CopiesStep(RetentionStep):
    name = "copies"
    label = "删除办结后超过保存期限的材料复印件"

    @staticmethod
    def is_due(policy, closed_on, today):
        return add_period(closed_on, months=policy.copies_months) <= today

    def due(self, today, after_pk, limit):
        with_copies = Exists(Attachment.objects.filter(application=OuterRef("pk")))
        cutoff = _may_be_due(today, months=_shortest("copies_months"))
        candidates = closed_applications().filter(with_copies, closed_at__lt=cutoff)
        return _due_applications(candidates, self.is_due, today, after_pk, limit)

    def act(self, pks, now):
        delete_copies(Application.objects.filter(pk__in=pks, state__in=CLOSED_STATES))
        _mark(pks, copies_deleted_at=now)


def delete_copies(applications):
    """Delete the attachments of `applications`, their files once the transaction commits."""
    attachments = Attachment.objects.filter(application__in=applications)
    names = [name for name in attachments.values_list("file", flat=True) if name]
    attachments.delete()
    _delete_files_after_commit(names)
    return len(names)


class BundlesStep(RetentionStep):
    name = "bundles"
    label = "删除超过保存期限的批量文件（含个人信息）"

    def due(self, today, after_pk, limit):
        found = []
        cutoff = _may_be_due(today, months=_shortest("copies_months"))
        bundles = (
            DocumentBundle.objects.exclude(file="")
            .filter(pk__gt=after_pk, created_at__lt=cutoff)
            .select_related("campaign")
        )
        for bundle in bundles.order_by("pk").iterator(chunk_size=limit):
            made = local_day(bundle.finished_at or bundle.created_at)
            if add_period(made, months=policy_for(bundle.campaign).copies_months) <= today:
                found.append((bundle.pk, f"#{bundle.pk} {bundle.campaign.year}"))
                if len(found) >= limit:
                    break
        return found

    def act(self, pks, now):
        bundles = DocumentBundle.objects.select_for_update().filter(pk__in=pks).exclude(file="")
        names = [bundle.file.name for bundle in bundles]
        bundles.update(file="")
        _delete_files_after_commit(names)


def hash_still_needed(campaign, today) -> bool:
    """Whether a rule still reads the keyed ID hashes of `campaign`'s applications: the next year's
    campaign checks them for carry-over ("did not apply the year before") until its deadline passes,
    or, while it does not exist yet, whenever it is made."""
    following = Campaign.objects.filter(year=campaign.year + 1).first()
    return following is None or local_day(following.deadline) >= today


def anonymise(applications, now, *, keep_hash_for=()):
    """Anonymise `applications` (a queryset): personal fields emptied, figures kept, payment items reduced.

    The keyed ID hash is replaced by a value that identifies nobody, except for the campaigns (pks)
    in `keep_hash_for`. Returns the number of applications anonymised.
    """
    pks = list(applications.values_list("pk", flat=True))
    if not pks:
        return 0
    delete_copies(Application.objects.filter(pk__in=pks))
    for application in Application.objects.filter(pk__in=pks).only("pk", "campaign_id", "birth_date", "id_hash"):
        values = {
            "name": ANONYMISED_NAME,
            "id_number": "",
            "mobile": "",
            "bank_card": "",
            "bank_branch": "",
            "employer": "",
            "hukou_place": "",
            "years_in_hangzhou": None,
            "grassroots_union": "",
            "grassroots_opinion": "",
            "certificate_number": "",
            "state_reason": "",
            "eligibility_reason": "",
            "query_password_hash": "",
            "member": None,
            # The year of birth only: no figure uses more.
            "birth_date": application.birth_date.replace(month=1, day=1),
        }
        if application.campaign_id not in keep_hash_for:
            values["id_hash"] = f"anonymised-{application.pk}"
        # update(), not save(): save() would hash the empty ID number and touch updated_at.
        Application.objects.filter(pk=application.pk).update(**values)
    ApplicationEvent.objects.filter(application_id__in=pks).update(opinion="")
    BankCardCorrection.objects.filter(application_id__in=pks).update(bank_card="", bank_branch="", note="")
    for item in PaymentItem.objects.filter(application_id__in=pks).only("pk", "name"):
        PaymentItem.objects.filter(pk=item.pk).update(name=masked_name(item.name), bank_card="", bank_branch="")
    _mark(pks, anonymised_at=now)
    return len(pks)


class PersonalDataStep(RetentionStep):
    name = "personal_data"
    label = "匿名化办结后超过保存期限的个人信息"

    @staticmethod
    def is_due(policy, closed_on, today):
        return add_period(closed_on, years=policy.personal_data_years) <= today

    def due(self, today, after_pk, limit):
        done = RetentionRecord.objects.filter(application=OuterRef("pk"), anonymised_at__isnull=False)
        cutoff = _may_be_due(today, years=_shortest("personal_data_years"))
        candidates = closed_applications().filter(~Exists(done), closed_at__lt=cutoff)
        return _due_applications(candidates, self.is_due, today, after_pk, limit)

    def act(self, pks, now):
        today = local_day(now)
        queryset = Application.objects.filter(pk__in=pks, state__in=CLOSED_STATES)
        keep = {
            campaign.pk
            for campaign in Campaign.objects.filter(applications__in=queryset).distinct()
            if hash_still_needed(campaign, today)
        }
        anonymise(queryset, now, keep_hash_for=keep)


class PaymentRecordsStep(RetentionStep):
    """The reduced payment records go at the end of the accounting archive period, counted from payment."""

    name = "payment_records"
    label = "删除超过会计档案保存期限的发放记录"

    def due(self, today, after_pk, limit):
        found = []
        cutoff = _may_be_due(today, years=_shortest("payment_record_years"))
        items = PaymentItem.objects.filter(pk__gt=after_pk, batch__created_at__lt=cutoff).select_related(
            "batch__campaign", "application"
        )
        for item in items.order_by("pk").iterator(chunk_size=limit):
            moment = item.settled_at or item.batch.settled_at or item.batch.created_at
            years = policy_for(item.batch.campaign).payment_record_years
            if add_period(local_day(moment), years=years) <= today:
                found.append((item.pk, f"{item.batch.number} {item.application.reference}"))
                if len(found) >= limit:
                    break
        return found

    def act(self, pks, now):
        applications = set(PaymentItem.objects.filter(pk__in=pks).values_list("application_id", flat=True))
        PaymentItem.objects.filter(pk__in=pks).delete()
        _mark(applications, payment_records_deleted_at=now)


class SmsLogStep(RetentionStep):
    """Sent and failed text messages (to a mobile, with a reference or a code) go after
    `RETENTION_SMS_LOG_MONTHS` (12): long enough to answer "did my text come?" for a whole campaign."""

    name = "sms"
    label = "删除超过保存期限的短信记录"

    def due(self, today, after_pk, limit):
        months = getattr(settings, "RETENTION_SMS_LOG_MONTHS", DEFAULT_SMS_LOG_MONTHS)
        cutoff_day = today - relativedelta(months=months)
        cutoff = timezone.make_aware(
            datetime.datetime.combine(cutoff_day + datetime.timedelta(days=1), datetime.time())
        )
        messages = (
            SmsMessage.objects.filter(pk__gt=after_pk, created_at__lt=cutoff)
            .exclude(status=SmsMessage.Status.QUEUED)
            .order_by("pk")
            .values_list("pk", "purpose")[:limit]
        )
        return [(pk, f"#{pk} {purpose}") for pk, purpose in messages]

    def act(self, pks, now):
        SmsMessage.objects.filter(pk__in=pks).exclude(status=SmsMessage.Status.QUEUED).delete()


def steps() -> list[RetentionStep]:
    """The steps of `settings.RETENTION_STEPS`, in order."""
    return [import_string(path)() for path in settings.RETENTION_STEPS]


def run(*, today=None, now=None, dry_run=False, batch_size=BATCH_SIZE, only=None) -> list[StepReport]:
    """Run every step (or those named in `only`) for `today`; with `dry_run` only count what is due."""
    now = now or timezone.now()
    today = today or local_day(now)
    reports = []
    for step in steps():
        if only and step.name not in only:
            continue
        report = StepReport(step.name, step.label)
        after = 0
        while True:
            batch = step.due(today, after, batch_size)
            if not batch:
                break
            pks = [pk for pk, _label in batch]
            if not dry_run:
                with transaction.atomic():
                    step.act(pks, now)
            report.add([label for _pk, label in batch])
            after = pks[-1]
        reports.append(report)
    return reports
