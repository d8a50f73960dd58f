"""Separation of duties: the member registry is the city service center's, the money rules the economic
work department's, and every change to either is recorded.

Attacks: an editor reads full ID numbers and mobiles, changes a member's mobile to their own phone
(the apply code goes there) and applies with their own card, or creates "verified" members; an
editor changes the amounts, deadline or open flag without anybody knowing.
"""

import datetime
import json

import pytest
from django import forms
from django.utils import timezone

from applications.core.crypto import keyed_hash
from applications.members.imports import import_members
from applications.models import (
    Campaign,
    CampaignChange,
    Member,
    MemberChange,
    PersonalDataAccess,
    Quota,
    ReviewUnit,
    SmsMessage,
)
from applications.programme.rollover import prepare_next_campaign
from tests.factories import MemberFactory, make_id_number

pytestmark = pytest.mark.django_db

ID_NUMBER = make_id_number(datetime.date(1990, 1, 1), 123)  # ends in X
OTHER_ID = make_id_number(datetime.date(1985, 6, 30), 456)
MEMBERS = "/admin/applications/member/"
OUTSIDERS = ["editor", "reviewer", "economic"]


def texts(sms_file):
    if not sms_file.exists():
        return []
    return [json.loads(line) for line in sms_file.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def member(site_2022):
    return MemberFactory(name="张三", id_number=ID_NUMBER, mobile="13912345678")


def member_post(member, **changes):
    data = {
        "name": member.name,
        "mobile": member.mobile,
        "unit": member.unit_id,
        "employer": member.employer,
        "grassroots_union": member.grassroots_union,
        "is_verified": "on",
    }
    return {**data, **changes}


def new_member_post(**changes):
    data = {
        "name": "李四",
        "id_number": OTHER_ID,
        "mobile": "13900000002",
        "unit": ReviewUnit.objects.get(name="工业工会").pk,
        "employer": "杭州钢铁集团",
        "grassroots_union": "",
        "is_verified": "on",
    }
    return {**data, **changes}


# The member registry belongs to the city service center.


@pytest.mark.parametrize("role_fixture", OUTSIDERS)
def test_only_the_service_center_lists_sees_creates_or_changes_members(request, client, member, role_fixture):
    client.force_login(request.getfixturevalue(role_fixture))

    for url in (MEMBERS, f"{MEMBERS}create/", f"{MEMBERS}edit/{member.pk}/", f"{MEMBERS}delete/{member.pk}/"):
        response = client.get(url)
        assert response.status_code in (403, 404), url
        assert ID_NUMBER not in response.content.decode()
    assert client.post(f"{MEMBERS}create/", new_member_post()).status_code in (403, 404)
    assert not Member.objects.filter(id_hash=keyed_hash(OTHER_ID)).exists()
    assert client.post(f"{MEMBERS}delete/{member.pk}/").status_code in (403, 404)
    assert Member.objects.filter(pk=member.pk).exists()


@pytest.mark.parametrize("role_fixture", OUTSIDERS)
def test_only_the_service_center_can_point_a_members_code_at_another_phone(
    request, client, member, sms_file, role_fixture
):
    client.force_login(request.getfixturevalue(role_fixture))
    response = client.post(f"{MEMBERS}edit/{member.pk}/", member_post(member, mobile="13800000000"))
    assert response.status_code in (403, 404)
    member.refresh_from_db()
    assert member.mobile == "13912345678"
    assert texts(sms_file) == []


@pytest.mark.parametrize("role_fixture", OUTSIDERS)
def test_the_member_registry_is_not_in_an_outsiders_menu(request, client, role_fixture):
    client.force_login(request.getfixturevalue(role_fixture))
    html = client.get("/admin/").content.decode()
    assert MEMBERS not in html
    assert "/admin/applications/memberchange/" not in html


def test_the_service_center_has_the_registry_in_its_menu(client, service_center):
    client.force_login(service_center)
    html = client.get("/admin/").content.decode()
    assert MEMBERS in html and "/admin/applications/memberchange/" in html


def test_service_center_list_and_edit_screen_never_show_the_full_id_number(client, service_center, member):
    client.force_login(service_center)

    html = client.get(MEMBERS).content.decode()
    assert "张三" in html
    assert ID_NUMBER not in html and "13912345678" not in html
    assert member.masked_id in html and "139****5678" in html

    html = client.get(f"{MEMBERS}edit/{member.pk}/").content.decode()
    assert ID_NUMBER not in html and ID_NUMBER[:17] not in html
    assert member.masked_id in html
    assert 'name="id_number"' not in html


def test_the_id_number_cannot_be_changed_by_editing(client, service_center, member):
    client.force_login(service_center)
    response = client.post(f"{MEMBERS}edit/{member.pk}/", member_post(member, id_number=OTHER_ID))
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.id_number == ID_NUMBER
    assert member.id_hash == keyed_hash(ID_NUMBER)


def test_revealing_the_id_number_shows_it_once_and_records_who_opened_it(client, service_center, member):
    client.force_login(service_center)
    response = client.post(f"{MEMBERS}edit/{member.pk}/", {"reveal": "id_number"})

    assert response.status_code == 200
    assert ID_NUMBER in response.content.decode()
    assert "no-store" in response.get("Cache-Control", "") or "no-cache" in response.get("Cache-Control", "")
    access = PersonalDataAccess.objects.get()
    assert (access.member, access.what, access.user) == (member, "id_number", service_center)
    assert ID_NUMBER not in client.get(f"{MEMBERS}edit/{member.pk}/").content.decode()
    member.refresh_from_db()
    assert member.mobile == "13912345678"  # the reveal saved nothing


def test_editors_cannot_reveal_a_members_id_number(client, editor, member):
    client.force_login(editor)
    response = client.post(f"{MEMBERS}edit/{member.pk}/", {"reveal": "id_number"})
    assert response.status_code in (403, 404)
    assert ID_NUMBER not in response.content.decode()
    assert not PersonalDataAccess.objects.exists()


# Every write to the registry is recorded, masked.


def test_admin_create_change_and_delete_are_recorded_with_masked_values(
    client, service_center, member, sms_file, django_capture_on_commit_callbacks
):
    client.force_login(service_center)
    assert client.post(f"{MEMBERS}create/", new_member_post()).status_code == 302
    created = MemberChange.objects.get(action="created")
    new = Member.objects.get(id_hash=keyed_hash(OTHER_ID))
    assert (created.member, created.user, created.source) == (new, service_center, "管理后台")
    assert created.ip_address == "127.0.0.1"
    fields = {change["field"]: change for change in created.changes}
    assert fields["id_number"]["after"] == new.masked_id
    assert fields["mobile"]["after"] == "139****0002"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{MEMBERS}edit/{member.pk}/", member_post(member, mobile="13800001111"))
    assert response.status_code == 302
    changed = MemberChange.objects.get(action="changed")
    assert changed.member == member and changed.user == service_center
    assert changed.changes == [
        {"field": "mobile", "label": "手机号码", "before": "139****5678", "after": "138****1111"}
    ]

    assert client.post(f"{MEMBERS}delete/{new.pk}/").status_code == 302
    deleted = MemberChange.objects.get(action="deleted")
    assert deleted.member_label == f"李四（{new.masked_id}）"
    assert {change["field"]: change["before"] for change in deleted.changes}["id_number"] == new.masked_id

    stored = json.dumps(list(MemberChange.objects.values_list("changes", "member_label")), ensure_ascii=False)
    for secret in (ID_NUMBER, OTHER_ID, "13912345678", "13800001111", "13900000002"):
        assert secret not in stored


def test_saving_a_member_unchanged_records_nothing_and_texts_nobody(
    client, service_center, member, sms_file, django_capture_on_commit_callbacks
):
    client.force_login(service_center)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"{MEMBERS}edit/{member.pk}/", member_post(member)).status_code == 302
    assert not MemberChange.objects.exists()
    assert texts(sms_file) == []


