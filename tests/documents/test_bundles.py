"""A unit's filled Annex 3 forms as one PDF, made in the background, downloadable by that unit only."""

import subprocess

import pytest
from django.test import override_settings
from django.utils import timezone
from PIL import Image, ImageChops

from applications.documents import bundles, pdf
from applications.models import DocumentBundle, PersonalDataAccess, ReviewUnit
from applications.review.workflow import take
from tests.documents.test_pdf import ANNEX3_LABELS, pdf_pages, pdf_text, staff
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_reviewer(site_2022):
    return staff("t-shangcheng", "unit_reviewer", "上城区总工会")


@pytest.fixture
def forms(campaign_2022):
    """Three 西湖区 applications ready to print, and two that must stay out of a 西湖区 bundle."""
    xihu = ReviewUnit.objects.get(name="西湖区总工会")
    printed = [
        ApplicationFactory(campaign=campaign_2022, unit=xihu, name=name, state=state)
        for name, state in [("甲一", "unit_approved"), ("乙二", "approved"), ("丙三", "unit_approved")]
    ]
    pending = ApplicationFactory(campaign=campaign_2022, unit=xihu, name="丁四", state="submitted")
    other = ApplicationFactory(
        campaign=campaign_2022, unit=ReviewUnit.objects.get(name="上城区总工会"), name="戊五", state="approved"
    )
    return printed, pending, other


def _request(client, campaign, **data):
    return client.post(
        "/admin/bundles/new/", {"campaign": campaign.pk, "states": ["unit_approved", "approved"], **data}
    )


def test_a_units_bundle_has_one_page_per_application_and_only_that_units(client, reviewer, forms, tmp_path):
    printed, pending, other = forms
    client.force_login(reviewer)

    response = _request(client, printed[0].campaign, unit=other.unit.pk)  # the unit field is not the reviewer's to set

    assert response.status_code == 302 and response["Location"] == "/admin/bundles/"
    bundle = DocumentBundle.objects.get()
    assert (bundle.state, bundle.unit.name, bundle.total, bundle.done) == ("done", "西湖区总工会", 3, 3)
    assert bundle.requested_by == reviewer and bundle.task_id and bundle.finished_at
    content = bundle.file.read()
    assert pdf_pages(content, tmp_path) == 3
    text = pdf_text(content, tmp_path)
    assert all(application.name in text and application.id_number in text for application in printed)
    assert pending.name not in text and other.name not in text


def test_the_list_shows_the_bundle_and_its_download_link(client, reviewer, forms):
    client.force_login(reviewer)
    _request(client, forms[0][0].campaign)
    bundle = DocumentBundle.objects.get()

    page = client.get("/admin/bundles/").content.decode()

    assert "西湖区总工会" in page and "已完成" in page and "100%" in page
    assert f'href="/admin/bundles/{bundle.pk}/download/"' in page
    assert "bundle-progress.js" not in page  # nothing left to follow


def test_a_running_bundle_shows_its_progress_and_the_page_follows_it(client, reviewer, campaign_2022):
    xihu = ReviewUnit.objects.get(name="西湖区总工会")
    running = DocumentBundle.objects.create(
        kind="application_forms",
        campaign=campaign_2022,
        unit=xihu,
        states="approved",
        state="running",
        total=40,
        done=10,
    )
    elsewhere = DocumentBundle.objects.create(
        kind="application_forms", campaign=campaign_2022, unit=ReviewUnit.objects.get(name="上城区总工会"), total=5
    )
    client.force_login(reviewer)

    page = client.get("/admin/bundles/").content.decode()
    status = client.get(f"/admin/bundles/status/?id={running.pk}&id={elsewhere.pk}").json()

    assert '<progress class="bundle-progress" max="100" value="25"' in page and "生成中" in page
    assert "js/bundle-progress.js" in page and 'http-equiv="refresh"' in page
    assert f'data-bundle="{elsewhere.pk}"' not in page
    assert status == {
        "bundles": [
            {"id": running.pk, "state": "running", "state_label": "生成中", "done": 10, "total": 40, "percent": 25}
        ]
    }


def test_progress_is_recorded_after_each_chunk_and_parts_are_joined_in_order(forms, tmp_path):
    printed = forms[0]
    seen = []

    content = bundles.render_bundle([a.pk for a in printed], chunk_size=1, part_size=2, on_progress=seen.append)

    assert seen == [1, 2, 3]
    assert pdf_pages(content, tmp_path) == 3
    text = pdf_text(content, tmp_path)
    assert text.index(printed[0].name) < text.index(printed[1].name) < text.index(printed[2].name)


def _pngs(content, tmp_path, name):
    """The PDF's pages as 100 dpi greyscale images."""
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(content)
    subprocess.run(["pdftoppm", "-r", "100", "-gray", "-png", str(path), str(tmp_path / name)], check=True)
    return [Image.open(page).convert("L") for page in sorted(tmp_path.glob(f"{name}-*.png"))]


def _differing_pixels(one, other):
    """Pixels that differ by more than antialiasing does."""
    assert one.size == other.size
    return sum(ImageChops.difference(one, other).histogram()[33:])


def _assert_bundle_pages_look_like_single_forms(applications, tmp_path):
    now = timezone.now()
    bundle = _pngs(bundles.render_bundle([a.pk for a in applications], now=now), tmp_path, "bundle")
    assert len(bundle) == len(applications)
    for number, (application, page) in enumerate(zip(applications, bundle, strict=True)):
        (single,) = _pngs(pdf.filled_form_pdf(application, now=now), tmp_path, f"single{number}")
        assert _differing_pixels(single, page) <= 20, application.name


def _layers(applications):
    """Each application's underlay in a bundle: None when its form is rendered whole."""
    return [underlay for _, underlay in pdf.render_layers([pdf.filled_form(a) for a in applications])[0]]


