"""load_demo: the 2022 notice, campaign, units and quotas, faithfully and idempotently."""

import datetime
import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from django.utils.html import strip_tags
from wagtail.models import Page, Revision

from applications.models import Campaign, Quota, ReviewUnit
from applications.programme.demo import demo_year
from notices.demo_content import NOTICE_SENTENCES
from notices.models import AnnexPage, NoticePage

pytestmark = pytest.mark.django_db


def _page_text(client, url):
    html = client.get(url).content.decode()
    main = html.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    return re.sub(r"\s+", "", strip_tags(main))


def test_notice_has_its_document_number_and_parts(notice_2022):
    assert notice_2022.document_number == "杭总工办〔2022〕12号"
    assert notice_2022.title == "关于做好2022年度杭州市职工高技能人才培训和奖励工作的通知"
    assert notice_2022.cc == "浙江省总工会办公室"
    assert notice_2022.printed_on == datetime.date(2022, 5, 10)
    assert [(a.number, a.kind) for a in notice_2022.annexes()] == [
        (1, "quota_table"),
        (2, "procedure"),
        (3, "application_form"),
        (4, "summary_table"),
    ]


def test_every_sentence_of_the_notice_is_on_the_pages(client, notice_2022):
    pages = [notice_2022.url, *[annex.url for annex in notice_2022.annexes()]]
    text = "".join(_page_text(client, url) for url in pages)
    missing = [s for s in NOTICE_SENTENCES if re.sub(r"\s+", "", s) not in text]
    assert len(NOTICE_SENTENCES) > 80
    assert missing == []


def test_extraction_noise_is_left_out(client, notice_2022):
    text = "".join(_page_text(client, annex.url) for annex in notice_2022.annexes())
    for noise in ("2015年6月9日", "宋厚军", "方便职工在工作业余时间参加培训学习", "项目名称"):
        assert noise not in text


def test_campaign_2022_rules(campaign_2022):
    amounts = {r.level.code: r.amount for r in campaign_2022.reward_levels.all()}
    assert amounts == {"senior_worker": 500, "technician": 600, "senior_technician": 800}
    assert (campaign_2022.window_start, campaign_2022.window_end) == (
        datetime.date(2021, 12, 1),
        datetime.date(2022, 11, 30),
    )
    assert (campaign_2022.carry_over_start, campaign_2022.carry_over_end) == (
        datetime.date(2020, 12, 1),
        datetime.date(2021, 11, 30),
    )
    deadline = timezone.localtime(campaign_2022.deadline)
    assert (deadline.date(), deadline.hour, deadline.minute, str(deadline.tzinfo)) == (
        datetime.date(2022, 12, 15),
        23,
        59,
        "Asia/Shanghai",
    )
    assert campaign_2022.is_open is False
    assert campaign_2022.accepts_applications() is False


def test_all_23_units_with_a_total_of_8000(campaign_2022):
    quotas = Quota.objects.filter(campaign=campaign_2022).select_related("unit")
    assert quotas.count() == 23
    assert campaign_2022.total_guidance() == 8000
    by_name = {q.unit.name: q.guidance_number for q in quotas}
    assert by_name["钱塘区总工会"] == 1000
    assert by_name["金融工会"] == 10
    assert ReviewUnit.objects.filter(kind="district").count() == 13
    assert ReviewUnit.objects.filter(kind="industry").count() == 10


def _snapshot():
    return {
        "pages": list(Page.objects.order_by("path").values_list("path", "title", "live", "latest_revision_id")),
        "revisions": Revision.objects.count(),
        "campaigns": list(Campaign.objects.order_by("year").values()),
        "quotas": list(Quota.objects.order_by("id").values()),
        "units": list(ReviewUnit.objects.order_by("id").values()),
        "users": list(get_user_model().objects.order_by("id").values("username", "password")),
    }


def test_load_demo_twice_changes_nothing():
    call_command("load_demo", "--with-accounts", stdout=StringIO())
    before = _snapshot()
    call_command("load_demo", "--with-accounts", stdout=StringIO())
    assert _snapshot() == before


def test_load_demo_makes_an_open_demo_campaign_based_on_2022(campaign_2022):
    out = StringIO()
    call_command("load_demo", stdout=out)
    demo = Campaign.objects.get(is_demo=True)
    assert demo.year == demo_year()
    assert demo.based_on == campaign_2022
    assert demo.accepts_applications()
    assert demo.notice.specific.document_number == "杭总工办〔2022〕12号"
    assert demo.total_guidance() == 8000
    assert "演示" in demo.display_name
    assert "演示" in out.getvalue()


def test_no_demo_campaign_option():
    call_command("load_demo", "--no-demo-campaign", stdout=StringIO())
    assert not Campaign.objects.filter(is_demo=True).exists()


