"""Forms of the payment screens: choosing a batch, approving it, uploading the bank's result, correcting a bank card.

They check what a person typed; the rules themselves (what may be paid, what a valid card is)
live in `applications.payments.service`, which checks them again.
"""

import re

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.models import Application, Campaign, ReviewUnit

MAX_RESULT_FILE_BYTES = 10 * 1024 * 1024


class BatchForm(forms.Form):
    """Which approved applications to pay: all, one unit's, approved in a date range, or listed by reference."""

    campaign = forms.ModelChoiceField(
        label=gettext_lazy("奖励活动"), queryset=Campaign.objects.order_by("-year"), empty_label=None
    )
    unit = forms.ModelChoiceField(
        label=gettext_lazy("审核单位"),
        queryset=ReviewUnit.objects.all(),
        required=False,
        empty_label=gettext_lazy("全部审核单位"),
    )
    approved_from = forms.DateField(
        label=gettext_lazy("审核通过日期（起）"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    approved_to = forms.DateField(
        label=gettext_lazy("审核通过日期（止）"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    references = forms.CharField(
        label=gettext_lazy("指定申报编号"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "可不填；填写时只放入这些申报（每行一个，或用逗号、空格分隔），且须同时符合上面的条件。"
        ),
    )
    note = forms.CharField(label=gettext_lazy("备注"), max_length=200, required=False)
    expected_count = forms.IntegerField(required=False, widget=forms.HiddenInput)
    expected_total = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        start, end = data.get("approved_from"), data.get("approved_to")
        if start and end and start > end:
            self.add_error("approved_to", _("截止日不能早于起始日。"))
        campaign, text = data.get("campaign"), data.get("references", "")
        wanted = {value.upper() for value in re.split(r"[\s,，、;；]+", text) if value}
        if campaign and wanted:
            found = dict(
                Application.objects.filter(campaign=campaign, reference__in=wanted).values_list("reference", "pk")
            )
            unknown = sorted(wanted - set(found))
            if unknown:
                self.add_error("references", _("本活动中没有这些申报编号：%(refs)s") % {"refs": "、".join(unknown)})
            data["applications"] = list(found.values())
        else:
            data["applications"] = None
        return data

    def choice(self):
        data = self.cleaned_data
        return {
            "unit": data.get("unit"),
            "approved_from": data.get("approved_from"),
            "approved_to": data.get("approved_to"),
            "applications": data.get("applications"),
        }


class ApproveBatchForm(forms.Form):
    """The count and total the approver saw on the approval screen (they must still hold)."""

    expected_count = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    expected_total = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class BankResultForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("银行回执文件"),
        help_text=gettext_lazy(".xlsx 或 .csv，须有“申报编号”“状态”两列，失败的行填写“原因”。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_RESULT_FILE_BYTES:
            raise forms.ValidationError(_("文件不能超过10 MB。"))
        return upload


class BankCardForm(forms.Form):
    bank_card = forms.CharField(
        label=gettext_lazy("新银行卡号"),
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    bank_card_confirmed = forms.BooleanField(label=gettext_lazy("我已核对，卡号无误"), required=False)
    bank_branch = forms.CharField(
        label=gettext_lazy("银行卡开户行"), max_length=100, help_text=gettext_lazy("请写至支行，例：××银行××支行。")
    )
    note = forms.CharField(
        label=gettext_lazy("说明"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("可不填，例：申请人持新卡到西湖区总工会更正。申请人可以在进度查询中看到。"),
    )


class RejectCorrectionForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("退回原因"),
        max_length=150,
        help_text=gettext_lazy("例：卡号与申请人提供的银行卡复印件不符。申请人可以在进度查询中看到。"),
    )
