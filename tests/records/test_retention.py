"""Retention: each step at its boundary day (the day before: kept; the day: done), dry runs, batches, figures."""

import datetime
import io

import pytest
from django.core.management import call_command

from applications.core.constants import ApplicationState
from applications.core.storage import private_storage
from applications.models import (
    Application,
    Attachment,
    DocumentBundle,
    PaymentItem,
    RetentionPolicy,
    RetentionRecord,
    SmsMessage,
)
from applications.records import retention
from applications.review.progress import city_totals, unit_progress
from service_hall import evaluations
from service_hall.models import Desk, Question
from tests.factories import CampaignFactory
from tests.records.cases import at, closed_case, message

pytestmark = pytest.mark.django_db
S = ApplicationState
CLOSED = datetime.date(2023, 3, 15)


@pytest.fixture
def campaign(site_2022):
    return CampaignFactory()


def run(today, **kwargs):
    return {report.name: report for report in retention.run(today=today, now=at(today, 3), **kwargs)}


def files_of(application):
    return list(Attachment.objects.filter(application=application).values_list("file", flat=True))


# Copies: six months (the default) after the closing day.


def test_copies_are_kept_the_day_before_and_deleted_on_the_day_six_months_after_closing(
    campaign, django_capture_on_commit_callbacks
):
    application = closed_case(campaign, S.REJECTED, CLOSED)
    names = files_of(application)
    assert len(names) == 4 and all(private_storage().exists(name) for name in names)

    with django_capture_on_commit_callbacks(execute=True):
        assert run(datetime.date(2023, 9, 14))["copies"].count == 0
    assert Attachment.objects.filter(application=application).count() == 4

    with django_capture_on_commit_callbacks(execute=True):
        report = run(datetime.date(2023, 9, 15))["copies"]
    assert report.count == 1 and application.reference in report.examples
    assert not Attachment.objects.filter(application=application).exists()
    assert not any(private_storage().exists(name) for name in names)
    application.refresh_from_db()
    assert application.retention.copies_deleted_at is not None
    assert application.name != retention.ANONYMISED_NAME  # only the copies, for now


@pytest.mark.parametrize("state", [S.PAID, S.REJECTED, S.WITHDRAWN])
def test_every_closing_state_starts_the_clock(campaign, state):
    application = closed_case(campaign, state, CLOSED)
    run(datetime.date(2023, 9, 15))
    assert not Attachment.objects.filter(application=application).exists()


@pytest.mark.parametrize("state", [S.SUBMITTED, S.UNIT_APPROVED, S.APPROVED, S.PAYMENT_FAILED])
def test_an_application_in_progress_keeps_everything_however_old(campaign, state):
    application = closed_case(campaign, state, datetime.date(2010, 1, 1))
    run(datetime.date(2026, 1, 1))
    application.refresh_from_db()
    assert Attachment.objects.filter(application=application).count() == 4
    assert application.id_number and application.name != retention.ANONYMISED_NAME


def test_the_closing_day_is_the_latest_event_into_the_closing_state_in_beijing_time(campaign):
    # 2023-03-14 23:30 in Beijing is 15:30 UTC: the closing day is the 14th, not the 15th.
    application = closed_case(campaign, S.REJECTED, datetime.date(2023, 3, 14))
    application.events.filter(to_state=S.REJECTED).update(created_at=at(datetime.date(2023, 3, 14), 23))
    assert run(datetime.date(2023, 9, 13))["copies"].count == 0
    assert run(datetime.date(2023, 9, 14))["copies"].count == 1


def test_a_campaigns_own_period_is_used(campaign):
    RetentionPolicy.objects.create(campaign=campaign, copies_months=1)
    application = closed_case(campaign, S.REJECTED, CLOSED)
    assert run(datetime.date(2023, 4, 14))["copies"].count == 0
    assert run(datetime.date(2023, 4, 15))["copies"].count == 1
    assert not Attachment.objects.filter(application=application).exists()


# Personal data: three years (the default) after the closing day.