def test_a_changed_mobile_is_texted_at_the_old_and_the_new_number(
    client, service_center, member, sms_file, django_capture_on_commit_callbacks
):
    client.force_login(service_center)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{MEMBERS}edit/{member.pk}/", member_post(member, mobile="13800001111"))

    sent = texts(sms_file)
    assert sorted(line["to"] for line in sent) == ["13800001111", "13912345678"]
    for line in sent:
        assert "尾号1111" in line["text"] and "市总工会职工服务中心" in line["text"]
        assert ID_NUMBER not in line["text"] and "13800001111" not in line["text"]
    assert SmsMessage.objects.filter(purpose="member_mobile_changed").count() == 2


def test_the_service_center_reads_the_record_list_masked_and_cannot_change_it(client, service_center, member):
    client.force_login(service_center)
    client.post(f"{MEMBERS}edit/{member.pk}/", member_post(member, mobile="13800001111"))
    html = client.get("/admin/applications/memberchange/").content.decode()
    assert "139****5678" in html and "138****1111" in html
    assert "13800001111" not in html and ID_NUMBER not in html
    record = MemberChange.objects.get()
    assert client.get(f"/admin/applications/memberchange/edit/{record.pk}/").status_code in (302, 403, 404)
    assert client.get(f"/admin/applications/memberchange/delete/{record.pk}/").status_code in (302, 403, 404)
    assert MemberChange.objects.filter(pk=record.pk).exists()


