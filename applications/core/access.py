"""Who may see or do what: every such question of the portal is answered here.

The permission codenames are named once below (`programme/roles.py` gives them to the roles).
An application's personal data is seen by its own review unit's reviewers and the city union:
one rule (`visible_applications`), used by every view that shows an application, its
attachments or its full ID and bank card numbers; anyone else gets a 404, as if it did not exist.
A grassroots union's account sees only the applications its own grassroots union entered, in its
unit: never its unit's others (no exports, bundles, bulk review or pre-review).
"""

from dataclasses import dataclass

from django.db.models import Q

VIEW_ALL_APPLICATIONS = "applications.view_all_applications"
VIEW_UNIT_APPLICATIONS = "applications.view_unit_applications"
PRE_REVIEW = "applications.pre_review_application"
FINAL_REVIEW = "applications.final_review_application"
ADD_CAMPAIGN = "applications.add_campaign"
VIEW_CAMPAIGN_CHANGES = "applications.view_campaignchange"
MANAGE_MEMBERS = "applications.manage_members"
VIEW_MEMBER_CHANGES = "applications.view_memberchange"
VIEW_BATCHES = "applications.view_paymentbatch"
ADD_BATCH = "applications.add_paymentbatch"
CHANGE_BATCH = "applications.change_paymentbatch"
APPROVE_BATCH = "applications.approve_paymentbatch"
VIEW_PAYMENT_ITEMS = "applications.view_paymentitem"
IMPORT_HISTORY = "applications.import_history"
# The certificate register (证书库) holds ID numbers of people who never applied: the city service center's.
VIEW_CERTIFICATES = "applications.view_certificate"
GRASSROOTS_ENTRY = "applications.grassroots_entry_application"
MANAGE_GRASSROOTS_ACCOUNTS = "applications.manage_grassroots_accounts"
# A person's own data (export, erasure), the retention periods and the consent text: the city service center's.
HANDLE_PERSON_DATA = "applications.handle_person_data"
CHANGE_RETENTION = "applications.change_retentionpolicy"
ADD_CONSENT_TEXT = "applications.add_consenttext"


def _active(user):
    """A signed-in user whose account is active; nobody else is granted anything here."""
    return user is not None and user.is_authenticated and user.is_active


def visible_applications(user, queryset):
    """The applications in `queryset` that `user` may see."""
    if not _active(user):
        return queryset.none()
    if user.is_superuser:
        return queryset
    grassroots = grassroots_of(user)
    if grassroots is not None:  # a grassroots account is narrowed to its own entries, whatever else it holds
        return queryset.filter(unit_id=grassroots.unit_id, grassroots_entry_id=grassroots.pk)
    if _holds_grassroots_profile(user):
        return queryset.none()
    if user.has_perm(VIEW_ALL_APPLICATIONS):
        return queryset
    unit_id = getattr(getattr(user, "staff_profile", None), "unit_id", None)
    if unit_id and user.has_perm(VIEW_UNIT_APPLICATIONS):
        return queryset.filter(Q(unit_id=unit_id))
    return queryset.none()


@dataclass(frozen=True)
class Scope:
    """Whose applications a user works with: the whole city, or one review unit."""

    city_wide: bool
    unit: object = None  # a ReviewUnit when not city-wide


def review_scope(user):
    """The user's `Scope` under the rule of `visible_applications`, or None when they see none.

    None for a grassroots union's account too: it sees a part of a unit, never a unit's figures or bundles."""
    if not _active(user):
        return None
    if user.is_superuser:
        return Scope(city_wide=True)
    if _holds_grassroots_profile(user):
        return None
    if user.has_perm(VIEW_ALL_APPLICATIONS):
        return Scope(city_wide=True)
    profile = getattr(user, "staff_profile", None)
    if profile is not None and profile.unit_id and user.has_perm(VIEW_UNIT_APPLICATIONS):
        return Scope(city_wide=False, unit=profile.unit)
    return None


def _holds_grassroots_profile(user):
    return getattr(getattr(user, "staff_profile", None), "grassroots_id", None) is not None


def grassroots_of(user):
    """The grassroots union a user enters applications for (role grassroots_union), or None.

    Its unit is the one its profile names: a grassroots union of another unit gives None.
    """
    if not _active(user) or not user.has_perm(GRASSROOTS_ENTRY):
        return None
    profile = getattr(user, "staff_profile", None)
    grassroots = getattr(profile, "grassroots", None)
    if grassroots is None or grassroots.unit_id != profile.unit_id:
        return None
    return grassroots


@dataclass(frozen=True)
class EntryScope:
    """For whom a user enters paper forms and Annex 4 tables: a review unit, and for a grassroots union's
    account its grassroots union (its entries then go to the unit's pre-review, not straight to the city)."""

    unit: object
    grassroots: object = None


