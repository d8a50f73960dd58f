"""A person's own data (PIPL art. 45, 47): everything the portal holds on one ID number, exported as a ZIP or
erased on a legitimate request, by the city service center, each time recorded (`PersonDataRequest`).

What belongs to the person: their applications (any campaign, any channel) with events, consent, payment
items and copies; the text messages sent to a mobile of theirs (applications and member registry); the
questions they asked (linked to an application of theirs, or from a mobile of theirs); their ratings.

Erasure is refused while an application is still in progress (withdraw it or let it close first). Closed
applications are anonymised as the retention step does (`retention.anonymise`): figures stay, a paid
application keeps its reduced payment record for the accounting period, and the keyed ID hash stays only
while a rule still reads it. Messages are deleted; questions lose the asker's mobile, name and words
(published versions, written by staff, stay); ratings lose their comment. The member registry is the
union's own record of membership and is not touched here.
"""

import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from applications.core.crypto import keyed_hash, mask
from applications.models import Application, Consent, Member, PersonDataRequest, RetentionRecord, SmsMessage
from applications.records import retention

ERASED_TEXT = "（已依本人申请删除）"


class ErasureRefused(Exception):
    """The person's data cannot be erased now; `message` says why, in Chinese."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass
class Person:
    """Everything held on one ID number."""

    id_hash: str
    member: Member | None
    applications: list
    mobiles: set

    @property
    def label(self):
        name = self.member.name if self.member else next((a.name for a in self.applications), "")
        id_number = self.member.id_number if self.member else next((a.id_number for a in self.applications), "")
        return f"{retention.masked_name(name)}（{mask(id_number)}）" if (name or id_number) else "（无记录）"

    def messages(self):
        return SmsMessage.objects.filter(to__in=self.mobiles) if self.mobiles else SmsMessage.objects.none()

    def questions(self):
        from service_hall.models import Question

        condition = Q(application__in=[a.pk for a in self.applications])
        if self.mobiles:
            condition |= Q(mobile__in=self.mobiles)
        return Question.objects.filter(condition)

    def history(self):
        """Rows of earlier years' applicants imported for the carry-over rule (issue 12)."""
        from applications.models import PreviousApplicant

        return PreviousApplicant.objects.filter(id_hash=self.id_hash)

    def certificates(self):
        """The certificate register's rows for the ID number (HR's data, imported to check certificates)."""
        from applications.models import Certificate

        return Certificate.objects.filter(id_hash=self.id_hash)

    def ratings(self):
        from service_hall.models import Rating

        return Rating.objects.filter(application__in=[a.pk for a in self.applications])

    @property
    def live(self):
        """Applications still in progress (not paid, rejected or withdrawn)."""
        return [a for a in self.applications if a.state not in retention.CLOSED_STATES]


def find(id_number: str) -> Person:
    """The person with this (validated) ID number and all the portal holds on them."""
    id_hash = keyed_hash(id_number)
    member = Member.objects.filter(id_hash=id_hash).select_related("unit").first()
    applications = list(
        Application.objects.filter(id_hash=id_hash).select_related("campaign", "unit", "new_level", "previous_level")
    )
    mobiles = {a.mobile for a in applications if a.mobile} | ({member.mobile} if member and member.mobile else set())
    return Person(id_hash, member, applications, mobiles)


