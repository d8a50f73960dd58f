"""Uploads cannot exhaust a worker, and a served copy cannot run as a page of the site."""

import io
import time

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from applications.apply import copies as attachments
from applications.apply.copies import clean_upload
from applications.programme.staff import create_staff
from applications.unit_channel import scans
from tests.core.test_attachment_access import attachment  # noqa: F401 (fixture)
from tests.unit_channel.test_scans import world, zip_bytes  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def _png(width, height):
    buffer = io.BytesIO()
    Image.new("1", (width, height)).save(buffer, format="PNG")
    return buffer.getvalue()


def _upload(data, name="copy.png"):
    return SimpleUploadedFile(name, data, "image/png")


def test_a_small_file_declaring_9500_by_9500_pixels_is_refused_before_decoding(monkeypatch):
    data = _png(9500, 9500)
    assert len(data) < 400_000  # small on the wire: the canvas is what costs
    monkeypatch.setattr(attachments, "_reencode", lambda *args: pytest.fail("the image was decoded"))
    started = time.process_time()
    with pytest.raises(ValidationError) as refused:
        clean_upload(_upload(data))
    assert time.process_time() - started < 1
    assert refused.value.code == "too_many_pixels"
    assert "4000万像素" in refused.value.messages[0]


def test_the_pixel_limit_is_a_setting_and_holds_at_its_boundary(settings):
    settings.ATTACHMENT_MAX_PIXELS = 100 * 100
    clean_upload(_upload(_png(100, 100)))
    with pytest.raises(ValidationError, match="1万像素"):
        clean_upload(_upload(_png(101, 100)))


def test_pillows_decompression_bomb_warning_is_an_error(settings, monkeypatch):
    settings.ATTACHMENT_MAX_PIXELS = 10**9  # our own limit out of the way: Pillow's warning must still stop it
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 50 * 50)
    with pytest.raises(ValidationError) as refused:
        clean_upload(_upload(_png(60, 60)))
    assert refused.value.code == "too_many_pixels"


def test_a_zip_of_scans_has_a_total_pixel_budget(settings, reviewer, world):  # noqa: F811
    settings.SCAN_ZIP_MAX_PIXELS = 2 * 200 * 200
    one, two, other = world["one"].id_number, world["two"].id_number, world["one"].id_number
    data = zip_bytes(
        [
            (f"{one}-身份证正面.png", _png(200, 200)),
            (f"{two}.png", _png(200, 200)),
            (f"{other}-银行卡.png", _png(10, 10)),
        ]
    )
    results = scans.attach_zip(io.BytesIO(data), world["one"].unit, world["campaign"], reviewer)
    assert [result.attached for result in results] == [True, True, False]
    assert "合计超过" in results[2].message
    assert not world["one"].attachments.filter(kind="bank_card").exists()


def test_a_copy_is_served_sandboxed_so_it_never_runs_as_a_page_of_the_site(client, attachment):  # noqa: F811
    user = create_staff("sandbox-city", "city_service_center", password="pw-for-tests-1")[0]
    client.force_login(user)
    response = client.get(f"/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"