def entry_scope(user):
    """The user's `EntryScope`, or None when they enter no applications (the unit channel's gate)."""
    grassroots = grassroots_of(user)
    if grassroots is not None:
        return EntryScope(unit=grassroots.unit, grassroots=grassroots)
    if _holds_grassroots_profile(user):
        return None
    unit = reviewer_unit(user)
    return EntryScope(unit=unit) if unit is not None else None


def can_list_applications(user):
    """Whether `user` may open the admin's application list and review pages (scoped by `visible_applications`):
    reviewers and the city, and grassroots unions for their own entries."""
    return can_review_list(user) or grassroots_of(user) is not None


def grassroots_account_units(user):
    """The review units `user` may open grassroots union accounts for: their own unit (its reviewers) or every
    unit (the city service center), as a queryset; none for anyone else."""
    from applications.models import ReviewUnit

    if not _active(user) or not user.has_perm(MANAGE_GRASSROOTS_ACCOUNTS):
        return ReviewUnit.objects.none()
    if _holds_grassroots_profile(user):
        return ReviewUnit.objects.none()
    if user.is_superuser or user.has_perm(VIEW_ALL_APPLICATIONS):
        return ReviewUnit.objects.filter(is_active=True)
    unit = reviewer_unit(user)
    return ReviewUnit.objects.filter(pk=unit.pk) if unit is not None else ReviewUnit.objects.none()


def can_view(user, application):
    from applications.models import Application

    return visible_applications(user, Application.objects.filter(pk=application.pk)).exists()


def may_replace_applications(user):
    """Whether `user` may replace a live application under review by a higher level, whatever its unit
    or channel: the city union service center (sees every application, does the final review) only.
    Review units never may: the unit channel refuses any ID number that already has a live application."""
    if not _active(user):
        return False
    return user.has_perm(VIEW_ALL_APPLICATIONS) and user.has_perm(FINAL_REVIEW)


def may_import_history(user):
    """Whether `user` imports and sees earlier years' applicants (上年度记录): the city service center."""
    if not _active(user):
        return False
    return user.has_perm(IMPORT_HISTORY)


def may_view_certificate_register(user):
    """Whether `user` lists the certificate register (证书库, read-only, numbers masked): the city service center."""
    if not _active(user):
        return False
    return user.has_perm(VIEW_CERTIFICATES)


def sees_all_applications(user):
    """Whether `user` works with every unit's applications (the city union), not one unit's."""
    return user.is_superuser or user.has_perm(VIEW_ALL_APPLICATIONS)


def can_review_list(user):
    """Whether `user` may list applications (their own unit's or all) in the admin, export and bulk review them."""
    if _holds_grassroots_profile(user):
        return False
    return user.has_perm(VIEW_UNIT_APPLICATIONS) or user.has_perm(VIEW_ALL_APPLICATIONS)


def reviewer_unit(user):
    """The review unit a user enters and pre-reviews applications for, or None."""
    if not user.has_perm(PRE_REVIEW) or _holds_grassroots_profile(user):
        return None
    return getattr(getattr(user, "staff_profile", None), "unit", None)


def own_unit_reviewer(user, application) -> bool:
    """Whether `user` reviews for the application's own unit (the only ones who attach scans)."""
    unit = reviewer_unit(user)
    return unit is not None and user.is_active and application.unit_id == unit.pk


def progress_scope(user):
    """The user's `Scope` of the quota progress figures, or None when they may not see them."""
    from applications.core.constants import Role
    from applications.programme.roles import GROUP_NAMES

    scope = review_scope(user)
    if scope is not None and scope.city_wide:
        return scope
    # The economic work department sees the city's figures, though no application.
    if user.is_active and user.groups.filter(name=GROUP_NAMES[Role.ECONOMIC_DEPT]).exists():
        return Scope(city_wide=True)
    return scope


def user_can_roll_over(user):
    """Who makes next year's campaign: whoever may add campaigns (the economic work department).

    The rules that decide money are theirs; the notice and annexes the rollover copies are unpublished
    drafts, made on their behalf, that editors then correct and publish (editors add no campaign).
    """
    return user.has_perm(ADD_CAMPAIGN)


def _city_service_center_group():
    from applications.core.constants import Role
    from applications.programme.roles import GROUP_NAMES

    return GROUP_NAMES[Role.CITY_SERVICE_CENTER]


def sign_in_log_readers():
    """The users who read the staff sign-in log, as a filter: superusers and the city service center."""
    return Q(is_superuser=True) | Q(groups__name=_city_service_center_group())


def can_read_sign_in_events(user):
    """Superusers and the city service center may read the staff sign-in log; nobody may change it."""
    if not _active(user):
        return False
    return user.is_superuser or user.groups.filter(name=_city_service_center_group()).exists()
