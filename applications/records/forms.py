"""Forms of the records: the applicant's separate consent, the paper form's confirmed signature, the consent
text and retention periods the city service center edits, and a person's request about their own data."""

from django import forms
from django.utils.translation import gettext_lazy as _

from applications.models import RetentionPolicy

CONSENT_REQUIRED = _(
    "请阅读上面的告知内容并勾选同意；不同意处理这些敏感个人信息，将无法网上申报（可通过所在单位工会提交纸质申请表）。"
)
PAPER_CONSENT_REQUIRED = _("请核对纸质申请表上申请人已签字同意个人信息处理告知，再勾选此项；未签字的申请表请退回补签。")


class SensitiveDataConsentForm(forms.Form):
    """The separate consent to the sensitive data, its text shown above the box."""

    sensitive_consent = forms.BooleanField(
        label=_("我已阅读上述告知，同意处理本人的敏感个人信息（证件照片、银行卡信息）"),
        error_messages={"required": CONSENT_REQUIRED},
    )


class PaperConsentForm(forms.Form):
    """Whoever enters a paper Annex 3 confirms the applicant signed its consent."""

    paper_consent = forms.BooleanField(
        label=_("已核对：申请人已在纸质申请表上签字同意个人信息处理告知"),
        error_messages={"required": PAPER_CONSENT_REQUIRED},
    )


class ConsentTextForm(forms.Form):
    text = forms.CharField(
        label=_("告知同意内容"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=3000,
        help_text=_("保存后成为新的版本；已有申报仍记录其同意时的版本。保存期限由“保存期限”设置自动显示，无需写入。"),
    )

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if len(text) < 20:
            raise forms.ValidationError(_("告知同意内容过短，请写明处理的敏感个人信息、目的和方式。"))
        return text


class RetentionPolicyForm(forms.ModelForm):
    class Meta:
        model = RetentionPolicy
        fields = ["copies_months", "personal_data_years", "payment_record_years"]


class PersonLookupForm(forms.Form):
    """Whose data, and why: the legal basis or the person's request, recorded with what is done."""

    id_number = forms.CharField(
        label=_("身份证号码"), max_length=18, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    reason = forms.CharField(
        label=_("依据和理由"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("如：本人于某日持身份证到中心书面申请，申请书编号……；记入处理记录。"),
    )

    def clean_id_number(self):
        from applications.core.identity import validate_id_number

        return validate_id_number(self.cleaned_data["id_number"])

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if len(reason) < 4:
            raise forms.ValidationError(_("请写明依据和理由。"))
        return reason


class EraseConfirmForm(PersonLookupForm):
    confirmed = forms.BooleanField(
        label=_("确认删除：材料复印件、短信记录删除，个人信息匿名化；已发放的申报按会计档案规定保留简化的发放记录"),
        error_messages={"required": _("请勾选确认删除。")},
    )