def test_editors_cannot_read_the_record_lists(client, editor):
    client.force_login(editor)
    assert client.get("/admin/applications/memberchange/").status_code in (403, 404)
    assert client.get("/admin/applications/campaignchange/").status_code in (403, 404)


def write_members_csv(path, rows):
    header = "姓名,身份证号码,手机号码,所属工会,工作单位,基层工会\n"
    path.write_text(header + "".join(",".join(row) + "\n" for row in rows), encoding="utf-8")
    return path


def test_import_records_each_member_created_or_changed_and_texts_a_changed_mobile(
    tmp_path, member, sms_file, django_capture_on_commit_callbacks
):
    rows = [
        ["张三", ID_NUMBER, "13700000009", "西湖区总工会", member.employer, member.grassroots_union],
        ["李四", OTHER_ID, "13900000002", "工业工会", "杭州钢铁集团", ""],
    ]
    with django_capture_on_commit_callbacks(execute=True):
        report = import_members(write_members_csv(tmp_path / "m.csv", rows))
    assert (report.created, report.updated) == (1, 1)

    created = MemberChange.objects.get(action="created")
    assert created.member == Member.objects.get(id_hash=keyed_hash(OTHER_ID))
    assert created.source == "import_members" and created.user is None and created.actor_label
    changed = MemberChange.objects.get(action="changed")
    assert changed.member == member and changed.source == "import_members"
    assert changed.changes == [
        {"field": "mobile", "label": "手机号码", "before": "139****5678", "after": "137****0009"}
    ]
    assert ID_NUMBER not in json.dumps(created.changes + changed.changes)
    assert sorted(line["to"] for line in texts(sms_file)) == ["13700000009", "13912345678"]

    with django_capture_on_commit_callbacks(execute=True):
        import_members(write_members_csv(tmp_path / "again.csv", rows))
    assert MemberChange.objects.count() == 2  # nothing changed, nothing recorded
    assert len(texts(sms_file)) == 2


def test_demo_members_are_recorded_once(site_2022):
    from applications.programme.demo import DEMO_MEMBERS, ensure_demo_members

    ensure_demo_members()
    ensure_demo_members()
    records = MemberChange.objects.filter(source="load_demo")
    assert records.count() == len(DEMO_MEMBERS)
    assert all(record.action == "created" for record in records)


# The money rules belong to the economic work department, and every change is recorded.


def campaign_form_data(campaign, user):
    """What the campaign edit screen posts when nothing is changed: fields and both inline formsets."""
    from applications.programme.admin.campaigns import CampaignAdmin

    form_class = CampaignAdmin().get_edit_handler().bind_to_model(Campaign).get_form_class()
    return _form_data(form_class(instance=campaign, for_user=user))


