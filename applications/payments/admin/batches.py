"""The payment screens in the Wagtail admin: batches, their approval, transfer files, results and history.

The city service center creates batches; a second account of it (never the creator) checks and
approves each batch before its transfer file can be exported; then results are recorded. The
economic work department reads the batches and the reconciliation figures (without the people in
them); anyone else gets a 404, as if the screens did not exist. Bank card corrections:
`applications.payments.admin.corrections`.
"""

import functools

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.menu import MenuItem

from applications.core import audit
from applications.core.access import ADD_BATCH, APPROVE_BATCH, CHANGE_BATCH, VIEW_BATCHES, VIEW_PAYMENT_ITEMS
from applications.core.admin_pages import admin_page
from applications.core.constants import ApplicationState
from applications.models import Application, BankCardCorrection, Campaign, PaymentBatch, PaymentItem
from applications.payments import service as payments
from applications.payments.forms import ApproveBatchForm, BankResultForm, BatchForm

ITEMS_PER_PAGE = 100


def _allow(request, permission):
    if not request.user.is_active or not request.user.has_perm(permission):
        raise Http404


def screen(permission, methods=("GET",)):
    """The view for holders of `permission` only (anyone else: 404, whatever the method), then the methods."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            _allow(request, permission)
            if request.method not in methods:
                return HttpResponseNotAllowed(methods)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def _page(request, title, template, context, parent=None):
    parents = [(reverse("payments_index"), _("发放批次"))] if parent else []
    return admin_page(request, f"applications/payments/{template}", title, context, icon="pick", parents=parents)


def _batches():
    return PaymentBatch.objects.select_related("campaign", "created_by", "approved_by", "settled_by").annotate(
        item_count=Count("items"), item_total=Sum("items__amount")
    )


def _chosen_campaign(request):
    year = request.GET.get("campaign", "")
    if not year:
        return Campaign.objects.current()
    if not year.isdigit():
        raise Http404
    return get_object_or_404(Campaign, year=int(year))


@screen(VIEW_BATCHES)
def batch_list(request):
    """The campaign's batches with their figures, and the campaign's reconciliation."""
    campaign = _chosen_campaign(request)
    return _page(
        request,
        _("发放批次"),
        "batches.html",
        {
            "campaign": campaign,
            "campaigns": Campaign.objects.order_by("-year").only("year", "name", "is_demo"),
            "batches": _batches().filter(campaign=campaign) if campaign else [],
            "figures": payments.reconciliation(campaign) if campaign else None,
            "payable": payments.preview(campaign) if campaign else None,
            "failed": Application.objects.filter(campaign=campaign, state=ApplicationState.PAYMENT_FAILED).count(),
            "corrections": BankCardCorrection.objects.filter(
                application__campaign=campaign, state=BankCardCorrection.State.PENDING
            ).count()
            if campaign
            else 0,
            "can_add": request.user.has_perm(ADD_BATCH),
        },
    )


@screen(ADD_BATCH, ("GET", "POST"))
def batch_create(request):
    """Choose, check the count and total, then create: the figures shown are the ones created."""
    current = Campaign.objects.current()
    form = BatchForm(request.POST or None, initial={"campaign": current})
    selection = None
    if request.method == "POST" and form.is_valid():
        campaign = form.cleaned_data["campaign"]
        checked = form.cleaned_data["expected_count"], form.cleaned_data["expected_total"]
        try:
            if request.POST.get("action") == "create" and None not in checked:
                batch = payments.create_batch(
                    campaign, request.user, note=form.cleaned_data["note"], expected=checked, **form.choice()
                )
                messages.success(
                    request,
                    _("已创建发放批次%(number)s。须由职工服务中心的另一位同事复核通过后，才能导出转账文件。")
                    % {"number": batch.number},
                )
                return redirect("payments_batch", pk=batch.pk)
            selection = payments.preview(campaign, **form.choice())
        except payments.PaymentError as error:
            for name, message in error.errors.items():
                form.add_error(name if name in form.fields else None, message)
            if not error.errors:
                form.add_error(None, error.message)
            selection = _safe_preview(campaign, form)
        if selection is not None:
            form.data = form.data.copy()
            form.data["expected_count"], form.data["expected_total"] = selection.count, selection.total
    return _page(request, _("新建发放批次"), "create.html", {"form": form, "selection": selection}, True)


def _safe_preview(campaign, form):
    try:
        return payments.preview(campaign, **form.choice())
    except payments.PaymentError:
        return None


def _batch(pk):
    return get_object_or_404(_batches(), pk=pk)


def _items_page(request, batch, result=""):
    """One page of the batch's items (masked cards), optionally of one result, and the offset of its first row."""
    items = batch.items.select_related("application__unit").order_by("pk")
    if result in PaymentItem.Result.values:
        items = items.filter(result=result)
    page = Paginator(items, ITEMS_PER_PAGE).get_page(request.GET.get("page"))
    return page, page.start_index() - 1 if page.object_list else 0


def _is_creator(user, batch):
    return batch.created_by_id is not None and batch.created_by_id == user.pk


@screen(VIEW_BATCHES)
def batch_detail(request, pk):
    """One batch: its figures, approval, reconciliation, items (masked cards), history and the actions."""
    batch = _batch(pk)
    is_open = batch.state == PaymentBatch.State.OPEN
    context = {
        "batch": batch,
        "figures": payments.reconciliation(batch),
        "can_change": request.user.has_perm(CHANGE_BATCH) and is_open,
        "can_approve": request.user.has_perm(APPROVE_BATCH) and is_open and batch.approved_by_id is None,
        "is_creator": _is_creator(request.user, batch),
        "events": batch.events.all(),
        "results": PaymentItem.Result.choices,
    }
    if request.user.has_perm(VIEW_PAYMENT_ITEMS):
        result = request.GET.get("result", "")
        page, offset = _items_page(request, batch, result)
        context.update(items=page, result=result, offset=offset)
    return _page(request, _("发放批次%(number)s") % {"number": batch.number}, "batch.html", context, True)


