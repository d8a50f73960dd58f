"""The unit channel in the admin: a review unit enters a paper application checked on paper.

A unit reviewer enters for their own unit only, and an ID number that already has a live
application (any unit, any channel) is refused in words that say nothing of it. Replacing a live
application by a higher level across units or channels is the city service center's: their own
screen (`replace_application`) shows the live application and needs an explicit, reasoned
confirmation, recorded in both applications' events.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from wagtail.admin.menu import MenuItem

from applications.apply.copies import CleanUpload
from applications.apply.forms import AttachmentsForm
from applications.apply.submission import (
    NOTHING_TO_REPLACE,
    Applicant,
    Replacement,
    SubmissionError,
    live_application,
    replacement_refused,
    submit,
)
from applications.core.access import entry_scope, may_replace_applications
from applications.core.constants import Channel
from applications.core.identity import gender_and_birth_date
from applications.models import Campaign
from applications.programme import eligibility
from applications.records import consent
from applications.unit_channel.forms import PaperApplicationForm, ReplacementForm

APPLICANT_FIELDS = [name for name in Applicant.__dataclass_fields__ if name not in ("gender", "birth_date")]
REPLACEMENT_PREFIX = "replace"
# The copies' field names apart from the form's: a browser sends an empty file input as a part named
# `bank_card` with an empty filename, which Django reads as a text value that would hide the card number.
COPIES_PREFIX = "copies"


def _open_campaign():
    campaign = Campaign.objects.open_now().order_by("-year").first()
    if campaign is None:
        raise Http404
    return campaign


def _applicant(form):
    values = {name: form.cleaned_data[name] for name in APPLICANT_FIELDS if name in form.cleaned_data}
    gender, birth_date = gender_and_birth_date(values["id_number"])
    return Applicant(gender=gender, birth_date=birth_date, **values)


def _uploads(copies):
    return {kind: upload for kind, upload in copies.cleaned_data.items() if isinstance(upload, CleanUpload)}


def _submit_paper(request, campaign, form, copies, **extra):
    """Submit the paper Annex 3 in `form` with its `copies` for `request.user`, the applicant's signed
    consent confirmed; the new application, or None with the refusal added to `form`."""
    try:
        return submit(
            campaign,
            _applicant(form),
            _uploads(copies),
            channel=Channel.UNIT,
            actor=request.user,
            consent=consent.on_paper(campaign, request.user),
            **extra,
        ).application
    except SubmissionError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return None


@require_http_methods(["GET", "POST"])
def enter_paper_application(request):
    """Annex 3 fields and validation as online, plus the grassroots opinion. A review unit's entry starts
    as unit_approved; a grassroots union's entry starts as submitted, for its review unit's pre-review."""
    scope = entry_scope(request.user)
    if scope is None:
        raise Http404
    unit, grassroots = scope.unit, scope.grassroots
    campaign = _open_campaign()
    rules = eligibility.rules_for(campaign)
    data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    form = PaperApplicationForm(rules, unit, data, today=timezone.localdate(), grassroots=grassroots)
    copies = AttachmentsForm(data, files, optional=True, prefix=COPIES_PREFIX)
    if request.method == "POST" and form.is_valid() and copies.is_valid():
        new = _submit_paper(request, campaign, form, copies, grassroots=grassroots)
        if new is not None:
            text = f"已录入 {new.reference}（{new.name}）。"
            if grassroots is not None:
                text = f"已录入 {new.reference}（{new.name}），已提交{unit.name}预审。"
            messages.success(request, text)
            return redirect("applications_review", pk=new.pk)
    return TemplateResponse(
        request,
        "applications/unit_channel/paper_entry.html",
        {"form": form, "copies": copies, "campaign": campaign, "unit": unit, "grassroots": grassroots},
    )


@require_http_methods(["GET", "POST"])
def replace_application(request):
    """The city service center enters a paper Annex 3 for any unit that replaces the person's live
    application under review; the new one starts as submitted, for its unit to review."""
    if not may_replace_applications(request.user):
        raise Http404
    campaign = _open_campaign()
    rules = eligibility.rules_for(campaign)
    data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    form = PaperApplicationForm(rules, None, data, today=timezone.localdate())
    copies = AttachmentsForm(data, files, optional=True, prefix=COPIES_PREFIX)
    replacement, existing = None, None
    if request.method == "POST" and form.is_valid() and copies.is_valid():
        existing = live_application(campaign, form.cleaned_data["id_number"])
        refused = existing and replacement_refused(existing, form.cleaned_data["new_level"])
        if existing is None:
            form.add_error("id_number", NOTHING_TO_REPLACE)
        elif refused:
            form.add_error(refused.field, refused.message)
        elif request.POST.get(f"{REPLACEMENT_PREFIX}-reference") != existing.reference:
            # First sight of this live application (or it changed since): show it, confirm nothing yet.
            replacement = ReplacementForm(
                prefix=REPLACEMENT_PREFIX,
                initial={"reference": existing.reference, "reason": request.POST.get(f"{REPLACEMENT_PREFIX}-reason")},
            )
        else:
            replacement = ReplacementForm(data, prefix=REPLACEMENT_PREFIX)
            if replacement.is_valid():
                decision = Replacement(existing.reference, replacement.cleaned_data["reason"])
                new = _submit_paper(request, campaign, form, copies, replace=decision)
                if new is not None:
                    messages.success(
                        request,
                        f"已录入 {new.reference}（{new.name}），取代原申报 {existing.reference}；"
                        f"新申报待{new.unit.name}审核。",
                    )
                    return redirect("applications_review", pk=new.pk)
    return TemplateResponse(
        request,
        "applications/unit_channel/paper_entry.html",
        {
            "form": form,
            "copies": copies,
            "campaign": campaign,
            "replacing": True,
            "existing": existing,
            "replacement": replacement,
        },
    )


def paper_entry_urls():
    return [
        path("applications/enter/", enter_paper_application, name="applications_enter"),
        path("applications/enter/replace/", replace_application, name="applications_replace"),
    ]


class UnitEntryMenuItem(MenuItem):
    def is_shown(self, request):
        return entry_scope(request.user) is not None


class ReplaceMenuItem(MenuItem):
    def is_shown(self, request):
        return may_replace_applications(request.user)


def paper_entry_menu_item():
    return UnitEntryMenuItem(_("录入纸质申请表"), reverse("applications_enter"), icon_name="doc-full", order=152)


def replace_menu_item():
    return ReplaceMenuItem(_("以更高等级取代申报"), reverse("applications_replace"), icon_name="doc-full", order=152)
