"""证书库 in the admin: the certificate register, read-only, for the city service center.

The register is filled only by `import_certificates`; this list lets the people who compare applications
with it look at what it holds. It holds the names and ID numbers of people who never applied, so only a
user with `applications.view_certificate` (the city service center) sees the menu item or the list; anyone
else gets a 403. Nobody adds, edits or deletes a row here. ID numbers are shown masked; an exact
18-character ID number finds its certificates through the keyed hash, never by decrypting the table.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail_modeladmin.helpers.search import DjangoORMSearchHandler
from wagtail_modeladmin.options import ModelAdmin
from wagtail_modeladmin.views import CreateView, DeleteView, EditView

from applications.certificates.register import normalise_number
from applications.core.access import may_view_certificate_register
from applications.core.admin_pages import IndexRefusedWith403, ReadOnlyPermissionHelper, RefusedWith403
from applications.core.crypto import keyed_hash
from applications.core.search import looks_like_id_number
from applications.models import Certificate


class RegisterSearchHandler(DjangoORMSearchHandler):
    """A certificate number as the register stores it (spaces and case ignored) or a part of one, a name,
    or an exact ID number through its keyed hash (an 18-digit certificate number is still found by number)."""

    def search_queryset(self, queryset, search_term, **kwargs):
        number = normalise_number(search_term)
        if not number:
            return queryset
        if looks_like_id_number(number):
            return queryset.filter(Q(id_hash=keyed_hash(number)) | Q(number=number))
        name = " ".join(search_term.split())
        return queryset.filter(Q(number__contains=number) | Q(name__icontains=name))


class RegisterPermissionHelper(ReadOnlyPermissionHelper):
    def user_can_list(self, user):
        return may_view_certificate_register(user)

    def user_can_inspect_obj(self, user, obj):
        return False


# Nobody may add, edit or delete (ReadOnlyPermissionHelper): their URLs answer 403, as the other guarded screens do.
class RefusedCreateView(RefusedWith403, CreateView):
    pass


class RefusedEditView(RefusedWith403, EditView):
    pass


class RefusedDeleteView(RefusedWith403, DeleteView):
    pass


class CertificateAdmin(ModelAdmin):
    """The register by certificate number, ID numbers masked; filters by level and by when a row was imported."""

    model = Certificate
    menu_label = _("证书库")
    menu_icon = "clipboard-list"
    menu_order = 216  # beside 上年度记录 (215): the other list the review checks compare against
    permission_helper_class = RegisterPermissionHelper
    index_view_class = IndexRefusedWith403
    create_view_class = RefusedCreateView
    edit_view_class = RefusedEditView
    delete_view_class = RefusedDeleteView
    inspect_view_enabled = False
    list_display = ("number", "name", "masked_id_number", "occupation", "level", "issued_on", "issuer", "updated_at")
    list_filter = ("level", "updated_at")
    ordering = ("number",)
    list_per_page = 50
    search_fields = ("number", "name")
    search_handler_class = RegisterSearchHandler
    unbroken_columns = ("number", "masked_id_number", "issued_on", "updated_at")
    # The review list's layout (the table whole, the filters beside it or below), numbers never broken.
    index_view_extra_css = ["css/review-list.css", "css/certificate-register.css"]

    def get_extra_class_names_for_field_col(self, obj, field_name):
        """Numbers and dates on one line each: a broken number is misread."""
        return ["nowrap"] if field_name in self.unbroken_columns else []

    def masked_id_number(self, obj):
        return obj.masked_id

    masked_id_number.short_description = _("身份证号码")


def urls():
    return []


menu_items = ()
modeladmins = (CertificateAdmin,)
viewsets = ()
