"""The Annex 4 upload screen: check first, import only on an explicit confirmation, file kept privately."""

import datetime
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from applications.core.constants import ApplicationState
from applications.core.storage import private_storage
from applications.models import Application
from applications.programme.demo import ensure_demo_campaign
from applications.programme.staff import create_staff
from applications.unit_channel.admin.annex4 import SESSION_KEY
from tests.factories import ApplicationFactory
from tests.unit_channel.test_annex4_import import OPINION, person, workbook_bytes

pytestmark = pytest.mark.django_db

UPLOAD = "/admin/applications/annex4/"
CHECK = "/admin/applications/annex4/check/"
ANNOTATED = "/admin/applications/annex4/annotated.xlsx"
IMPORT = "/admin/applications/annex4/import/"
CANCEL = "/admin/applications/annex4/cancel/"
DONE = "/admin/applications/annex4/done/"


@pytest.fixture
def demo(campaign_2022):
    return ensure_demo_campaign(campaign_2022)


@pytest.fixture
def xihu(client, demo, reviewer):
    client.force_login(reviewer)
    return reviewer


def upload(client, data, *, name="西湖区汇总表.xlsx", union="示例公司工会", opinion=OPINION):
    return client.post(
        UPLOAD,
        {
            "file": SimpleUploadedFile(name, data),
            "grassroots_union": union,
            "grassroots_opinion": opinion,
            "paper_consent": "on",
        },
    )


def stored_path(client):
    return client.session[SESSION_KEY]["path"]


def confirm(client, mode, expected):
    token = client.session[SESSION_KEY]["token"]
    return client.post(IMPORT, {"token": token, "mode": mode, "expected": str(expected)})


def rows_with_errors(campaign):
    return [
        person(1, campaign),
        person(2, campaign, 姓名="=1+1"),
        person(3, campaign, 身份证号=3.30106198805170e17),
    ]


def test_a_file_with_errors_lists_them_per_row_and_column_and_imports_nothing(client, demo, xihu):
    response = upload(client, workbook_bytes(rows_with_errors(demo)))
    assert response.status_code == 302 and response["Location"] == CHECK
    html = client.get(CHECK).content.decode()
    assert "共 3 行：无误 1 行，有误 2 行。" in html
    assert '<th scope="row">第5行</th>' in html and "像是公式，不予读取" in html
    assert '<th scope="row">第6行</th>' in html and "身份证号码被 Excel 存成了数字" in html
    assert "仅导入无误的 1 行" in html
    assert 'value="all"' not in html  # no plain "导入" while rows are wrong
    assert not Application.objects.filter(campaign=demo).exists()


def test_the_annotated_copy_downloads_with_an_error_column(client, demo, xihu):
    upload(client, workbook_bytes(rows_with_errors(demo)))
    response = client.get(ANNOTATED)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].startswith("attachment;")
    assert "private" in response["Cache-Control"] and "no-cache" in response["Cache-Control"]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    header = [cell.value for cell in sheet[3]]
    notes = {row: sheet.cell(row=row, column=header.index("错误说明") + 1).value for row in (4, 5, 6)}
    assert notes[4] is None
    assert "姓名" in notes[5] and "身份证号" in notes[6]


def test_only_the_valid_rows_are_imported_on_explicit_choice(client, demo, xihu):
    upload(client, workbook_bytes(rows_with_errors(demo)))
    path = stored_path(client)
    response = confirm(client, "only_valid", 1)
    assert response.status_code == 302 and response["Location"] == DONE
    imported = Application.objects.get(campaign=demo)
    assert (imported.name, imported.state, imported.channel) == ("职工1", ApplicationState.UNIT_APPROVED, "unit")
    assert imported.grassroots_union == "示例公司工会"
    assert imported.events.get().opinion == OPINION
    assert not private_storage().exists(path)
    assert SESSION_KEY not in client.session
    html = client.get(DONE).content.decode()
    assert imported.reference in html and "已导入 1 份申报" in html and "有误的 2 行未导入" in html
    assert f"/admin/applications/review/{imported.pk}/scans/" in html


def test_importing_all_is_refused_while_rows_are_wrong(client, demo, xihu):
    upload(client, workbook_bytes(rows_with_errors(demo)))
    response = confirm(client, "all", 1)
    assert response.status_code == 200
    assert "未导入任何申报" in response.content.decode()
    assert not Application.objects.filter(campaign=demo).exists()
    assert private_storage().exists(stored_path(client))  # still there to try again


def test_a_clean_file_imports_every_row_in_one_go(client, demo, xihu):
    upload(client, workbook_bytes([person(n, demo) for n in (1, 2, 3)]))
    html = client.get(CHECK).content.decode()
    assert "导入（3 行）" in html and "仅导入无误" not in html and "下载标注了错误的表格" not in html
    assert "330***********" in html  # ID numbers masked in the preview
    path = stored_path(client)
    response = confirm(client, "all", 3)
    assert response.status_code == 302
    applications = Application.objects.filter(campaign=demo)
    assert applications.count() == 3
    assert {a.state for a in applications} == {ApplicationState.UNIT_APPROVED}
    assert not private_storage().exists(path)


