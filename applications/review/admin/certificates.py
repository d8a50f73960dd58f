"""证书核验 on the review screens: the list's filter and column, and the one-by-one confirmation."""

from django.contrib.admin import SimpleListFilter
from django.utils.translation import gettext_lazy as _

from applications.certificates.verification import awaiting_confirmation_q
from applications.models import CertificateCheck

UNCHECKED = "unchecked"
UNCONFIRMED = "unconfirmed"


class CertificateCheckFilter(SimpleListFilter):
    """Filters on the stored result (an indexed column): 一致, 证书库中未找到, 不一致, 不一致且待确认, 未核验."""

    title = _("证书核验")
    parameter_name = "certificate"

    def lookups(self, request, model_admin):
        return [
            *CertificateCheck.choices,
            (UNCONFIRMED, _("不一致，待逐份确认")),
            (UNCHECKED, _("未核验")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value in CertificateCheck.values:
            return queryset.filter(certificate_check=value)
        if value == UNCONFIRMED:
            return queryset.filter(awaiting_confirmation_q())
        if value == UNCHECKED:
            return queryset.filter(certificate_check="")
        return queryset


LABELS = dict(CertificateCheck.choices)


def certificate_column(obj):
    """The list's 证书核验 column: the result, and the differing fields."""
    value = obj.certificate_check
    if value == CertificateCheck.DIFFERS:
        return f"不一致：{obj.certificate_differences}"
    # Not get_certificate_check_display(), which translates every label to build its dict, in each row.
    return str(LABELS.get(value, value)) if value else "未核验"


certificate_column.short_description = _("证书核验")
