"""Preparing next year's campaign copies everything as drafts and leaves this year untouched."""

import datetime

import pytest
from django.utils import timezone

from applications.models import Campaign
from applications.programme.rollover import RolloverError, prepare_next_campaign
from notices.models import AnnexPage, NoticePage

pytestmark = pytest.mark.django_db


def _state(campaign, notice):
    campaign.refresh_from_db()
    return {
        "campaign": Campaign.objects.filter(pk=campaign.pk).values().get(),
        "levels": list(campaign.reward_levels.values("level_id", "amount")),
        "quotas": list(campaign.quotas.values("unit_id", "guidance_number")),
        "notice": NoticePage.objects.filter(pk=notice.pk).values("title", "slug", "live", "campaign_id").get(),
        "annexes": list(AnnexPage.objects.child_of(notice).values("title", "slug", "live")),
    }


def test_rollover_copies_campaign_with_dates_moved_by_a_year(campaign_2022, notice_2022):
    new = prepare_next_campaign(campaign_2022)
    assert new.year == 2023
    assert new.name == "2023年度杭州市职工高技能人才奖励"
    assert (new.window_start, new.window_end) == (datetime.date(2022, 12, 1), datetime.date(2023, 11, 30))
    assert (new.carry_over_start, new.carry_over_end) == (datetime.date(2021, 12, 1), datetime.date(2022, 11, 30))
    deadline = timezone.localtime(new.deadline)
    assert (deadline.date(), deadline.hour, deadline.minute) == (datetime.date(2023, 12, 15), 23, 59)
    assert new.is_open is False
    assert {r.level.code: r.amount for r in new.reward_levels.all()} == {
        "senior_worker": 500,
        "technician": 600,
        "senior_technician": 800,
    }
    assert new.quotas.count() == 23
    assert new.total_guidance() == 8000


def test_rollover_copies_the_notice_and_annexes_as_drafts(campaign_2022, notice_2022):
    new = prepare_next_campaign(campaign_2022)
    copy = NoticePage.objects.get(campaign=new)
    assert copy.live is False
    assert copy.slug == "2023"
    assert copy.title == "关于做好2023年度杭州市职工高技能人才培训和奖励工作的通知"
    assert copy.document_number == ""
    assert copy.get_parent().pk == notice_2022.get_parent().pk
    annexes = AnnexPage.objects.child_of(copy).order_by("number")
    assert [a.number for a in annexes] == [1, 2, 3, 4]
    assert all(not a.live for a in annexes)
    assert annexes[0].title == "2023年杭州市职工高技能人才奖励工作任务分解表"
    assert new.notice is None  # nothing of 2023 is public until an editor publishes


def test_rollover_leaves_2022_untouched(campaign_2022, notice_2022):
    before = _state(campaign_2022, notice_2022)
    prepare_next_campaign(campaign_2022)
    assert _state(campaign_2022, notice_2022) == before
    assert campaign_2022.notice.pk == notice_2022.pk


def test_rollover_refuses_an_existing_year(campaign_2022, notice_2022):
    prepare_next_campaign(campaign_2022)
    with pytest.raises(RolloverError, match="2023年度"):
        prepare_next_campaign(campaign_2022)
    assert Campaign.objects.filter(year=2023).count() == 1


def test_rollover_is_all_or_nothing(campaign_2022, notice_2022, monkeypatch):
    def broken_copy(*args, **kwargs):
        raise RuntimeError("copy failed")

    monkeypatch.setattr(NoticePage, "copy", broken_copy)
    with pytest.raises(RuntimeError):
        prepare_next_campaign(campaign_2022)
    assert not Campaign.objects.filter(year=2023).exists()


def test_economic_department_rolls_over_from_the_admin(client, campaign_2022, notice_2022, economic):
    client.force_login(economic)
    url = f"/admin/campaigns/{campaign_2022.pk}/rollover/"
    assert "2023" in client.get(url).content.decode()
    response = client.post(url)
    new = Campaign.objects.get(year=2023)
    assert response.status_code == 302
    assert response["Location"].endswith(f"/edit/{new.pk}/")
    assert NoticePage.objects.get(campaign=new).live is False  # editors correct and publish the draft
    assert new.changes.get().user == economic


def test_editors_open_the_rolled_over_notice_draft(client, campaign_2022, notice_2022, editor):
    new = prepare_next_campaign(campaign_2022)
    client.force_login(editor)
    draft = NoticePage.objects.get(campaign=new)
    assert client.get(f"/admin/pages/{draft.pk}/edit/").status_code == 200


@pytest.mark.parametrize("role_fixture", ["reviewer", "editor", "service_center"])
def test_only_the_economic_department_rolls_over(request, client, campaign_2022, role_fixture):
    client.force_login(request.getfixturevalue(role_fixture))
    response = client.post(f"/admin/campaigns/{campaign_2022.pk}/rollover/")
    assert response.status_code in (302, 403)
    assert not Campaign.objects.filter(year=2023).exists()
