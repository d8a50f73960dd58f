"""Scans attached after entry: a zip named by ID number, or one application's copies; own unit only."""

import datetime
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from applications.core.constants import ApplicationState
from applications.models import Attachment, ReviewUnit
from applications.programme.demo import ensure_demo_campaign
from applications.programme.staff import create_staff
from applications.unit_channel import scans
from tests.factories import ApplicationFactory, make_id_number

pytestmark = pytest.mark.django_db

ZIP_URL = "/admin/applications/scans/"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
UNKNOWN = "本单位{year}年度没有此身份证号码的申报"


def jpeg():
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), "green").save(buffer, format="JPEG")
    return buffer.getvalue()


def png():
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def zip_bytes(members):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return out.getvalue()


def ids(n):
    return [make_id_number(datetime.date(1987, 3, 3), seq=seq, area="330106") for seq in range(201, 201 + n)]


@pytest.fixture
def world(campaign_2022):
    """Two of 西湖区's applications in the open campaign, one the city approved, and one of 拱墅区's."""
    demo = ensure_demo_campaign(campaign_2022)
    gongshu = ReviewUnit.objects.get(name="拱墅区总工会")
    one, two, approved, other = ids(4)
    return {
        "campaign": demo,
        "one": ApplicationFactory(campaign=demo, id_number=one, channel="unit", state=ApplicationState.UNIT_APPROVED),
        "two": ApplicationFactory(campaign=demo, id_number=two, state=ApplicationState.SUBMITTED),
        "approved": ApplicationFactory(campaign=demo, id_number=approved, state=ApplicationState.APPROVED),
        "other": ApplicationFactory(
            campaign=demo, id_number=other, unit=gongshu, channel="unit", state=ApplicationState.UNIT_APPROVED
        ),
    }


def post_zip(client, data, name="扫描件.zip"):
    return client.post(ZIP_URL, {"archive": SimpleUploadedFile(name, data, "application/zip")})


def kinds(application):
    return dict(application.attachments.values_list("kind", "content_type"))


