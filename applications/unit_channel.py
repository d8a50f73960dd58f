"""The unit channel in the admin: a review unit enters a paper application checked on paper."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from . import eligibility
from .attachment_forms import AttachmentsForm
from .attachments import CleanUpload
from .constants import Channel
from .forms import PaperApplicationForm
from .members import gender_and_birth_date
from .models import Campaign
from .submission import Applicant, SubmissionError, submit

APPLICANT_FIELDS = [name for name in Applicant.__dataclass_fields__ if name not in ("gender", "birth_date")]


def reviewer_unit(user):
    """The review unit a user enters applications for, or None."""
    if not user.has_perm("applications.pre_review_application"):
        return None
    return getattr(getattr(user, "staff_profile", None), "unit", None)


@require_http_methods(["GET", "POST"])
def enter_paper_application(request):
    """Annex 3 fields and validation as online, plus the grassroots opinion; starts as unit_approved."""
    unit = reviewer_unit(request.user)
    campaign = Campaign.objects.open_now().order_by("-year").first()
    if unit is None or campaign is None:
        raise Http404
    rules = eligibility.rules_for(campaign)
    data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    form = PaperApplicationForm(rules, unit, data, today=timezone.localdate())
    copies = AttachmentsForm(data, files, optional=True)
    if request.method == "POST" and form.is_valid() and copies.is_valid():
        values = {name: form.cleaned_data[name] for name in APPLICANT_FIELDS if name in form.cleaned_data}
        gender, birth_date = gender_and_birth_date(values["id_number"])
        uploads = {kind: upload for kind, upload in copies.cleaned_data.items() if isinstance(upload, CleanUpload)}
        try:
            submitted = submit(
                campaign,
                Applicant(gender=gender, birth_date=birth_date, **values),
                uploads,
                channel=Channel.UNIT,
                actor=request.user,
            )
        except SubmissionError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, f"已录入 {submitted.application.reference}（{submitted.application.name}）。")
            return redirect("applications_review", pk=submitted.application.pk)
    return TemplateResponse(
        request,
        "applications/admin/paper_entry.html",
        {"form": form, "copies": copies, "campaign": campaign, "unit": unit},
    )
