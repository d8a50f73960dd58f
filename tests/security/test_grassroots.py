"""A grassroots union's account sees and acts on its own entries only.

Its profile names a review unit, as a unit reviewer's does: every screen that scopes by the unit
alone (lists, copies, PDFs, exports, bundles, figures, scans) would show it the whole unit. It gets
its own entries and nothing else (404 as if nothing existed); it cannot approve to the city, pre-review,
return, or open accounts; and another unit's reviewers never see its entries.
"""

import io

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image

from applications.core.access import (
    can_review_list,
    entry_scope,
    grassroots_account_units,
    review_scope,
    reviewer_unit,
    visible_applications,
)
from applications.core.constants import ApplicationState as S
from applications.models import Application, Attachment, GrassrootsUnion, ReviewUnit
from applications.programme.demo import ensure_demo_campaign
from applications.programme.staff import create_staff
from applications.review.workflow import WorkflowError, allowed_actions, take
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db

OWN = "杭州甲公司工会"
OTHER = "杭州乙公司工会"


@pytest.fixture
def demo(campaign_2022):
    return ensure_demo_campaign(campaign_2022)


def _grassroots(username, name, unit="西湖区总工会"):
    return create_staff(username, "grassroots_union", password="pw-for-tests-1", unit_name=unit, grassroots_name=name)[
        0
    ]


def _png():
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(out, format="PNG")
    return out.getvalue()


def _entry(demo, user, **fields):
    grassroots = user.staff_profile.grassroots
    values = {"channel": "unit", "unit": grassroots.unit, "grassroots_entry": grassroots, "state": S.SUBMITTED}
    application = ApplicationFactory(campaign=demo, **(values | fields))
    attachment = Attachment(application=application, kind="certificate", content_type="image/png", size=10)
    attachment.file.save("certificate.png", ContentFile(_png()), save=True)
    return application


@pytest.fixture
def private_root(settings, tmp_path):
    """Copies written by these tests go to a folder of their own, removed afterwards."""
    from django.core.files.storage import FileSystemStorage
    from django.utils.functional import empty

    from applications.core.storage import private_storage

    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    private_storage()._wrapped = FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)
    yield
    private_storage()._wrapped = empty


@pytest.fixture
def world(demo, private_root):
    """Own and other grassroots unions of 西湖区, one of 拱墅区, each with an entry; an online 西湖 application."""
    own = _grassroots("jc-own", OWN)
    other = _grassroots("jc-other", OTHER)
    gongshu = _grassroots("jc-gongshu", OWN, unit="拱墅区总工会")  # the same name under another unit
    return {
        "own_user": own,
        "own": _entry(demo, own),
        "other": _entry(demo, other),
        "gongshu": _entry(demo, gongshu),
        "online": _entry(demo, own, grassroots_entry=None, channel="individual"),
    }


def test_a_grassroots_account_sees_only_its_own_entries(world):
    visible = visible_applications(world["own_user"], Application.objects.all())
    assert list(visible) == [world["own"]]


@pytest.mark.parametrize("key", ["other", "gongshu", "online"])
def test_another_entry_its_copies_and_pdf_are_404(client, world, key):
    client.force_login(world["own_user"])
    target = world[key]
    assert client.get(reverse("applications_review", args=[target.pk])).status_code == 404
    assert client.get(f"/attachments/{target.attachments.get().pk}/").status_code == 404
    assert client.get(reverse("applications_form_pdf", args=[target.pk])).status_code == 404
    assert client.get(reverse("applications_grassroots_correct", args=[target.pk])).status_code == 404


def test_its_own_entry_its_copy_and_pdf_open(client, world):
    client.force_login(world["own_user"])
    own = world["own"]
    page = client.get(reverse("applications_review", args=[own.pk]))
    assert page.status_code == 200
    assert "/admin/bundles/" not in page.content.decode()  # no link to a unit-wide screen
    assert client.get(f"/attachments/{own.attachments.get().pk}/").status_code == 200
    assert client.get(reverse("applications_form_pdf", args=[own.pk])).status_code == 200


def test_its_list_holds_only_its_own_entries(client, world):
    client.force_login(world["own_user"])
    html = client.get(reverse("applications_application_modeladmin_index")).content.decode()
    assert world["own"].reference in html
    for key in ("other", "gongshu", "online"):
        assert world[key].reference not in html