def test_personal_data_is_anonymised_on_the_day_three_years_after_closing_keeping_the_figures(campaign):
    application = closed_case(campaign, S.PAID, CLOSED, name="张三丰")
    before = Application.objects.get(pk=application.pk)
    run(datetime.date(2026, 3, 14))
    kept = Application.objects.get(pk=application.pk)
    assert (kept.name, kept.id_number, kept.mobile) == (before.name, before.id_number, before.mobile)

    report = run(datetime.date(2026, 3, 15))["personal_data"]
    assert report.count == 1
    after = Application.objects.get(pk=application.pk)
    assert after.name == retention.ANONYMISED_NAME
    for name in (
        "id_number",
        "mobile",
        "bank_card",
        "bank_branch",
        "employer",
        "certificate_number",
        "grassroots_union",
    ):
        assert getattr(after, name) == "", name
    assert after.query_password_hash == "" and after.member is None
    assert after.birth_date == before.birth_date.replace(month=1, day=1)
    for name in ("state", "unit_id", "new_level_id", "amount", "campaign_id", "submitted_at", "certificate_issued_on"):
        assert getattr(after, name) == getattr(before, name), name
    assert set(after.events.values_list("opinion", flat=True)) == {""}
    assert not after.attachments.exists()
    # The payment record, reduced: masked name, reference (through the application), amount, batch, paid date.
    item = PaymentItem.objects.get(application=application)
    assert (item.name, item.bank_card, item.bank_branch, item.amount) == ("张**", "", "", before.amount)
    assert item.batch.number and item.settled_at == at(CLOSED)


def test_the_keyed_hash_stays_while_the_next_campaign_may_still_read_it_for_carry_over(campaign):
    application = closed_case(campaign, S.REJECTED, CLOSED)
    id_hash = application.id_hash
    run(datetime.date(2026, 3, 15))  # no campaign of the next year yet: a carry-over check may still come
    application.refresh_from_db()
    assert application.name == retention.ANONYMISED_NAME and application.id_hash == id_hash


def test_the_keyed_hash_goes_once_the_next_campaign_has_closed(campaign):
    CampaignFactory(year=campaign.year + 1, deadline=at(datetime.date(2024, 12, 15)))
    application = closed_case(campaign, S.REJECTED, CLOSED)
    id_hash = application.id_hash
    run(datetime.date(2026, 3, 15))
    application.refresh_from_db()
    assert application.id_hash != id_hash and application.id_hash == f"anonymised-{application.pk}"


def test_the_next_campaign_still_open_keeps_the_hash(campaign):
    CampaignFactory(year=campaign.year + 1, deadline=at(datetime.date(2026, 12, 15)))
    application = closed_case(campaign, S.REJECTED, CLOSED)
    id_hash = application.id_hash
    run(datetime.date(2026, 3, 15))
    application.refresh_from_db()
    assert application.id_hash == id_hash and application.name == retention.ANONYMISED_NAME


# Payment records: thirty years (the accounting archive period) after payment.


def test_reduced_payment_records_go_thirty_years_after_payment(campaign):
    application = closed_case(campaign, S.PAID, CLOSED)
    run(datetime.date(2053, 3, 14))
    assert PaymentItem.objects.filter(application=application).exists()
    report = run(datetime.date(2053, 3, 15))["payment_records"]
    assert report.count == 1
    assert not PaymentItem.objects.filter(application=application).exists()
    application.refresh_from_db()
    assert application.state == S.PAID and application.amount == 600  # the figures stay
    assert application.retention.payment_records_deleted_at is not None


# The text message log and the questions.


def test_text_messages_go_twelve_months_after_they_were_sent_but_never_while_queued(site_2022, settings):
    sent = message("13800000001", at(datetime.date(2023, 3, 15)))
    queued = message("13800000002", at(datetime.date(2023, 3, 15)), status=SmsMessage.Status.QUEUED)
    run(datetime.date(2024, 3, 14))
    assert SmsMessage.objects.filter(pk=sent.pk).exists()
    run(datetime.date(2024, 3, 15))
    assert not SmsMessage.objects.filter(pk=sent.pk).exists()
    assert SmsMessage.objects.filter(pk=queued.pk).exists()


def _question(reference, application=None, answered=None):
    return Question.objects.create(
        reference=reference,
        access_hash="x",
        topic="applying",
        text="什么时候发放？",
        mobile="13800000009",
        name="李四",
        application=application,
        desk=Desk.SERVICE_CENTER,
        created_at=answered or at(datetime.date(2023, 1, 1)),
        due_at=at(datetime.date(2023, 1, 10)),
        answer="本月发放。" if answered else "",
        answered_at=answered,
    )


def test_a_question_without_application_loses_mobile_and_name_twelve_months_after_its_answer(site_2022):
    question = _question("Q1", answered=at(datetime.date(2023, 3, 15)))
    unanswered = _question("Q2")
    run(datetime.date(2024, 3, 14))
    question.refresh_from_db()
    assert (question.mobile, question.name) == ("13800000009", "李四")
    run(datetime.date(2024, 3, 15))
    question.refresh_from_db()
    unanswered.refresh_from_db()
    assert (question.mobile, question.name) == ("", "")
    assert question.text and question.answer  # the question and its answer stay
    assert unanswered.mobile == "13800000009"


