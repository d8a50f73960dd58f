"""A read-only list of sign-in events in the Wagtail admin, for superusers and the city service center."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q
from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import BooleanColumn
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import BasePermissionPolicy

from applications.core.constants import Role
from applications.programme.roles import GROUP_NAMES
from staff_auth.models import SignInEvent

READER_GROUP = GROUP_NAMES[Role.CITY_SERVICE_CENTER]


def can_read_sign_in_events(user):
    """Superusers and the city service center may read the log; nobody may change it."""
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or user.groups.filter(name=READER_GROUP).exists()


class SignInEventPermissionPolicy(BasePermissionPolicy):
    """Only "view", and only for the readers of `can_read_sign_in_events`."""

    def user_has_permission(self, user, action):
        return action == "view" and can_read_sign_in_events(user)

    def user_has_any_permission(self, user, actions):
        return "view" in actions and can_read_sign_in_events(user)

    def users_with_any_permission(self, actions):
        User = get_user_model()
        if "view" not in actions:
            return User.objects.none()
        readers = Q(is_superuser=True) | Q(groups__name=READER_GROUP)
        return User.objects.filter(readers, is_active=True).distinct()


class SignInEventViewSet(ModelViewSet):
    model = SignInEvent
    icon = "key"
    menu_label = _("登录记录")
    add_to_settings_menu = True
    list_display = ["created_at", "username", "user", "ip", BooleanColumn("succeeded", label=_("成功")), "reason"]
    list_filter = ["succeeded", "reason"]
    search_fields = ["username", "ip"]
    inspect_view_enabled = True
    copy_view_enabled = False

    def get_urlpatterns(self):
        """Only the list and the detail view: the log is never edited from the admin."""
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
        ]

    def get_permissions_to_register(self):
        return Permission.objects.none()  # the policy above decides, not group permissions
