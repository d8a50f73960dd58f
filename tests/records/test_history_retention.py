"""Earlier years' applicants (imported for the carry-over rule) follow the retention rules of applications."""

import datetime

import pytest

from applications.core.crypto import keyed_hash
from applications.models import HistoryImport, PreviousApplicant, SkillLevel
from applications.programme.carry_over import previous_records
from applications.records import retention
from tests.factories import make_id_number
from tests.records.cases import at

pytestmark = pytest.mark.django_db


def _row(year, n=1):
    batch, _ = HistoryImport.objects.get_or_create(year=year, source=f"history-{year}.xlsx", actor_label="导入")
    return PreviousApplicant.objects.create(
        batch=batch,
        year=year,
        name="王五",
        id_number=make_id_number(datetime.date(1985, 5, 5), seq=n),
        level=SkillLevel.objects.get(code="technician"),
        result="rewarded",
        union="西湖区总工会",
    )


def _run(today):
    return {r.name: r for r in retention.run(today=today, now=at(today, 3), only=["history"])}


def test_a_history_row_is_anonymised_three_years_after_the_end_of_its_year(campaign_2022):
    row = _row(2021)  # read by the 2022 campaign, whose deadline (2022-12-15) has long passed
    assert _run(datetime.date(2024, 12, 30))["history"].count == 0
    row.refresh_from_db()
    assert row.name == "王五" and row.id_number

    assert _run(datetime.date(2024, 12, 31))["history"].count == 1
    row.refresh_from_db()
    assert (row.name, row.id_number) == (retention.ANONYMISED_NAME, "")
    assert row.id_hash == f"anonymised-history-{row.pk}"
    assert (row.year, row.result, row.union, row.level.code) == (2021, "rewarded", "西湖区总工会", "technician")
    assert _run(datetime.date(2025, 1, 1))["history"].count == 0  # done once


def test_the_hash_stays_while_the_campaign_that_reads_it_may_still_come(site_2022):
    row = _row(2060, n=2)  # no campaign of 2061 yet: its carry-over rule may still read this row
    id_number = row.id_number
    assert _run(datetime.date(2063, 12, 31))["history"].count == 1
    row.refresh_from_db()
    assert row.name == retention.ANONYMISED_NAME and row.id_number == ""
    assert row.id_hash == keyed_hash(id_number)
    assert previous_records(2061, keyed_hash(id_number))  # the rule still finds the person
    assert _run(datetime.date(2064, 1, 1))["history"].count == 0


def test_the_history_step_runs_daily_with_the_others(site_2022, settings):
    assert "applications.records.history.HistoryStep" in settings.RETENTION_STEPS
    names = [step.name for step in retention.steps()]
    assert names.index("history") == names.index("personal_data") + 1
