"""Earlier years' applicants imported for the carry-over rule (`PreviousApplicant`, issue 12) under the same
retention rules as applications.

A row of year Y is read by campaign Y + 1's carry-over rule. Its case closed within year Y, so its period
counts from 31 December of Y: `personal_data_years` of the campaign that reads it (Y + 1), else of the
campaign of year Y, else the default. Then the name and ID number go; the keyed hash stays while campaign
Y + 1 may still read it (`retention.hash_still_needed`), then is replaced by a value that identifies
nobody. Year, level, result, union and the import record stay.
"""

import datetime

from django.db.models import Q

from applications.models import Campaign, PreviousApplicant, RetentionPolicy
from applications.records.retention import ANONYMISED_NAME, RetentionStep, add_period, hash_still_needed, policy_for

ANONYMISED_HASH = "anonymised-history-"


def _policy(year):
    campaign = Campaign.objects.filter(year=year + 1).first() or Campaign.objects.filter(year=year).first()
    return policy_for(campaign) if campaign else RetentionPolicy()


def _hash_needed(year, today):
    return hash_still_needed(Campaign(year=year), today)


def anonymise_rows(rows, today):
    """Empty the name and ID number of `rows` (a queryset); replace the hash where no rule reads it."""
    for row in rows.only("pk", "year"):
        values = {"name": ANONYMISED_NAME, "id_number": ""}
        if not _hash_needed(row.year, today):
            values["id_hash"] = f"{ANONYMISED_HASH}{row.pk}"
        PreviousApplicant.objects.filter(pk=row.pk).update(**values)  # not save(): it would hash ""


class HistoryStep(RetentionStep):
    name = "history"
    label = "匿名化超过保存期限的上年度申报记录（补报核对用）"

    def _due_years(self, today):
        years = PreviousApplicant.objects.order_by().values_list("year", flat=True).distinct()
        return [
            year
            for year in years
            if add_period(datetime.date(year, 12, 31), years=_policy(year).personal_data_years) <= today
        ]

    def _pending(self, today):
        condition = Q()
        for year in self._due_years(today):
            not_done = ~Q(name=ANONYMISED_NAME)
            if not _hash_needed(year, today):
                not_done |= ~Q(id_hash__startswith=ANONYMISED_HASH)
            condition |= Q(year=year) & not_done
        return PreviousApplicant.objects.filter(condition) if condition else PreviousApplicant.objects.none()

    def due(self, today, after_pk, limit):
        rows = self._pending(today).filter(pk__gt=after_pk).order_by("pk").values_list("pk", "year")[:limit]
        return [(pk, f"{year}年度 #{pk}") for pk, year in rows]

    def act(self, pks, now):
        from django.utils import timezone

        anonymise_rows(PreviousApplicant.objects.filter(pk__in=pks), timezone.localtime(now).date())
