"""Retention of the certificate register (证书库): a certificate goes once no campaign in use can accept it.

The register is a copy of the HR bureau's data, imported to check the certificates people give
(`verification`); it holds the names and ID numbers of people who never applied. A certificate is
needed while a campaign in use could accept it: its issue date falls in that campaign's window or
carry-over window, or later. A campaign is in use while its deadline has not passed, while one of its
applications is not closed (`recheck_certificates` checks them again), and while it is the newest
(next year's campaign will accept its window as carry-over). A certificate issued before the
earliest date any campaign in use accepts is deleted by `apply_retention`.
"""

import datetime

from django.db.models import Exists, Max, OuterRef

from applications.models import Application, Campaign, Certificate
from applications.records.retention import CLOSED_STATES, RetentionStep, local_day


def accepted_from(campaign) -> datetime.date:
    """The earliest issue date `campaign` accepts: its carry-over window's start, else its own window's."""
    return min(filter(None, (campaign.window_start, campaign.carry_over_start)))


def campaigns_in_use(today):
    """The campaigns that may still check a certificate on `today`: the newest, any whose deadline has
    not passed, any with an application not yet closed."""
    live = Application.objects.filter(campaign=OuterRef("pk")).exclude(state__in=CLOSED_STATES)
    newest = Campaign.objects.aggregate(year=Max("year"))["year"]
    return [
        campaign
        for campaign in Campaign.objects.annotate(live=Exists(live))
        if campaign.year == newest or campaign.live or local_day(campaign.deadline) >= today
    ]


def needed_from(today) -> datetime.date | None:
    """The earliest issue date a campaign in use accepts; None while there is no campaign (keep everything)."""
    return min((accepted_from(campaign) for campaign in campaigns_in_use(today)), default=None)


class CertificateRegisterStep(RetentionStep):
    name = "certificates"
    label = "删除任何在用奖励活动都不再受理的证书库记录"

    def due(self, today, after_pk, limit):
        cutoff = needed_from(today)
        if cutoff is None:
            return []
        rows = Certificate.objects.filter(pk__gt=after_pk, issued_on__lt=cutoff).order_by("pk")
        return list(rows.values_list("pk", "number")[:limit])

    def act(self, pks, now):
        cutoff = needed_from(local_day(now))
        if cutoff is not None:
            Certificate.objects.filter(pk__in=pks, issued_on__lt=cutoff).delete()
