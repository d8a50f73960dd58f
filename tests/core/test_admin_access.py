"""Who may do what in /admin/: anonymous users, editors, reviewers, the city union."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from applications.models import Campaign, StaffProfile

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url", ["/admin/", "/admin/pages/", "/admin/applications/campaign/", "/admin/applications/quota/"]
)
def test_anonymous_users_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_admin_is_in_chinese_by_default(client, editor):
    client.force_login(editor)
    html = client.get("/admin/").content.decode()
    assert 'lang="zh-hans"' in html.lower() or 'lang="zh-Hans"' in html


def test_editor_edits_pages_and_reads_campaigns_without_changing_them(client, editor, notice_2022, campaign_2022):
    client.force_login(editor)
    assert client.get(f"/admin/pages/{notice_2022.pk}/edit/").status_code == 200
    assert client.get(f"/admin/applications/campaign/inspect/{campaign_2022.pk}/").status_code == 200
    assert client.get(f"/admin/applications/campaign/edit/{campaign_2022.pk}/").status_code == 403
    assert client.get("/admin/applications/reviewunit/").status_code == 200
    assert client.get("/admin/applications/quota/").status_code == 200
    assert not editor.has_perm("applications.change_campaign")
    assert not editor.has_perm("applications.change_quota")


def test_economic_department_edits_campaigns_but_not_pages_or_members(client, economic, notice_2022, campaign_2022):
    client.force_login(economic)
    assert client.get(f"/admin/applications/campaign/edit/{campaign_2022.pk}/").status_code == 200
    assert client.get("/admin/applications/quota/create/").status_code == 200
    assert client.get("/admin/applications/member/").status_code == 403
    assert economic.has_perm("applications.change_rewardlevel")


@pytest.mark.parametrize("role_fixture", ["reviewer", "service_center", "economic"])
def test_staff_outside_the_editor_role_cannot_edit_pages(request, client, notice_2022, role_fixture):
    client.force_login(request.getfixturevalue(role_fixture))
    assert client.get("/admin/").status_code == 200
    response = client.get(f"/admin/pages/{notice_2022.pk}/edit/")
    assert response.status_code in (302, 403)
    response = client.post(f"/admin/pages/{notice_2022.pk}/edit/", {"title": "篡改"})
    assert response.status_code in (302, 403)
    notice_2022.refresh_from_db()
    assert notice_2022.title != "篡改"


def test_reviewer_cannot_change_campaigns(client, reviewer, campaign_2022):
    client.force_login(reviewer)
    assert client.get(f"/admin/applications/campaign/edit/{campaign_2022.pk}/").status_code in (302, 403)


def test_service_center_reads_campaigns_without_changing_them(client, service_center, campaign_2022):
    assert service_center.has_perm("applications.view_campaign")
    assert not service_center.has_perm("applications.change_campaign")
    client.force_login(service_center)
    assert client.get(f"/admin/applications/campaign/inspect/{campaign_2022.pk}/").status_code == 200
    assert client.get(f"/admin/applications/campaign/edit/{campaign_2022.pk}/").status_code == 403


def test_editor_publishing_a_change_shows_on_the_site(client, editor, notice_2022):
    client.get(notice_2022.url)  # cached for anonymous readers
    client.force_login(editor)
    notice_2022.title = "关于做好2022年度杭州市职工高技能人才培训和奖励工作的通知（修订）"
    notice_2022.save_revision(user=editor).publish()
    client.logout()
    assert "（修订）" in client.get(notice_2022.url).content.decode()


def test_create_staff_makes_a_unit_reviewer():
    out = StringIO()
    call_command(
        "create_staff",
        "gongshu",
        "--role",
        "unit_reviewer",
        "--unit",
        "拱墅区总工会",
        "--password",
        "x" * 12,
        stdout=out,
    )
    user = get_user_model().objects.get(username="gongshu")
    assert StaffProfile.objects.get(user=user).unit.name == "拱墅区总工会"
    assert user.check_password("x" * 12)
    assert user.has_perm("wagtailadmin.access_admin")
    assert not user.has_perm("applications.change_campaign")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "unit_reviewer"], "--unit"),
        (["--role", "unit_reviewer", "--unit", "火星区总工会"], "火星区总工会"),
        (["--role", "editor", "--unit", "西湖区总工会"], "只有"),
    ],
)
def test_create_staff_refuses_bad_units(campaign_2022, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("create_staff", "someone", *args, "--password", "x" * 12, stdout=StringIO())
    assert not get_user_model().objects.filter(username="someone").exists()


def test_campaign_validation_rejects_overlapping_windows(campaign_2022):
    from django.core.exceptions import ValidationError

    campaign = Campaign.objects.get(pk=campaign_2022.pk)
    campaign.carry_over_end = campaign.window_start
    with pytest.raises(ValidationError) as error:
        campaign.full_clean()
    assert "carry_over_end" in error.value.message_dict
    campaign.carry_over_end = None
    with pytest.raises(ValidationError):
        campaign.full_clean()
    campaign.carry_over_start = None
    campaign.full_clean()  # no carry-over at all is allowed


def test_role_groups_hold_exactly_the_permissions_roles_py_declares():
    from django.contrib.auth.models import Group

    from applications.programme.roles import GROUP_NAMES, MODEL_PERMISSIONS, REVOKED_PERMISSIONS

    for role, name in GROUP_NAMES.items():
        granted = {
            f"{app}.{codename}"
            for app, codename in Group.objects.get(name=name).permissions.values_list(
                "content_type__app_label", "codename"
            )
        }
        assert granted == set(MODEL_PERMISSIONS[role]), role
        assert not granted & set(REVOKED_PERMISSIONS.get(role, [])), role


def test_editors_hold_no_member_or_money_rule_permission():
    from django.contrib.auth.models import Group

    from applications.core.constants import Role
    from applications.programme.roles import GROUP_NAMES

    codenames = set(Group.objects.get(name=GROUP_NAMES[Role.EDITOR]).permissions.values_list("codename", flat=True))
    assert not {"add_member", "change_member", "delete_member", "view_member", "manage_members"} & codenames
    for model in ("campaign", "rewardlevel", "quota", "reviewunit", "skilllevel"):
        assert not {f"add_{model}", f"change_{model}", f"delete_{model}"} & codenames, model


@pytest.mark.django_db
def test_the_admin_search_placeholder_is_chinese(client):
    """Wagtail's zh_Hans catalogue leaves "Search all pages…" in English; locale/zh_Hans fills the gap."""
    from applications.programme.staff import create_staff

    client.force_login(
        create_staff("t-placeholder", "unit_reviewer", password="pw-for-tests", unit_name="西湖区总工会")[0]
    )
    html = client.get("/admin/").content.decode()
    assert 'placeholder="搜索所有页面…"' in html and "Search all pages" not in html


@pytest.mark.django_db
def test_an_admin_lists_search_box_and_empty_result_read_as_chinese(client, site_2022):
    """wagtail-modeladmin's zh_Hans catalogue spaces out "搜索  申报 " and "匹配的 申报"; locale/zh_Hans fixes it."""
    from applications.models import Application
    from applications.programme.staff import create_staff
    from tests.factories import ApplicationFactory

    ApplicationFactory(campaign=site_2022[0], name="张三")  # a list with something in it, none of it found
    client.force_login(create_staff("t-lists", "city_service_center", password="pw-for-tests")[0])
    html = client.get("/admin/applications/application/", {"q": "没有这个人"}).content.decode()
    name = str(Application._meta.verbose_name_plural)
    assert f'placeholder="搜索{name}"' in html
    assert f"对不起，没有找到与搜索条件匹配的{name}。" in html
