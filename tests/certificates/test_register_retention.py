"""The certificate register keeps a certificate while a campaign in use can accept it, and not a day longer.

The 2022 campaign of `site_2022` accepts certificates issued from 2020-12-01 (its carry-over window)
and closed on 2022-12-15; the campaigns made here are later.
"""

import datetime

import pytest

from applications.certificates.retention import needed_from
from applications.core.constants import ApplicationState as S
from applications.models import Application, Campaign, Certificate
from applications.records import retention
from tests.factories import ApplicationFactory, CampaignFactory, CertificateFactory
from tests.records.cases import at

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 15)


def run(today=TODAY, **kwargs):
    (report,) = [r for r in retention.run(today=today, now=at(today, 3), **kwargs) if r.name == "certificates"]
    return report


def kept():
    return set(Certificate.objects.values_list("number", flat=True))


@pytest.fixture
def campaign_2025(site_2022):
    """The newest campaign: window from 2024-12-01, carry-over from 2023-12-01; deadline passed."""
    return CampaignFactory(year=2025)


def test_a_certificate_goes_the_day_before_the_earliest_date_the_newest_campaign_accepts(campaign_2025):
    CertificateFactory(number="A-BEFORE", issued_on=datetime.date(2023, 11, 30))
    CertificateFactory(number="A-FIRST", issued_on=datetime.date(2023, 12, 1))  # carry-over's first day
    CertificateFactory(number="A-LATER", issued_on=datetime.date(2026, 2, 1))  # for next year's campaign
    assert needed_from(TODAY) == datetime.date(2023, 12, 1)
    report = run()
    assert kept() == {"A-FIRST", "A-LATER"}
    assert report.count == 1


def test_an_older_campaign_with_an_application_still_in_review_keeps_its_certificates(campaign_2025):
    campaign_2022 = Campaign.objects.get(year=2022)
    ApplicationFactory(campaign=campaign_2022, state=S.APPROVED)  # not paid yet: may be checked again
    CertificateFactory(number="OLD", issued_on=datetime.date(2020, 12, 1))
    CertificateFactory(number="OLDER", issued_on=datetime.date(2020, 11, 30))
    run()
    assert kept() == {"OLD"}

    Application.objects.filter(campaign=campaign_2022).update(state=S.PAID)
    run()
    assert kept() == set()


def test_an_older_campaign_before_its_deadline_keeps_its_certificates(campaign_2025):
    Campaign.objects.filter(year=2022).update(deadline=at(TODAY))  # its last day is today
    CertificateFactory(number="OLD", issued_on=datetime.date(2020, 12, 1))
    run()
    assert kept() == {"OLD"}
    run(TODAY + datetime.timedelta(days=1))
    assert kept() == set()


def test_without_any_campaign_the_register_is_kept_whole(db):
    Campaign.objects.all().delete()
    CertificateFactory(number="ANY", issued_on=datetime.date(1999, 1, 1))
    assert needed_from(TODAY) is None
    run()
    assert kept() == {"ANY"}


def test_a_dry_run_names_the_certificates_and_deletes_nothing(campaign_2025):
    CertificateFactory(number="A-BEFORE", issued_on=datetime.date(2023, 11, 30))
    report = run(dry_run=True)
    assert kept() == {"A-BEFORE"} and "A-BEFORE" in report.examples
