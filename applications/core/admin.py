"""Admin screens of the shared records: the personal-data access log (read-only, for the city service
center) and the text message log (listed under 会员与短信 by `applications.members.admin`)."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail_modeladmin.options import ModelAdmin

from applications.core.admin_pages import ReadOnlyPermissionHelper
from applications.core.crypto import mask
from applications.models import PersonalDataAccess, SmsMessage


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


def personal_data_access_log():
    return PersonalDataAccessViewSet("personal_data_access")


class SmsMessageAdmin(ModelAdmin):
    model = SmsMessage
    menu_label = _("短信记录")
    menu_icon = "mail"
    permission_helper_class = ReadOnlyPermissionHelper
    inspect_view_enabled = True
    inspect_view_fields = ("created_at", "to", "purpose", "backend", "status", "error", "text")
    list_display = ("created_at", "masked_to", "purpose", "status", "backend")
    list_filter = ("status", "purpose")

    def masked_to(self, obj):
        return mask(obj.to, head=3, tail=4)

    masked_to.short_description = _("手机号码")


def urls():
    return []


menu_items = ()
modeladmins = ()
viewsets = (personal_data_access_log,)
