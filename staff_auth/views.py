"""A read-only list of sign-in events in the Wagtail admin, for superusers and the city service center."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import BooleanColumn
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import BasePermissionPolicy

from applications.core.access import can_read_sign_in_events, sign_in_log_readers
from staff_auth.models import SignInEvent


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
        return User.objects.filter(sign_in_log_readers(), is_active=True).distinct()


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
