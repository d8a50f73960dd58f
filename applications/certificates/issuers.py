"""Who may issue a rewarded certificate (section 二(二) of the notice): the one rule, for every channel.

- 人社部门: accepted by name. The name must be a region of the notice — 浙江省, 杭州市, or a district,
  county or city of Hangzhou (the Annex 1 district unions' names without 总工会, so the list follows the
  review units editors keep) — followed by an HR department's name (人力资源和社会保障厅/局, 人力社保局,
  人社厅/局). Other HR bodies (say a skills-assessment centre under the bureau) are accepted when the
  campaign lists them with type 人社部门.
- 认可的第三方评价机构 and 企业: must be on the campaign's list (`RecognisedIssuer`, edited inline on the
  campaign by the economic work department) with the same type.

Names are compared after NFKC normalisation (full-width brackets become half-width) with every space
removed. `issuer_problem` says what is wrong, in Chinese, or returns None.
"""

import re
import unicodedata
from dataclasses import dataclass

from applications.core.constants import UnitKind
from applications.models import IssuerType, RecognisedIssuer, ReviewUnit

PROVINCE_AND_CITY = ("浙江省", "杭州市")
HR_DEPARTMENT_NAMES = (
    "人力资源和社会保障厅",
    "人力资源和社会保障局",
    "人力资源社会保障局",
    "人力社保局",
    "人社厅",
    "人社局",
)
UNION_SUFFIX = "总工会"
SUGGESTED_HR_DEPARTMENTS = ("浙江省人力资源和社会保障厅", "杭州市人力资源和社会保障局")
SCOPE = "证书须由浙江省、杭州市及各区、县（市）人社部门，或经杭州市人社部门认可的第三方评价机构、企业颁发。"


def normalise(name: str) -> str:
    """A name as compared: NFKC (half-width brackets and letters), no spaces at all."""
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", name or ""))


@dataclass(frozen=True)
class IssuerRules:
    """A campaign's recognised issuers and the regions whose HR departments count, read once."""

    regions: tuple[str, ...]
    listed: frozenset  # {(issuer_type, normalised name)}
    names: dict  # issuer_type -> [names as listed], for the forms' suggestions

    def listed_names(self, issuer_type):
        return self.names.get(issuer_type, [])


def rules_for(campaign) -> IssuerRules:
    """The issuer rules of `campaign` (None: no campaign list, HR departments only)."""
    districts = ReviewUnit.objects.filter(kind=UnitKind.DISTRICT, is_active=True).values_list("name", flat=True)
    regions = PROVINCE_AND_CITY + tuple(
        name.removesuffix(UNION_SUFFIX) for name in districts if name.endswith(UNION_SUFFIX)
    )
    entries = list(RecognisedIssuer.objects.filter(campaign=campaign).order_by("sort_order", "pk")) if campaign else []
    names = {}
    for entry in entries:
        names.setdefault(entry.issuer_type, []).append(entry.name)
    return IssuerRules(
        regions=regions,
        listed=frozenset((entry.issuer_type, normalise(entry.name)) for entry in entries),
        names=names,
    )


def is_hr_department_name(rules: IssuerRules, name: str) -> bool:
    """Whether `name` is “<region><HR department>”, e.g. 杭州市人力资源和社会保障局, 西湖区人社局."""
    name = normalise(name)
    return any(name == region + department for region in rules.regions for department in HR_DEPARTMENT_NAMES)


def issuer_problem(rules: IssuerRules, issuer_type: str, name: str) -> str | None:
    """Why this issuer is not accepted for the campaign, in Chinese; None when it is."""
    name = normalise(name)
    if issuer_type not in IssuerType.values:
        return "请选择发证机构类型。"
    if not name:
        return "请填写发证机构名称（见证书上的发证机构或印章）。"
    if (issuer_type, name) in rules.listed:
        return None
    if issuer_type == IssuerType.HR:
        if is_hr_department_name(rules, name):
            return None
        return (
            f"“{name}”不是浙江省、杭州市或杭州各区、县（市）人社部门的名称"
            "（应如“杭州市人力资源和社会保障局”“西湖区人力资源和社会保障局”）。" + SCOPE
        )
    label = IssuerType(issuer_type).label
    return f"“{name}”不在本年度{label}名单中（名称须与名单一致）。{SCOPE}如有疑问请联系所属区、县（市）总工会。"


# How a spreadsheet cell may name a type (the Annex 4 import): the labels, and a few short forms.
_TYPE_WORDS = {
    "人社部门": IssuerType.HR,
    "人社": IssuerType.HR,
    "人力资源和社会保障部门": IssuerType.HR,
    "认可的第三方评价机构": IssuerType.THIRD_PARTY,
    "第三方评价机构": IssuerType.THIRD_PARTY,
    "第三方": IssuerType.THIRD_PARTY,
    "企业": IssuerType.ENTERPRISE,
}


def issuer_type_from_text(text: str) -> str | None:
    """The IssuerType a cell names (人社部门, 认可的第三方评价机构, 企业 or a short form), else None."""
    return _TYPE_WORDS.get(normalise(text))


def type_cell_problem(text: str) -> str:
    """What to say about a type cell that names no type."""
    if not normalise(text):
        return (
            "必须填写（人社部门、认可的第三方评价机构或企业）；"
            "请使用系统导入版的附件4，或在表格末尾增加“发证机构类型”“发证机构”列。"
        )
    return f"“{normalise(text)}”不是发证机构类型，请填写“人社部门”“认可的第三方评价机构”或“企业”。"
