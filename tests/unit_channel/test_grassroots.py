"""Grassroots unions online: the role, their entries through both review levels, return and resubmit,
the accounts screen, the counts per grassroots union, and the opinion's date on the PDF."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from applications.apply.submission import UNIT_DUPLICATE
from applications.core.access import entry_scope, grassroots_of
from applications.core.constants import ApplicationState as S
from applications.models import Application, GrassrootsUnion
from applications.programme.demo import ensure_demo_campaign
from applications.programme.roles import GROUP_NAMES
from applications.programme.staff import StaffError, create_staff
from applications.review.workflow import WorkflowError, allowed_actions, take
from tests.factories import ApplicationFactory, make_id_number, register_member
from tests.unit_channel.test_paper_entry import _paper

pytestmark = pytest.mark.django_db

ENTER = "/admin/applications/enter/"
GRASSROOTS = "杭州示例焊接有限公司工会"
OPINION = "经核对，情况属实，同意上报。"


@pytest.fixture
def demo(campaign_2022):
    return ensure_demo_campaign(campaign_2022)


def grassroots_user(username="t-jiceng", unit="西湖区总工会", name=GRASSROOTS):
    return create_staff(username, "grassroots_union", password="pw-for-tests-1", unit_name=unit, grassroots_name=name)[
        0
    ]


def paper(demo, **overrides):
    """Paper entry's Annex 3, with this union's opinion and a grassroots name it will not take."""
    overrides = {"grassroots_union": "另一个工会", "grassroots_opinion": OPINION, **overrides}
    return _paper(demo, **overrides)  # the grassroots name is ignored for a grassroots account: its own is fixed


def enter(client, demo, user=None, **overrides):
    user = user or grassroots_user()
    client.force_login(user)
    response = client.post(ENTER, paper(demo, **overrides))
    assert response.status_code == 302, response.content.decode()[:2000]
    return Application.objects.get(name=overrides.get("name", "陈七"))


# The role and the command.


def test_create_staff_makes_a_grassroots_account_under_its_unit():
    user = grassroots_user()
    grassroots = GrassrootsUnion.objects.get(name=GRASSROOTS)
    assert grassroots.unit.name == "西湖区总工会"
    assert user.staff_profile.unit == grassroots.unit and user.staff_profile.grassroots == grassroots
    assert user.groups.get().name == GROUP_NAMES["grassroots_union"]
    assert grassroots_of(user) == grassroots
    assert entry_scope(user).grassroots == grassroots


def test_create_staff_again_keeps_the_same_grassroots_account():
    first = grassroots_user()
    again = grassroots_user()
    assert again == first and GrassrootsUnion.objects.count() == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"unit_name": None, "grassroots_name": GRASSROOTS}, "须指定所属审核单位"),
        ({"unit_name": "西湖区总工会", "grassroots_name": ""}, "须指定基层工会名称"),
        ({"unit_name": "西湖区总工会", "grassroots_name": "  "}, "须指定基层工会名称"),
        ({"unit_name": "西湖区总工会", "grassroots_name": "工" * 101}, "不能超过100个字"),
        ({"unit_name": "西湖区", "grassroots_name": GRASSROOTS}, "没有名为"),
    ],
)
def test_create_staff_refuses_an_incomplete_grassroots_account(campaign_2022, kwargs, message):
    with pytest.raises(StaffError, match=message):
        create_staff("t-jc", "grassroots_union", password="pw-for-tests-1", **kwargs)


def test_a_grassroots_name_of_one_hundred_characters_is_accepted(campaign_2022):
    user = grassroots_user(name="工" * 100)
    assert user.staff_profile.grassroots.name == "工" * 100


def test_only_grassroots_accounts_take_a_grassroots_name(campaign_2022):
    with pytest.raises(StaffError, match="只有基层工会账号"):
        create_staff("t-r", "unit_reviewer", password="pw-for-tests-1", unit_name="西湖区总工会", grassroots_name="X")


def test_a_reviewer_never_becomes_a_grassroots_account_nor_the_other_way(reviewer):
    with pytest.raises(StaffError, match="已有其他角色"):
        create_staff(reviewer.username, "grassroots_union", password="x", unit_name="西湖区总工会", grassroots_name="X")
    user = grassroots_user()
    with pytest.raises(StaffError, match="是基层工会账号"):
        create_staff(user.username, "unit_reviewer", password="x", unit_name="西湖区总工会")
    with pytest.raises(StaffError, match="不能更改"):
        grassroots_user(name="另一个工会")


def test_the_command_makes_a_grassroots_account(campaign_2022, capsys):
    call_command(
        "create_staff",
        "wang-jc",
        "--role",
        "grassroots_union",
        "--unit",
        "西湖区总工会",
        "--grassroots",
        GRASSROOTS,
        "--password",
        "Jiceng-pw-2022",
    )
    assert "基层工会" in capsys.readouterr().out
    with pytest.raises(CommandError, match="须指定基层工会名称"):
        call_command(
            "create_staff", "li-jc", "--role", "grassroots_union", "--unit", "西湖区总工会", "--password", "Jc-pw-2022x"
        )


# Entry, and both review levels.


def test_a_grassroots_entry_starts_awaiting_the_units_pre_review(client, demo):
    user = grassroots_user()
    application = enter(client, demo, user)
    assert (application.channel, application.state) == ("unit", S.SUBMITTED)
    assert application.grassroots_entry.name == GRASSROOTS
    assert application.grassroots_union == GRASSROOTS  # its own name, whatever was posted
    assert application.grassroots_opinion == OPINION
    event = application.events.get()
    assert (event.actor, event.from_state, event.to_state, event.opinion) == (user, "", S.SUBMITTED, OPINION)


def test_a_reviewers_own_paper_entry_still_starts_approved_by_the_unit(client, demo, reviewer):
    client.force_login(reviewer)
    client.post(ENTER, paper(demo))
    application = Application.objects.get(name="陈七")
    assert application.state == S.UNIT_APPROVED and application.grassroots_entry is None


def test_a_grassroots_entry_goes_through_the_unit_and_the_city(client, demo, reviewer, service_center):
    application = enter(client, demo)
    assert allowed_actions(reviewer, application) == ["unit_approve", "unit_reject", "return_to_grassroots"]
    take("unit_approve", application, reviewer, "同意推荐。")
    assert allowed_actions(service_center, application) == ["city_approve", "city_reject"]
    take("city_approve", application, service_center)
    assert [event.to_state for event in application.events.all()] == [S.SUBMITTED, S.UNIT_APPROVED, S.APPROVED]


def test_the_unit_returns_an_entry_with_a_reason_and_the_grassroots_union_resubmits_it(client, demo, reviewer):
    user = grassroots_user()
    application = enter(client, demo, user)

    with pytest.raises(WorkflowError, match="须填写原因"):
        take("return_to_grassroots", application, reviewer, "  ")
    take("return_to_grassroots", application, reviewer, "证书编号与证书不符，请核对。")
    application.refresh_from_db()
    assert application.state == S.RETURNED and application.is_live

    # Sent back, it still holds the person's place: nobody enters them again meanwhile.
    client.force_login(reviewer)
    html = client.post(ENTER, paper(demo)).content.decode()
    assert UNIT_DUPLICATE in html

    client.force_login(user)
    correct = reverse("applications_grassroots_correct", args=[application.pk])
    page = client.get(correct).content.decode()
    assert "证书编号与证书不符" in page and 'value="P0007"' in page
    from applications.models import PersonalDataAccess

    shown = PersonalDataAccess.objects.filter(application=application, user=user)
    assert set(shown.values_list("what", flat=True)) == {"id_number", "bank_card"}  # full numbers shown: recorded
    response = client.post(correct, paper(demo, certificate_number="P0008", grassroots_opinion="已核对更正。"))
    assert response.status_code == 302
    application.refresh_from_db()
    assert (application.state, application.certificate_number, application.grassroots_opinion) == (
        S.SUBMITTED,
        "P0008",
        "已核对更正。",
    )
    last = application.events.last()
    assert (last.from_state, last.to_state, last.actor, last.opinion) == (S.RETURNED, S.SUBMITTED, user, "已核对更正。")

    take("unit_approve", application, reviewer)
    application.refresh_from_db()
    assert application.state == S.UNIT_APPROVED


def test_a_correction_needs_a_new_opinion_and_keeps_what_was_typed(client, demo, reviewer):
    user = grassroots_user()
    application = enter(client, demo, user)
    take("return_to_grassroots", application, reviewer, "请补充。")
    client.force_login(user)
    correct = reverse("applications_grassroots_correct", args=[application.pk])
    html = client.post(correct, paper(demo, certificate_number="P0009", grassroots_opinion="")).content.decode()
    assert 'value="P0009"' in html and "请填写基层工会意见。" in html
    application.refresh_from_db()
    assert (application.state, application.certificate_number) == (S.RETURNED, "P0007")


def test_a_correction_to_an_id_number_with_a_live_application_is_refused(client, demo, reviewer):
    user = grassroots_user()
    application = enter(client, demo, user)
    other = ApplicationFactory(campaign=demo, name="王九")
    register_member("王九", other.id_number)
    take("return_to_grassroots", application, reviewer, "身份证号码有误。")
    client.force_login(user)
    correct = reverse("applications_grassroots_correct", args=[application.pk])
    html = client.post(correct, paper(demo, name="王九", id_number=other.id_number)).content.decode()
    assert UNIT_DUPLICATE in html
    application.refresh_from_db()
    assert (application.state, application.name) == (S.RETURNED, "陈七")


def test_an_entry_not_sent_back_cannot_be_corrected(client, demo):
    user = grassroots_user()
    application = enter(client, demo, user)
    response = client.post(reverse("applications_grassroots_correct", args=[application.pk]), paper(demo))
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == S.SUBMITTED and application.events.count() == 1


def test_only_grassroots_entries_can_be_returned(demo, reviewer):
    online = ApplicationFactory(campaign=demo, state=S.SUBMITTED)
    assert "return_to_grassroots" not in allowed_actions(reviewer, online)
    with pytest.raises(WorkflowError, match="只有基层工会录入的申报"):
        take("return_to_grassroots", online, reviewer, "退回")


def test_resubmitting_is_only_the_correction_screens(client, demo, reviewer):
    user = grassroots_user()
    application = enter(client, demo, user)
    take("return_to_grassroots", application, reviewer, "请补充。")
    with pytest.raises(WorkflowError, match="更正申请表页面"):
        take("resubmit", application, user, "再交")
    with pytest.raises(WorkflowError):
        take("resubmit", application, reviewer, "再交", via="grassroots")


# The Annex 4 table of a grassroots union.


def test_a_grassroots_union_uploads_annex_4_for_the_units_pre_review(client, demo):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from applications.unit_channel.admin.annex4 import SESSION_KEY
    from tests.unit_channel.test_annex4_import import HEADER, person, workbook_bytes

    user = grassroots_user()
    client.force_login(user)
    header = [*HEADER, "基层工会"]
    rows = [person(1, demo), person(2, demo, 基层工会=GRASSROOTS), person(3, demo, 基层工会="杭州别家公司工会")]
    upload = {"file": SimpleUploadedFile("t.xlsx", workbook_bytes(rows, header)), "grassroots_union": "别的名字"}
    client.post("/admin/applications/annex4/", {**upload, "grassroots_opinion": OPINION, "paper_consent": "on"})
    html = client.get("/admin/applications/annex4/check/").content.decode()
    assert "“杭州别家公司工会”不是本基层工会" in html
    token = client.session[SESSION_KEY]["token"]
    client.post("/admin/applications/annex4/import/", {"token": token, "mode": "only_valid", "expected": "2"})
    imported = Application.objects.filter(campaign=demo).order_by("name")
    assert [a.name for a in imported] == ["职工1", "职工2"]
    assert {(a.state, a.grassroots_entry.name, a.grassroots_union) for a in imported} == {
        (S.SUBMITTED, GRASSROOTS, GRASSROOTS)
    }
    assert {a.events.get().opinion for a in imported} == {OPINION}


def test_a_grassroots_union_cannot_upload_rows_of_another_grassroots_union(demo):
    from applications.unit_channel.admin.annex4 import _own_rows_only
    from applications.unit_channel.annex4 import RowResult

    grassroots = grassroots_of(grassroots_user())
    own = RowResult(2, values={"grassroots_union": GRASSROOTS})
    blank = RowResult(3, values={"grassroots_union": ""})
    other = RowResult(4, values={"grassroots_union": "杭州别家公司工会"})
    _own_rows_only([own, blank, other], grassroots)
    assert own.ok and blank.ok
    assert not other.ok and "不是本基层工会" in other.errors[0].message and other.values is None


# Counts, the PDF, the status lookup.


def test_the_unit_sees_counts_per_grassroots_union(client, demo, reviewer):
    from applications.unit_channel.grassroots import counts_per_grassroots

    first = enter(client, demo)
    enter(client, demo, name="陈八", id_number=make_id_number(datetime.date(1979, 9, 9), seq=72))
    other_user = grassroots_user("t-jc-2", name="杭州别家公司工会")
    enter(client, demo, other_user, name="陈九", id_number=make_id_number(datetime.date(1979, 9, 9), seq=73))
    take("return_to_grassroots", first, reviewer, "请补充。")
    rows = {row.grassroots.name: row for row in counts_per_grassroots(reviewer.staff_profile.unit, demo)}
    assert (rows[GRASSROOTS].awaiting_unit, rows[GRASSROOTS].returned, rows[GRASSROOTS].total) == (1, 1, 2)
    assert (rows["杭州别家公司工会"].awaiting_unit, rows["杭州别家公司工会"].total) == (1, 1)

    client.force_login(reviewer)
    html = client.get(reverse("applications_progress")).content.decode()
    assert "各基层工会录入的申报" in html and "杭州别家公司工会" in html
    grassroots = GrassrootsUnion.objects.get(name=GRASSROOTS)
    listing = client.get(
        reverse("applications_application_modeladmin_index"), {"entered_by": grassroots.pk, "state__exact": "returned"}
    ).content.decode()
    assert first.reference in listing and "陈八" not in listing


def test_the_pdf_carries_the_grassroots_opinion_and_its_date(client, demo, reviewer):
    from applications.documents.pdf import opinions_for

    application = enter(client, demo)
    take("return_to_grassroots", application, reviewer, "请补充。")
    application.events.filter(to_state=S.SUBMITTED).update(
        created_at=datetime.datetime(2030, 1, 2, 3, tzinfo=datetime.UTC)
    )
    grassroots_box, unit_box, _city = opinions_for(application, list(application.events.all()))
    assert (grassroots_box.text, grassroots_box.date) == (OPINION, datetime.date(2030, 1, 2))
    assert unit_box.text == "" and unit_box.date is None  # a return is not the unit's opinion on the form


def test_a_reviewers_paper_entry_leaves_the_grassroots_date_blank(client, demo, reviewer):
    from applications.documents.pdf import opinions_for

    client.force_login(reviewer)
    client.post(ENTER, paper(demo))
    application = Application.objects.get(name="陈七")
    grassroots_box = opinions_for(application, list(application.events.all()))[0]
    assert (grassroots_box.text, grassroots_box.date) == (OPINION, None)


def test_the_worker_sees_the_return_in_the_status_lookup(client, demo, reviewer):
    from applications.apply.status import describe

    application = enter(client, demo)
    take("return_to_grassroots", application, reviewer, "请补充。")
    application.refresh_from_db()
    status = describe(application)
    assert "已退回基层工会修改" in status.details
    assert [step.step for step in status.history] == ["提交申请", "退回基层工会修改"]


# The accounts screen.

ACCOUNTS = "/admin/applications/grassroots/"


def test_a_reviewer_opens_an_account_for_a_grassroots_union_of_their_unit(client, demo, reviewer):
    client.force_login(reviewer)
    response = client.post(
        ACCOUNTS, {"unit": reviewer.staff_profile.unit_id, "grassroots_name": GRASSROOTS, "username": "jc-1"}
    )
    html = response.content.decode()
    assert "已开设账号 jc-1" in html and "<svg" in html
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    user = GrassrootsUnion.objects.get(name=GRASSROOTS).staff.get().user
    assert grassroots_of(user).unit == reviewer.staff_profile.unit
    assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1
    # The password shown once works, and is stored only hashed.
    password = html.split('id="new-password">')[1].split("<")[0]
    assert user.check_password(password) and password not in user.password
    assert "jc-1" in client.get(ACCOUNTS).content.decode()
    assert password not in client.get(ACCOUNTS).content.decode()


def test_a_reviewer_cannot_open_an_account_under_another_unit(client, demo, reviewer):
    from applications.models import ReviewUnit

    client.force_login(reviewer)
    gongshu = ReviewUnit.objects.get(name="拱墅区总工会")
    client.post(ACCOUNTS, {"unit": gongshu.pk, "grassroots_name": GRASSROOTS, "username": "jc-2"})
    assert GrassrootsUnion.objects.get().unit == reviewer.staff_profile.unit  # the posted unit is ignored


def test_a_taken_username_is_refused_and_the_input_kept(client, demo, reviewer):
    client.force_login(reviewer)
    html = client.post(
        ACCOUNTS, {"unit": reviewer.staff_profile.unit_id, "grassroots_name": GRASSROOTS, "username": reviewer.username}
    ).content.decode()
    assert "已被使用" in html and GRASSROOTS in html
    assert not GrassrootsUnion.objects.exists()


def test_the_city_opens_accounts_for_any_unit(client, demo, service_center):
    from applications.models import ReviewUnit

    client.force_login(service_center)
    gongshu = ReviewUnit.objects.get(name="拱墅区总工会")
    client.post(ACCOUNTS, {"unit": gongshu.pk, "grassroots_name": "拱墅某厂工会", "username": "jc-3"})
    assert GrassrootsUnion.objects.get(name="拱墅某厂工会").unit == gongshu
