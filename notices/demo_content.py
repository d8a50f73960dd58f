"""Demo content: notice 杭总工办〔2022〕12号 and its four annexes, as raw StreamField data.

Pure data builders (no database access, no model imports) used by ``load_demo`` and by the
tests: ``NOTICE`` (the NoticePage fields except the body), ``notice_body()``, ``ANNEXES``
(``annexes()`` returns fresh copies) and ``NOTICE_SENTENCES``. The text is the 2022 notice
from ``seed/notice-2022.txt`` with the extraction noise left out (the screenshot of the
2015 page, the service-hall menu table and the stray link list inside the procedure guide)
and normalised in one way throughout:

- Chinese punctuation is full-width (，：；（）), as in the printed notice;
- PDF line and page breaks inside a sentence are joined ("职业技能标准", "把政策用好");
- spaces the PDF put between Chinese and Latin letters or digits are dropped
  ("2022年12月15日", "IE浏览器", "杭工e家"), except around web addresses;
- web addresses are plain text, and list numbers come from ``<ol>``, not from the text.

``NOTICE_SENTENCES`` lists every sentence of that text, split at 。；：！？, each a literal
substring of the rendered text of the notice page (or its header and footer fields) or of
one of its annex pages. Annex 4's column headings are `annex_tables.SUMMARY_COLUMNS`, the
definition the Excel export and import use.
"""

import datetime
import re
from html import escape

from applications.documents import annex_tables

NOTICE = {
    "title": "关于做好2022年度杭州市职工高技能人才培训和奖励工作的通知",
    "slug": "2022",
    "issuing_office": "杭州市总工会办公室文件",
    "document_number": "杭总工办〔2022〕12号",
    "addressees": "各区、县（市）总工会，各产业工会：",
    "signatory": "杭州市总工会办公室",
    "signed_on": datetime.date(2022, 5, 10),
    "cc": "浙江省总工会办公室",
    "printed_by": "杭州市总工会办公室",
    "printed_on": datetime.date(2022, 5, 10),
}

# An outline is a list of (kind, value): "p" paragraph, "h2"/"h3" heading, "ol" numbered list,
# "steps" (title, [(step title, [paragraphs])]), "tip" (callout title, [numbered items]).
NOTICE_OUTLINE = [
    (
        "p",
        (
            "为深入贯彻落实中央、省、市各级关于加强新时代产业工人队伍建设改革工作一系列指示精神，"
            "不断夯实职工职业技能基础，构建起一支与杭州经济社会高质量发展需要的知识型、技能型、"
            "创新型人才队伍，推进新时代杭州产业工人队伍建设改革，为奋进新时代、建设新天堂，"
            "奋力打造世界一流的社会主义现代化国际大都市贡献力量。"
            "现就做好2022年度职工高技能人才培训和奖励工作有关事项通知如下："
        ),
    ),
    ("h2", "一、高技能人才培训"),
    (
        "p",
        (
            "各区、县（市）总工会及产业工会按照国家职业分类和职业技能标准继续组织职工高技能人才培养工作。"
            "各单位可结合自身情况确定培训数，制定计划方案，设立专项资金，强化监督落实，"
            "确保职工高技能人才培训落到实处。"
        ),
    ),
    ("h2", "二、高技能人才奖励"),
    ("h3", "（一）奖励对象和条件"),
    ("p", "奖励对象需同时符合以下条件："),
    (
        "ol",
        [
            "本市所属工会实名认证会员。",
            (
                "本年度晋级，获得高级工以上（含高级工）职业资格证书（职业技能等级证书）。"
                "职业资格证书（职业技能等级证书）发证时间为2021年12月1日至2022年11月30日；"
                "符合2021年度奖励条件，但未申请过2021年度奖励（发证时间为2020年12月1日至2021年11月30日）。"
            ),
        ],
    ),
    ("p", "奖励名额不设上限，各单位奖励工作任务指导数见附件1。"),
    ("h3", "（二）奖励职业（工种）范围"),
    (
        "ol",
        [
            "浙江省、杭州市本级及区县（市）人社部门核发资格证书的职业（工种）。",
            "人社部门认可的在杭州市范围内的职业技能等级第三方评价机构、企业颁发的职业技能等级证书的职业（工种）。",
        ],
    ),
    ("h3", "（三）奖励标准"),
    (
        "ol",
        [
            "晋级高级工的，每人奖励500元；晋级技师的，每人奖励600元；晋级高级技师的，每人奖励800元。",
            "同一对象在2022年度奖励时间期限内仅限享受一次奖励，按取得资格证书所享受最高标准办理。",
            "奖励费用由市总工会承担。",
        ],
    ),
    ("h3", "（四）奖励申领程序"),
    (
        "ol",
        [
            (
                "高技能人才奖励申报的两种方式：单位统一申报和职工个人网上申报（具体申报流程见附件）。"
                "职工采取个人网上申报的需要通过工会会员网上实名认证。"
            ),
            (
                "市总工会职工服务中心负责受理申请，对相关资料真实性进行审核确认后，统一核发奖励费用，"
                "金额汇入享受人的个人银行卡，并短信通知。"
            ),
            "市总工会经济工作部负责政策说明、指导检查等相关服务协调工作。",
            "高技能人才奖励申报截止时间为2022年12月15日前。",
            "《申请表》、《汇总表》等表格可至杭州工会网下载，网址：http://www.hzgh.org。",
        ],
    ),
    ("h2", "三、要求"),
    (
        "ol",
        [
            (
                "各区县（市）总工会和产业工会要强化学习，深刻领会各级关于职工人才建设的精神实质，"
                "结合本地区本系统经济发展态势，把握职工职业技能建设方向，"
                "有效对接各地产业转型升级的职业人才队伍需求，精准服务企业职工技能提升需求，为经济社会发展助力。"
            ),
            (
                "要加大高技能人才奖励工作相关政策的宣传力度，认真做好组织发动工作，不断强化服务管理，"
                "做好相关保障工作，把政策用好；同时要把好审核关，指导职工按照申报条件和要求如实申报，"
                "避免出现漏报、多报、瞒报、虚报等情况出现。"
            ),
            (
                "要加强调查研究，积极拓展职工职业技能成才渠道，引导更多的职工学技能、提素质，"
                "也可参照市本级做法，结合自身实际，制定出台相应的人才激励政策，为职工的技能成长提供强有力的政策支持。"
            ),
        ],
    ),
]

