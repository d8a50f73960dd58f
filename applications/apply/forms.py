"""Public forms of the reward programme."""

from django import forms
from django.utils.translation import gettext_lazy as _

from applications.core.bank_details import luhn_ok, validate_bank_branch, validate_bank_card

NO_PREVIOUS_LEVEL = ""


class SelfCheckForm(forms.Form):
    """The eligibility self-check: a certificate's level and date, no personal data."""

    level = forms.ChoiceField(label=_("现晋升的技能等级"))
    issued = forms.DateField(
        label=_("发证时间"), widget=forms.DateInput(attrs={"type": "date"}), help_text=_("见等级证书上的发证日期。")
    )
    previous_level = forms.ChoiceField(label=_("原有最高技能等级"), required=False)
    applied_last_campaign = forms.TypedChoiceField(
        label=_("是否申请过上一年度奖励"),
        choices=[("no", _("否")), ("yes", _("是"))],
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
        initial="no",
        widget=forms.RadioSelect,
    )

    def __init__(self, rules, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.rules = rules
        self.fields["level"].choices = [(level.code, level.name) for level in rules.rewarded_levels]
        top = max(level.rank for level in rules.rewarded_levels)
        self.fields["previous_level"].choices = [(NO_PREVIOUS_LEVEL, _("无"))] + [
            (level.code, level.name) for level in rules.levels if level.rank < top
        ]
        self.fields["applied_last_campaign"].label = _("是否申请过%(year)s年度奖励") % {"year": rules.year - 1}


class IdentityForm(forms.Form):
    """Step 1: who is applying; must match a real-name-verified member."""

    name = forms.CharField(label=_("姓名"), max_length=40)
    id_number = forms.CharField(
        label=_("身份证号码"), max_length=18, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )

    def clean_name(self):
        return self.cleaned_data["name"].strip()

    def clean_id_number(self):
        from applications.core.identity import validate_id_number

        return validate_id_number(self.cleaned_data["id_number"])


class CodeForm(forms.Form):
    """Step 2: the six-digit code sent to the member's registered mobile."""

    code = forms.RegexField(
        label=_("短信验证码"),
        regex=r"^\d{6}$",
        error_messages={"invalid": _("请输入6位数字验证码。")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 6}),
    )


def _date_input():
    return forms.DateInput(attrs={"type": "date"})


