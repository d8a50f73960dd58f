"""The official annexes as spreadsheets: Annex 1 (任务分解表) and Annex 4 (汇总表), as data.

A `Layout` says what the sheet holds: its title, the line under the title, the columns (title,
width, whether the values are identifiers kept as text), the notes under the table and the page
footer. `SUMMARY_COLUMNS` is the one definition of Annex 4's columns: the export writes them, the
import (`applications.unit_channel.annex4`) reads them by label or alias, the demo notice prints
them. The `*_rows` functions turn the portal's records into rows in column order. Writing them
is `spreadsheets.write_table`'s job. Nothing here touches the database or Django settings, so the
benchmark can feed the same functions with rows made in memory.

The sheet text is Chinese, as in the official annexes: it is the document, not the interface,
so it is not translated. Punctuation is full-width, as in the notice the portal publishes.
"""

from dataclasses import dataclass

from applications.documents.spreadsheets import write_table

SUMMARY_SHEET = "汇总表"
QUOTA_SHEET = "任务分解表"
SUMMARY_UNIT_LABEL = "填报单位：（盖章）"
DATE_PLACEHOLDER = "　　　　年　　月　　日"
PAGE_NUMBERS = "第 &P 页，共 &N 页"
GENDERS = {"male": "男", "female": "女"}
BLANK_SUMMARY_ROWS = 15


@dataclass(frozen=True)
class Column:
    title: str
    width: float = 0  # in Excel's character widths
    text: bool = False  # an identifier: always a text cell ("@"), never a number Excel could round
    align: str = "left"
    number_format: str = ""  # for number cells
    key: str = ""  # what an import calls the column's values
    aliases: tuple[str, ...] = ()  # other headings an import accepts (half-width brackets)

    @property
    def label(self):
        """The title as an import names the column in its messages (half-width brackets)."""
        return self.title.replace("（", "(").replace("）", ")")


@dataclass(frozen=True)
class Layout:
    sheet_name: str
    title: str
    columns: tuple[Column, ...]
    caption_left: str = ""  # the line between the title and the header row
    caption_right: str = ""
    notes: tuple[str, ...] = ()
    blank_rows: int = 0  # empty ruled rows after the data, for filling in by hand
    footer: str = f"&C{PAGE_NUMBERS}"  # Excel header/footer codes: &C centre, &P page, &N pages

    @property
    def titles(self):
        return [column.title for column in self.columns]


SUMMARY_COLUMNS = (
    Column("序号", 6, align="center", number_format="0", key="seq"),
    Column("姓名", 10, align="center", key="name"),
    Column("性别", 6, align="center", key="gender"),
    Column("工作单位", 28, key="employer"),
    Column("身份证号", 21, text=True, align="center", key="id_number", aliases=("身份证号码",)),
    Column("职业（工种）", 12, align="center", key="occupation", aliases=("职业", "工种", "申报奖励工种")),
    Column("技术等级", 10, align="center", key="level", aliases=("技能等级",)),
    Column("证书编号", 20, text=True, align="center", key="certificate_number", aliases=("等级证书编号",)),
    Column(
        "联系方式（手机号码）", 14, text=True, align="center", key="mobile", aliases=("手机号码", "手机号", "联系方式")
    ),
    Column("银行卡号", 23, text=True, align="center", key="bank_card"),
    Column("银行卡开户行", 26, key="bank_branch", aliases=("开户行",)),
)
SUMMARY_UNIT_COLUMN = Column("所属区县市（产业）工会", 18)
# The columns the import also reads when present, after the official ones.
SUMMARY_IMPORT_COLUMNS = (
    *SUMMARY_COLUMNS,
    Column("发证时间", 14, text=True, align="center", key="issued_on", aliases=("证书发证时间",)),
    Column("发证机构类型", 16, align="center", key="issuer_type", aliases=("发证机构类别",)),
    Column("发证机构", 28, key="issuer", aliases=("发证单位",)),
    Column("基层工会", 24, key="grassroots_union"),
    Column("所属工会", 18, key="unit", aliases=("所属区县市(产业)工会", "审核单位")),
)
SUMMARY_NOTES = (
    "注：1. 该表仅单位统一申报时需要填写，个人申报无需填写。",
    "　　2. 受奖励人员所在单位必须建立工会组织，市总工会将对上报人员单位工会组建情况进行核查。",
)
IMPORT_EDITION = "系统导入版"
SUMMARY_IMPORT_NOTES = (
    *SUMMARY_NOTES,
    "　　3. 本表为附件4的系统导入版，比附件4原表多发证时间、发证机构类型、发证机构、基层工会、所属工会五列，"
    "供审核单位在系统中上传导入。发证时间必填，写成2022-06-30；发证机构类型填写人社部门、认可的第三方评价机构或企业，"
    "发证机构按证书填写全称；基层工会、所属工会可空白。身份证号、银行卡号请保持文本格式。",
)

QUOTA_COLUMNS = (
    Column("系统", 20, align="center"),
    Column("高技能人才奖励指导数（上不封顶）", 18, align="center", number_format="0"),
    Column("有效申报数", 12, align="center", number_format="0"),
    Column("审核单位已通过", 14, align="center", number_format="0"),
    Column("市总工会已审核通过", 14, align="center", number_format="0"),
    Column("已发放", 10, align="center", number_format="0"),
    Column("有效申报数占指导数", 14, align="center", number_format="0.0%"),
)
QUOTA_NOTES = (
    "注：1. 指导数为工作任务目标，上不封顶。",
    "　　2. 有效申报数不含未通过和已撤回的申报；审核单位已通过、市总工会已审核通过、已发放为其中已到达该环节的人数"
    "（累计），随办理进度实时更新。表中只有人数，不含个人信息。",
)


