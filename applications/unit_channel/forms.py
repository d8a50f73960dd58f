"""Forms of the unit channel: a paper Annex 3 entered by its review unit, and the city's replacement."""

from django import forms
from django.utils.translation import gettext_lazy as _

from applications.apply.forms import ApplicationDetailsForm
from applications.members.directory import NOT_A_MEMBER, is_verified_member
from applications.records.forms import PAPER_CONSENT_REQUIRED


class PaperApplicationForm(ApplicationDetailsForm):
    """A paper Annex 3 entered by its review unit: the applicant's name and ID number, the Annex 3
    fields, and the grassroots union's opinion (the unit channel)."""

    name = forms.CharField(label=_("姓名"), max_length=40)
    id_number = forms.CharField(label=_("身份证号码"), max_length=18)
    grassroots_opinion = forms.CharField(
        label=_("基层工会意见"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("请填写基层工会意见。")},
    )
    # The applicant's signed consent on the paper form, checked by whoever enters it (applications/records/consent.py).
    paper_consent = forms.BooleanField(
        label=_("已核对：申请人已在纸质申请表上签字同意个人信息处理告知"),
        error_messages={"required": PAPER_CONSENT_REQUIRED},
    )

    field_order = ["unit", "name", "id_number"]

    def __init__(self, rules, unit, *args, grassroots=None, **kwargs):
        """`unit`: the reviewer's own unit, the only choice; None for the city service center (any unit).
        `grassroots`: the grassroots union entering it (its account), whose name it carries, fixed."""
        super().__init__(rules, *args, **kwargs)
        if unit is not None:
            self.fields["unit"].queryset = self.fields["unit"].queryset.filter(pk=unit.pk)
            self.fields["unit"].initial = unit.pk
            self.fields["unit"].empty_label = None
        self.fields["mobile"].help_text = _("申请人本人的手机号码，用于短信通知。")
        if "carry_over_declared" in self.fields:  # the paper form carries the applicant's own declaration
            self.fields["carry_over_declared"].label = _(
                "已核对：申请表上申请人声明符合%(previous)s年度奖励条件，且未申请过%(previous)s年度奖励"
            ) % {"previous": rules.year - 1}
        if grassroots is not None:
            self.fields["grassroots_union"].initial = grassroots.name
            self.fields["grassroots_union"].disabled = True
            self.fields["grassroots_opinion"].label = _("基层工会初审意见")
            self.fields["grassroots_opinion"].help_text = _("如“经核对，情况属实，同意上报。”审核单位预审时可以看到。")

    def clean_name(self):
        return self.cleaned_data["name"].strip()

    def clean_id_number(self):
        from applications.core.identity import validate_id_number

        return validate_id_number(self.cleaned_data["id_number"])

    def clean(self):
        """Condition 一 binds every channel: the person must be a real-name-verified member."""
        cleaned = super().clean()
        name, id_number = cleaned.get("name"), cleaned.get("id_number")
        if name and id_number and not is_verified_member(name, id_number):
            self.add_error("id_number", NOT_A_MEMBER)
        return cleaned


class ReplacementForm(forms.Form):
    """The city service center's explicit, reasoned decision to replace the live application shown."""

    reference = forms.CharField(widget=forms.HiddenInput, max_length=20)
    confirmed = forms.BooleanField(
        label=_("以更高等级取代原申报"),
        error_messages={"required": _("请核对上面的原申报；确需取代时勾选“以更高等级取代原申报”。")},
    )
    reason = forms.CharField(
        label=_("取代理由"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("如：申请人持更高等级证书来中心办理，原申报由其他单位录入。记入两份申报的办理记录。"),
        error_messages={"required": _("请填写取代原申报的理由。")},
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("请填写取代原申报的理由。"))
        return reason