@pytest.mark.parametrize(
    "url",
    [
        "/admin/exports/summary-table/",
        "/admin/exports/summary-table.xlsx",
        "/admin/applications/bulk/",
        "/admin/bundles/",
        "/admin/applications/scans/",
        "/admin/applications/grassroots/",
        "/admin/applications/enter/replace/",
    ],
)
def test_unit_wide_screens_are_closed_to_it(client, world, url):
    client.force_login(world["own_user"])
    response = client.get(url)
    assert response.status_code in (302, 403, 404)
    assert world["other"].name not in response.content.decode()


def test_it_sees_no_units_figures(client, world):
    client.force_login(world["own_user"])
    assert client.get(reverse("applications_progress")).status_code in (302, 403)  # Wagtail: back home
    user = world["own_user"]
    assert review_scope(user) is None and not can_review_list(user) and reviewer_unit(user) is None


def test_it_cannot_approve_to_the_city_nor_pre_review_its_own_entry(client, world):
    user, own = world["own_user"], world["own"]
    assert allowed_actions(user, own) == []
    for action in ("unit_approve", "unit_reject", "return_to_grassroots", "city_approve"):
        with pytest.raises(WorkflowError):
            take(action, own, user, "同意")
    client.force_login(user)
    client.post(reverse("applications_review", args=[own.pk]), {"action": "unit_approve", "opinion": "同意"})
    own.refresh_from_db()
    assert own.state == S.SUBMITTED


def test_it_cannot_open_accounts(client, world):
    user = world["own_user"]
    assert not grassroots_account_units(user).exists()
    client.force_login(user)
    response = client.post("/admin/applications/grassroots/", {"grassroots_name": "X", "username": "sneaky"})
    assert response.status_code == 404
    assert not GrassrootsUnion.objects.filter(name="X").exists()


def test_it_enters_only_for_its_own_unit(client, world, demo):
    from tests.unit_channel.test_grassroots import paper

    user = world["own_user"]
    assert entry_scope(user).unit.name == "西湖区总工会"
    client.force_login(user)
    gongshu = ReviewUnit.objects.get(name="拱墅区总工会")
    html = client.post("/admin/applications/enter/", paper(demo, unit=str(gongshu.pk))).content.decode()
    assert "选择一个有效的选项" in html or "Select a valid choice" in html
    assert not Application.objects.filter(name="陈七").exists()


def test_a_profile_pointing_at_another_units_grassroots_union_sees_nothing(world):
    user = world["own_user"]
    profile = user.staff_profile
    profile.unit = ReviewUnit.objects.get(name="拱墅区总工会")  # inconsistent on purpose
    profile.save()
    user = type(user).objects.get(pk=user.pk)
    assert not visible_applications(user, Application.objects.all()).exists()
    assert entry_scope(user) is None


def test_another_units_reviewer_neither_sees_nor_returns_its_entries(world):
    gongshu_reviewer = create_staff("r-gongshu", "unit_reviewer", password="pw-for-tests-1", unit_name="拱墅区总工会")[
        0
    ]
    own = world["own"]
    assert own not in visible_applications(gongshu_reviewer, Application.objects.all())
    with pytest.raises(WorkflowError, match="无权"):
        take("return_to_grassroots", own, gongshu_reviewer, "退回")


def test_a_grassroots_account_cannot_correct_another_ones_returned_entry(client, world, reviewer):
    other = world["other"]
    take("return_to_grassroots", other, reviewer, "请补充。")
    client.force_login(world["own_user"])
    assert client.get(reverse("applications_grassroots_correct", args=[other.pk])).status_code == 404


def test_a_deactivated_grassroots_account_sees_nothing(world):
    user = world["own_user"]
    user.is_active = False
    user.save()
    assert not visible_applications(user, Application.objects.all()).exists()
    assert entry_scope(user) is None


def test_its_home_panel_counts_only_its_own_returns(client, world):
    """Its to-do panel counts its own returns only, never the unit's pending applications."""
    reviewer = create_staff("r-xihu-2", "unit_reviewer", password="pw-for-tests-1", unit_name="西湖区总工会")[0]
    take("return_to_grassroots", world["other"], reviewer, "请补充。")
    client.force_login(world["own_user"])
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "退回修改待重新提交 0 件" in html and "待预审" not in html