@pytest.fixture
def reviewed(campaign_2022, reviewer, service_center):
    """A 西湖区 application approved by its unit and the city: opinions and dates in all three boxes."""
    application = ApplicationFactory(campaign=campaign_2022, name="王建国", grassroots_opinion="情况属实，同意推荐")
    take("unit_approve", application, reviewer, "经审核符合条件，同意上报")
    return take("city_approve", application, service_center, "审核通过，准予发放")


def test_a_bundle_page_looks_exactly_like_the_single_form(forms, reviewed, tmp_path):
    printed = [*forms[0], reviewed]
    printed[0].bank_branch = "中国工商银行股份有限公司杭州西湖支行"  # three lines: its row grows
    printed[1].is_migrant, printed[1].hukou_place, printed[1].years_in_hangzhou = True, "安徽省阜阳市", 6
    printed[2].is_migrant = False
    for application in printed:
        application.save()

    assert all(underlay is not None for underlay in _layers(printed))  # values over the blank form
    _assert_bundle_pages_look_like_single_forms(printed, tmp_path)
    content = bundles.render_bundle([a.pk for a in printed])
    text = pdf_text(content, tmp_path)
    assert all(label in text for label in ANNEX3_LABELS)
    assert all(a.name in text and a.bank_card in text and a.bank_branch in text for a in printed)
    fonts = subprocess.run(["pdffonts", str(tmp_path / "bundle.pdf")], capture_output=True, text=True).stdout
    assert "Noto" in fonts and all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])


def test_a_form_whose_value_does_not_fit_is_rendered_whole_in_its_place(forms, tmp_path):
    printed = forms[0]
    printed[1].grassroots_opinion = "\n".join(f"第{n}条：情况属实，同意推荐。" for n in range(1, 9))  # 8 lines
    printed[2].bank_branch = "中国工商银行股份有限公司浙江省杭州市西湖区文三路支行营业部第二分理处"
    for application in printed:
        application.save()

    underlays = _layers(printed)

    assert underlays[1] is None and underlays[0] is not None and underlays[2] is not None
    _assert_bundle_pages_look_like_single_forms(printed, tmp_path)


def test_the_city_bundles_all_units_at_once(client, service_center, forms, tmp_path):
    client.force_login(service_center)

    _request(client, forms[0][0].campaign, unit="")

    bundle = DocumentBundle.objects.get()
    assert bundle.unit is None and bundle.total == 4
    assert forms[2].name in pdf_text(bundle.file.read(), tmp_path)


def test_nothing_to_print_is_refused_on_the_form(client, reviewer, campaign_2022):
    client.force_login(reviewer)

    response = _request(client, campaign_2022)

    assert response.status_code == 200 and "没有符合条件的申报。" in response.content.decode()
    assert not DocumentBundle.objects.exists()


def test_a_reviewer_cannot_bundle_another_units_applications(reviewer, forms):
    with pytest.raises(bundles.BundleError):
        bundles.request_bundle(reviewer, forms[0][0].campaign, forms[2].unit, ["approved"])


def test_a_failed_render_is_marked_failed_with_the_reason(reviewer, forms):
    with override_settings(PDF_FONT_FAMILY="No Such CJK Font"):
        bundle = bundles.request_bundle(reviewer, forms[0][0].campaign, forms[0][0].unit, ["unit_approved"])

    assert bundle.state == "failed" and "fonts-noto-cjk" in bundle.error and not bundle.file
    assert bundle.finished_at is not None


@pytest.fixture
def done_bundle(reviewer, forms):
    return bundles.request_bundle(reviewer, forms[0][0].campaign, forms[0][0].unit, ["unit_approved", "approved"])


def test_the_units_reviewer_downloads_the_bundle_and_it_is_recorded(client, reviewer, done_bundle):
    client.force_login(reviewer)

    response = client.get(f"/admin/bundles/{done_bundle.pk}/download/")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="application-forms-2022-{done_bundle.pk}.pdf"'
    )
    record = PersonalDataAccess.objects.get()
    assert (record.user, record.what, record.application) == (reviewer, "export", None)
    assert f"#{done_bundle.pk}" in record.detail and "西湖区总工会" in record.detail


def test_the_city_service_center_downloads_any_units_bundle(client, service_center, done_bundle):
    client.force_login(service_center)
    assert client.get(f"/admin/bundles/{done_bundle.pk}/download/").status_code == 200


@pytest.mark.parametrize("who", ["other_reviewer", "editor", "economic"])
def test_anyone_else_gets_404_for_the_bundle(client, done_bundle, who, request):
    client.force_login(request.getfixturevalue(who))

    assert client.get(f"/admin/bundles/{done_bundle.pk}/download/").status_code == 404
    assert client.get("/admin/bundles/").status_code == (200 if who == "other_reviewer" else 404)
    assert not PersonalDataAccess.objects.exists()


def test_another_units_reviewer_does_not_see_the_bundle_in_their_list(client, other_reviewer, done_bundle):
    client.force_login(other_reviewer)
    assert f"/admin/bundles/{done_bundle.pk}/download/" not in client.get("/admin/bundles/").content.decode()


def test_anonymous_visitors_are_sent_to_sign_in_and_never_get_the_bundle(client, done_bundle):
    response = client.get(f"/admin/bundles/{done_bundle.pk}/download/")

    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert not PersonalDataAccess.objects.exists()


def test_the_menu_item_is_shown_to_reviewers_and_the_city_only(client, reviewer, service_center, editor):
    for user, shown in [(reviewer, True), (service_center, True), (editor, False)]:
        client.force_login(user)
        assert ('"url": "/admin/bundles/"' in client.get("/admin/").content.decode()) is shown, user  # sidebar JSON
