"""The bank card correction screens: one city service center account enters it, another confirms it.

The correction form (from the review page of a failed payment) only enters a pending
correction; the list of pending corrections and each correction's page are where a second
account (holding `approve_paymentbatch`, never the one who entered it) confirms or sends it back.
Anyone else gets a 404. The rules: `applications.payments.corrections`.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.menu import MenuItem

from applications.core import audit
from applications.core.access import APPROVE_BATCH, CHANGE_BATCH, visible_applications
from applications.core.constants import ApplicationState
from applications.models import Application, BankCardCorrection, PaymentItem
from applications.payments import corrections as card_corrections
from applications.payments.admin.batches import _page, screen
from applications.payments.forms import BankCardForm, RejectCorrectionForm
from applications.payments.service import PaymentError

RECENT = 30  # decided corrections listed under the pending ones


def _last_failure(application):
    return application.payment_items.filter(result=PaymentItem.Result.FAILED).select_related("batch").last()


@screen(CHANGE_BATCH, ("GET", "POST"))
def correct_bank_card(request, pk):
    """Enter the corrected bank card of a failed payment; it takes effect once another person confirms it."""
    queryset = visible_applications(request.user, Application.objects.select_related("campaign", "unit"))
    application = get_object_or_404(queryset, pk=pk)
    if application.state != ApplicationState.PAYMENT_FAILED:
        messages.error(request, _("这份申报不是“发放失败”状态，无需更正银行卡信息。"))
        return redirect("applications_review", pk=application.pk)
    form = BankCardForm(request.POST or None, initial={"bank_branch": application.bank_branch})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            card_corrections.request_correction(
                application,
                request.user,
                data["bank_card"],
                data["bank_branch"],
                confirmed=data["bank_card_confirmed"],
                note=data["note"],
            )
        except PaymentError as error:
            for name, message in error.errors.items():
                form.add_error(name, message)
            if not error.errors:
                form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("%(ref)s：银行卡更正已提交，须由职工服务中心的另一位同事复核确认后才生效。")
                % {"ref": application.reference},
            )
            return redirect("applications_review", pk=application.pk)
    context = {
        "application": application,
        "form": form,
        "failed": _last_failure(application),
        "pending": card_corrections.pending_correction(application),
    }
    return _page(request, _("更正银行卡信息"), "correct_card.html", context)


def _corrections(user):
    applications = visible_applications(user, Application.objects.all())
    return BankCardCorrection.objects.filter(application__in=applications).select_related(
        "application__unit", "application__campaign", "requested_by", "decided_by"
    )


@screen(APPROVE_BATCH)
def correction_list(request):
    """The corrections awaiting a second person, then the latest decided ones."""
    corrections = _corrections(request.user)
    context = {
        "pending": corrections.filter(state=BankCardCorrection.State.PENDING).order_by("requested_at", "pk"),
        "decided": corrections.exclude(state=BankCardCorrection.State.PENDING).order_by("-decided_at", "-pk")[:RECENT],
    }
    return _page(request, _("银行卡更正复核"), "corrections.html", context, True)


@screen(APPROVE_BATCH, ("GET", "POST"))
def correction_detail(request, pk):
    """One correction: the old and new card (masked; the full new number on request, recorded), confirm or reject."""
    correction = get_object_or_404(_corrections(request.user), pk=pk)
    application = correction.application
    form = RejectCorrectionForm(request.POST if request.POST.get("action") == "reject" else None)
    revealed = ""
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "reveal":
        # Shown in this response only, and recorded, as on the review page.
        audit.record(request, audit.What.BANK_CARD, application, detail="待复核的更正银行卡号")
        revealed = correction.bank_card
    elif action in ("confirm", "reject"):
        try:
            if action == "confirm":
                card_corrections.confirm_correction(correction, request.user)
                done = _("%(ref)s：银行卡更正已确认生效，申报回到“待发放”，已短信告知申请人。")
            elif form.is_valid():
                card_corrections.reject_correction(correction, request.user, form.cleaned_data["reason"])
                done = _("%(ref)s：银行卡更正已退回，申报仍为“发放失败”。")
            else:
                done = None
        except PaymentError as error:
            messages.error(request, error.message)
        else:
            if done:
                messages.success(request, done % {"ref": application.reference})
                return redirect("payments_corrections")
    context = {
        "correction": correction,
        "application": application,
        "failed": _last_failure(application),
        "is_requester": correction.requested_by_id == request.user.pk,
        "form": form,
        "revealed": revealed,
    }
    return _page(request, _("复核银行卡更正"), "correction.html", context, True)


def card_correction_urls():
    return [
        path("payments/correct-card/<int:pk>/", correct_bank_card, name="payments_correct_card"),
        path("payments/card-corrections/", correction_list, name="payments_corrections"),
        path("payments/card-corrections/<int:pk>/", correction_detail, name="payments_correction"),
    ]


class CorrectionMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(APPROVE_BATCH)


def card_correction_menu_item():
    return CorrectionMenuItem(
        gettext_lazy("银行卡更正复核"), reverse("payments_corrections"), icon_name="tick-inverse", order=161
    )