class ApplicationDetailsForm(forms.Form):
    """Step 3: the Annex 3 fields, labelled as on the form; gender and birth date come from the ID number."""

    unit = forms.ModelChoiceField(label=_("所属区县市(产业)工会"), queryset=None, empty_label=_("请选择"))
    education = forms.ChoiceField(label=_("学历"))
    occupation = forms.CharField(label=_("申报奖励工种"), max_length=60)
    previous_level = forms.ModelChoiceField(
        label=_("原有最高技能等级"), queryset=None, required=False, empty_label=_("无")
    )
    previous_level_obtained_on = forms.DateField(label=_("原有技能等级取得时间"), required=False, widget=_date_input())
    new_level = forms.ModelChoiceField(label=_("现晋升的技能等级"), queryset=None, empty_label=_("请选择"))
    certificate_number = forms.CharField(label=_("等级证书编号"), max_length=60)
    certificate_issued_on = forms.DateField(label=_("发证时间"), widget=_date_input())
    mobile = forms.CharField(
        label=_("手机号码"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"})
    )
    bank_card = forms.CharField(
        label=_("银行卡号"),
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    bank_card_confirmed = forms.BooleanField(label=_("我已核对，卡号无误"), required=False)
    bank_branch = forms.CharField(
        label=_("银行卡开户行"), max_length=100, help_text=_("请写至支行，例：××银行××支行。")
    )
    employer = forms.CharField(label=_("工作单位"), max_length=100)
    grassroots_union = forms.CharField(
        label=_("基层工会"), max_length=100, help_text=_("受奖励人员所在单位必须建立工会组织。")
    )
    is_migrant = forms.TypedChoiceField(
        label=_("是否外来务工人员"),
        choices=[("no", _("否")), ("yes", _("是"))],
        coerce=lambda value: value == "yes",
        initial="no",
        widget=forms.RadioSelect,
    )
    hukou_place = forms.CharField(
        label=_("户籍地"), max_length=60, required=False, help_text=_("外来务工人员填写，如：安徽省阜阳市。")
    )
    years_in_hangzhou = forms.IntegerField(
        label=_("来杭年限"), min_value=0, max_value=80, required=False, help_text=_("外来务工人员填写，单位：年。")
    )

    def __init__(self, rules, *args, today=None, **kwargs):
        from applications.models import Education, ReviewUnit, SkillLevel

        super().__init__(*args, **kwargs)
        self.rules = rules
        self.today = today
        self.fields["unit"].queryset = ReviewUnit.objects.filter(is_active=True)
        self.fields["education"].choices = [("", _("请选择")), *Education.choices]
        rewarded = [level.code for level in rules.rewarded_levels]
        self.fields["new_level"].queryset = SkillLevel.objects.filter(code__in=rewarded)
        self.fields["previous_level"].queryset = SkillLevel.objects.all()

    def clean_mobile(self):
        from applications.core.identity import validate_mobile

        return validate_mobile(self.cleaned_data["mobile"])

    def clean_bank_card(self):
        return validate_bank_card(self.cleaned_data["bank_card"].replace(" ", ""))

    def clean_bank_branch(self):
        return validate_bank_branch(self.cleaned_data["bank_branch"].strip())

    def _not_future(self, name):
        value = self.cleaned_data.get(name)
        if value and self.today and value > self.today:
            self.add_error(name, _("日期不能晚于今天。"))

    def clean(self):
        data = super().clean()
        self._not_future("certificate_issued_on")
        self._not_future("previous_level_obtained_on")
        if data.get("bank_card") and not luhn_ok(data["bank_card"]) and not data.get("bank_card_confirmed"):
            self.add_error(
                "bank_card", _("卡号未通过校验，可能有误，请核对；如确认无误，请勾选下方“我已核对，卡号无误”。")
            )
        previous, obtained = data.get("previous_level"), data.get("previous_level_obtained_on")
        if previous and not obtained:
            self.add_error("previous_level_obtained_on", _("请填写原有技能等级取得时间。"))
        issued = data.get("certificate_issued_on")
        if obtained and issued and obtained >= issued:
            self.add_error("previous_level_obtained_on", _("原有技能等级取得时间应早于现等级证书的发证时间。"))
        if data.get("is_migrant"):
            if not data.get("hukou_place"):
                self.add_error("hukou_place", _("外来务工人员请填写户籍地。"))
            if data.get("years_in_hangzhou") is None:
                self.add_error("years_in_hangzhou", _("外来务工人员请填写来杭年限。"))
        self._check_rules(data)
        return data

    def _check_rules(self, data):
        from applications.programme import eligibility

        new_level, issued = data.get("new_level"), data.get("certificate_issued_on")
        if not issued or self.errors.get("certificate_issued_on"):
            return
        if not new_level:  # still say at once when the date is outside both windows
            if eligibility.window_of(self.rules, issued) is None:
                level = self.rules.rewarded_levels[0].code
                self.add_error("certificate_issued_on", eligibility.check_certificate(self.rules, level, issued).reason)
            return
        previous = data.get("previous_level")
        decision = eligibility.check_certificate(
            self.rules, new_level.code, issued, previous.code if previous else None, today=self.today
        )
        if not decision.eligible:
            field = "certificate_issued_on" if decision.rule in ("outside_window", "future_date") else "new_level"
            self.add_error(field, decision.reason)


class PaperApplicationForm(ApplicationDetailsForm):
    """A paper Annex 3 entered by its review unit: the applicant's name and ID number, the Annex 3
    fields, and the grassroots union's opinion (the unit channel)."""

    name = forms.CharField(label=_("姓名"), max_length=40)
    id_number = forms.CharField(label=_("身份证号码"), max_length=18)
    grassroots_opinion = forms.CharField(label=_("基层工会意见"), widget=forms.Textarea(attrs={"rows": 2}))

    field_order = ["unit", "name", "id_number"]

    def __init__(self, rules, unit, *args, **kwargs):
        """`unit`: the reviewer's own unit, the only choice; None for the city service center (any unit)."""
        super().__init__(rules, *args, **kwargs)
        if unit is not None:
            self.fields["unit"].queryset = self.fields["unit"].queryset.filter(pk=unit.pk)
            self.fields["unit"].initial = unit.pk
            self.fields["unit"].empty_label = None
        self.fields["mobile"].help_text = _("申请人本人的手机号码，用于短信通知。")

    def clean_name(self):
        return self.cleaned_data["name"].strip()

    def clean_id_number(self):
        from applications.core.identity import validate_id_number

        return validate_id_number(self.cleaned_data["id_number"])


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
