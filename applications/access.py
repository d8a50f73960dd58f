"""Who may see an application's personal data: its own review unit's reviewers and the city union.

One place for the rule, used by every view that shows an application, its attachments or
its full ID and bank card numbers; anyone else gets a 404, as if it did not exist.
"""

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


def can_view(user, application):
    from .models import Application

    return visible_applications(user, Application.objects.filter(pk=application.pk)).exists()