def _form_data(form):
    data = {}
    for name, field in form.fields.items():
        key, value = form.add_prefix(name), form[name].value()
        if isinstance(field, forms.BooleanField):
            if value:
                data[key] = "on"
        else:
            data[key] = "" if value is None else field.widget.format_value(value)
    for formset in getattr(form, "formsets", {}).values():
        management = formset.management_form
        data.update({management.add_prefix(name): management[name].value() for name in management.fields})
        for child in formset.forms:
            data.update(_form_data(child))
    return data


def reward_index(data, code):
    from applications.models import SkillLevel

    level_pk = str(SkillLevel.objects.get(code=code).pk)
    return next(key.split("-")[1] for key, value in data.items() if key.endswith("-level") and level_pk in list(value))


def money_rules_changed(data):
    technician = reward_index(data, "technician")
    return {
        **data,
        f"reward_levels-{technician}-amount": "6000",
        "deadline": "2023-01-31 23:59:59",
        "is_open": "on",
    }


@pytest.mark.parametrize("role_fixture", ["editor", "service_center", "reviewer"])
def test_only_the_economic_department_changes_amounts_deadline_or_open_flag(
    request, client, campaign_2022, economic, role_fixture
):
    Campaign.objects.filter(pk=campaign_2022.pk).update(is_open=False)
    data = money_rules_changed(campaign_form_data(Campaign.objects.get(pk=campaign_2022.pk), economic))
    client.force_login(request.getfixturevalue(role_fixture))

    assert client.get(f"/admin/applications/campaign/edit/{campaign_2022.pk}/").status_code == 403
    assert client.post(f"/admin/applications/campaign/edit/{campaign_2022.pk}/", data).status_code == 403
    assert client.post("/admin/applications/campaign/create/", {**data, "year": "2031"}).status_code == 403

    campaign = Campaign.objects.get(pk=campaign_2022.pk)
    assert campaign.is_open is False
    assert campaign.deadline.date() == datetime.date(2022, 12, 15)
    assert {r.level.code: r.amount for r in campaign.reward_levels.all()}["technician"] == 600
    assert not CampaignChange.objects.exists()


def test_saving_a_campaign_unchanged_keeps_its_deadline_to_the_second(client, campaign_2022, economic):
    client.force_login(economic)
    html = client.get(f"/admin/applications/campaign/edit/{campaign_2022.pk}/").content.decode()
    assert 'value="2022-12-15 23:59:59"' in html
    data = campaign_form_data(Campaign.objects.get(pk=campaign_2022.pk), economic)
    assert client.post(f"/admin/applications/campaign/edit/{campaign_2022.pk}/", data).status_code == 302
    assert timezone.localtime(Campaign.objects.get(pk=campaign_2022.pk).deadline).time() == datetime.time(23, 59, 59)


@pytest.mark.parametrize("role_fixture", ["editor", "service_center"])
def test_only_the_economic_department_changes_quotas(request, client, campaign_2022, role_fixture):
    quota = Quota.objects.filter(campaign=campaign_2022).first()
    client.force_login(request.getfixturevalue(role_fixture))
    data = {"campaign": campaign_2022.pk, "unit": quota.unit_id, "guidance_number": "99999"}
    assert client.post(f"/admin/applications/quota/edit/{quota.pk}/", data).status_code == 403
    assert client.post(f"/admin/applications/quota/delete/{quota.pk}/").status_code == 403
    quota.refresh_from_db()
    assert quota.guidance_number != 99999


