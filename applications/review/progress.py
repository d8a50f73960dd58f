"""Quota progress: how far each review unit is towards its guidance number (指导数) in a campaign.

The figures, per unit (cumulative, so that each column reads "reached at least this stage"):

- ``submitted``: every live application (submitted, unit_approved, approved, payment_failed or
  paid). Rejected and withdrawn applications are not counted; a rejected person who applies again
  is counted once, through the new application.
- ``unit_approved``: passed the unit's pre-review (unit_approved and every later live state).
- ``approved``: passed the city union's final review (approved, payment_failed, paid). A failed
  payment does not undo the approval: the reward is still due once the bank card is corrected.
- ``paid``: paid.
- ``amount_approved`` / ``amount_paid``: yuan, summed over ``approved`` / ``paid``.
- ``percentage``: ``submitted`` / guidance number × 100; ``None`` when the guidance number is 0.
  A guidance number is a target, never a cap (上不封顶), so it may exceed 100.

Each row also holds the count in each single state (``awaiting_unit``, ``awaiting_city``,
``awaiting_payment`` (approved or payment_failed: approved, not yet paid), ``payment_failed`` (of
those, waiting for a corrected bank card), ``paid``) and, for information only, ``rejected`` and
``withdrawn``; and the live applications by their stored 证书核验 (``certificate_match``,
``certificate_not_found``, ``certificate_differs``, ``certificate_unchecked``).
"""

from dataclasses import dataclass, fields

from django.db.models import Count, Exists, FilteredRelation, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext

from applications.core.constants import ApplicationState
from applications.models import Application, CertificateCheck, Quota, ReviewUnit

S = ApplicationState
REACHED_UNIT_APPROVAL = (S.UNIT_APPROVED, S.APPROVED, S.PAYMENT_FAILED, S.PAID)
REACHED_APPROVAL = (S.APPROVED, S.PAYMENT_FAILED, S.PAID)
AWAITING_PAYMENT = (S.APPROVED, S.PAYMENT_FAILED)
LIVE = (S.SUBMITTED, S.RETURNED, *REACHED_UNIT_APPROVAL)


@dataclass(frozen=True)
class UnitProgress:
    """One review unit's figures in one campaign (or, with ``unit_id`` None, the city total)."""

    unit_id: int | None
    unit_name: str
    guidance: int = 0
    submitted: int = 0
    unit_approved: int = 0
    approved: int = 0
    paid: int = 0
    awaiting_unit: int = 0
    awaiting_city: int = 0
    awaiting_payment: int = 0
    payment_failed: int = 0
    rejected: int = 0
    withdrawn: int = 0
    amount_approved: int = 0
    amount_paid: int = 0
    # 证书核验 of the live applications (``submitted``), by stored result; unchecked: no result yet.
    certificate_match: int = 0
    certificate_not_found: int = 0
    certificate_differs: int = 0
    certificate_unchecked: int = 0

    @property
    def percentage(self) -> float | None:
        """Live applications as a percentage of the guidance number; None without a guidance number."""
        if not self.guidance:
            return None
        return self.submitted * 100 / self.guidance

    @property
    def is_total(self) -> bool:
        return self.unit_id is None


_COUNTED = [f.name for f in fields(UnitProgress) if f.name not in ("unit_id", "unit_name")]


def _count(states):
    return Count("campaign_applications", filter=Q(campaign_applications__state__in=states))


def _count_certificates(result):
    return Count(
        "campaign_applications",
        filter=Q(campaign_applications__state__in=LIVE, campaign_applications__certificate_check=result),
    )


def _amount(states):
    return Coalesce(
        Sum("campaign_applications__amount", filter=Q(campaign_applications__state__in=states)),
        Value(0),
        output_field=IntegerField(),
    )


def unit_progress(campaign, units=None) -> list[UnitProgress]:
    """Each unit's figures in `campaign`, in Annex 1 order, computed in one query.

    Without `units`: every unit that has a guidance number in the campaign or an application
    in it (a unit without a quota row shows guidance 0). With `units` (review units or their
    ids): exactly those units, each one shown even when it has neither.
    """
    quotas = Quota.objects.filter(campaign=campaign, unit=OuterRef("pk")).order_by()
    queryset = ReviewUnit.objects.annotate(
        campaign_applications=FilteredRelation("applications", condition=Q(applications__campaign=campaign))
    )
    if units is None:
        queryset = queryset.filter(
            Exists(quotas) | Exists(Application.objects.filter(campaign=campaign, unit=OuterRef("pk")))
        )
    else:
        queryset = queryset.filter(pk__in=[getattr(unit, "pk", unit) for unit in units])
    queryset = (
        queryset.order_by("sort_order", "name")
        .values("pk", "name", "sort_order")
        .annotate(
            guidance=Coalesce(Subquery(quotas.values("guidance_number")[:1]), Value(0)),
            submitted=_count(LIVE),
            unit_approved=_count(REACHED_UNIT_APPROVAL),
            approved=_count(REACHED_APPROVAL),
            paid=_count([S.PAID]),
            awaiting_unit=_count([S.SUBMITTED]),
            awaiting_city=_count([S.UNIT_APPROVED]),
            awaiting_payment=_count(AWAITING_PAYMENT),
            payment_failed=_count([S.PAYMENT_FAILED]),
            rejected=_count([S.REJECTED]),
            withdrawn=_count([S.WITHDRAWN]),
            amount_approved=_amount(REACHED_APPROVAL),
            amount_paid=_amount([S.PAID]),
            certificate_match=_count_certificates(CertificateCheck.MATCH),
            certificate_not_found=_count_certificates(CertificateCheck.NOT_FOUND),
            certificate_differs=_count_certificates(CertificateCheck.DIFFERS),
            certificate_unchecked=_count_certificates(""),
        )
    )
    return [
        UnitProgress(unit_id=row["pk"], unit_name=row["name"], **{name: row[name] for name in _COUNTED})
        for row in queryset
    ]


def city_totals(rows, label=None) -> UnitProgress:
    """The total of `rows`: sums of every figure, with the percentage of the summed guidance numbers."""
    return UnitProgress(
        unit_id=None,
        unit_name=label or gettext("合计"),
        **{name: sum(getattr(row, name) for row in rows) for name in _COUNTED},
    )
