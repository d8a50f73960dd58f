"""The personal-data access log in the Wagtail admin: read-only, for the city service center."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet

from applications.models import PersonalDataAccess


class PersonalDataAccessViewSet(ModelViewSet):
    """Who opened full numbers, copies, forms and exports; holders of view_personaldataaccess read it."""

    model = PersonalDataAccess
    icon = "view"
    menu_label = _("个人信息查看记录")
    add_to_settings_menu = True
    list_display = ["accessed_at", "username", "what", "application", "member", "detail", "ip_address"]
    list_filter = ["what", "accessed_at"]
    search_fields = ["username", "application__reference", "detail"]
    copy_view_enabled = False
    inspect_view_enabled = False

    def get_urlpatterns(self):
        """Only the list: the log is never edited from the admin."""
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
        ]


@hooks.register("register_admin_viewset")
def register_personal_data_access_log():
    return PersonalDataAccessViewSet("personal_data_access")
