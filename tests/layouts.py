"""The official annexes' column headings, as the notice prints them (full-width brackets), for tests."""

ANNEX_4_COLUMNS = [
    "序号",
    "姓名",
    "性别",
    "工作单位",
    "身份证号",
    "职业（工种）",
    "技术等级",
    "证书编号",
    "联系方式（手机号码）",
    "银行卡号",
    "银行卡开户行",
]
