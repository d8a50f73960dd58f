"""The rules for an ID number and a mobile number, shared by the online form, paper entry, the
member registry, the member import, the Annex 4 import and the scans; and what an ID number says
of its holder.
"""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils import timezone

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_SCIENTIFIC_RE = re.compile(r"^\d+(\.\d+)?[eE]\+?\d+$")


def validate_id_number(value) -> str:
    """The ID number, upper-cased, if its length, checksum and birth date are valid; else ValidationError."""
    from stdnum.cn import ric
    from stdnum.exceptions import ValidationError as StdnumError

    if isinstance(value, float | int) and not isinstance(value, bool):
        raise ValidationError(
            "身份证号码被 Excel 存成了数字，末位 X 或后几位数字已丢失；请把该列设为“文本”格式后重新填写。"
        )
    number = re.sub(r"\s", "", str(value or "")).upper()
    if not number:
        raise ValidationError("必须填写。")
    if _SCIENTIFIC_RE.match(number):
        raise ValidationError(
            f"“{number}”是科学计数法，身份证号码被 Excel 存成了数字，后几位已丢失；请把该列设为“文本”格式后重新填写。"
        )
    if len(number) == 17 and number.isdigit():
        raise ValidationError("身份证号码只有17位，末位 X 可能在 Excel 中丢失；请把该列设为“文本”格式后重新填写。")
    if len(number) != 18 or not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError("身份证号码应为18位：17位数字加1位数字或 X。")
    if number[-1] != ric.calc_check_digit(number):
        hint = "；号码末几位为 0，可能在 Excel 中被当作数字截断" if number[15:] == "000" else ""
        raise ValidationError(f"身份证号码校验位不正确，请核对{hint}。")
    try:
        birth = ric.get_birth_date(number)
    except StdnumError:
        raise ValidationError("身份证号码中的出生日期不存在。") from None
    if birth < datetime.date(1900, 1, 1) or birth > timezone.localdate():
        raise ValidationError("身份证号码中的出生日期不正确。")
    return number


def gender_and_birth_date(id_number: str):
    """What a resident ID number says about its holder: ("male"/"female", birth date)."""
    from stdnum.cn import ric

    return ("male" if int(id_number[16]) % 2 else "female"), ric.get_birth_date(id_number)


def validate_mobile(value) -> str:
    """An 11-digit mainland mobile number, else ValidationError."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    number = re.sub(r"[\s-]", "", str(value or ""))
    if number.startswith("+86"):
        number = number[3:]
    if not number:
        raise ValidationError("必须填写。")
    if not MOBILE_RE.match(number):
        raise ValidationError(f"“{number}”不是有效的11位手机号码。")
    return number