def test_the_file_is_checked_again_at_import(client, demo, xihu):
    rows = [person(n, demo) for n in (1, 2)]
    upload(client, workbook_bytes(rows))
    ApplicationFactory(campaign=demo, id_number=rows[1]["身份证号"], state=ApplicationState.SUBMITTED)
    response = confirm(client, "all", 2)
    assert response.status_code == 302 and response["Location"] == CHECK
    assert Application.objects.filter(campaign=demo, channel="unit").count() == 0
    html = client.get(CHECK).content.decode()
    assert "检查结果已经变化" in html and "在本年度已有申报，不能重复录入" in html and "仅导入无误的 1 行" in html


def test_a_confirmation_from_a_replaced_upload_is_refused(client, demo, xihu):
    upload(client, workbook_bytes([person(1, demo)]))
    old_token = client.session[SESSION_KEY]["token"]
    old_path = stored_path(client)
    upload(client, workbook_bytes([person(2, demo)]))
    assert not private_storage().exists(old_path)  # a new upload replaces the old file
    response = client.post(IMPORT, {"token": old_token, "mode": "all", "expected": "1"})
    assert response.status_code == 302 and response["Location"] == CHECK
    assert not Application.objects.filter(campaign=demo).exists()


def test_rows_without_a_grassroots_union_are_errors_when_none_is_given(client, demo, xihu):
    upload(client, workbook_bytes([person(1, demo)]), union="")
    html = client.get(CHECK).content.decode()
    assert "未填写基层工会；受奖励人员所在单位必须建立工会组织。" in html
    assert "没有无误的行" in html


def test_a_wrong_file_is_refused_beside_the_field_keeping_what_was_typed(client, demo, xihu):
    response = upload(client, b"\xd0\xcf\x11\xe0 old xls", name="汇总表.xls", opinion="经核对属实，同意上报。")
    html = response.content.decode()
    assert response.status_code == 200
    assert "请上传附件4汇总表的 .xlsx 文件" in html
    assert "经核对属实，同意上报。" in html and 'value="示例公司工会"' in html
    assert SESSION_KEY not in client.session


def test_the_opinion_is_required(client, demo, xihu):
    response = upload(client, workbook_bytes([person(1, demo)]), opinion="  ")
    assert response.status_code == 200 and "请填写基层工会意见。" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_the_stored_upload_is_private_and_deleted_on_cancel(client, demo, xihu):
    upload(client, workbook_bytes(rows_with_errors(demo)))
    path = stored_path(client)
    assert path.startswith("pending/") and path.endswith("/annex4.xlsx")
    on_disk = Path(private_storage().path(path))
    assert on_disk.is_file()
    assert Path(settings.PRIVATE_MEDIA_ROOT) in on_disk.parents
    assert Path(settings.MEDIA_ROOT) not in on_disk.parents
    assert client.get(f"{settings.MEDIA_URL}{path}").status_code == 404
    response = client.post(CANCEL)
    assert response.status_code == 302
    assert not on_disk.exists() and SESSION_KEY not in client.session
    assert not Application.objects.filter(campaign=demo).exists()
    assert client.get(CHECK)["Location"] == UPLOAD


def test_another_session_cannot_reach_the_upload(client, demo, xihu):
    upload(client, workbook_bytes([person(1, demo)]))
    token = client.session[SESSION_KEY]["token"]
    from django.test import Client

    other = Client()
    other.force_login(create_staff("t-gongshu", "unit_reviewer", password="pw-for-tests", unit_name="拱墅区总工会")[0])
    assert other.get(CHECK)["Location"] == UPLOAD
    assert other.get(ANNOTATED)["Location"] == UPLOAD
    other.post(IMPORT, {"token": token, "mode": "all", "expected": "1"})
    assert not Application.objects.filter(campaign=demo).exists()


@pytest.mark.parametrize("role", ["city_service_center", "economic_dept", "editor"])
@pytest.mark.parametrize("url", [UPLOAD, CHECK, ANNOTATED, DONE])
def test_only_unit_reviewers_reach_the_screens(client, demo, role, url):
    client.force_login(create_staff(f"t-{role}", role, password="pw-for-tests")[0])
    assert client.get(url).status_code == 404
    assert client.post(IMPORT).status_code == 404


def test_anonymous_users_are_sent_to_sign_in(client, demo):
    response = client.get(UPLOAD)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_menu_shows_the_upload_to_unit_reviewers_only(client, demo, reviewer, service_center):
    client.force_login(reviewer)
    assert f'"url": "{UPLOAD}"' in client.get("/admin/").content.decode()  # the sidebar is JSON
    client.force_login(service_center)
    assert f'"url": "{UPLOAD}"' not in client.get("/admin/").content.decode()


def test_a_closed_campaign_says_so(client, campaign_2022, reviewer):
    client.force_login(reviewer)
    assert campaign_2022.deadline < datetime.datetime.now(datetime.UTC)
    response = client.get(UPLOAD)
    assert response.status_code == 200 and "目前没有正在受理的奖励活动" in response.content.decode()