def test_a_question_about_an_application_goes_with_the_application(campaign):
    application = closed_case(campaign, S.REJECTED, CLOSED)
    question = _question("Q3", application=application, answered=at(datetime.date(2023, 3, 20)))
    run(datetime.date(2024, 6, 1))  # past 12 months, but its application is not anonymised yet
    question.refresh_from_db()
    assert question.mobile
    run(datetime.date(2026, 3, 15))
    question.refresh_from_db()
    assert (question.mobile, question.name) == ("", "")


def test_bundles_go_with_the_copies_period_counted_from_when_they_were_made(
    campaign, django_capture_on_commit_callbacks
):
    from django.core.files.base import ContentFile

    bundle = DocumentBundle.objects.create(
        kind="application_forms", campaign=campaign, state="done", finished_at=at(CLOSED), created_at=at(CLOSED)
    )
    bundle.file.save("forms.pdf", ContentFile(b"%PDF"), save=True)
    name = bundle.file.name
    run(datetime.date(2023, 9, 14))
    bundle.refresh_from_db()
    assert bundle.file
    with django_capture_on_commit_callbacks(execute=True):
        run(datetime.date(2023, 9, 15))
    bundle.refresh_from_db()
    assert not bundle.file and not private_storage().exists(name)
    assert bundle.state == "done" and bundle.total == 0  # the record of the bundle stays


# Dry runs, batches, the command, the figures.


def test_a_dry_run_changes_nothing_and_says_what_it_would_do(campaign):
    application = closed_case(campaign, S.PAID, CLOSED)
    before = Application.objects.filter(pk=application.pk).values().get()
    out = io.StringIO()
    call_command("apply_retention", "--dry-run", "--date", "2053-03-15", stdout=out)
    text = out.getvalue()
    assert "[copies]" in text and "将处理 1 项" in text and application.reference in text
    assert "试运行：没有做任何修改。" in text
    assert Application.objects.filter(pk=application.pk).values().get() == before
    assert Attachment.objects.filter(application=application).count() == 4
    assert PaymentItem.objects.get(application=application).bank_card == application.bank_card
    assert not RetentionRecord.objects.exists()


def test_the_command_works_in_batches_and_prints_what_it_did(campaign):
    applications = [closed_case(campaign, S.REJECTED, CLOSED) for _ in range(5)]
    out = io.StringIO()
    call_command("apply_retention", "--date", "2026-03-15", "--batch-size", "2", stdout=out)
    assert "[personal_data] 匿名化办结后超过保存期限的个人信息：已处理 5 项" in out.getvalue()
    assert set(Application.objects.filter(pk__in=[a.pk for a in applications]).values_list("name", flat=True)) == {
        retention.ANONYMISED_NAME
    }
    second = io.StringIO()
    call_command("apply_retention", "--date", "2026-03-15", stdout=second)
    assert "[personal_data] 匿名化办结后超过保存期限的个人信息：已处理 0 项" in second.getvalue()


def test_a_step_an_app_adds_by_its_dotted_path_runs_in_order(site_2022, settings):
    settings.RETENTION_STEPS = [*settings.RETENTION_STEPS, "tests.records.test_retention.CountingStep"]
    CountingStep.seen.clear()
    reports = run(datetime.date(2030, 1, 1))
    assert list(reports)[-1] == "counting" and reports["counting"].count == 3
    assert CountingStep.seen == [1, 2, 3]


class CountingStep(retention.RetentionStep):
    name = "counting"
    label = "test"
    seen = []

    def due(self, today, after_pk, limit):
        return [(pk, str(pk)) for pk in (1, 2, 3) if pk > after_pk][:1]

    def act(self, pks, now):
        self.seen.extend(pks)


def _figures(campaign):
    rows = unit_progress(campaign)
    return rows, city_totals(rows), evaluations.summaries(campaign)


def test_the_dashboard_annex1_counts_and_evaluations_are_the_same_before_and_after(campaign):
    from applications.documents.annex_tables import quota_row

    cases = [
        closed_case(campaign, S.PAID, CLOSED),
        closed_case(campaign, S.PAID, CLOSED, amount=800),
        closed_case(campaign, S.REJECTED, CLOSED),
        closed_case(campaign, S.WITHDRAWN, CLOSED),
        closed_case(campaign, S.APPROVED, CLOSED),
        closed_case(campaign, S.SUBMITTED, CLOSED),
    ]
    evaluations.rate(cases[0], grade=5, comment="很好")
    evaluations.rate(cases[2], grade=2, comment="太慢")
    rows, total, ratings = _figures(campaign)
    annex1 = [quota_row(row) for row in rows]

    reports = run(datetime.date(2053, 3, 15))
    assert reports["personal_data"].count == 4 and reports["payment_records"].count == 2

    rows_after, total_after, ratings_after = _figures(campaign)
    assert rows_after == rows and total_after == total
    assert [quota_row(row) for row in rows_after] == annex1
    assert ratings_after == ratings
