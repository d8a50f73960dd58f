"""Importing the Annex 4 summary table: per-row Chinese errors, all-or-nothing, only-valid, annotated copy."""

import datetime
import io

import pytest
from openpyxl import Workbook, load_workbook
from stdnum import luhn

from applications.apply.submission import UNIT_DUPLICATE
from applications.core.constants import ApplicationState, Channel
from applications.documents.annex_tables import SUMMARY_COLUMNS
from applications.models import Application, ReviewUnit
from applications.programme.demo import ensure_demo_campaign
from applications.programme.staff import create_staff
from applications.unit_channel.annex4 import (
    ERROR_COLUMN,
    SummaryTableError,
    annotated_copy,
    import_rows,
    parse_summary_table,
    validate_rows,
)
from tests.factories import ApplicationFactory, make_id_number, register_member

HEADER = [*(column.label for column in SUMMARY_COLUMNS), "发证时间", "发证机构类型", "发证机构"]
OPINION = "经基层工会和本单位核对，情况属实。"


def card(n):
    body = f"622202120200000{n:03d}"
    return body + luhn.calc_check_digit(body)


def person(n, campaign, **changes):
    # seq odd -> male, even -> female
    values = {
        "序号": n,
        "姓名": f"职工{n}",
        "性别": "男" if n % 2 else "女",
        "工作单位": "杭州示例机械有限公司",
        "身份证号": make_id_number(datetime.date(1988, 5, 17), seq=n),
        "职业(工种)": "车工",
        "技术等级": ["高级工", "技师", "高级技师"][n % 3],
        "证书编号": f"S2022{n:08d}",
        "联系方式(手机号码)": f"139{n:08d}",
        "银行卡号": card(n),
        "银行卡开户行": "中国工商银行杭州西湖支行",
        "发证时间": datetime.datetime.combine(campaign.window_start + datetime.timedelta(days=5), datetime.time()),
        "发证机构类型": "人社部门",
        "发证机构": "杭州市人力资源和社会保障局",
    }
    values.update(changes)
    register_member(values["姓名"], values["身份证号"])  # condition 一: only members are imported
    return values


def workbook_bytes(rows, header=HEADER):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([f"{datetime.date.today().year}年度杭州市职工高技能人才奖励汇总表"])
    sheet.append(["填报单位:(盖章)", "西湖区总工会", None, None, None, None, None, None, "日期：2022年12月1日"])
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(title) for title in header])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.fixture
def setup(campaign_2022):
    campaign = ensure_demo_campaign(campaign_2022)
    unit = ReviewUnit.objects.get(name="西湖区总工会")
    user = create_staff("t-xihu-bulk", "unit_reviewer", password="pw-for-tests", unit_name=unit.name)[0]
    return campaign, unit, user


def run(data, campaign, unit, user, **kwargs):
    results = validate_rows(parse_summary_table(io.BytesIO(data)), campaign, unit)
    return results, import_rows(
        results, campaign, unit, user, grassroots_opinion=OPINION, grassroots_union="示例公司工会", **kwargs
    )


def messages(results):
    return {(error.row, error.column): error.message for result in results for error in result.errors}


def test_a_clean_file_imports_every_row_as_unit_approved(setup):
    campaign, unit, user = setup
    data = workbook_bytes([person(n, campaign) for n in (1, 2, 3)])
    results, outcome = run(data, campaign, unit, user)
    assert [result.row for result in results] == [4, 5, 6]
    assert all(result.ok for result in results), messages(results)
    assert not outcome.refused and outcome.count == 3
    applications = Application.objects.filter(campaign=campaign).order_by("name")
    assert [a.name for a in applications] == ["职工1", "职工2", "职工3"]
    assert {a.state for a in applications} == {ApplicationState.UNIT_APPROVED}
    assert {a.channel for a in applications} == {Channel.UNIT}
    first = applications[0]
    assert first.gender == "male" and first.education == "" and first.grassroots_union == "示例公司工会"
    assert first.events.get().opinion == OPINION


def test_a_file_full_of_errors_reports_them_per_cell_and_imports_nothing(setup):
    campaign, unit, user = setup
    rows = [
        person(1, campaign),  # good
        person(2, campaign, 姓名="=1+1"),
        person(3, campaign, 身份证号=3.30106198805170e17),
        person(4, campaign, 身份证号=make_id_number(datetime.date(1988, 5, 17), seq=6)),
        person(6, campaign),  # same ID as the row above
        person(7, campaign, 技术等级="中级工程师"),
        person(9, campaign, 发证时间=None),
        person(11, campaign, **{"联系方式(手机号码)": "1234"}),
        person(13, campaign, 性别="女", 银行卡号="6222021202000000002"),
    ]
    results, outcome = run(workbook_bytes(rows), campaign, unit, user)
    found = messages(results)
    assert results[0].ok
    assert "公式" in found[(5, "姓名")]
    assert "存成了数字" in found[(6, "身份证号")]
    assert "与第8行的身份证号码重复" in found[(7, "身份证号")]
    assert "与第7行的身份证号码重复" in found[(8, "身份证号")]
    assert "不是技术等级名称" in found[(9, "技术等级")]
    assert "发证时间" in str(results[6].errors[0]) and "必须填写" in found[(10, "发证时间")]
    assert "不是有效的11位手机号码" in found[(11, "联系方式(手机号码)")]
    assert "不一致" in found[(12, "性别")]
    assert "未通过校验" in found[(12, "银行卡号")]
    assert outcome.refused and outcome.count == 0 and outcome.skipped == 8
    assert not Application.objects.filter(campaign=campaign).exists()


