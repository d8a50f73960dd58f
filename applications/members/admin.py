"""The member registry's admin screens: the city service center's alone, masked, every write recorded.

The registry decides who may apply and where the one-time code is texted, so only a user with
`applications.manage_members` lists, adds, edits or deletes members. ID numbers are shown masked
in the list and on the edit screen; the full number is shown only after 显示完整号码, in that
response, and the opening is recorded (`PersonalDataAccess`). The ID number cannot be edited after
creation: a member registered under a wrong number is deleted and added again, both recorded.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail_modeladmin.helpers import PermissionHelper
from wagtail_modeladmin.options import ModelAdmin, ModelAdminGroup
from wagtail_modeladmin.views import CreateView, DeleteView, EditView

from applications.core import audit
from applications.core.access import MANAGE_MEMBERS, VIEW_MEMBER_CHANGES
from applications.core.admin import SmsMessageAdmin
from applications.core.admin_pages import IndexRefusedWith403, ReadOnlyPermissionHelper, RefusedWith403, changes_text
from applications.core.client_address import client_address
from applications.core.crypto import keyed_hash
from applications.core.identity import validate_id_number, validate_mobile
from applications.core.search import KeyedIdSearchHandler
from applications.members import changes as member_changes
from applications.models import Member, MemberChange

ADMIN_SOURCE = "管理后台"


def admin_actor(request) -> member_changes.Actor:
    return member_changes.Actor(source=ADMIN_SOURCE, user=request.user, ip_address=client_address(request))


class MemberForm(WagtailAdminModelForm):
    """Checks the ID number and mobile as the import does, and that the ID is not registered twice."""

    def clean_id_number(self):
        number = validate_id_number(self.cleaned_data.get("id_number"))
        if Member.objects.filter(id_hash=keyed_hash(number)).exclude(pk=self.instance.pk).exists():
            raise ValidationError(_("该身份证号码已登记。"))
        return number

    def clean_mobile(self):
        return validate_mobile(self.cleaned_data.get("mobile"))

    def clean_name(self):
        return self.cleaned_data["name"].strip()


_OTHER_FIELDS = [
    FieldRowPanel([FieldPanel("mobile"), FieldPanel("unit")]),
    FieldRowPanel([FieldPanel("employer"), FieldPanel("grassroots_union")]),
    FieldPanel("is_verified"),
]
CREATE_PANELS = ObjectList(
    [FieldRowPanel([FieldPanel("name"), FieldPanel("id_number", widget=forms.TextInput)]), *_OTHER_FIELDS],
    base_form_class=MemberForm,
)
# No ID number field: the edit screen never renders the full number, and a post cannot change it.
EDIT_PANELS = ObjectList([FieldPanel("name"), *_OTHER_FIELDS], base_form_class=MemberForm)


class MemberPermissionHelper(PermissionHelper):
    """Everything here needs `manage_members` (the city service center), and the model permission."""

    def _manages(self, user, action=None):
        if not user.has_perm(MANAGE_MEMBERS):
            return False
        return action is None or self.user_has_specific_permission(user, self.get_perm_codename(action))

    def user_can_list(self, user):
        return self._manages(user)

    def user_can_create(self, user):
        return self._manages(user, "add")

    def user_can_inspect_obj(self, user, obj):
        return False

    def user_can_edit_obj(self, user, obj):
        return self._manages(user, "change")

    def user_can_delete_obj(self, user, obj):
        return self._manages(user, "delete")


class MemberCreateView(RefusedWith403, CreateView):
    def get_edit_handler(self):
        return CREATE_PANELS.bind_to_model(Member)

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            member_changes.record_created(self.instance, admin_actor(self.request))
        return response


class MemberEditView(RefusedWith403, EditView):
    def get_edit_handler(self):
        return EDIT_PANELS.bind_to_model(Member)

    def get_template_names(self):
        return ["applications/members/member_edit.html"]

    def get_context_data(self, **kwargs):
        kwargs.setdefault("masked_id_number", self.instance.masked_id)
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        if request.POST.get("reveal") == "id_number":
            return self.reveal_id_number(request)
        return super().post(request, *args, **kwargs)

    def reveal_id_number(self, request):
        """The full ID number in this response only (never in the form, the session or a URL), recorded."""
        audit.record(request, audit.What.ID_NUMBER, member=self.instance)
        form = self.get_form_class()(instance=self.instance, for_user=request.user)
        response = self.render_to_response(self.get_context_data(form=form, revealed_id_number=self.instance.id_number))
        add_never_cache_headers(response)
        return response

    def form_valid(self, form):
        with transaction.atomic():
            stored = Member.objects.select_for_update().get(pk=self.instance.pk)
            before = member_changes.snapshot(stored)
            response = super().form_valid(form)
            member_changes.record_changed(self.instance, before, admin_actor(self.request))
        return response


class MemberDeleteView(RefusedWith403, DeleteView):
    def delete_instance(self):
        # DeleteView.post calls this inside its transaction.
        member_changes.record_deleted(self.instance, admin_actor(self.request))
        self.instance.delete()


class MemberAdmin(ModelAdmin):
    """The city service center's alone (`manage_members`); ID numbers and mobiles masked, writes recorded."""

    model = Member
    menu_label = _("工会会员")
    menu_icon = "user"
    permission_helper_class = MemberPermissionHelper
    index_view_class = IndexRefusedWith403
    create_view_class = MemberCreateView
    edit_view_class = MemberEditView
    delete_view_class = MemberDeleteView
    list_display = ("name", "masked_id_number", "masked_mobile_number", "unit", "employer", "is_verified")
    list_filter = ("unit", "is_verified")
    list_select_related = ("unit",)
    search_fields = ("name",)
    search_handler_class = KeyedIdSearchHandler
    inspect_view_enabled = False  # it would show every field, the full ID number among them
    edit_handler = CREATE_PANELS  # the edit view uses EDIT_PANELS, without the ID number

    def masked_id_number(self, obj):
        return obj.masked_id

    masked_id_number.short_description = _("身份证号码")

    def masked_mobile_number(self, obj):
        return obj.masked_mobile

    masked_mobile_number.short_description = _("手机号码")


class MemberChangePermissionHelper(ReadOnlyPermissionHelper):
    def user_can_list(self, user):
        return user.has_perm(MANAGE_MEMBERS) and user.has_perm(VIEW_MEMBER_CHANGES)

    def user_can_inspect_obj(self, user, obj):
        return False


class MemberChangeAdmin(ModelAdmin):
    """Every create, change and delete of a member, values masked (read-only)."""

    model = MemberChange
    menu_label = _("会员名册变更记录")
    menu_icon = "history"
    permission_helper_class = MemberChangePermissionHelper
    index_view_class = IndexRefusedWith403
    list_display = ("changed_at", "member_label", "action", "changes_summary", "actor_label", "source", "ip_address")
    list_filter = ("action", "source")
    search_fields = ("member_label", "actor_label")

    def changes_summary(self, obj):
        return changes_text(obj.changes)

    changes_summary.short_description = _("变更内容（已打码）")


class MembersGroup(ModelAdminGroup):
    menu_label = _("会员与短信")
    menu_icon = "user"
    menu_order = 210
    items = (MemberAdmin, MemberChangeAdmin, SmsMessageAdmin)


def urls():
    return []


menu_items = ()
modeladmins = (MembersGroup,)
viewsets = ()
