"""Demo pages: the notice archive, the 2022 notice and its four annexes."""

from django.db import transaction
from wagtail.models import Page

from applications.models import ApplyPage, StatusPage
from home.models import HomePage
from notices import demo_content
from notices.models import AnnexPage, NoticeIndexPage, NoticePage

APPLY_PAGE = {
    "title": "网上申报",
    "slug": "apply",
    "intro": (
        "<p>职工采取个人网上申报的，须已通过工会会员网上实名认证。申报完成后系统会自动生成查询密码，"
        "供后续查询使用；如果资料填写错误或附件提交错误，可以重新提出申请。</p>"
    ),
    "check_intro": "<p>填写证书上的技能等级和发证时间，即可知道是否在本年度奖励范围内。</p>",
    "help_text": (
        "<p>单位统一申报的，请将《申请表》连同身份证复印件（正反面复印在一张纸上）、等级证书复印件和"
        "银行卡复印件交所在基层单位工会。</p>"
    ),
}

STATUS_PAGE = {
    "title": "进度查询",
    "slug": "status",
    "intro": "<p>凭申报时填写的身份证号码和系统生成的查询密码，查询申请状态。</p>",
    "help_text": "<p>忘记查询密码的，请联系所属区、县（市）总工会或产业工会。</p>",
}

HOME_INTRO = (
    "<p>杭州市总工会对本年度晋升为高级工、技师、高级技师的工会会员给予一次性奖励。"
    "请先阅读通知和申报流程说明，再进行自测、网上申报或查询进度。</p>"
)


@transaction.atomic
def ensure_pages(campaign):
    """Create the archive, the 2022 notice and its annexes if they are missing; never overwrite."""
    home = HomePage.objects.first()
    if home is None:
        raise RuntimeError("没有首页：请先运行 migrate。")
    if not home.intro:
        home.intro = HOME_INTRO
        home.save_revision().publish()

    index = NoticeIndexPage.objects.child_of(home).first()
    if index is None:
        index = home.add_child(
            instance=NoticeIndexPage(
                title="通知公告", slug="notices", intro="<p>历年高技能人才奖励工作通知，按年度排列。</p>"
            )
        )
        index.save_revision().publish()

    for model, fields in ((ApplyPage, APPLY_PAGE), (StatusPage, STATUS_PAGE)):
        if not model.objects.child_of(home).exists():
            home.add_child(instance=model(**fields)).save_revision().publish()

    notice = NoticePage.objects.child_of(index).filter(slug=demo_content.NOTICE["slug"]).first()
    if notice is None:
        notice = index.add_child(
            instance=NoticePage(campaign=campaign, body=demo_content.notice_body(), **demo_content.NOTICE)
        )
        notice.save_revision().publish()
    existing = set(AnnexPage.objects.child_of(notice).values_list("slug", flat=True))
    for annex in demo_content.annexes():
        if annex["slug"] in existing:
            continue
        page = notice.add_child(instance=AnnexPage(**annex))
        page.save_revision().publish()
    return Page.objects.get(pk=notice.pk).specific
