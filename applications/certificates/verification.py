"""证书核验: an application's certificate compared with the register, and the result stored on it.

The result is stored on the application (`certificate_check`, `certificate_differences`,
`certificate_checked_at`) so the review list filters on it and the dashboard counts it in SQL. It is
computed at submission (`submission.submit`, every channel) and recomputed by `refresh` when the
register changes (`import_certificates` refreshes the applications whose certificate numbers it
touched; `recheck_certificates` refreshes every live application, for a register kept elsewhere).
When the register cannot answer, the result stays blank (未核验) and the submission goes on.

Compared, in this order: 姓名 (spaces ignored), 身份证号码 (keyed hashes), 等级 (the register's text is
the level's name or national grade, e.g. 高级工, 三级, 三级/高级工), 发证日期, 发证机构 and 职业 (names after
NFKC with spaces removed, so full- and half-width brackets are the same). An application made before
issuers were asked has no 发证机构 to compare, and that field is skipped.
"""

import logging
import re
from dataclasses import dataclass

from django.db.models import Q, Value
from django.db.models.functions import Replace, Upper
from django.utils import timezone

from applications.certificates.issuers import normalise
from applications.certificates.register import (
    RegisterUnavailable,
    get_certificate_register,
    normalise_number,
)
from applications.core.constants import LIVE_STATES
from applications.core.crypto import keyed_hash
from applications.models import Application, CertificateCheck

logger = logging.getLogger(__name__)

FIELD_LABELS = ("姓名", "身份证号码", "等级", "发证日期", "发证机构", "职业")
SEPARATOR = "、"
BATCH = 500


@dataclass(frozen=True)
class Verification:
    status: str  # a CertificateCheck value
    differences: tuple[str, ...] = ()

    @property
    def label(self):
        return CertificateCheck(self.status).label

    def fields(self, now=None) -> dict:
        """The application's stored fields for this result."""
        return {
            "certificate_check": self.status,
            "certificate_differences": SEPARATOR.join(self.differences),
            "certificate_checked_at": now or timezone.now(),
        }


def _level_matches(text, level):
    parts = [part for part in re.split(r"[/()、,]", normalise(text)) if part]
    accepted = {normalise(level.name), normalise(level.national_grade), level.code} - {""}
    return bool(parts) and all(part in accepted for part in parts)


def compare(subject, registered) -> Verification:
    """`subject` (an Application or a submission's Applicant) against a `RegisteredCertificate` or None."""
    if registered is None:
        return Verification(CertificateCheck.NOT_FOUND)
    id_hash = getattr(subject, "id_hash", "") or keyed_hash(subject.id_number)
    issuer = getattr(subject, "certificate_issuer", "")
    differing = {
        "姓名": normalise(subject.name) != normalise(registered.name),
        "身份证号码": id_hash != registered.id_hash,
        "等级": not _level_matches(registered.level, subject.new_level),
        "发证日期": subject.certificate_issued_on != registered.issued_on,
        "发证机构": bool(normalise(issuer)) and normalise(issuer) != normalise(registered.issuer),
        "职业": normalise(subject.occupation) != normalise(registered.occupation),
    }
    differences = tuple(label for label in FIELD_LABELS if differing[label])
    return Verification(CertificateCheck.DIFFERS if differences else CertificateCheck.MATCH, differences)


def verify(subject, register=None) -> Verification | None:
    """The check of one application (or applicant) now; None when the register cannot answer."""
    register = register or get_certificate_register()
    try:
        return compare(subject, register.find(subject.certificate_number))
    except RegisterUnavailable:
        logger.warning("certificate register unavailable; %s left unchecked", subject.certificate_number)
        return None


def describe(application) -> str:
    """The stored result in words, as the review page and the list show it."""
    if not application.certificate_check:
        return "未核验（证书库暂无结果）"
    text = CertificateCheck(application.certificate_check).label
    if application.certificate_check == CertificateCheck.DIFFERS:
        text += f"：{application.certificate_differences}与证书库不同"
    return text


def refresh(applications, register=None, now=None) -> dict[str, int]:
    """Recompute and store the check of every application of `applications` (a queryset); counts per result.

    Applications whose result is unchanged are not written. Raises RegisterUnavailable if the register
    cannot answer (nothing of that batch is written).
    """
    register = register or get_certificate_register()
    now = now or timezone.now()
    counts = {value: 0 for value in CertificateCheck.values}
    ids = list(applications.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        batch = list(Application.objects.select_related("new_level").filter(pk__in=ids[start : start + BATCH]))
        found = register.find_many(application.certificate_number for application in batch)
        changed = []
        for application in batch:
            result = compare(application, found.get(normalise_number(application.certificate_number)))
            counts[result.status] += 1
            fields = result.fields(now)
            if (application.certificate_check, application.certificate_differences) != (
                fields["certificate_check"],
                fields["certificate_differences"],
            ):
                for name, value in fields.items():
                    setattr(application, name, value)
                changed.append(application)
        Application.objects.bulk_update(changed, list(Verification("").fields()), batch_size=BATCH)
    return counts


def with_certificate_numbers(numbers, queryset=None):
    """The applications (of `queryset`, by default live ones) whose certificate number is one of `numbers`,
    compared as the register stores numbers (no spaces, upper case)."""
    queryset = queryset if queryset is not None else Application.objects.filter(state__in=LIVE_STATES)
    keys = sorted({normalise_number(number) for number in numbers} - {""})
    normalised = queryset.annotate(_number=Replace(Upper("certificate_number"), Value(" "), Value("")))
    condition = Q()
    for start in range(0, len(keys), BATCH):
        condition |= Q(_number__in=keys[start : start + BATCH])
    return normalised.filter(condition) if keys else queryset.none()


def needs_confirmation(application) -> bool:
    """A differing certificate not yet confirmed by a reviewer in the application's present state."""
    return (
        application.certificate_check == CertificateCheck.DIFFERS
        and application.certificate_confirmed_state != application.state
    )


def awaiting_confirmation_q() -> Q:
    """`needs_confirmation` as a query condition, for the bulk screens."""
    from django.db.models import F

    return Q(certificate_check=CertificateCheck.DIFFERS) & ~Q(certificate_confirmed_state=F("state"))


def confirm(application, user, now=None):
    """Record that `user` checked the differing certificate by hand and accepts it in the present state."""
    now = now or timezone.now()
    Application.objects.filter(pk=application.pk).update(
        certificate_confirmed_state=application.state, certificate_confirmed_by=user, certificate_confirmed_at=now
    )
    application.certificate_confirmed_state = application.state
    application.certificate_confirmed_by = user
    application.certificate_confirmed_at = now
    return application