QUOTA_HEADER = "高技能人才奖励指导数（上不封顶）"

PROCEDURE_OUTLINE = [
    ("h2", "一、个人申报操作流程"),
    (
        "p",
        (
            "个人在网上提交申报材料，区县（市）总工会和产业工会在线进行预审核，"
            "审核通过后提交由市总工会审核批准后，发放资金到申报者个人账户。"
        ),
    ),
    ("h3", "（一）个人网上申报流程"),
    (
        "steps",
        (
            "",
            [
                (
                    "第一步",
                    [
                        (
                            "打开浏览器（建议选择IE浏览器），键入网址 fw.hzgh.org 进入杭州工会网上服务大厅，"
                            "点击“个人办事”后选择“高技能人才奖励”栏目。"
                        ),
                        "或者下载“杭工e家”APP，完成注册，后点击“技能激励”。",
                    ],
                ),
                ("第二步", ["在“高技能人才奖励”栏目中，认真阅读申报文件，符合条件者点击“在线申报”。"]),
                ("第三步", ["按照要求填写表格，提交附件材料后等待审批。"]),
            ],
        ),
    ),
    (
        "tip",
        (
            "提示",
            [
                "申报完成后系统会自动生成查询密码，供后续查询使用。",
                "根据身份证号和查询密码查询申请状态。",
                "如果资料填写错误或者附件提交错误的，可以重新提出申请。",
                "职工采取个人网上申报的需已进行过工会会员网上实名认证，如未实名认证，将无法在线申报。",
            ],
        ),
    ),
    ("h3", "（二）区县（市）总工会和产业工会审批流程"),
    (
        "steps",
        (
            "",
            [
                # The seed reads "州杭市总工会智慧工会工作平台", a typo for 杭州市; fixed here.
                ("第一步", ["使用IE浏览器进入杭州市总工会智慧工会工作平台。"]),
                ("第二步", ["在“服务中心”-“高技能人才奖励”-“高技能人才奖励审阅”栏目内看到相应待处理数据。"]),
                (
                    "第三步",
                    [
                        (
                            "选中某条信息后点击“审阅”，出现申报信息。"
                            "其中申报的材料以链接的形式显示在界面上，点击可弹窗显示图片。"
                        )
                    ],
                ),
                (
                    "第四步",
                    [
                        (
                            "根据要求填写意见，审核通过后继续提交市总工会审批。审批通过后，统一核发奖励费用，"
                            "直接打入高技能人才奖励人员的银行卡，并短信通知个人；审核未通过的，驳回流程，"
                            "数据反馈至网上服务大厅。"
                        )
                    ],
                ),
            ],
        ),
    ),
    ("h2", "二、单位统一申报操作流程"),
    (
        "ol",
        [
            (
                "申请职工填写《杭州市工会职工高技能人才奖励申请表》"
                "（附件3，可至杭州工会网：http://www.hzgh.org 下载），"
                "连同身份证复印件（正反面复印在一张纸上）、等级证书复印件和银行卡复印件等证明材料，一并交所在基层单位工会。"
            ),
            "基层工会初审，并将有关证明材料集中汇总报至所属区县（市）、产业工会。",
            (
                "区县（市）、产业工会复审，将《杭州市工会职工高技能人才奖励申请表》统一录入高技能人才奖励网上申报系统，"
                "并填写《杭州市职工高技能人才奖励人员汇总表》（见附件4），附有关证明材料报市总工会职工服务中心。"
            ),
            (
                "市总工会职工服务中心终审，审核确认后，统一核发奖励费用，直接打入高技能人才奖励人员的银行卡，"
                "并短信通知个人。"
            ),
        ],
    ),
]