def test_accounts_only_when_asked_outside_development(settings):
    settings.DEBUG = False
    call_command("load_demo", stdout=StringIO())
    assert not get_user_model().objects.filter(username="editor").exists()
    out = StringIO()
    call_command("load_demo", "--with-accounts", stdout=out)
    assert get_user_model().objects.filter(username__in=["editor", "xihu", "service", "economic"]).count() == 4
    assert "xihu / " in out.getvalue()


@pytest.mark.parametrize(
    ("today", "year"),
    [
        (datetime.date(2022, 12, 15), 2022),
        (datetime.date(2022, 12, 16), 2023),
        (datetime.date(2026, 1, 1), 2026),
        (datetime.date(2026, 12, 15), 2026),
        (datetime.date(2026, 12, 16), 2027),
    ],
)
def test_demo_year_is_the_first_year_whose_deadline_has_not_passed(today, year):
    assert demo_year(today) == year


def test_annex_pages_live_under_the_notice(notice_2022):
    annexes = AnnexPage.objects.child_of(notice_2022)
    assert annexes.count() == 4
    assert all(a.get_parent().specific_class is NoticePage for a in annexes)


def test_demo_members_are_valid_verified_members():
    from stdnum.cn import ric

    from applications.members.directory import get_member_directory
    from applications.programme.demo import DEMO_MEMBERS

    call_command("load_demo", "--with-accounts", stdout=StringIO())
    for name, id_number, _mobile, _unit, _employer in DEMO_MEMBERS:
        assert ric.is_valid(id_number)
        assert get_member_directory().find_verified(name, id_number) is not None


def test_demo_applications_wait_at_every_review_step():
    from applications.core.constants import ApplicationState as S
    from applications.models import Application

    call_command("load_demo", "--with-accounts", stdout=StringIO())
    # Besides them, four rejected and rated cases for 查看评价 (service_hall/demo.py).
    rated = Application.objects.filter(campaign__is_demo=True, rating__isnull=False)
    assert sorted(rated.values_list("state", flat=True)) == [S.REJECTED] * 4
    demo = Application.objects.filter(campaign__is_demo=True, rating__isnull=True)
    assert sorted(demo.values_list("state", flat=True)) == sorted(
        [S.SUBMITTED, S.SUBMITTED, S.UNIT_APPROVED, S.APPROVED, S.APPROVED]
    )
    assert {a.unit.name for a in demo} == {"西湖区总工会"}
    assert all(a.attachments.count() == 4 for a in demo)
    approved = demo.filter(state=S.APPROVED).first()
    assert [e.actor.username for e in approved.events.exclude(actor=None)] == ["xihu", "service"]
    call_command("load_demo", "--with-accounts", stdout=StringIO())
    assert Application.objects.filter(campaign__is_demo=True).count() == 5 + 4


def test_demo_history_holds_a_demo_member_whose_carry_over_is_refused():
    from applications.apply.submission import SubmissionError, submit
    from applications.models import HistoryImport, PreviousApplicant, SkillLevel
    from applications.programme.demo import DEMO_MEMBERS
    from applications.programme.demo_history import CARRY_OVER_REFUSED
    from tests.apply.test_submission import _applicant

    out = StringIO()
    call_command("load_demo", "--with-accounts", stdout=out)
    call_command("load_demo", "--with-accounts", stdout=StringIO())  # idempotent
    demo = Campaign.objects.get(is_demo=True)
    assert set(HistoryImport.objects.values_list("year", "source", "row_count")) == {
        (2021, "history-2021.csv", 4),
        (demo.year - 1, "history-2021.csv", 4),
    }
    assert PreviousApplicant.objects.count() == 8
    assert "history-2021.csv" in out.getvalue() and CARRY_OVER_REFUSED[0] in out.getvalue()
    name, id_number = CARRY_OVER_REFUSED
    assert any(member[:2] == (name, id_number) for member in DEMO_MEMBERS)
    applicant = _applicant(
        demo,
        name=name,
        id_number=id_number,
        new_level=SkillLevel.objects.get(code="senior_technician"),
        certificate_issued_on=demo.carry_over_end,
        carry_over_declared=True,
    )
    with pytest.raises(SubmissionError, match="不能补报"):
        submit(demo, applicant, {})


def test_load_demo_makes_one_grassroots_account_and_prints_it():
    from applications.core.access import grassroots_of

    out = StringIO()
    call_command("load_demo", "--with-accounts", stdout=out)
    grassroots = grassroots_of(get_user_model().objects.get(username="jiceng"))
    assert (grassroots.name, grassroots.unit.name) == ("杭州示例机械有限公司工会", "西湖区总工会")
    assert "基层工会（西湖区总工会，杭州示例机械有限公司工会）: jiceng / Jiceng-2022-demo" in out.getvalue()