def test_an_unknown_header_layout_is_refused():
    with pytest.raises(SummaryTableError, match="找不到表头"):
        parse_summary_table(io.BytesIO(workbook_bytes([], header=["编号", "名字", "证件"])))
    with pytest.raises(SummaryTableError, match=r"缺少列：.*银行卡号"):
        parse_summary_table(io.BytesIO(workbook_bytes([], header=HEADER[:9])))
    with pytest.raises(SummaryTableError, match=r"\.xlsx"):
        parse_summary_table(io.BytesIO(b"not a workbook"))


def test_header_aliases_are_accepted(setup):
    campaign, unit, _user = setup
    header = [
        {"身份证号": "身份证号码", "联系方式(手机号码)": "手机号码", "职业(工种)": "职业（工种）"}.get(t, t)
        for t in HEADER
    ]
    row = person(1, campaign)
    row.update({"身份证号码": row["身份证号"], "手机号码": row["联系方式(手机号码)"], "职业（工种）": "车工"})
    results = validate_rows(parse_summary_table(io.BytesIO(workbook_bytes([row], header))), campaign, unit)
    assert results[0].ok, messages(results)


def test_only_valid_imports_just_the_good_rows(setup):
    campaign, unit, user = setup
    rows = [person(1, campaign), person(2, campaign, 技术等级="初级工"), person(3, campaign)]
    _results, outcome = run(workbook_bytes(rows), campaign, unit, user, only_valid=True)
    assert not outcome.refused and outcome.count == 2 and outcome.skipped == 1
    assert "不在奖励范围内" in outcome.errors[0].message and outcome.errors[0].row == 5
    assert sorted(Application.objects.filter(campaign=campaign).values_list("name", flat=True)) == ["职工1", "职工3"]


def test_an_existing_live_application_for_the_same_id_is_caught_without_describing_it(setup):
    campaign, unit, user = setup
    existing = ApplicationFactory(campaign=campaign, id_number=make_id_number(datetime.date(1988, 5, 17), seq=2))
    results, outcome = run(workbook_bytes([person(1, campaign), person(2, campaign)]), campaign, unit, user)
    assert messages(results)[(5, "身份证号")] == UNIT_DUPLICATE
    assert existing.reference not in str(messages(results))
    assert outcome.refused
    assert list(Application.objects.filter(campaign=campaign)) == [existing]


def test_a_submission_error_part_way_rolls_back_every_row(setup):
    campaign, unit, user = setup
    results = validate_rows(
        parse_summary_table(io.BytesIO(workbook_bytes([person(1, campaign), person(2, campaign)]))), campaign, unit
    )
    campaign.is_open = False
    campaign.save()
    outcome = import_rows(results, campaign, unit, user, grassroots_opinion=OPINION, grassroots_union="工会")
    assert outcome.refused and outcome.count == 0 and {error.row for error in outcome.errors} == {4, 5}
    assert not Application.objects.filter(campaign=campaign).exists()


def test_the_annotated_copy_has_the_error_column_and_highlights(setup):
    campaign, unit, _user = setup
    data = workbook_bytes([person(1, campaign), person(2, campaign, 性别="男", 发证时间="2000-01-01")])
    results = validate_rows(parse_summary_table(io.BytesIO(data)), campaign, unit)
    sheet = load_workbook(io.BytesIO(annotated_copy(data, results))).active
    assert sheet.cell(row=3, column=len(HEADER) + 1).value == ERROR_COLUMN
    assert sheet.cell(row=4, column=len(HEADER) + 1).value is None
    note = sheet.cell(row=5, column=len(HEADER) + 1).value
    assert "性别：" in note and "发证时间：" in note and "不在" in note
    assert sheet.cell(row=5, column=HEADER.index("性别") + 1).fill.fgColor.rgb.endswith("FFC7CE")
    assert sheet.cell(row=4, column=HEADER.index("性别") + 1).fill.fill_type is None
    assert sheet.cell(row=5, column=2).value == "职工2"


def test_a_missing_grassroots_union_is_flagged_once_the_uploaders_default_is_known(setup):
    campaign, unit, _user = setup
    table = parse_summary_table(io.BytesIO(workbook_bytes([person(1, campaign)])))
    assert validate_rows(table, campaign, unit)[0].ok  # left to import_rows
    assert validate_rows(table, campaign, unit, grassroots_union="示例公司工会")[0].ok
    [result] = validate_rows(table, campaign, unit, grassroots_union=" ")
    assert messages([result]) == {(4, "基层工会"): "未填写基层工会；受奖励人员所在单位必须建立工会组织。"}


