"""What text may not hold: ID and bank card numbers anywhere, mobile numbers in what is shown publicly.

Spaces, dashes and dots between digits are ignored, so "6222 0212 …" is caught as well.
"""

import re

from applications.core.sms import FORBIDDEN_NUMBER_RE

_SEPARATORS = re.compile(r"[\s\-－—_.·]")
_MOBILE_RE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")

PERSONAL_NUMBER_MESSAGE = (
    "为保护您的个人信息，请不要在咨询内容中填写身份证号码或银行卡号，工作人员可凭申报编号查到您的申报。"
)
PUBLIC_TEXT_MESSAGE = "公开显示的内容中请不要包含身份证号码、银行卡号或手机号码。"


def _digits_joined(text: str) -> str:
    return _SEPARATORS.sub("", text or "")


def holds_personal_number(text: str) -> bool:
    """Whether `text` holds something like an ID number or a bank card number."""
    return bool(FORBIDDEN_NUMBER_RE.search(_digits_joined(text)))


def unfit_for_public(text: str) -> bool:
    """Whether `text`, shown on a public page, would show an ID, bank card or mobile number."""
    joined = _digits_joined(text)
    return bool(FORBIDDEN_NUMBER_RE.search(joined) or _MOBILE_RE.search(joined))
