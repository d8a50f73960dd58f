"""Public forms of applying: the self-check, identity and code, the Annex 3 details, the copies, and
the status lookup."""

import re

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric

from applications.apply.copies import clean_upload
from applications.apply.status import QUERY_PASSWORD_ALPHABET, QUERY_PASSWORD_LENGTH, normalise_query_password
from applications.core.bank_details import luhn_ok, validate_bank_branch, validate_bank_card
from applications.core.constants import AttachmentKind

NO_PREVIOUS_LEVEL = ""
ISSUER_NAMES_LIST = "certificate-issuer-names"  # the <datalist> of the campaign's recognised issuers


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
    certificate_issuer_type = forms.ChoiceField(
        label=_("发证机构类型"),
        widget=forms.RadioSelect,
        help_text=_("证书须由浙江省、杭州市及各区、县（市）人社部门，或经人社部门认可的第三方评价机构、企业颁发。"),
    )
    certificate_issuer = forms.CharField(
        label=_("发证机构"),
        max_length=100,
        widget=forms.TextInput(attrs={"list": ISSUER_NAMES_LIST}),
        help_text=_("按证书上的发证机构（印章）填写全称，如“杭州市人力资源和社会保障局”。"),
    )
    carry_over_declared = forms.BooleanField(label=_("本人符合上年度奖励条件，且未申请过上年度奖励"), required=False)
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

    def __init__(self, rules, *args, today=None, applied_last_campaign=None, **kwargs):
        """`applied_last_campaign`: whether the person has a record of last year (`programme.carry_over`),
        when known (online, after the code step); a carry-over certificate is then refused at once."""
        from applications.models import Education, IssuerType, ReviewUnit, SkillLevel

        super().__init__(*args, **kwargs)
        self.rules = rules
        self.today = today
        self.fields["certificate_issuer_type"].choices = IssuerType.choices
        self.applied_last_campaign = applied_last_campaign
        self.fields["unit"].queryset = ReviewUnit.objects.filter(is_active=True)
        self.fields["education"].choices = [("", _("请选择")), *Education.choices]
        rewarded = [level.code for level in rules.rewarded_levels]
        self.fields["new_level"].queryset = SkillLevel.objects.filter(code__in=rewarded)
        self.fields["previous_level"].queryset = SkillLevel.objects.all()
        self._label_carry_over_declaration(rules)

    def _label_carry_over_declaration(self, rules):
        from applications.programme.eligibility import format_span

        if not rules.carry_over:  # no carry-over window this year: nothing to declare
            del self.fields["carry_over_declared"]
            return
        previous = rules.year - 1
        self.fields["carry_over_declared"].label = _(
            "本人符合%(previous)s年度奖励条件，且未申请过%(previous)s年度奖励"
        ) % {"previous": previous}
        self.fields["carry_over_declared"].help_text = _(
            "证书发证时间在补报时间段（%(span)s）内的，须勾选此项；在本年度时间段内的不必勾选。"
        ) % {"span": format_span(rules.carry_over)}

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
        self._check_issuer(data)
        return data

    @property
    def issuer_rules(self):
        """The campaign's issuer rules (`certificates.issuers`), read once per form."""
        if not hasattr(self, "_issuer_rules"):
            from applications.certificates import issuers
            from applications.models import Campaign

            self._issuer_rules = issuers.rules_for(Campaign.objects.filter(year=self.rules.year).first())
        return self._issuer_rules

    def issuer_suggestions(self):
        """Names offered as the issuer is typed: the provincial and city HR departments, then the listed ones."""
        from applications.certificates import issuers

        listed = [name for names in self.issuer_rules.names.values() for name in names]
        return list(dict.fromkeys([*issuers.SUGGESTED_HR_DEPARTMENTS, *listed]))

    def _check_issuer(self, data):
        from applications.certificates import issuers

        issuer_type, name = data.get("certificate_issuer_type"), (data.get("certificate_issuer") or "").strip()
        data["certificate_issuer"] = name
        if issuer_type and name:
            problem = issuers.issuer_problem(self.issuer_rules, issuer_type, name)
            if problem:
                self.add_error("certificate_issuer", problem)

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
            self.rules,
            new_level.code,
            issued,
            previous.code if previous else None,
            applied_last_campaign=self.applied_last_campaign,
            today=self.today,
        )
        if not decision.eligible:
            field = "certificate_issued_on" if decision.rule in ("outside_window", "future_date") else "new_level"
            if decision.rule == "applied_last_campaign" and "carry_over_declared" in self.fields:
                field = "carry_over_declared"
            self.add_error(field, decision.reason)
        elif decision.window == eligibility.CARRY_OVER and not data.get("carry_over_declared"):
            from applications.programme.carry_over import declaration_missing

            self.add_error("carry_over_declared", declaration_missing(self.rules.year))