def _when(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def _application(application):
    consent = Consent.objects.filter(application=application).select_related("text").first()
    return {
        "申报编号": application.reference,
        "年度": application.campaign.year,
        "申报方式": application.get_channel_display(),
        "状态": application.get_state_display(),
        "所属区县市(产业)工会": application.unit.name,
        "填报日期": str(application.filled_on),
        "姓名": application.name,
        "性别": application.get_gender_display(),
        "出生日期": str(application.birth_date),
        "学历": application.get_education_display(),
        "申报奖励工种": application.occupation,
        "原有最高技能等级": application.previous_level.name if application.previous_level else "",
        "原有技能等级取得时间": str(application.previous_level_obtained_on or ""),
        "现晋升的技能等级": application.new_level.name,
        "等级证书编号": application.certificate_number,
        "发证时间": str(application.certificate_issued_on),
        "身份证号码": application.id_number,
        "手机号码": application.mobile,
        "银行卡号": application.bank_card,
        "银行卡开户行": application.bank_branch,
        "工作单位": application.employer,
        "是否外来务工人员": "是" if application.is_migrant else "否",
        "户籍地": application.hukou_place,
        "来杭年限": application.years_in_hangzhou,
        "基层工会": application.grassroots_union,
        "基层工会意见": application.grassroots_opinion,
        "奖励金额(元)": application.amount,
        "提交时间": _when(application.submitted_at),
        "最近一次驳回或撤回原因": application.state_reason,
        "办理记录": [
            {
                "时间": _when(event.created_at),
                "操作人": event.actor_label,
                "从": event.get_from_state_display() if event.from_state else "",
                "到": event.get_to_state_display(),
                "意见": event.opinion,
            }
            for event in application.events.all()
        ],
        "告知同意": (
            {
                "方式": consent.get_method_display(),
                "版本": consent.version,
                "内容": consent.text.text if consent.text_id else "",
                "时间": _when(consent.given_at),
            }
            if consent
            else None
        ),
        "发放记录": [
            {
                "批次": item.batch.number,
                "金额(元)": item.amount,
                "结果": item.get_result_display(),
                "银行卡号": item.masked_bank_card,
                "回执时间": _when(item.settled_at),
            }
            for item in application.payment_items.select_related("batch")
        ],
        "材料": [_copy_name(a) for a in application.attachments.all()],
    }


def _copy_name(attachment):
    return f"copies/{attachment.application.reference}/{attachment.kind}{PurePath(attachment.file.name).suffix}"


def export_zip(person: Person) -> bytes:
    """The ZIP of everything held on `person`: JSON files in Chinese field names and the copies."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:

        def put(name, value):
            archive.writestr(name, json.dumps(value, ensure_ascii=False, indent=2, default=str))

        archive.writestr(
            "说明.txt",
            "杭州市职工高技能人才奖励：本人个人信息副本。\n"
            "applications.json：申报（含办理记录、告知同意、发放记录）；copies/：材料；messages.json：短信；"
            "consultations.json：在线咨询；ratings.json：评价；history.json：上年度申报记录；"
            "member.json：工会会员名册登记信息；certificates.json：证书库（人社部门提供，用于证书核验）。\n"
            f"导出时间：{_when(timezone.now())}\n",
        )
        put("applications.json", [_application(a) for a in person.applications])
        for application in person.applications:
            for attachment in application.attachments.all():
                try:
                    with attachment.file.open("rb") as handle:
                        data = handle.read()
                except OSError:
                    continue
                archive.writestr(_copy_name(attachment), data)
        put(
            "messages.json",
            [
                {"时间": _when(m.created_at), "手机号码": m.to, "内容": m.text, "状态": m.get_status_display()}
                for m in person.messages()
            ],
        )
        put(
            "consultations.json",
            [
                {
                    "编号": q.reference,
                    "时间": _when(q.created_at),
                    "姓名": q.name,
                    "手机号码": q.mobile,
                    "咨询内容": q.text,
                    "答复": q.answer,
                }
                for q in person.questions()
            ],
        )
        put(
            "ratings.json",
            [
                {
                    "申报编号": r.application.reference,
                    "总体评价": r.get_grade_display(),
                    "评价内容": r.comment,
                    "时间": _when(r.created_at),
                }
                for r in person.ratings().select_related("application")
            ],
        )
        put(
            "history.json",
            [
                {
                    "年度": h.year,
                    "姓名": h.name,
                    "身份证号码": h.id_number,
                    "技能等级": h.level.name,
                    "结果": h.get_result_display(),
                }
                for h in person.history().select_related("level")
            ],
        )
        put(
            "certificates.json",
            [
                {
                    "证书编号": c.number,
                    "姓名": c.name,
                    "身份证号码": c.id_number,
                    "职业(工种)": c.occupation,
                    "等级": c.level,
                    "发证日期": c.issued_on.isoformat(),
                    "发证机构": c.issuer,
                }
                for c in person.certificates()
            ],
        )
        member = person.member
        put(
            "member.json",
            {
                "姓名": member.name,
                "身份证号码": member.id_number,
                "手机号码": member.mobile,
                "所属工会": member.unit.name,
                "工作单位": member.employer,
                "基层工会": member.grassroots_union,
            }
            if member
            else None,
        )
    return buffer.getvalue()


def record_export(person: Person, *, user, reason, ip_address=None) -> PersonDataRequest:
    return PersonDataRequest.objects.create(
        kind=PersonDataRequest.Kind.EXPORT,
        id_hash=person.id_hash,
        person_label=person.label,
        reason=reason,
        summary=preview(person),
        user=user,
        username=user.get_username(),
        ip_address=ip_address,
    )


def preview(person: Person) -> dict:
    """The counts of what is held, as shown before an erasure and recorded with each request."""
    return {
        "applications": len(person.applications),
        "live": [a.reference for a in person.live],
        "paid": [a.reference for a in person.applications if a.state == "paid"],
        "copies": sum(a.attachments.count() for a in person.applications),
        "messages": person.messages().count(),
        "questions": person.questions().count(),
        "ratings": person.ratings().count(),
        "history": person.history().count(),
    }


def erase(person: Person, *, user, reason, ip_address=None, now=None) -> PersonDataRequest:
    """Erase `person`'s data in one transaction (see the module's docstring), or raise ErasureRefused."""
    now = now or timezone.now()
    if person.live:
        references = "、".join(a.reference for a in person.live)
        raise ErasureRefused(
            f"此人有办理中的申报（{references}），不能删除；请先按流程撤回或待其办结（发放、未通过）后再删除。"
        )
    from service_hall.retention import forget_asker

    summary = preview(person)
    with transaction.atomic():
        request = PersonDataRequest.objects.create(
            kind=PersonDataRequest.Kind.ERASE,
            id_hash=person.id_hash,
            person_label=person.label,
            reason=reason,
            summary=summary,
            user=user,
            username=user.get_username(),
            ip_address=ip_address,
            created_at=now,
        )
        pks = [a.pk for a in person.applications]
        if pks:
            today = timezone.localtime(now).date()
            keep = {a.campaign_id for a in person.applications if retention.hash_still_needed(a.campaign, today)}
            # Locked first: a reviewer or the payments cannot move them meanwhile.
            locked = Application.objects.select_for_update().filter(pk__in=pks)
            if locked.exclude(state__in=retention.CLOSED_STATES).exists():
                raise ErasureRefused("此人的申报状态刚刚发生变化，请刷新后重试。")
            retention.anonymise(Application.objects.filter(pk__in=pks), now, keep_hash_for=keep)
            RetentionRecord.objects.filter(application_id__in=pks).update(erased_by_request=request)
        from applications.records.history import anonymise_rows

        anonymise_rows(person.history(), timezone.localtime(now).date())
        person.messages().exclude(status=SmsMessage.Status.QUEUED).delete()
        from service_hall.models import Question

        questions = Question.objects.filter(pk__in=list(person.questions().values_list("pk", flat=True)))
        forget_asker(questions)
        questions.update(text=ERASED_TEXT, answer=ERASED_TEXT)
        person.ratings().update(comment="", publish_comment=False)
    return request
