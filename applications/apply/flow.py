"""The online application, step by step: identity and code, Annex 3 details, attachments, confirm.

The person's progress lives in their session, encrypted (it holds the ID and bank card
numbers), and uploaded files wait in private storage, so nothing typed or uploaded is lost
when a step fails. Only the final step writes an application, through `submission.submit`.

The code step proves the person holds the member's registered mobile; the code is bound to this
session (`codes`), and once it is verified the session key is renewed, so a session
planted beforehand is useless. A flow left idle `APPLY_IDLE_MINUTES` (30) is forgotten, its
uploads deleted, and the person starts again.
"""

import datetime
import json
import logging
import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.shortcuts import redirect
from django.utils import timezone

from applications.apply.codes import CodeError, new_binding, request_code, verify_code
from applications.apply.copies import CleanUpload
from applications.apply.forms import ApplicationDetailsForm, AttachmentsForm, CodeForm, IdentityForm
from applications.apply.submission import Applicant, SubmissionError, applied_in_previous_campaign, submit
from applications.core.client_address import client_address
from applications.core.constants import AttachmentKind, Gender
from applications.core.crypto import decrypt, encrypt
from applications.core.identity import gender_and_birth_date
from applications.core.storage import private_storage
from applications.models import ConsentText, Member, ReviewUnit, SkillLevel
from applications.programme import eligibility
from applications.records import consent
from applications.records.forms import SensitiveDataConsentForm

logger = logging.getLogger(__name__)

COPY_NOT_STORED = (
    "此文件暂时无法保存（系统存储空间不足或故障），请稍后重新上传；如仍不行，请联系所属区、县（市）总工会。"
)

STEPS = ("identity", "code", "details", "attachments", "confirm")
CODE_PURPOSE = "apply"
DATE_FIELDS = ("previous_level_obtained_on", "certificate_issued_on")
MODEL_FIELDS = {"unit": ReviewUnit, "previous_level": SkillLevel, "new_level": SkillLevel}


def _serialise(data):
    out = {}
    for key, value in data.items():
        if hasattr(value, "pk"):
            value = value.pk
        elif isinstance(value, datetime.date):
            value = value.isoformat()
        out[key] = value
    return out


def _member_details(member):
    """What the directory says about a member, to fill in the details step."""
    return {
        "unit": member.unit.pk,
        "employer": member.employer,
        "grassroots_union": member.grassroots_union,
        "mobile": member.mobile,
    }


