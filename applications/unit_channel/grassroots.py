"""Grassroots unions online (基层工会初审): their accounts, their entries' counts, and correcting an entry.

A grassroots union's account (role grassroots_union) enters paper forms and Annex 4 tables for its
members with its 初审 opinion; each entry starts as submitted, for its review unit to pre-review.
The unit approves it to the city, rejects it, or sends it back (returned) with a reason; the
grassroots union then corrects it here and resubmits it. Services take values, never a request.
"""

import secrets
import string
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from applications.apply.submission import UNIT_DUPLICATE, SubmissionError, check_rules
from applications.core.access import grassroots_of
from applications.core.constants import ApplicationState as S
from applications.core.constants import Role
from applications.models import GrassrootsUnion
from applications.review.workflow import WorkflowError, take

PASSWORD_ALPHABET = string.ascii_letters + string.digits
PASSWORD_LENGTH = 14


def new_password():
    """A first password for a new account, shown once to the reviewer who opens it (letters and digits)."""
    while True:
        password = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))
        if any(c.isdigit() for c in password) and any(c.isalpha() for c in password):
            return password


@dataclass(frozen=True)
class NewAccount:
    user: object
    password: str
    device: object  # the authenticator (TOTPDevice), its key shown once


def open_account(unit, grassroots_name, username, *, full_name=""):
    """A new grassroots union's account under `unit`, with a generated password and an authenticator.

    Raises StaffError (from `programme.staff`) when it cannot be made, e.g. the username is taken.
    The password and the authenticator's key are returned to be shown once and are stored only hashed
    or in the authenticator's record: the reviewer hands them over in person.
    """
    from django.contrib.auth import get_user_model

    from applications.programme.staff import StaffError, create_staff
    from staff_auth.devices import issue_device

    if get_user_model().objects.filter(username=username).exists():
        raise StaffError(f"用户名“{username}”已被使用，请换一个。")
    password = new_password()
    with transaction.atomic():
        user, _created = create_staff(
            username,
            Role.GRASSROOTS_UNION,
            password=password,
            unit_name=unit.name,
            grassroots_name=grassroots_name,
            full_name=full_name,
        )
        device = issue_device(user)
    return NewAccount(user, password, device)


@dataclass(frozen=True)
class GrassrootsCounts:
    grassroots: GrassrootsUnion
    awaiting_unit: int
    returned: int
    passed: int
    rejected: int
    total: int


PASSED = (S.UNIT_APPROVED, S.APPROVED, S.PAID, S.PAYMENT_FAILED)


def counts_per_grassroots(unit, campaign):
    """Each grassroots union of `unit` with its entries in `campaign`: awaiting pre-review, sent back,
    passed the unit (and beyond), rejected, and all of them (withdrawn ones included)."""
    in_campaign = Q(entries__campaign=campaign)
    unions = (
        GrassrootsUnion.objects.filter(unit=unit)
        .annotate(
            awaiting_unit=Count("entries", filter=in_campaign & Q(entries__state=S.SUBMITTED)),
            returned=Count("entries", filter=in_campaign & Q(entries__state=S.RETURNED)),
            passed=Count("entries", filter=in_campaign & Q(entries__state__in=PASSED)),
            rejected=Count("entries", filter=in_campaign & Q(entries__state=S.REJECTED)),
            total=Count("entries", filter=in_campaign),
        )
        .order_by("name")
    )
    return [
        GrassrootsCounts(union, union.awaiting_unit, union.returned, union.passed, union.rejected, union.total)
        for union in unions
    ]


OPINION_REQUIRED = "请填写基层工会初审意见。"


def resubmit(application, applicant, user, *, opinion, now=None):
    """Store the corrected Annex 3 values of `application`, sent back to `user`'s grassroots union, and
    put it back to its review unit's pre-review with the new 初审 opinion; returns it refreshed.

    Checked as a new entry would be (the rules, one live application per person); raises
    SubmissionError (with the field) or WorkflowError, changing nothing.
    """
    now = now or timezone.now()
    grassroots = grassroots_of(user)
    if grassroots is None or application.grassroots_entry_id != grassroots.pk:
        raise WorkflowError("您无权办理这份申报。")
    opinion = (opinion or "").strip()
    if not opinion:
        raise SubmissionError(OPINION_REQUIRED, "grassroots_opinion")
    if applicant.unit.pk != application.unit_id:
        raise SubmissionError("基层工会的申报只能交所属审核单位审核。", "unit")
    decision = check_rules(application.campaign, applicant, now=now)
    values = {**vars(applicant), "grassroots_union": grassroots.name, "grassroots_opinion": opinion}
    try:
        with transaction.atomic():
            take("resubmit", application, user, opinion, now=now, via="grassroots")
            for name, value in values.items():
                setattr(application, name, value)
            application.amount = decision.amount
            application.window = decision.window
            application.eligibility_reason = decision.reason
            application.state_reason = ""
            application.save()
    except IntegrityError as error:  # the corrected ID number already has a live application
        raise SubmissionError(UNIT_DUPLICATE, "id_number") from error
    application.refresh_from_db()
    return application


def returned_entries(user, queryset):
    """The applications sent back to `user`'s grassroots union, awaiting its correction."""
    grassroots = grassroots_of(user)
    if grassroots is None:
        return queryset.none()
    return queryset.filter(unit_id=grassroots.unit_id, grassroots_entry=grassroots, state=S.RETURNED)