OPINION = "盖章：　　年　　月　　日"
# Annex 3 fields in the form's order: (label, who fills it in, note printed on the form).
FORM_FIELDS = [
    ("所属区县市（产业）工会", "申请职工", ""),
    ("填报日期", "申请职工", ""),
    ("姓名", "申请职工", ""),
    ("性别", "申请职工", ""),
    ("学历", "申请职工", ""),
    ("申报奖励工种", "申请职工", ""),
    ("原有最高技能等级", "申请职工", ""),
    ("原有技能等级取得时间", "申请职工", ""),
    ("现晋升的技能等级", "申请职工", ""),
    ("等级证书编号", "申请职工", ""),
    ("发证时间", "申请职工", ""),
    ("身份证号码", "申请职工", ""),
    ("手机号码", "申请职工", ""),
    ("银行卡号", "申请职工", ""),
    ("银行卡开户行", "申请职工", "请写至支行"),
    ("工作单位", "申请职工", ""),
    ("是否外来务工人员", "申请职工", "□是（户籍地：______，来杭年限：______年）　□否"),
    ("基层工会意见", "基层工会", OPINION),
    ("区县市产业工会意见", "区、县（市）总工会或产业工会", OPINION),
    ("市总工会意见", "市总工会", OPINION),
]
FORM_NOTE = ("备注", "银行卡开户行请写至支行，例：××银行××支行。")

SUMMARY_HEADER = "填报单位：（盖章）"
SUMMARY_COLUMNS = [column.title for column in annex_tables.SUMMARY_COLUMNS]
SUMMARY_NOTES = (
    "注",
    [
        "该表仅单位统一申报时需要填写，个人申报无需填写。",
        "受奖励人员所在单位必须建立工会组织，市总工会将对上报人员单位工会组建情况进行核查。",
    ],
)

ANNEX_TITLES = [
    "2022年杭州市职工高技能人才奖励工作任务分解表",
    "2022年度杭州市职工高技能人才奖励申报流程说明",
    "2022年杭州市职工高技能人才奖励申请表",
    "2022年度杭州市职工高技能人才奖励人员汇总表",
]


def _html(text):
    return f"<p>{escape(text, quote=False)}</p>"


def _ol_html(items):
    return "<ol>" + "".join(f"<li>{escape(item, quote=False)}</li>" for item in items) + "</ol>"


def _table(caption, rows):
    return {
        "type": "table",
        "value": {
            "caption": caption,
            "table": {
                "data": [list(row) for row in rows],
                "first_row_is_table_header": True,
                "first_col_is_header": False,
                "table_caption": "",
            },
        },
    }


def _downloads(*files):
    return {"type": "downloads", "value": {"title": "表格下载", "files": list(files), "documents": []}}


def _block(kind, value):
    if kind == "p":
        return {"type": "paragraph", "value": _html(value)}
    if kind in ("h2", "h3"):
        return {"type": "heading", "value": {"text": value, "level": kind}}
    if kind == "ol":
        return {"type": "numbered_list", "value": {"start": 1, "items": [_html(item) for item in value]}}
    if kind == "steps":
        title, steps = value
        return {
            "type": "steps",
            "value": {
                "title": title,
                "steps": [
                    {"title": step, "text": "".join(map(_html, texts)), "screenshot": None, "screenshot_alt": ""}
                    for step, texts in steps
                ],
            },
        }
    if kind == "tip":
        title, items = value
        return {"type": "callout", "value": {"tone": "info", "title": title, "text": _ol_html(items)}}
    raise ValueError(f"unknown outline kind {kind!r}")