def test_zip_members_named_by_id_number_are_attached_to_the_units_applications(client, reviewer, world):
    one, two = world["one"].id_number, world["two"].id_number
    history = list(world["one"].events.values_list("pk", flat=True))
    client.force_login(reviewer)
    response = post_zip(
        client,
        zip_bytes(
            [
                (f"{one}-身份证正面.jpg", jpeg()),
                (f"{one}_bank_card.pdf", PDF),
                (f"{one} 反面.png", png()),
                (f"扫描件/{two}.jpg", jpeg()),  # no material named: the certificate
                (f"扫描件/{two}/银行卡.pdf", PDF),  # a folder per person
            ]
        ),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "已上传 5 个文件，未上传 0 个" in html
    assert kinds(world["one"]) == {"id_front": "image/jpeg", "bank_card": "application/pdf", "id_back": "image/png"}
    assert kinds(world["two"]) == {"certificate": "image/jpeg", "bank_card": "application/pdf"}
    assert one not in html and f"{one[:3]}***********{one[-4:]}-身份证正面.jpg" in html  # names shown masked
    assert list(world["one"].events.values_list("pk", flat=True)) == history  # not a state change


def test_unknown_foreign_frozen_and_broken_files_are_refused_one_by_one(client, reviewer, world):
    one = world["one"].id_number
    client.force_login(reviewer)
    stranger = make_id_number(datetime.date(1990, 1, 1), seq=555)
    members = [
        (f"{stranger}.jpg", jpeg()),
        (f"{world['other'].id_number}.jpg", jpeg()),
        (f"{world['approved'].id_number}.jpg", jpeg()),
        (f"{one}-身份证正面.jpg", b"MZ\x90\x00 not an image"),
        (f"{one}-照片.jpg", jpeg()),
        ("张三身份证.jpg", jpeg()),
        (f"{one[:17]}0-银行卡.jpg", jpeg()),
        (f"{one}-证书.pdf", PDF),
        (f"{one}/等级证书.jpg", jpeg()),
    ]
    results = scans.attach_zip(io.BytesIO(zip_bytes(members)), reviewer.staff_profile.unit, world["campaign"], reviewer)
    messages = [result.message for result in results]
    unknown = UNKNOWN.format(year=world["campaign"].year)
    assert messages[0].startswith(unknown)
    assert messages[1] == messages[0]  # another unit's applicant looks exactly like an unknown one
    assert "不能再更换材料" in messages[2]
    assert "只能上传JPG、PNG图片或PDF文件" in messages[3]
    assert "无法识别材料名称“照片”" in messages[4]
    assert "不是以身份证号码开头" in messages[5]
    assert "身份证号码有误" in messages[6]
    assert "2个文件对应此人的同一材料" in messages[7] and messages[7] == messages[8]
    assert not any(result.attached for result in results)
    assert not Attachment.objects.exists()
    page = post_zip(client, zip_bytes(members)).content.decode()
    assert "已上传 0 个文件，未上传 9 个" in page


def test_unsafe_paths_are_refused(reviewer, world):
    one = world["one"].id_number
    members = [(f"../{one}-银行卡.jpg", jpeg()), (f"/tmp/{one}-银行卡.jpg", jpeg()), (f"..\\{one}.jpg", jpeg())]
    results = scans.attach_zip(io.BytesIO(zip_bytes(members)), reviewer.staff_profile.unit, world["campaign"], reviewer)
    assert [result.message for result in results] == ["文件路径不安全（绝对路径或含“..”），已拒绝。"] * 3
    assert not Attachment.objects.exists()


def test_a_file_over_the_limit_is_refused_without_reading_it(settings, reviewer, world):
    settings.ATTACHMENT_MAX_BYTES = 1024
    one = world["one"].id_number
    members = [(f"{one}.pdf", PDF + b"0" * 2048), (f"{one}-银行卡.pdf", PDF)]
    results = scans.attach_zip(io.BytesIO(zip_bytes(members)), reviewer.staff_profile.unit, world["campaign"], reviewer)
    assert "文件超过" in results[0].message
    assert results[1].attached
    assert set(kinds(world["one"])) == {"bank_card"}


@pytest.mark.parametrize(
    ("limit", "value", "members", "message"),
    [
        ("MAX_ZIP_FILES", 2, [(f"{n}.jpg", b"x") for n in range(3)], "超过2个"),
        ("MAX_UNPACKED_BYTES", 10_000, [("a.pdf", b"\0" * 20_000)], "解压后超过"),  # a (small) zip bomb
        ("MAX_ZIP_BYTES", 100, [("a.pdf", PDF * 10)], "压缩包不能超过"),
    ],
    ids=["too-many-files", "unpacks-too-large", "too-large"],
)
def test_a_zip_over_the_limits_is_refused_as_a_whole(
    client, monkeypatch, reviewer, world, limit, value, members, message
):
    monkeypatch.setattr(scans, limit, value)
    client.force_login(reviewer)
    html = post_zip(client, zip_bytes(members)).content.decode()
    assert message in html and "已上传" not in html
    assert not Attachment.objects.exists()


def test_a_file_that_is_not_a_zip_is_refused_beside_the_field(client, reviewer, world):
    client.force_login(reviewer)
    html = post_zip(client, b"Rar!\x1a\x07\x00 not a zip", name="扫描件.rar").content.decode()
    assert "不是有效的 .zip 压缩包" in html


def test_chinese_names_from_windows_zips_are_read_as_gbk(reviewer, world):
    one = world["one"].id_number
    placeholder = f"{one}-XXXXXXXXXX.jpg"
    data = zip_bytes([(placeholder, jpeg())])
    gbk = f"{one}-身份证正面.jpg".encode("gb18030")
    assert len(gbk) == len(placeholder)
    data = data.replace(placeholder.encode(), gbk)  # as Windows' built-in zip writes it: GBK, no UTF-8 flag
    results = scans.attach_zip(io.BytesIO(data), reviewer.staff_profile.unit, world["campaign"], reviewer)
    assert results[0].attached and results[0].kind == "id_front"


def test_a_scan_replaces_the_earlier_copy_and_deletes_its_file(reviewer, world, django_capture_on_commit_callbacks):
    one = world["one"].id_number
    unit, campaign = reviewer.staff_profile.unit, world["campaign"]
    with django_capture_on_commit_callbacks(execute=True):
        scans.attach_zip(io.BytesIO(zip_bytes([(f"{one}.pdf", PDF)])), unit, campaign, reviewer)
    first = Attachment.objects.get(application=world["one"])
    old_name = first.file.name
    with django_capture_on_commit_callbacks(execute=True):
        results = scans.attach_zip(io.BytesIO(zip_bytes([(f"{one}.jpg", jpeg())])), unit, campaign, reviewer)
    assert results[0].replaced
    current = Attachment.objects.get(application=world["one"])
    assert (current.pk, current.content_type) == (first.pk, "image/jpeg")
    assert not current.file.storage.exists(old_name) and current.file.storage.exists(current.file.name)


# One application's scans.


def scans_url(application):
    return f"/admin/applications/review/{application.pk}/scans/"


def test_the_units_reviewer_adds_and_replaces_one_applications_scans(client, reviewer, world):
    application = world["one"]
    client.force_login(reviewer)
    assert client.get(scans_url(application)).status_code == 200
    response = client.post(
        scans_url(application),
        {"id_front": SimpleUploadedFile("a.jpg", jpeg()), "certificate": SimpleUploadedFile("c.pdf", PDF)},
    )
    assert response.status_code == 302 and response["Location"] == f"/admin/applications/review/{application.pk}/"
    assert kinds(application) == {"id_front": "image/jpeg", "certificate": "application/pdf"}
    client.post(scans_url(application), {"certificate": SimpleUploadedFile("c.png", png())})
    assert kinds(application) == {"id_front": "image/jpeg", "certificate": "image/png"}
    html = client.get(f"/admin/applications/review/{application.pk}/").content.decode()
    assert "已上传 等级证书（已替换原文件）" in html


def test_a_bad_file_is_refused_beside_its_field(client, reviewer, world):
    client.force_login(reviewer)
    response = client.post(scans_url(world["one"]), {"bank_card": SimpleUploadedFile("b.jpg", b"<html>")})
    assert response.status_code == 200 and "只能上传JPG、PNG图片或PDF文件" in response.content.decode()
    assert not Attachment.objects.exists()


def test_posting_no_file_says_so(client, reviewer, world):
    client.force_login(reviewer)
    assert "请至少选择一个文件" in client.post(scans_url(world["one"]), {}).content.decode()


def test_after_the_citys_review_scans_no_longer_change(client, reviewer, world):
    client.force_login(reviewer)
    html = client.get(scans_url(world["approved"])).content.decode()
    assert "不能再更换材料" in html and 'type="file"' not in html
    client.post(scans_url(world["approved"]), {"bank_card": SimpleUploadedFile("b.pdf", PDF)})
    assert not Attachment.objects.exists()


@pytest.mark.parametrize("who", ["other_unit", "city_service_center", "economic_dept", "editor"])
def test_anyone_but_the_units_reviewer_gets_404(client, world, who):
    if who == "other_unit":
        user = create_staff("t-gongshu-scans", "unit_reviewer", password="pw-for-tests", unit_name="拱墅区总工会")[0]
    else:
        user = create_staff(f"t-{who}-scans", who, password="pw-for-tests")[0]
    client.force_login(user)
    assert client.get(scans_url(world["one"])).status_code == 404
    assert client.post(scans_url(world["one"]), {"bank_card": SimpleUploadedFile("b.pdf", PDF)}).status_code == 404
    if who != "other_unit":
        assert client.get(ZIP_URL).status_code == 404
    assert not Attachment.objects.exists()


def test_anonymous_users_are_sent_to_sign_in(client, world):
    for url in (ZIP_URL, scans_url(world["one"])):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_review_page_links_to_the_scans_for_the_units_reviewer_only(client, reviewer, service_center, world):
    review = f"/admin/applications/review/{world['one'].pk}/"
    client.force_login(reviewer)
    html = client.get(review).content.decode()
    assert scans_url(world["one"]) in html and "尚缺：身份证正面、身份证反面、等级证书、银行卡。" in html
    assert (
        scans_url(world["approved"])
        not in client.get(f"/admin/applications/review/{world['approved'].pk}/").content.decode()
    )
    client.force_login(service_center)
    assert scans_url(world["one"]) not in client.get(review).content.decode()


def test_a_state_change_meanwhile_refuses_the_scans_and_leaves_no_file(reviewer, world):
    from django.core.exceptions import ValidationError

    from applications.apply.copies import CleanUpload
    from applications.models import Application

    stale = world["one"]
    Application.objects.filter(pk=stale.pk).update(state=ApplicationState.APPROVED)  # the city, a moment ago
    storage = Attachment._meta.get_field("file").storage
    folder = f"{stale.campaign.year}/{stale.reference}"
    with pytest.raises(ValidationError, match="不能再更换材料"):
        scans.attach(stale, {"bank_card": CleanUpload(PDF, "application/pdf", "pdf")}, reviewer)
    assert not Attachment.objects.exists()
    assert not storage.exists(folder) or storage.listdir(folder) == ([], [])
