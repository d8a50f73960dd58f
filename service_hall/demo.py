"""Demo content of the service hall for `load_demo`: published questions with answers, and (with the demo
accounts) a few closed demo cases rated, one bad rating rectified and answered. Idempotent."""

import datetime

from django.utils import timezone

from service_hall import consultations, evaluations, working_days
from service_hall.models import Desk, Question, Rating

DEMO_QUESTIONS = [
    (
        "policy",
        "去年取得的技师证书今年还能申报吗？",
        "可以，但仅限于符合上一年度申报条件而当年未申报的职工（结转），发证时间须在上一年度的规定期间内。"
        "已在上一年度申报过的不能再次申报。",
    ),
    (
        "applying",
        "没有实名认证的工会会员能在网上申报吗？",
        "网上申报需与实名认证的会员信息一致。尚未实名认证的，可以通过所在单位工会统一申报（纸质申请表交基层工会）。",
    ),
    (
        "payment",
        "奖励发放失败怎么办？",
        "发放失败会短信告知原因。请联系所属区县市（产业）工会提供本人正确的银行卡号和开户行（写至支行），更正后重新发放。",
    ),
    (
        "review",
        "审核一般需要多长时间？",
        "所属工会预审后报市总工会审核，审核进度可在“在线查询”中凭身份证号码和查询密码查看，每一步都有记录。",
    ),
]

# Demo applicants rated after their case closed (rejected by the demo reviewer): name, grade, comment, reply.
DEMO_RATED = [
    ("孙悦", 5, "网上申报很方便，审核也快。", ""),
    ("周凯", 4, "指南写得清楚。", ""),
    ("吴桐", 3, "", ""),
    (
        "郑航",
        2,
        "驳回原因写得太简单，不知道怎么改。",
        "已核实，驳回意见已补充具体修改要求，并电话联系您说明，感谢监督。",
    ),
]


def ensure_questions(now=None):
    """The published demo questions (no asker's name or mobile is ever shown; the demo mobile is a stand-in)."""
    now = now or timezone.now()
    made = 0
    for topic, question_text, answer_text in DEMO_QUESTIONS:
        if Question.objects.filter(public_question=question_text).exists():
            continue
        asked = now - datetime.timedelta(days=3)
        desk, unit = consultations.route(topic, None)
        question = Question.objects.create(
            reference=consultations.new_reference(),
            access_hash="!",  # no access code opens a demo question
            topic=topic,
            text=question_text,
            mobile="13900000000",
            desk=desk if desk != Desk.UNIT else Desk.SERVICE_CENTER,
            unit=unit,
            created_at=asked,
            due_at=working_days.deadline(asked, consultations.answer_days()),
            answer=answer_text,
            answered_at=asked + datetime.timedelta(hours=20),
        )
        consultations.publish(question, question_text, answer_text, now=now)
        made += 1
    return made


def ensure_ratings(campaign, reviewer):
    """Four demo applicants to 西湖区总工会, rejected by the demo reviewer, then rated; one bad rating answered."""
    from applications.apply.submission import Applicant, submit
    from applications.core.constants import AttachmentKind
    from applications.core.crypto import keyed_hash
    from applications.models import Application, ReviewUnit, SkillLevel
    from applications.programme.demo import _demo_bank_card, _demo_copy, _demo_id_number
    from applications.review.workflow import take

    first = 20
    if Application.objects.filter(campaign=campaign, id_hash=keyed_hash(_demo_id_number(first))).exists():
        return 0
    unit = ReviewUnit.objects.get(name="西湖区总工会")
    level = SkillLevel.objects.get(code="senior_worker")
    copies = {kind: _demo_copy(kind.name) for kind in AttachmentKind}
    for n, (name, grade, comment, reply_text) in enumerate(DEMO_RATED, start=first):
        id_number = _demo_id_number(n)
        applicant = Applicant(
            unit=unit,
            name=name,
            gender="male",
            birth_date=datetime.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14])),
            education="senior",
            occupation="钳工",
            previous_level=None,
            previous_level_obtained_on=None,
            new_level=level,
            certificate_number=f"DEMO{campaign.year}{n:06d}",
            certificate_issued_on=campaign.window_start + datetime.timedelta(days=20),
            id_number=id_number,
            mobile=f"139000002{n:02d}",
            bank_card=_demo_bank_card(n),
            bank_branch="中国工商银行杭州西湖支行",
            employer="杭州示例精工有限公司",
            grassroots_union="杭州示例精工有限公司工会",
        )
        application = submit(campaign, applicant, copies).application
        application = take("unit_reject", application, reviewer, "演示：证书编号与证书不一致，请核对后重新申报。")
        rating = evaluations.rate(application, grade=grade, comment=comment)
        if reply_text and Rating.objects.filter(pk=rating.pk, rectification__isnull=False).exists():
            evaluations.reply(
                rating.rectification,
                finding="演示：情况属实。",
                measures="演示：补充驳回意见。",
                reply_text=reply_text,
                user=reviewer,
            )
    return len(DEMO_RATED)
