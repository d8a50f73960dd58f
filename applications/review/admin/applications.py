"""The review screens in the Wagtail admin: the scoped list of applications and the review page."""

from django.contrib import messages
from django.contrib.admin import SimpleListFilter
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from wagtail.admin.menu import MenuItem
from wagtail_modeladmin.helpers import ButtonHelper, PermissionHelper
from wagtail_modeladmin.options import ModelAdmin

from applications.certificates import verification
from applications.core import audit
from applications.core.access import (
    PRE_REVIEW,
    VIEW_ALL_APPLICATIONS,
    can_list_applications,
    can_review_list,
    grassroots_of,
    reviewer_unit,
    visible_applications,
)
from applications.core.constants import ApplicationState
from applications.core.search import KeyedIdSearchHandler
from applications.models import Application
from applications.review import checks as review_checks
from applications.review.admin.certificates import CertificateCheckFilter, certificate_column
from applications.review.admin.listing import ReviewListView
from applications.review.workflow import TRANSITIONS, WorkflowError, allowed_actions, take, take_many


class ApplicationPermissionHelper(PermissionHelper):
    """Reviewers list their own unit's applications (the queryset is scoped); nobody edits them here."""

    def user_can_list(self, user):
        return can_list_applications(user)

    def user_can_create(self, user):
        return False

    def user_can_inspect_obj(self, user, obj):
        return False

    def user_can_edit_obj(self, user, obj):
        return False

    def user_can_delete_obj(self, user, obj):
        return False


class ApplicationButtonHelper(ButtonHelper):
    """One button a row, to the review page; its texts translated once a page, not in each row."""

    @cached_property
    def review_texts(self):
        return {"label": str(_("审阅")), "title": str(_("查看申报材料并办理"))}

    def get_buttons_for_obj(self, obj, *args, **kwargs):
        return [
            {
                "url": reverse("applications_review", args=[obj.pk]),
                "classname": "button button-small button-secondary",
                **self.review_texts,
            }
        ]


class GrassrootsUnionFilter(SimpleListFilter):
    """The city checks that every employer has a union organisation (受奖励人员所在单位必须建立工会组织)."""

    title = _("基层工会")
    parameter_name = "grassroots"

    def lookups(self, request, model_admin):
        return [("missing", _("未填写基层工会")), ("present", _("已填写"))]

    def queryset(self, request, queryset):
        if self.value() == "missing":
            return queryset.filter(grassroots_union__regex=r"^\s*$")
        if self.value() == "present":
            return queryset.exclude(grassroots_union__regex=r"^\s*$")
        return queryset


class EnteredByFilter(SimpleListFilter):
    """Entries of one grassroots union of the reviewer's unit (基层工会初审), or none of them."""

    title = _("录入的基层工会")
    parameter_name = "entered_by"

    def lookups(self, request, model_admin):
        from applications.models import GrassrootsUnion

        unions = GrassrootsUnion.objects.select_related("unit")
        unit = reviewer_unit(request.user)
        if unit is not None:
            unions = unions.filter(unit=unit)
        label = (lambda union: union.name) if unit is not None else str
        return [("none", _("非基层工会录入")), *[(str(union.pk), label(union)) for union in unions]]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "none":
            return queryset.filter(grassroots_entry__isnull=True)
        if value and value.isdigit():
            return queryset.filter(grassroots_entry_id=int(value))
        return queryset


class ApplicationAdmin(ModelAdmin):
    model = Application
    menu_label = _("申报审核")
    menu_icon = "form"
    menu_order = 150
    permission_helper_class = ApplicationPermissionHelper
    button_helper_class = ApplicationButtonHelper
    index_view_class = ReviewListView
    index_template_name = "applications/review/application_list.html"
    search_handler_class = KeyedIdSearchHandler
    search_fields = ("name", "certificate_number", "reference")
    list_display = (
        "reference",
        "name",
        "masked_id_number",
        "new_level",
        "amount",
        "unit",
        "channel",
        "state",
        "certificate",
        "submitted_at",
    )
    list_filter = ("state", "channel", "new_level", CertificateCheckFilter, "submitted_at")
    list_select_related = ("unit", "new_level")
    list_per_page = 50
    ordering = ("-submitted_at",)
    index_view_extra_css = ["css/review-list.css"]

    def get_queryset(self, request):
        return visible_applications(request.user, super().get_queryset(request))

    def get_list_filter(self, request):
        if grassroots_of(request.user) is not None:
            return ("state", "new_level", "submitted_at")
        if request.user.has_perm(VIEW_ALL_APPLICATIONS):
            return (*self.list_filter, "unit", GrassrootsUnionFilter, EnteredByFilter)
        return (*self.list_filter, EnteredByFilter)

    def masked_id_number(self, obj):
        return obj.masked_id

    masked_id_number.short_description = _("身份证号码")

    def certificate(self, obj):
        return certificate_column(obj)

    certificate.short_description = certificate_column.short_description