class ApplicationFlow:
    """One person's application to one campaign, kept in the session between requests."""

    def __init__(self, request, campaign, rules=None):
        self.request = request
        self.campaign = campaign
        self.rules = rules or eligibility.rules_for(campaign)
        self.key = f"apply-{campaign.year}"
        token = request.session.get(self.key)
        self.state = self._read(token)
        self.expired = False  # True when this request found the flow idle too long and started afresh
        if token and self.state is None:  # written under a key since dropped: start again
            request.session.pop(self.key, None)
            self.state, self.expired = {"step": "identity"}, True
        elif token:
            if self._idle():
                self.forget()
                self.state = {"step": "identity"}
                self.expired = True
            else:
                self.save()  # records this request as the latest activity

    # Session state.
    @staticmethod
    def _read(token):
        if not token:
            return {"step": "identity"}
        from cryptography.fernet import InvalidToken

        try:
            return json.loads(decrypt(token))
        except InvalidToken:
            return None

    @property
    def idle_minutes(self):
        return getattr(settings, "APPLY_IDLE_MINUTES", 30)

    @property
    def code_minutes(self):
        return getattr(settings, "ONE_TIME_CODE_MINUTES", 10)

    def _idle(self):
        seen = self.state.get("seen")  # a flow from before activity was recorded counts as idle
        return seen is None or timezone.now().timestamp() - seen > self.idle_minutes * 60

    def save(self):
        self.state["seen"] = timezone.now().timestamp()
        self.request.session[self.key] = encrypt(json.dumps(self.state))

    def forget(self):
        for stored in self.state.get("attachments", {}).values():
            private_storage().delete(stored["path"])
        self.request.session.pop(self.key, None)

    @property
    def step(self):
        asked = self.request.GET.get("step")
        reached = STEPS.index(self.state["step"])
        if asked in STEPS and STEPS.index(asked) <= reached and STEPS.index(asked) >= STEPS.index("details"):
            return asked
        return self.state["step"]

    def go(self, step):
        self.state["step"] = step
        self.save()
        return redirect(self.request.path)

    @property
    def today(self):
        return timezone.localdate()

    # Steps: each returns (form, response or None).
    def identity(self):
        """Members and everyone else get the same answer: the code step, naming four digits of a mobile."""
        self.retention_notice = consent.retention_notice(self.campaign)  # told before any data is given
        posted = self.request.method == "POST" and not self.expired  # a stale flow's form is not taken as this step's
        form = IdentityForm(self.request.POST if posted else None)
        if posted and form.is_valid():
            name, id_number = form.cleaned_data["name"], form.cleaned_data["id_number"]
            binding = self.state.get("binding") or new_binding()
            try:
                sent = request_code(name, id_number, CODE_PURPOSE, binding=binding, client=client_address(self.request))
            except CodeError as error:
                form.add_error(None, str(error))
                return form, None
            member = sent.member
            self.state.update(
                binding=binding,
                identity={"name": member.name if member else name, "id_number": id_number, "id_hash": sent.id_hash},
                mobile_tail=sent.mobile_tail,
                member=_member_details(member) if member else None,
            )
            return form, self.go("code")
        return form, None

    def code(self):
        form = CodeForm(self.request.POST or None)
        if self.request.method == "POST" and "restart" in self.request.POST:
            self.forget()
            return form, redirect(self.request.path)
        if self.request.method == "POST" and form.is_valid():
            result = verify_code(
                self.state["identity"]["id_hash"],
                CODE_PURPOSE,
                form.cleaned_data["code"],
                binding=self.state.get("binding", ""),
            )
            if not result.ok:
                form.add_error("code", result.message)
                return form, None
            self.state.pop("binding", None)
            self.request.session.cycle_key()  # a session known to anyone before the code was verified is not this one
            return form, self.go("details")
        return form, None

    def details(self):
        saved = self.state.get("details")
        if saved:  # the radio's choices are "yes"/"no": the cleaned value kept is a bool
            saved = {**saved, "is_migrant": "yes" if saved.get("is_migrant") else "no"}
        initial = saved or {**self.state["member"], "is_migrant": "no"}
        applied = applied_in_previous_campaign(self.campaign, self.state["identity"]["id_hash"])
        form = ApplicationDetailsForm(
            self.rules, self.request.POST or None, initial=initial, today=self.today, applied_last_campaign=applied
        )
        # The separate consent to the sensitive data (bank card here, ID and card images next), with the notice.
        self.consent_text = consent.current_text(self.campaign)
        self.retention_notice = consent.retention_notice(self.campaign)
        given = self.state.get("consent", {}).get("text") == self.consent_text.pk
        self.consent_form = SensitiveDataConsentForm(
            self.request.POST or None, initial={"sensitive_consent": given} if given else None
        )
        if self.request.method == "POST" and all([form.is_valid(), self.consent_form.is_valid()]):
            self.state["details"] = _serialise(form.cleaned_data)
            self.state["consent"] = {"text": self.consent_text.pk, "at": timezone.now().timestamp()}
            return form, self.go("attachments")
        return form, None

    def attachments(self):
        stored = self.state.setdefault("attachments", {})
        form = AttachmentsForm(self.request.POST or None, self.request.FILES or None, already=stored.keys())
        if self.request.method == "POST":
            valid = form.is_valid()
            not_stored = []
            for kind in AttachmentKind.values:  # keep every good file, even when another one failed
                upload = form.cleaned_data.get(kind) if hasattr(form, "cleaned_data") else None
                if isinstance(upload, CleanUpload) and not self._keep(kind, upload):
                    not_stored.append(kind)
            self.save()
            if valid and not not_stored:
                return form, self.go("confirm")
            form = AttachmentsForm(self.request.POST, self.request.FILES, already=stored.keys())
            form.is_valid()
            for kind in not_stored:
                form.add_error(kind, COPY_NOT_STORED)
        return form, None

    def _keep(self, kind, upload):
        """Store the copy in the applicant's pending folder; False (nothing half written) if the store failed."""
        stored = self.state["attachments"]
        if kind in stored:
            private_storage().delete(stored[kind]["path"])
            del stored[kind]
        token = self.state.setdefault("upload_token", secrets.token_hex(16))
        name = f"pending/{token}/{kind}.{upload.extension}"
        try:
            path = private_storage().save(name, ContentFile(upload.content))
        except OSError as error:  # the store is full (ENOSPC) or failing
            logger.error("copy %s not stored: %r", kind, error)
            try:
                private_storage().delete(name)
            except OSError:
                logger.exception("half-written copy %s not removed", name)
            return False
        stored[kind] = {"path": path, "content_type": upload.content_type, "extension": upload.extension}
        return True

    def confirm(self):
        if "consent" not in self.state:  # a flow begun before consent was asked: ask it now
            return None, self.go("details")
        if self.request.method != "POST":
            return None, None
        try:
            submitted = submit(
                self.campaign, self.applicant(), self._uploads(), member=self._member(), consent=self._consent()
            )
        except SubmissionError as error:
            return error, None
        self.forget()
        self.request.session[f"{self.key}-done"] = {
            "reference": submitted.application.reference,
            "password": submitted.query_password,
            "replaced": submitted.replaced.reference if submitted.replaced else "",
        }
        return None, redirect(self.request.path + "done/")

    # What the confirm step needs.
    def applicant(self):
        details = dict(self.state["details"])
        for name, model in MODEL_FIELDS.items():
            details[name] = model.objects.get(pk=details[name]) if details.get(name) else None
        for name in DATE_FIELDS:
            details[name] = datetime.date.fromisoformat(details[name]) if details.get(name) else None
        details.pop("bank_card_confirmed", None)
        id_number = self.state["identity"]["id_number"]
        gender, birth_date = gender_and_birth_date(id_number)
        return Applicant(
            name=self.state["identity"]["name"], id_number=id_number, gender=gender, birth_date=birth_date, **details
        )

    def _uploads(self):
        uploads = {}
        for kind, stored in self.state.get("attachments", {}).items():
            with private_storage().open(stored["path"]) as handle:
                uploads[kind] = CleanUpload(handle.read(), stored["content_type"], stored["extension"])
        return uploads

    def _consent(self):
        given = self.state["consent"]
        text = ConsentText.objects.get(pk=given["text"])
        return consent.online(text, datetime.datetime.fromtimestamp(given["at"], tz=datetime.UTC))

    def _member(self):
        return Member.objects.filter(id_hash=self.state["identity"]["id_hash"]).first()


