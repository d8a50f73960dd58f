"""On a phone, a 12 MP photo is shrunk in the browser before it is sent (static/js/photo-shrink.js); so at a desk.

What the server receives is measured from the request Chromium sends, and what it stored is read back:
the photo arrives at the stored size the right way up (the camera's orientation applied once), a
PNG scan is sent as chosen, and the application goes through as before.
"""

import datetime
import io
import re

import pytest
from django.conf import settings
from PIL import Image
from playwright.sync_api import expect

from applications.models import Application
from applications.programme.demo import ensure_demo_campaign
from tests.browser.test_apply_and_status import ATTACHMENT_LABELS, _pngs, fill_annex3, to_details
from tests.browser.test_trust_screens import _fill_paper, _menu, _signed_in
from tests.factories import MemberFactory, make_id_number, register_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def received(monkeypatch):
    """Name and size of each file the server received (the live server runs in this process)."""
    from applications.apply import forms

    seen = []
    original = forms.clean_upload

    def recording(upload):
        seen.append((upload.name, upload.size))
        return original(upload)

    monkeypatch.setattr(forms, "clean_upload", recording)
    return seen


def _phone_photo(path):
    """A 4000×3000 JPEG of about 2.5 MB whose EXIF says "turn 90° clockwise to view" (a phone held upright)."""
    noise = Image.effect_noise((4000, 3000), 24)
    gradient = Image.linear_gradient("L").resize((4000, 3000))
    image = Image.merge("RGB", (noise, gradient, Image.blend(noise, gradient, 0.5)))
    exif = Image.Exif()
    exif[0x0112] = 6
    image.save(path, format="JPEG", quality=80, exif=exif)
    return path


def _up_to_copies(page, live_server, site_2022, sms_file):
    demo = ensure_demo_campaign(site_2022[0])
    member = MemberFactory()
    to_details(page, live_server, demo, member, sms_file)
    fill_annex3(page, demo, member)
    expect(page.get_by_role("heading", level=2)).to_have_text("第三步：上传材料")
    return member


def test_a_phone_photo_is_sent_at_the_stored_size_the_right_way_up(
    phone, live_server, site_2022, sms_file, tmp_path, received
):
    page = phone
    member = _up_to_copies(page, live_server, site_2022, sms_file)
    photo = _phone_photo(tmp_path / "IMG_0001.JPG")
    files = _pngs(tmp_path)
    files["身份证正面"] = photo
    for label in ATTACHMENT_LABELS:
        page.get_by_label(label).set_input_files(files[label])
    expect(page.locator("#id_id_front-shrink")).to_contain_text("照片已压缩")
    expect(page.locator(".shrink-note")).to_have_count(1)  # the PNG scans are sent as chosen
    page.get_by_role("button", name="下一步：确认").click()
    expect(page.get_by_role("heading", level=2)).to_have_text("第四步：确认提交")

    sizes = dict(received)
    assert sizes["IMG_0001.jpg"] < photo.stat().st_size / 3, f"{sizes} for a {photo.stat().st_size}-byte photo"
    for label in ATTACHMENT_LABELS[1:]:
        assert sizes[files[label].name] == files[label].stat().st_size  # the PNG scans as chosen

    page.get_by_role("button", name="确认提交").click()
    expect(page.get_by_role("status")).to_contain_text("申报已提交")
    application = Application.objects.get(id_hash=member.id_hash)
    copy = application.attachments.get(kind="id_front")
    with copy.file.open("rb") as handle, Image.open(io.BytesIO(handle.read())) as stored:
        long_side = settings.ATTACHMENT_LONG_SIDE
        assert stored.size == (long_side * 3 // 4, long_side)  # portrait: the EXIF turn applied, once
        assert not stored.getexif()


def test_a_photo_chosen_and_sent_at_once_waits_for_its_shrinking(
    phone, live_server, site_2022, sms_file, tmp_path, received
):
    """Choosing the last photo and pressing the button straight away sends the shrunk copy, not the original."""
    page = phone
    _up_to_copies(page, live_server, site_2022, sms_file)
    files = _pngs(tmp_path)
    for label in ATTACHMENT_LABELS[:3]:
        page.get_by_label(label).set_input_files(files[label])
    photo = _phone_photo(tmp_path / "card.jpg")
    del received[:]
    page.get_by_label("银行卡").set_input_files(photo)
    page.get_by_role("button", name="下一步：确认").click()
    expect(page.get_by_role("heading", level=2)).to_have_text("第四步：确认提交")
    cards = [size for name, size in received if name == "card.jpg"]
    assert len(cards) == 1 and cards[0] < photo.stat().st_size / 3, (cards, photo.stat().st_size)


def test_paper_entry_shrinks_a_phone_photo_before_sending_it(
    desktop, live_server, site_2022, reviewer, tmp_path, received
):
    """At a review unit's desk a scan may be a phone photo too: paper entry sends it shrunk, the other copies empty."""
    page = desktop
    demo = ensure_demo_campaign(site_2022[0])
    id_number = make_id_number(datetime.date(1980, 3, 3), seq=83)
    register_member("陈八", id_number)
    _signed_in(page, live_server, reviewer)
    _menu(page, "录入纸质申请表")
    _fill_paper(page, demo, unit=None, name="陈八", id_number=id_number, level="技师")
    photo = _phone_photo(tmp_path / "IMG_0002.JPG")
    page.locator("main form").get_by_label(re.compile(r"^\s*身份证正面\s*$")).set_input_files(photo)
    expect(page.locator(".shrink-note")).to_contain_text("照片已压缩")
    page.get_by_role("button", name="录入并提交市总工会").click()
    application = Application.objects.get(campaign=demo, name="陈八")
    expect(page.get_by_text(f"已录入 {application.reference}（陈八）")).to_be_visible()

    sizes = dict(received)
    assert sizes["IMG_0002.jpg"] < photo.stat().st_size / 3, f"{sizes} for a {photo.stat().st_size}-byte photo"
    assert list(application.attachments.values_list("kind", flat=True)) == ["id_front"]  # the empty ones: none
    with application.attachments.get().file.open("rb") as handle, Image.open(io.BytesIO(handle.read())) as stored:
        long_side = settings.ATTACHMENT_LONG_SIDE
        assert stored.size == (long_side * 3 // 4, long_side)  # portrait: the EXIF turn applied, once