CONFIRM_CERTIFICATE = "confirm_certificate"
REVEALABLE = {"id_number": audit.What.ID_NUMBER, "bank_card": audit.What.BANK_CARD}


@require_http_methods(["GET", "POST"])
def review(request, pk):
    """One application: every Annex 3 field, the rule checks, the copies, the history, and the actions."""
    if not can_list_applications(request.user):
        raise Http404
    queryset = visible_applications(
        request.user, Application.objects.select_related("campaign", "unit", "new_level", "grassroots_entry")
    )
    application = get_object_or_404(queryset, pk=pk)
    opinion = request.POST.get("opinion", "")
    revealed = {}
    if request.method == "POST" and request.POST.get("reveal") in REVEALABLE:
        # Shown in this response only (never in the session or a URL), and recorded.
        field = request.POST["reveal"]
        audit.record(request, REVEALABLE[field], application)
        revealed[field] = getattr(application, field)
    elif request.method == "POST" and request.POST.get("action") == CONFIRM_CERTIFICATE:
        if not verification.needs_confirmation(application) or not allowed_actions(request.user, application):
            raise Http404
        verification.confirm(application, request.user)
        messages.success(request, _("%(ref)s：证书信息已核对确认，可以办理。") % {"ref": application.reference})
        return redirect("applications_review", pk=application.pk)
    elif request.method == "POST":
        action = request.POST.get("action")
        if action not in TRANSITIONS:
            raise Http404
        try:
            take(action, application, request.user, opinion)
        except WorkflowError as error:
            messages.error(request, str(error))
        else:
            done = _("%(ref)s：已%(verb)s。") % {"ref": application.reference, "verb": TRANSITIONS[action].verb}
            messages.success(request, done)
            return redirect("applications_review", pk=application.pk)
    return TemplateResponse(
        request,
        "applications/review/review.html",
        {
            "application": application,
            "checks": review_checks.checks_for(application),
            "attachments": application.attachments.all(),
            "events": application.events.select_related("actor"),
            "actions": [(name, TRANSITIONS[name]) for name in allowed_actions(request.user, application)],
            "certificate_to_confirm": verification.needs_confirmation(application),
            "opinion": opinion,
            "revealed": revealed,
            "index_url": reverse("applications_application_modeladmin_index"),
            "correct_url": _correct_url(request.user, application),
            "grassroots_view": grassroots_of(request.user) is not None,  # no unit-wide links
        },
    )


def _correct_url(user, application):
    """The grassroots union's link to correct and resubmit its entry sent back to it, else None."""
    grassroots = grassroots_of(user)
    if grassroots is None or application.grassroots_entry_id != grassroots.pk:
        return None
    if application.state != ApplicationState.RETURNED:
        return None
    return reverse("applications_grassroots_correct", args=[application.pk])


BULK_PAGE_SIZE = 100


@require_http_methods(["GET", "POST"])
def bulk_review(request):
    """Approve or reject many pending applications with one opinion; each one checked on its own."""
    if not can_review_list(request.user):
        raise Http404
    own_step = "unit_approve" if request.user.has_perm(PRE_REVIEW) else "city_approve"
    source = TRANSITIONS[own_step].source
    waiting = visible_applications(
        request.user, Application.objects.filter(state=source).select_related("unit", "new_level")
    ).order_by("submitted_at")
    # A differing certificate is confirmed and decided one by one on its review page, never here.
    pending = waiting.exclude(verification.awaiting_confirmation_q())
    held = waiting.filter(verification.awaiting_confirmation_q())
    opinion = request.POST.get("opinion", "")
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in TRANSITIONS or TRANSITIONS[action].source != source:
            raise Http404
        chosen = pending.filter(pk__in=request.POST.getlist("application"))
        done, refused = take_many(action, chosen, request.user, opinion)
        if done:
            messages.success(
                request, _("已%(verb)s %(count)s 份申报。") % {"verb": TRANSITIONS[action].verb, "count": len(done)}
            )
        for application, reason in refused:
            messages.error(request, f"{application.reference}：{reason}")
        if done and not refused:
            return redirect("applications_bulk_review")
    actions = [
        (name, t) for name, t in TRANSITIONS.items() if t.source == source and request.user.has_perm(t.permission)
    ]
    return TemplateResponse(
        request,
        "applications/review/bulk_review.html",
        {
            "pending": pending[:BULK_PAGE_SIZE],
            "count": pending.count(),
            "held": held[:BULK_PAGE_SIZE],
            "held_count": held.count(),
            "actions": actions,
            "opinion": opinion,
        },
    )


def review_urls():
    return [
        path("applications/review/<int:pk>/", review, name="applications_review"),
        path("applications/bulk/", bulk_review, name="applications_bulk_review"),
    ]


class ReviewerMenuItem(MenuItem):
    def is_shown(self, request):
        return can_review_list(request.user)


def bulk_review_menu_item():
    return ReviewerMenuItem(_("批量办理"), reverse("applications_bulk_review"), icon_name="tasks", order=151)
