"""The rules for a bank card number and its branch, shared by the online form, paper entry, the
Annex 4 import and the correction after a failed payment (each adds its own wording for a card
that fails the Luhn check, since only some of them offer a "我已核对" box)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# The annex's note says 请写至支行: the branch must name a bank and end at branch level.
BRANCH_SUFFIXES = ("支行", "分行", "营业部", "分理处", "储蓄所")
# Characters no one types into a branch's name, which a worksheet cannot hold (openpyxl refuses them)
# and an SMS gateway may choke on: a crafted form post is the only way to send them.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def luhn_ok(number):
    from stdnum import luhn

    return luhn.is_valid(number)


def validate_bank_card(number):
    """`number` (spaces already removed) if it is 12 to 19 digits, else ValidationError."""
    if not number.isdigit() or not 12 <= len(number) <= 19:
        raise ValidationError(_("银行卡号应为12至19位数字。"))
    return number


def validate_bank_branch(branch):
    """`branch` if it names a bank or credit union down to branch level, else ValidationError."""
    if CONTROL_CHARACTERS.search(branch):
        raise ValidationError(_("开户行含有换行、制表符等控制字符，请重新输入。"))
    if ("银行" not in branch and "信用社" not in branch) or not branch.endswith(BRANCH_SUFFIXES):
        raise ValidationError(_("开户行请写至支行，例：中国工商银行杭州西湖支行。"))
    return branch