def test_economic_department_change_is_recorded_before_and_after_and_shown_on_the_campaign(
    client, campaign_2022, economic, service_center
):
    Campaign.objects.filter(pk=campaign_2022.pk).update(is_open=False)
    client.force_login(economic)
    data = campaign_form_data(Campaign.objects.get(pk=campaign_2022.pk), economic)

    assert client.post(f"/admin/applications/campaign/edit/{campaign_2022.pk}/", data).status_code == 302
    assert not CampaignChange.objects.exists()  # saved unchanged: nothing to record

    response = client.post(f"/admin/applications/campaign/edit/{campaign_2022.pk}/", money_rules_changed(data))
    assert response.status_code == 302
    change = CampaignChange.objects.get()
    assert (change.campaign_id, change.user, change.actor_label) == (campaign_2022.pk, economic, "t-economic")
    by_field = {item["field"]: (item["before"], item["after"]) for item in change.changes}
    assert by_field == {
        "is_open": ("否", "是"),
        "deadline": ("2022-12-15 23:59:59", "2023-01-31 23:59:59"),
        "reward_level:technician": ("600元", "6000元"),
    }

    html = client.get(f"/admin/applications/campaign/edit/{campaign_2022.pk}/").content.decode()
    assert "最近的变更" in html and "600元 → 6000元" in html and "t-economic" in html
    client.force_login(service_center)
    html = client.get(f"/admin/applications/campaign/inspect/{campaign_2022.pk}/").content.decode()
    assert "600元 → 6000元" in html


def test_a_campaign_created_in_the_admin_is_recorded_with_its_amounts_and_quotas(client, campaign_2022, economic):
    client.force_login(economic)
    data = campaign_form_data(Campaign.objects.get(pk=campaign_2022.pk), economic)
    data.update({"year": "2031", "name": "2031年度杭州市职工高技能人才奖励"})
    data.update({"reward_levels-INITIAL_FORMS": 0, "quotas-INITIAL_FORMS": 0})
    data.update({key: "" for key in data if key.endswith("-id")})
    assert client.post("/admin/applications/campaign/create/", data).status_code == 302
    change = CampaignChange.objects.get()
    assert change.campaign.year == 2031 and change.user == economic
    after = {item["field"]: (item["before"], item["after"]) for item in change.changes}
    assert after["year"] == ("—", "2031")
    assert after["reward_level:senior_technician"] == ("—", "800元")
    assert after["quota:钱塘区总工会"] == ("—", "1000")


def test_removing_a_reward_level_is_recorded(client, campaign_2022, economic):
    client.force_login(economic)
    data = campaign_form_data(Campaign.objects.get(pk=campaign_2022.pk), economic)
    data[f"reward_levels-{reward_index(data, 'senior_technician')}-DELETE"] = "on"
    assert client.post(f"/admin/applications/campaign/edit/{campaign_2022.pk}/", data).status_code == 302
    change = CampaignChange.objects.get()
    assert [(c["label"], c["before"], c["after"]) for c in change.changes] == [("奖励金额：高级技师", "800元", "—")]


def test_quota_changes_in_the_quota_screen_are_recorded(client, campaign_2022, economic):
    quota = Quota.objects.select_related("unit").get(campaign=campaign_2022, unit__name="西湖区总工会")
    client.force_login(economic)
    data = {"campaign": campaign_2022.pk, "unit": quota.unit_id, "guidance_number": "450"}
    assert client.post(f"/admin/applications/quota/edit/{quota.pk}/", data).status_code == 302
    change = CampaignChange.objects.get()
    assert change.changes == [
        {"field": "quota:西湖区总工会", "label": "指导数：西湖区总工会", "before": "400", "after": "450"}
    ]
    assert client.post(f"/admin/applications/quota/delete/{quota.pk}/").status_code == 302
    latest = CampaignChange.objects.first()
    assert latest.changes[0]["before"] == "450" and latest.changes[0]["after"] == "—"

    data["guidance_number"] = "420"
    assert client.post("/admin/applications/quota/create/", data).status_code == 302
    assert CampaignChange.objects.first().changes == [
        {"field": "quota:西湖区总工会", "label": "指导数：西湖区总工会", "before": "—", "after": "420"}
    ]
    assert CampaignChange.objects.count() == 3


def test_a_rollover_is_recorded_as_the_new_campaigns_first_change(campaign_2022, notice_2022, economic):
    new = prepare_next_campaign(campaign_2022, user=economic)
    change = CampaignChange.objects.get(campaign=new)
    assert change.source == "准备下一年度" and change.user == economic
    by_field = {item["field"]: item["after"] for item in change.changes}
    assert by_field["is_open"] == "否"
    assert by_field["reward_level:technician"] == "600元"
    assert by_field["quota:西湖区总工会"] == "400"
