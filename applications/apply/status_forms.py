"""The status lookup form: ID number and query password."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric

from applications.apply.status import QUERY_PASSWORD_ALPHABET, QUERY_PASSWORD_LENGTH, normalise_query_password

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
