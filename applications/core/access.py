"""Who may see an application's personal data: its own review unit's reviewers and the city union.

One place for the rule, used by every view that shows an application, its attachments or
its full ID and bank card numbers; anyone else gets a 404, as if it did not exist.
"""

from dataclasses import dataclass

from django.db.models import Q


def visible_applications(user, queryset):
    """The applications in `queryset` that `user` may see."""
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_superuser or user.has_perm("applications.view_all_applications"):
        return queryset
    unit_id = getattr(getattr(user, "staff_profile", None), "unit_id", None)
    if unit_id and user.has_perm("applications.view_unit_applications"):
        return queryset.filter(Q(unit_id=unit_id))
    return queryset.none()


@dataclass(frozen=True)
class Scope:
    """Whose applications a user works with: the whole city, or one review unit."""

    city_wide: bool
    unit: object = None  # a ReviewUnit when not city-wide


def review_scope(user):
    """The user's `Scope` under the rule of `visible_applications`, or None when they see none."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser or user.has_perm("applications.view_all_applications"):
        return Scope(city_wide=True)
    profile = getattr(user, "staff_profile", None)
    if profile is not None and profile.unit_id and user.has_perm("applications.view_unit_applications"):
        return Scope(city_wide=False, unit=profile.unit)
    return None


def can_view(user, application):
    from applications.models import Application

    return visible_applications(user, Application.objects.filter(pk=application.pk)).exists()


def may_replace_applications(user):
    """Whether `user` may replace a live application under review by a higher level, whatever its unit
    or channel: the city union service center (sees every application, does the final review) only.
    Review units never may: the unit channel refuses any ID number that already has a live application."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.has_perm("applications.view_all_applications") and user.has_perm(
        "applications.final_review_application"
    )