def test_blank_and_merely_formatted_rows_keep_row_numbers_and_cost_nothing(setup):
    from openpyxl.styles import Font

    campaign, _unit, _user = setup
    workbook = load_workbook(io.BytesIO(workbook_bytes([person(1, campaign)])))
    sheet = workbook.active
    sheet.append([])  # row 5 blank
    sheet.append([person(2, campaign).get(title) for title in HEADER])  # row 6
    sheet.cell(row=100_000, column=1).font = Font(bold=True)  # formatted, empty
    out = io.BytesIO()
    workbook.save(out)
    table = parse_summary_table(io.BytesIO(out.getvalue()))
    assert [row.row for row in table.rows] == [4, 6]


def test_sheets_over_the_size_limits_are_refused(setup, monkeypatch):
    from applications.unit_channel import annex4 as annex4_import

    campaign, _unit, _user = setup
    data = workbook_bytes([person(n, campaign) for n in range(1, 6)])
    monkeypatch.setattr(annex4_import, "MAX_ROWS", 6)  # title, unit line, header and 3 rows
    with pytest.raises(SummaryTableError, match="表格超过6行"):
        parse_summary_table(io.BytesIO(data))
    monkeypatch.setattr(annex4_import, "MAX_ROWS", 100)
    monkeypatch.setattr(annex4_import, "MAX_UNPACKED_BYTES", 1024)
    with pytest.raises(SummaryTableError, match="解压后超过"):
        parse_summary_table(io.BytesIO(data))


def test_a_unit_column_must_name_the_uploading_unit(setup):
    campaign, unit, user = setup
    header = [*HEADER, "所属工会"]
    rows = [
        person(1, campaign, 所属工会="西湖区总工会"),
        person(2, campaign, 所属工会="拱墅区总工会"),
        person(3, campaign, 所属工会="西湖区工会"),
        person(4, campaign, 所属工会=None),
    ]
    results, outcome = run(workbook_bytes(rows, header=header), campaign, unit, user)
    assert [result.ok for result in results] == [True, False, False, True]
    found = messages(results)
    assert "不是本单位（西湖区总工会）" in found[(5, "所属工会")]
    assert "“西湖区工会”不是审核单位的名称" in found[(6, "所属工会")]
    assert outcome.refused and not Application.objects.filter(campaign=campaign).exists()


def test_the_portal_blank_import_edition_filled_in_imports_without_an_error(setup, client):
    """The 系统导入版 blank, downloaded from the portal and filled in with openpyxl, imports every row."""
    campaign, unit, user = setup
    response = client.get(f"/downloads/{campaign.year}/summary-table-import.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    assert "系统导入版" in str(sheet.cell(row=1, column=1).value)
    header_row = next(row[0].row for row in sheet.iter_rows() if row[0].value == "序号")
    titles = [cell.value for cell in sheet[header_row] if cell.value]
    assert {"发证时间", "基层工会", "所属工会"} <= set(titles)
    for offset, n in enumerate((1, 2, 3), start=1):
        values = person(n, campaign, 基层工会="示例公司工会", 所属工会=unit.name)
        values["发证时间"] = (campaign.window_start + datetime.timedelta(days=5)).isoformat()
        for column, title in enumerate(titles, start=1):
            label = title.replace("（", "(").replace("）", ")")
            sheet.cell(row=header_row + offset, column=column, value=values.get(label, values.get(title)))
    out = io.BytesIO()
    workbook.save(out)
    results, outcome = run(out.getvalue(), campaign, unit, user)
    assert [result.errors for result in results] == [[], [], []]
    assert outcome.count == 3 and not outcome.errors


def test_the_official_print_layout_stays_without_the_import_columns(client, campaign_2022):
    response = client.get(f"/downloads/{campaign_2022.year}/summary-table.xlsx")
    header = next(
        row
        for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
        if row[0] == "序号"
    )
    assert "发证时间" not in header and len([title for title in header if title]) == len(SUMMARY_COLUMNS)


def test_a_row_for_a_person_the_member_registry_does_not_hold_is_an_error(setup):
    from applications.members.directory import NOT_A_MEMBER
    from applications.models import Member

    campaign, unit, user = setup
    rows = [person(1, campaign), person(2, campaign), person(3, campaign)]
    Member.objects.filter(name="职工2").delete()  # not in the registry
    rows[2]["姓名"] = "职工三"  # the registry holds this ID number under 职工3
    results, outcome = run(workbook_bytes(rows), campaign, unit, user)
    assert results[0].ok
    assert [(error.column, error.message) for error in results[1].errors] == [("身份证号", NOT_A_MEMBER)]
    assert [(error.column, error.message) for error in results[2].errors] == [("身份证号", NOT_A_MEMBER)]
    assert outcome.refused and outcome.count == 0