@screen(APPROVE_BATCH, ("GET", "POST"))
def batch_approve(request, pk):
    """The second person checks the count, the total and the items (masked), then approves the batch."""
    batch = _batch(pk)
    form = ApproveBatchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        expected = form.cleaned_data["expected_count"], form.cleaned_data["expected_total"]
        try:
            payments.approve_batch(batch, request.user, expected=expected)
        except payments.PaymentError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("批次%(number)s已复核通过，可以导出转账文件。") % {"number": batch.number})
            return redirect("payments_batch", pk=batch.pk)
    elif request.method == "POST":
        messages.error(request, _("请核对本页的笔数、金额和明细后再点“复核通过”。"))
    by_unit = (
        batch.items.order_by()
        .values("application__unit__name", "application__unit__sort_order")
        .annotate(count=Count("pk"), total=Sum("amount"))
        .order_by("application__unit__sort_order", "application__unit__name")
    )
    page, offset = _items_page(request, batch)
    context = {
        "batch": batch,
        "is_creator": _is_creator(request.user, batch),
        "by_unit": by_unit,
        "items": page,
        "offset": offset,
    }
    return _page(request, _("复核发放批次"), "approve.html", context, True)


@screen(CHANGE_BATCH, ("POST",))
def batch_transfer_file(request, pk):
    """The transfer file of an approved batch as a download; each export is recorded (it holds full card numbers)."""
    batch = _batch(pk)
    try:
        content = payments.transfer_file(batch, request.user)
    except payments.PaymentError as error:
        messages.error(request, error.message)
        return redirect("payments_batch", pk=batch.pk)
    pending = batch.items.filter(result=PaymentItem.Result.PENDING).aggregate(count=Count("pk"), total=Sum("amount"))
    audit.record(
        request,
        audit.What.EXPORT,
        detail=f"发放批次{batch.number}转账文件（{pending['count']}笔，{pending['total']}元）",
    )
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="transfer-{batch.number}-{stamp}.xlsx"'
    response["Cache-Control"] = "no-store"
    return response


@screen(CHANGE_BATCH, ("GET", "POST"))
def batch_mark_paid(request, pk):
    """Confirm, then settle every pending item of the batch as paid."""
    batch = _batch(pk)
    pending = batch.items.filter(result=PaymentItem.Result.PENDING).aggregate(count=Count("pk"), total=Sum("amount"))
    if request.method == "POST":
        try:
            count = payments.mark_paid(batch, request.user)
        except payments.PaymentError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("批次%(number)s的%(count)s笔已登记为已发放，短信将陆续发出。")
                % {"number": batch.number, "count": count},
            )
            return redirect("payments_batch", pk=batch.pk)
    return _page(request, _("整批标记已发放"), "mark_paid.html", {"batch": batch, "pending": pending}, True)


@screen(CHANGE_BATCH, ("GET", "POST"))
def batch_bank_result(request, pk):
    """Upload the bank's result file; every row is checked and all or none are applied."""
    batch = _batch(pk)
    form = BankResultForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        outcome = payments.import_bank_result(batch, form.cleaned_data["file"], request.user)
        if outcome.ok:
            text = _("已导入银行回执：成功%(paid)s笔，失败%(failed)s笔。") % {
                "paid": outcome.paid,
                "failed": outcome.failed,
            }
            if outcome.settled:
                text += _("本批次已全部登记，已结算。")
            messages.success(request, text)
            return redirect("payments_batch", pk=batch.pk)
        errors = outcome.errors
    return _page(request, _("导入银行回执"), "bank_result.html", {"batch": batch, "form": form, "errors": errors}, True)


@screen(CHANGE_BATCH, ("GET", "POST"))
def batch_cancel(request, pk):
    """Confirm with a reason, then void a batch whose transfer file was never exported."""
    batch = _batch(pk)
    reason = request.POST.get("reason", "")
    error = None
    if request.method == "POST":
        try:
            payments.cancel_batch(batch, request.user, reason)
        except payments.PaymentError as refused:
            error = refused.errors.get("reason", refused.message)
        else:
            messages.success(request, _("批次%(number)s已作废，其中的申报可放入新的批次。") % {"number": batch.number})
            return redirect("payments_batch", pk=batch.pk)
    figures = batch.items.aggregate(count=Count("pk"), total=Sum("amount"))
    context = {"batch": batch, "figures": figures, "reason": reason, "error": error}
    return _page(request, _("作废发放批次"), "cancel.html", context, True)


def payment_urls():
    return [
        path("payments/", batch_list, name="payments_index"),
        path("payments/new/", batch_create, name="payments_create"),
        path("payments/<int:pk>/", batch_detail, name="payments_batch"),
        path("payments/<int:pk>/approve/", batch_approve, name="payments_approve"),
        path("payments/<int:pk>/transfer-file/", batch_transfer_file, name="payments_transfer_file"),
        path("payments/<int:pk>/mark-paid/", batch_mark_paid, name="payments_mark_paid"),
        path("payments/<int:pk>/bank-result/", batch_bank_result, name="payments_bank_result"),
        path("payments/<int:pk>/cancel/", batch_cancel, name="payments_cancel"),
    ]


class PaymentMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(VIEW_BATCHES)


def payment_menu_item():
    return PaymentMenuItem(gettext_lazy("发放批次"), reverse("payments_index"), icon_name="pick", order=160)