def _issuer_text(applicant):
    from applications.models import IssuerType

    if not applicant.certificate_issuer_type:
        return applicant.certificate_issuer or "—"
    return f"{IssuerType(applicant.certificate_issuer_type).label}：{applicant.certificate_issuer}"


def summary_rows(flow):
    """What the confirm step shows: the Annex 3 values in order, ID and bank card numbers masked."""
    from applications.core.crypto import mask
    from applications.models import Education

    applicant = flow.applicant()
    level = applicant.previous_level.name if applicant.previous_level else "无"
    migrant = (
        f"是（户籍地：{applicant.hukou_place}，来杭年限：{applicant.years_in_hangzhou}年）"
        if applicant.is_migrant
        else "否"
    )
    return [
        ("所属区县市(产业)工会", applicant.unit.name),
        ("姓名", applicant.name),
        ("性别", Gender(applicant.gender).label),
        ("学历", Education(applicant.education).label),
        ("申报奖励工种", applicant.occupation),
        ("原有最高技能等级", level),
        ("原有技能等级取得时间", applicant.previous_level_obtained_on or "—"),
        ("现晋升的技能等级", applicant.new_level.name),
        ("等级证书编号", applicant.certificate_number),
        ("发证时间", applicant.certificate_issued_on),
        ("发证机构", _issuer_text(applicant)),
        ("身份证号码", mask(applicant.id_number)),
        ("手机号码", applicant.mobile),
        ("银行卡号", mask(applicant.bank_card)),
        ("银行卡开户行", applicant.bank_branch),
        ("工作单位", applicant.employer),
        ("基层工会", applicant.grassroots_union),
        ("是否外来务工人员", migrant),
        *_declaration_rows(flow, applicant),
        ("附件材料", "、".join(str(AttachmentKind(kind).label) for kind in flow.state.get("attachments", {}))),
    ]


def _declaration_rows(flow, applicant):
    """The carry-over declaration, on the summary when the person made it."""
    if not applicant.carry_over_declared:
        return []
    previous = flow.campaign.year - 1
    return [("补报声明", f"本人符合{previous}年度奖励条件，且未申请过{previous}年度奖励")]
