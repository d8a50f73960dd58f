"""Public forms of the reward programme."""

from django import forms
from django.utils.translation import gettext_lazy as _

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