# Step 4: the four copies, each cleaned as it arrives.

ACCEPT = "image/jpeg,image/png,application/pdf"


def shrink_in_browser():
    """Attributes for static/js/photo-shrink.js: a JPEG photo is drawn at the stored size before it is sent."""
    return {"data-shrink-long-side": settings.ATTACHMENT_LONG_SIDE, "data-shrink-quality": "0.9"}


class AttachmentsForm(forms.Form):
    """One file field per kind; a kind already uploaded in an earlier try may be left empty."""

    def __init__(self, *args, already=(), optional=False, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in AttachmentKind.choices:
            self.fields[kind] = forms.FileField(
                label=label,
                required=not optional and kind not in already,
                help_text="已上传，可重新选择文件替换。" if kind in already else "JPG、PNG或PDF，不超过10MB。",
                widget=forms.ClearableFileInput(attrs={"accept": ACCEPT, **shrink_in_browser()}),
            )

    def clean(self):
        data = super().clean()
        for kind in AttachmentKind.values:
            upload = data.get(kind)
            if upload:
                try:
                    data[kind] = clean_upload(upload)
                except forms.ValidationError as error:
                    self.add_error(kind, error)
        return data


# The status lookup: ID number and query password.

ID_NUMBER_RE = re.compile(r"^\d{17}[\dX]$")


class StatusLookupForm(forms.Form):
    """The lookup form; the password is never rendered back into the page."""

    id_number = forms.CharField(
        label=_("身份证号码"),
        max_length=30,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "inputmode": "text", "autocapitalize": "characters", "spellcheck": "false"}
        ),
        help_text=_("申报时填写的18位身份证号码。"),
    )
    password = forms.CharField(
        label=_("查询密码"),
        max_length=30,
        strip=True,
        widget=forms.PasswordInput(
            render_value=False,
            attrs={"autocomplete": "off", "inputmode": "text", "autocapitalize": "characters", "spellcheck": "false"},
        ),
        help_text=_("申报成功时显示的8位查询密码，不区分大小写。"),
    )

    def clean_id_number(self):
        number = re.sub(r"\s", "", self.cleaned_data["id_number"]).upper()
        if not ID_NUMBER_RE.match(number):
            raise forms.ValidationError(_("身份证号码应为18位：17位数字加1位数字或 X。"), code="format")
        if ric.calc_check_digit(number) != number[17]:
            raise forms.ValidationError(_("身份证号码校验位不正确，请核对。"), code="checksum")
        return number

    def clean_password(self):
        password = normalise_query_password(self.cleaned_data["password"])
        if len(password) != QUERY_PASSWORD_LENGTH:
            raise forms.ValidationError(
                _("查询密码为%(length)s位字母和数字。"), code="length", params={"length": QUERY_PASSWORD_LENGTH}
            )
        if any(char not in QUERY_PASSWORD_ALPHABET for char in password):
            raise forms.ValidationError(_("查询密码由字母和数字2至9组成，不含0、1、I、L、O，请核对。"), code="alphabet")
        return password
