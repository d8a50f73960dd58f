"""The public forms of 在线咨询 and 查看评价, and the staff forms of answering, publishing and rectifying."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from applications.core.identity import validate_mobile
from service_hall.models import Grade, Topic
from service_hall.privacy import PERSONAL_NUMBER_MESSAGE, PUBLIC_TEXT_MESSAGE, holds_personal_number, unfit_for_public


def _no_personal_number(value):
    if holds_personal_number(value):
        raise ValidationError(PERSONAL_NUMBER_MESSAGE)


def _fit_for_public(value):
    if unfit_for_public(value):
        raise ValidationError(PUBLIC_TEXT_MESSAGE)


class QuestionForm(forms.Form):
    topic = forms.ChoiceField(label=_("咨询类别"), choices=Topic.choices)
    text = forms.CharField(
        label=_("咨询内容"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 5}),
        validators=[_no_personal_number],
        help_text=_("500字以内。请勿填写身份证号码、银行卡号。"),
    )
    mobile = forms.CharField(label=_("手机号码"), max_length=11, help_text=_("接收验证码和答复通知"))
    name = forms.CharField(label=_("姓名（选填）"), max_length=40, required=False, validators=[_no_personal_number])
    application_reference = forms.CharField(
        label=_("申报编号（选填）"),
        max_length=20,
        required=False,
        help_text=_("与您的申报有关时填写，由负责审核的工会答复"),
    )
    # A honeypot: hidden from people by CSS; a bot that fills it is answered as if all went well.
    website = forms.CharField(required=False, label=_("网址（请勿填写）"))

    def clean_mobile(self):
        return validate_mobile(self.cleaned_data["mobile"])


class CodeForm(forms.Form):
    code = forms.CharField(label=_("短信验证码"), max_length=6, min_length=6)


class AccessForm(forms.Form):
    access_code = forms.CharField(
        label=_("查询码"), max_length=12, help_text=_("提交咨询时显示并以短信发送的8位查询码")
    )


OPTIONAL_GRADES = [("", _("不评"))] + list(Grade.choices)


class RatingForm(forms.Form):
    grade = forms.TypedChoiceField(label=_("总体评价"), choices=Grade.choices, coerce=int, widget=forms.RadioSelect)
    efficiency = forms.ChoiceField(label=_("办事效率"), choices=OPTIONAL_GRADES, required=False)
    guide = forms.ChoiceField(label=_("办事指南"), choices=OPTIONAL_GRADES, required=False)
    convenience = forms.ChoiceField(label=_("便捷度"), choices=OPTIONAL_GRADES, required=False)
    platform = forms.ChoiceField(label=_("平台操作"), choices=OPTIONAL_GRADES, required=False)
    comment = forms.CharField(
        label=_("评价内容（选填）"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    publish_comment = forms.BooleanField(
        label=_("同意公开评价内容（姓名隐去，仅显示姓氏）"), required=False, initial=True
    )

    def clean(self):
        cleaned = super().clean()
        comment = cleaned.get("comment", "")
        if holds_personal_number(comment) or (cleaned.get("publish_comment") and unfit_for_public(comment)):
            self.add_error("comment", PUBLIC_TEXT_MESSAGE)
        return cleaned


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("答复内容"), widget=forms.Textarea(attrs={"rows": 6}))


class PublishForm(forms.Form):
    public_question = forms.CharField(
        label=_("公开的问题"), widget=forms.Textarea(attrs={"rows": 3}), validators=[_fit_for_public]
    )
    public_answer = forms.CharField(
        label=_("公开的答复"), widget=forms.Textarea(attrs={"rows": 5}), validators=[_fit_for_public]
    )


class RectificationForm(forms.Form):
    finding = forms.CharField(label=_("核实情况"), widget=forms.Textarea(attrs={"rows": 3}))
    measures = forms.CharField(label=_("整改措施"), widget=forms.Textarea(attrs={"rows": 3}))
    reply = forms.CharField(
        label=_("答复评价人"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("公开显示在“查看评价”中，并短信通知评价人"),
        validators=[_fit_for_public],
    )


class ExcludeForm(forms.Form):
    reason = forms.CharField(label=_("剔除原因"), widget=forms.Textarea(attrs={"rows": 3}))
