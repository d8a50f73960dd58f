"""On a phone, the private store fills up during the upload: the person is told beside the file and tries again."""

import errno
import re

import pytest
from django.core.files.storage import FileSystemStorage
from playwright.sync_api import expect

from applications.programme.demo import ensure_demo_campaign
from tests.browser.test_apply_and_status import _pngs, fill_annex3, to_details
from tests.factories import MemberFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _bank_card_does_not_fit(monkeypatch):
    original = FileSystemStorage._save

    def save(self, name, content):
        if "bank_card" in name:
            raise OSError(errno.ENOSPC, "No space left on device")
        return original(self, name, content)

    monkeypatch.setattr(FileSystemStorage, "_save", save)


def test_a_copy_that_cannot_be_stored_is_named_beside_its_field(
    phone, live_server, site_2022, sms_file, tmp_path, monkeypatch
):
    page = phone
    demo = ensure_demo_campaign(site_2022[0])
    member = MemberFactory()
    to_details(page, live_server, demo, member, sms_file)
    fill_annex3(page, demo, member)
    expect(page.get_by_role("heading", level=2)).to_have_text("第三步：上传材料")

    _bank_card_does_not_fit(monkeypatch)
    files = _pngs(tmp_path)
    for label, path in files.items():
        page.get_by_label(label).set_input_files(path)
    page.get_by_role("button", name="下一步：确认").click()

    expect(page.get_by_role("heading", level=2)).to_have_text("第三步：上传材料")
    bank_card = page.get_by_label("银行卡")
    expect(bank_card).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("此文件暂时无法保存")).to_have_count(2)  # beside the field and in the summary
    expect(page.get_by_text("已上传，可重新选择文件替换")).to_have_count(3)  # the other three were kept

    monkeypatch.undo()
    bank_card.set_input_files(files["银行卡"])
    page.get_by_role("button", name="下一步：确认").click()
    expect(page.get_by_role("heading", level=2)).to_have_text("第四步：确认提交")
    expect(page.locator("dl.summary")).to_contain_text("身份证正面、身份证反面、等级证书、银行卡")
    assert re.search(r"/apply/\d{4}/$", page.url)