def _demo(campaign, title):
    return f"{title}（演示）" if getattr(campaign, "is_demo", False) else title


def summary_title(campaign):
    return _demo(campaign, f"{campaign.year}年度杭州市职工高技能人才奖励人员汇总表")


def summary_import_title(campaign):
    return f"{summary_title(campaign)}（{IMPORT_EDITION}）"


def quota_title(campaign):
    return _demo(campaign, f"{campaign.year}年杭州市职工高技能人才奖励工作任务分解表")


def summary_layout(campaign, unit_name="", *, blank=False, with_unit_column=False, exported=""):
    """Annex 4: title, 填报单位：（盖章） and the date line, the 11 columns, the two notes.

    `blank`: the form to fill in by hand (ruled empty rows). `unit_name` follows 填报单位. The
    city's export of several units adds a last column naming each row's unit. `exported` (text)
    goes into the page footer, so a printed copy says when it was taken from the portal.
    """
    columns = SUMMARY_COLUMNS + ((SUMMARY_UNIT_COLUMN,) if with_unit_column else ())
    footer = f"&L{exported}&C{PAGE_NUMBERS}" if exported else f"&C{PAGE_NUMBERS}"
    return Layout(
        sheet_name=SUMMARY_SHEET,
        title=summary_title(campaign),
        columns=columns,
        caption_left=f"{SUMMARY_UNIT_LABEL}{unit_name}",
        caption_right=DATE_PLACEHOLDER,
        notes=SUMMARY_NOTES,
        blank_rows=BLANK_SUMMARY_ROWS if blank else 0,
        footer=footer,
    )


def summary_rows(applications, *, with_unit_column=False):
    """Annex 4 rows, 序号 numbered from 1, from applications (or anything with the same attributes)."""
    values = (
        (
            application.name,
            application.gender,
            application.employer,
            application.id_number,
            application.occupation,
            application.new_level.name,
            application.certificate_number,
            application.mobile,
            application.bank_card,
            application.bank_branch,
            *((application.unit.name,) if with_unit_column else ()),
        )
        for application in applications
    )
    return summary_value_rows(values)


def summary_value_rows(values):
    """Annex 4 rows, 序号 numbered from 1, from tuples of values in column order after 序号 (the gender as stored).

    What a `values_list` query yields (the export reads the columns it writes and builds no model
    object per row), and what `summary_rows` makes of applications.
    """
    for number, (name, gender, *rest) in enumerate(values, start=1):
        yield [number, name, GENDERS.get(gender, gender), *rest]


def quota_layout(campaign, as_of):
    """Annex 1 with the live counts: the units in order, their guidance numbers and figures, the total."""
    return Layout(
        sheet_name=QUOTA_SHEET,
        title=quota_title(campaign),
        columns=QUOTA_COLUMNS,
        caption_right=f"统计时间：{as_of:%Y年%m月%d日 %H:%M}",
        notes=QUOTA_NOTES,
        footer=f"&C{PAGE_NUMBERS}",
    )


def quota_row(progress):
    """One Annex 1 row from a `progress.UnitProgress` (a unit or the total): counts only."""
    share = progress.submitted / progress.guidance if progress.guidance else None
    return [
        progress.unit_name,
        progress.guidance,
        progress.submitted,
        progress.unit_approved,
        progress.approved,
        progress.paid,
        share,
    ]


def write_summary_table(
    out, campaign, applications=(), *, unit_name="", blank=False, with_unit_column=False, exported=""
):
    """Annex 4 as an .xlsx to `out` (see `summary_layout`), filled from `applications`; returns the row count."""
    layout = summary_layout(campaign, unit_name, blank=blank, with_unit_column=with_unit_column, exported=exported)
    return write_table(out, layout, summary_rows(applications, with_unit_column=with_unit_column))


def write_summary_values(out, campaign, values, *, unit_name="", with_unit_column=False, exported=""):
    """Annex 4 as `write_summary_table` writes it, from `values` (see `summary_value_rows`); returns the row count.

    Each tuple holds an application's name, gender, employer, ID number, occupation, level name,
    certificate number, mobile, bank card and bank branch, then, with `with_unit_column`, its unit's name.
    """
    layout = summary_layout(campaign, unit_name, with_unit_column=with_unit_column, exported=exported)
    return write_table(out, layout, summary_value_rows(values))


def write_summary_import_blank(out, campaign):
    """Annex 4's import edition (系统导入版), blank, as an .xlsx to `out`: SUMMARY_IMPORT_COLUMNS."""
    layout = Layout(
        sheet_name=SUMMARY_SHEET,
        title=summary_import_title(campaign),
        columns=SUMMARY_IMPORT_COLUMNS,
        caption_left=SUMMARY_UNIT_LABEL,
        caption_right=DATE_PLACEHOLDER,
        notes=SUMMARY_IMPORT_NOTES,
        blank_rows=BLANK_SUMMARY_ROWS,
    )
    return write_table(out, layout, ())


def write_quota_table(out, campaign, unit_rows, total, as_of):
    """Annex 1 as an .xlsx to `out`: one row per `progress.UnitProgress` in `unit_rows`, then `total`."""
    return write_table(out, quota_layout(campaign, as_of), map(quota_row, unit_rows), total=quota_row(total))