def _outline_texts(outline):
    for kind, value in outline:
        if kind in ("p", "h2", "h3"):
            yield value
        elif kind == "ol":
            yield from value
        elif kind == "steps":
            for step, texts in value[1]:
                yield step
                yield from texts
        elif kind == "tip":
            yield value[0]
            yield from value[1]


def notice_body():
    """The notice's body as raw StreamField data (without the annex list and the footer)."""
    return [_block(kind, value) for kind, value in NOTICE_OUTLINE]


def quota_table_body():
    """Annex 1: the quota table is drawn from the campaign's quota data."""
    return [
        {"type": "paragraph", "value": _html(f"各区、县（市）总工会和产业工会的{QUOTA_HEADER}如下表。")},
        {"type": "quota_table", "value": {"note": "指导数为工作任务目标，上不封顶。"}},
        _downloads("quota-table.xlsx"),
    ]


def procedure_body():
    """Annex 2: how to apply online, how unions review, and the unit channel."""
    return [_block(kind, value) for kind, value in PROCEDURE_OUTLINE] + [
        _downloads("application-form.pdf", "summary-table.xlsx")
    ]


def application_form_body():
    """Annex 3: what the paper application form asks for, and the blank form."""
    return [
        {
            "type": "paragraph",
            "value": _html(
                "采取单位统一申报的职工填写本表，连同身份证复印件（正反面复印在一张纸上）、"
                "等级证书复印件和银行卡复印件等证明材料，一并交所在基层单位工会（见附件2）。"
            ),
        },
        _table("申请表栏目", [("栏目", "填写人", "说明"), *FORM_FIELDS]),
        {"type": "callout", "value": {"tone": "warning", "title": FORM_NOTE[0], "text": _html(FORM_NOTE[1])}},
        _downloads("application-form.pdf"),
    ]


def summary_table_body():
    """Annex 4: the unit channel's summary table, and the blank spreadsheet."""
    return [
        {
            "type": "paragraph",
            "value": _html(
                "区、县（市）总工会和产业工会在单位统一申报时填写本表，"
                "附有关证明材料报市总工会职工服务中心（见附件2）。"
            ),
        },
        {"type": "paragraph", "value": _html(f"{SUMMARY_HEADER}　　　　年　　月　　日")},
        _table("", [SUMMARY_COLUMNS, [""] * len(SUMMARY_COLUMNS)]),
        {"type": "callout", "value": {"tone": "info", "title": SUMMARY_NOTES[0], "text": _ol_html(SUMMARY_NOTES[1])}},
        _downloads("summary-table.xlsx"),
    ]


def annexes():
    """The four annexes in order, each with the fields of its AnnexPage and a fresh body."""
    specs = [
        ("quota_table", "quota-table", quota_table_body),
        ("procedure", "procedure", procedure_body),
        ("application_form", "application-form", application_form_body),
        ("summary_table", "summary-table", summary_table_body),
    ]
    return [
        {"number": number, "kind": kind, "slug": slug, "title": title, "body": body()}
        for number, ((kind, slug, body), title) in enumerate(zip(specs, ANNEX_TITLES, strict=True), start=1)
    ]


ANNEXES = annexes()


def _split(text):
    return [part.strip() for part in re.split(r"[。；：！？]", text) if part.strip()]


def notice_sentences():
    """Every sentence of the 2022 notice and its annexes, in document order."""
    texts = [
        NOTICE["document_number"],
        NOTICE["title"],
        NOTICE["addressees"],
        *_outline_texts(NOTICE_OUTLINE),
        *ANNEX_TITLES,
        QUOTA_HEADER,
        *_outline_texts(PROCEDURE_OUTLINE),
        *(label for label, _who, _note in FORM_FIELDS),
        *FORM_NOTE,
        SUMMARY_HEADER,
        *SUMMARY_COLUMNS,
        SUMMARY_NOTES[0],
        *SUMMARY_NOTES[1],
        NOTICE["cc"],
        NOTICE["signatory"],
    ]
    return list(dict.fromkeys(sentence for text in texts for sentence in _split(text)))


NOTICE_SENTENCES = notice_sentences()
