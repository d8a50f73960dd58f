"""Grassroots unions in the admin: a review unit opens accounts for its grassroots unions and sees their
entries counted; a grassroots union corrects an entry sent back to it and resubmits it.

A new account gets a generated password and an authenticator at once: the screen shows both once
(the key also as a QR code) for the reviewer to hand over in person, as `create_staff --otp` prints
them at the terminal; a lost phone is re-enrolled with `staff_otp USERNAME --reset` by the city.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from wagtail.admin.menu import MenuItem

from applications.apply.submission import SubmissionError
from applications.core import audit
from applications.core.access import grassroots_account_units, grassroots_of, visible_applications
from applications.core.admin_pages import admin_page
from applications.core.constants import ApplicationState, Role
from applications.models import Application, Campaign
from applications.programme import eligibility
from applications.programme.roles import GROUP_NAMES
from applications.programme.staff import StaffError
from applications.review.workflow import WorkflowError
from applications.unit_channel import grassroots as service
from applications.unit_channel.admin.paper_entry import _applicant
from applications.unit_channel.forms import PaperApplicationForm

USERNAME_HELP = gettext_lazy("字母、数字或 @.+-_，登录时使用，如 xihu-abc。")


class GrassrootsAccountForm(forms.Form):
    """A new grassroots union's account: which unit (the city chooses), which grassroots union, who."""

    unit = forms.ModelChoiceField(label=gettext_lazy("所属审核单位"), queryset=None, empty_label=None)
    grassroots_name = forms.CharField(
        label=gettext_lazy("基层工会名称"),
        max_length=100,
        help_text=gettext_lazy("如“杭州某某有限公司工会”；已有的基层工会可再开一个账号。"),
        error_messages={"required": gettext_lazy("请填写基层工会名称。")},
    )
    username = forms.RegexField(
        label=gettext_lazy("用户名"),
        max_length=150,
        regex=r"^[\w.@+-]+\Z",
        help_text=USERNAME_HELP,
        error_messages={"invalid": USERNAME_HELP, "required": gettext_lazy("请填写用户名。")},
    )
    full_name = forms.CharField(
        label=gettext_lazy("联系人姓名"), max_length=150, required=False, help_text=gettext_lazy("可不填。")
    )

    def __init__(self, units, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        if units.count() == 1:
            self.fields["unit"].initial = units.first().pk
            self.fields["unit"].disabled = True  # a unit's reviewer: always their own unit, whatever is posted
            self.fields["unit"].widget = forms.HiddenInput()

    def clean_grassroots_name(self):
        return " ".join(self.cleaned_data["grassroots_name"].split())

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if get_user_model().objects.filter(username=username).exists():
            raise forms.ValidationError(_("用户名“%(name)s”已被使用，请换一个。") % {"name": username})
        return username


def _accounts(units):
    User = get_user_model()
    return (
        User.objects.filter(groups__name=GROUP_NAMES[Role.GRASSROOTS_UNION], staff_profile__grassroots__unit__in=units)
        .select_related("staff_profile__grassroots__unit")
        .order_by("staff_profile__grassroots__unit__sort_order", "staff_profile__grassroots__name", "username")
    )


@require_http_methods(["GET", "POST"])
def accounts(request):
    """The grassroots unions' accounts of the user's unit (or every unit, for the city), their entries
    counted, and the form that opens a new one; the new password and key are shown once, never again."""
    units = grassroots_account_units(request.user)
    if not units.exists():
        raise Http404
    data = request.POST if request.method == "POST" else None
    form = GrassrootsAccountForm(units, data)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            created = service.open_account(
                form.cleaned_data["unit"],
                form.cleaned_data["grassroots_name"],
                form.cleaned_data["username"],
                full_name=form.cleaned_data["full_name"],
            )
        except StaffError as error:
            form.add_error(None, str(error))
        else:
            form = GrassrootsAccountForm(units)
    campaign = Campaign.objects.current()
    counts = []
    if campaign is not None and units.count() == 1:
        counts = service.counts_per_grassroots(units.first(), campaign)
    response = admin_page(
        request,
        "applications/unit_channel/grassroots/accounts.html",
        _("基层工会账号"),
        {
            "form": form,
            "created": created,
            "enrolment": _enrolment(created.device) if created else None,
            "accounts": _accounts(units),
            "counts": counts,
            "campaign": campaign,
            "index_url": reverse("applications_application_modeladmin_index"),
        },
        icon="group",
    )
    add_never_cache_headers(response)
    patch_cache_control(response, private=True)
    return response


def _enrolment(device):
    import segno

    from staff_auth.devices import base32_key

    return {
        "qr": segno.make(device.config_url, error="m").svg_inline(scale=4, title=_("动态验证码二维码")),
        "url": device.config_url,
        "key": base32_key(device),
    }


def _initial(application):
    fields = PaperApplicationForm.base_fields
    initial = {name: getattr(application, name) for name in fields if hasattr(application, name)}
    initial["unit"] = application.unit_id
    initial["previous_level"] = application.previous_level_id
    initial["new_level"] = application.new_level_id
    initial["is_migrant"] = "yes" if application.is_migrant else "no"
    initial["grassroots_opinion"] = ""
    return initial


@require_http_methods(["GET", "POST"])
def correct(request, pk):
    """A grassroots union corrects its entry sent back by its review unit, and resubmits it for pre-review."""
    grassroots = grassroots_of(request.user)
    if grassroots is None:
        raise Http404
    queryset = visible_applications(request.user, Application.objects.select_related("campaign", "unit"))
    application = get_object_or_404(queryset, pk=pk, grassroots_entry=grassroots)
    if application.state != ApplicationState.RETURNED:
        messages.error(request, _("这份申报现在是“%(state)s”，不能更正。") % {"state": application.get_state_display()})
        return redirect("applications_review", pk=application.pk)
    rules = eligibility.rules_for(application.campaign)
    data = request.POST if request.method == "POST" else None
    form = PaperApplicationForm(
        rules,
        application.unit,
        data,
        initial=_initial(application),
        today=timezone.localdate(),
        grassroots=grassroots,
    )
    form.fields.pop("paper_consent", None)  # given with the first entry, and recorded with it then
    for name in ("certificate_issued_on", "previous_level_obtained_on"):
        form.fields[name].widget.format = "%Y-%m-%d"  # what <input type="date"> takes, in every language
    if request.method == "GET":  # the form shows the full numbers to correct: recorded as a reveal is
        audit.record(request, audit.What.ID_NUMBER, application, detail="更正申请表")
        audit.record(request, audit.What.BANK_CARD, application, detail="更正申请表")
    if request.method == "POST" and form.is_valid():
        try:
            service.resubmit(
                application, _applicant(form), request.user, opinion=form.cleaned_data["grassroots_opinion"]
            )
        except SubmissionError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("%(ref)s：已更正并重新提交%(unit)s预审。")
                % {"ref": application.reference, "unit": application.unit.name},
            )
            return redirect("applications_review", pk=application.pk)
    returns = application.events.filter(to_state=ApplicationState.RETURNED).order_by("-created_at", "-pk")
    return admin_page(
        request,
        "applications/unit_channel/grassroots/correct.html",
        _("更正并重新提交 %(ref)s") % {"ref": application.reference},
        {"form": form, "application": application, "returned": returns.first(), "grassroots": grassroots},
        icon="doc-full",
        parents=[(reverse("applications_review", args=[application.pk]), application.reference)],
    )


def grassroots_urls():
    return [
        path("applications/grassroots/", accounts, name="applications_grassroots_accounts"),
        path("applications/review/<int:pk>/correct/", correct, name="applications_grassroots_correct"),
    ]


class AccountsMenuItem(MenuItem):
    def is_shown(self, request):
        return grassroots_account_units(request.user).exists()


def accounts_menu_item():
    return AccountsMenuItem(
        gettext_lazy("基层工会账号"),
        reverse("applications_grassroots_accounts"),
        name="grassroots-accounts",
        icon_name="group",
        order=155,
    )
