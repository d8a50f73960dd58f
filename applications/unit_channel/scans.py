"""Scans of the paper materials, attached by the review unit after entry: one application at a time, or a zip.

Zip members are named by ID number (the naming rule, also shown on the upload screen):

- `<身份证号码>.jpg`: the certificate (等级证书), the one copy a paper form always needs;
- `<身份证号码>-<材料>.jpg`, with `-`, `_` or a space before the material: 身份证正面 (or 正面, 人像面),
  身份证反面 (or 反面, 背面, 国徽面), 等级证书 (or 证书), 银行卡, or the codes id_front, id_back,
  certificate, bank_card;
- or a folder per person named by the ID number, holding files named by the material:
  `<身份证号码>/身份证正面.jpg`.
Folders above those are ignored (zipping a folder is fine). A member is matched, through the keyed
hash of its ID number, to the unit's own live application in the campaign; an ID number of another
unit's applicant is reported exactly like an unknown one. Each file is cleaned like an online upload
(JPEG, PNG or PDF by content, 10 MB, images re-encoded). An application takes scans while it is with
the unit or awaiting the city's review (ATTACHABLE_STATES); a scan replaces the one of the same kind.

Refused as a whole: not a zip, more than MAX_ZIP_BYTES, more than MAX_ZIP_FILES files, or more than
MAX_UNPACKED_BYTES unpacked (a zip bomb). Refused per file: unsafe paths (absolute, `..`), names
that do not follow the rule, encrypted or broken members, files over the attachment limit, images
over the pixel limit, and the images that come after the zip's pixel budget (`SCAN_ZIP_MAX_PIXELS`,
600 million: about 50 phone photos) is spent, so one upload cannot keep a worker decoding for minutes.
"""

import io
import logging
import re
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from applications.apply.copies import TooManyPixels, clean_upload, image_pixels
from applications.core.constants import LIVE_STATES, ApplicationState, AttachmentKind
from applications.core.crypto import keyed_hash, mask
from applications.core.identity import validate_id_number
from applications.models import Application, Attachment

audit = logging.getLogger("portal.audit")

MAX_ZIP_BYTES = 100 * 1024 * 1024
MAX_ZIP_FILES = 200
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
ATTACHABLE_STATES = (ApplicationState.SUBMITTED, ApplicationState.UNIT_APPROVED)
DEFAULT_KIND = AttachmentKind.CERTIFICATE

KIND_WORDS = {
    **{label: kind for kind, label in AttachmentKind.choices},
    **{kind: kind for kind in AttachmentKind.values},
    "正面": AttachmentKind.ID_FRONT,
    "人像面": AttachmentKind.ID_FRONT,
    "身份证人像面": AttachmentKind.ID_FRONT,
    "反面": AttachmentKind.ID_BACK,
    "背面": AttachmentKind.ID_BACK,
    "国徽面": AttachmentKind.ID_BACK,
    "身份证背面": AttachmentKind.ID_BACK,
    "身份证国徽面": AttachmentKind.ID_BACK,
    "证书": AttachmentKind.CERTIFICATE,
    "技能等级证书": AttachmentKind.CERTIFICATE,
    "职业资格证书": AttachmentKind.CERTIFICATE,
    "银行卡复印件": AttachmentKind.BANK_CARD,
}
_ID_RE = re.compile(r"\d{17}[\dXx]")
_LEADING_ID_RE = re.compile(r"^(\d{17}[\dXx]|\d{15,17})(?!\d)")
_SEPARATORS = "-_ －—"
_JUNK = ("__MACOSX/", ".DS_Store", "Thumbs.db", "desktop.ini")


class ScanArchiveError(ValueError):
    """The zip as a whole cannot be used; the message says why, in Chinese."""


@dataclass
class ScanResult:
    """What became of one zip member."""

    name: str  # as shown: the member's path with any ID number masked
    attached: bool = False
    replaced: bool = False
    kind: str = ""
    application: Application | None = None
    message: str = ""

    @property
    def kind_label(self):
        return AttachmentKind(self.kind).label if self.kind else ""


# Who and when.


def accepts_scans(application) -> bool:
    """Scans may change until the city union reviews the application."""
    return application.state in ATTACHABLE_STATES


def frozen_reason(application) -> str:
    return f"该申报状态为“{application.get_state_display()}”，市总工会已审核或申报已结束，不能再更换材料。"


# Storing.


def _stage(application, kind, upload):
    """The cleaned file written to private storage, with its (unsaved) Attachment row."""
    attachment = Attachment(
        application=application,
        kind=kind,
        content_type=upload.content_type,
        size=len(upload.content),
        uploaded_at=timezone.now(),
    )
    attachment.file.save(f"{kind}.{upload.extension}", ContentFile(upload.content), save=False)
    return attachment


def _discard(staged):
    storage = Attachment._meta.get_field("file").storage
    for attachment in staged:
        storage.delete(attachment.file.name)


def _commit(staged, user):
    """Save the staged rows in one transaction; returns (replaced, refused) as sets of (application pk, kind).

    Applications whose state changed meanwhile (e.g. the city just approved) are refused and their
    files deleted. Replaced files are deleted once the transaction commits.
    """
    storage = Attachment._meta.get_field("file").storage
    old_names, replaced, refused = [], set(), set()
    try:
        with transaction.atomic():
            open_ids = set(
                Application.objects.select_for_update()
                .filter(pk__in={a.application_id for a in staged}, state__in=ATTACHABLE_STATES)
                .values_list("pk", flat=True)
            )
            for attachment in staged:
                key = (attachment.application_id, attachment.kind)
                if attachment.application_id not in open_ids:
                    refused.add(key)
                    storage.delete(attachment.file.name)
                    continue
                old = Attachment.objects.filter(application_id=key[0], kind=key[1]).first()
                if old is not None:
                    old_names.append(old.file.name)
                    replaced.add(key)
                    attachment.pk = old.pk
                attachment.save()
            transaction.on_commit(lambda: [storage.delete(name) for name in old_names])
    except Exception:
        _discard(staged)
        raise
    for attachment in staged:
        key = (attachment.application_id, attachment.kind)
        if key not in refused:
            audit.info(
                "scan %s of %s %s by %s",
                attachment.kind,
                attachment.application.reference,
                "replaced" if key in replaced else "attached",
                user.get_username(),
            )
    return replaced, refused


def attach(application, uploads, user):
    """Attach cleaned uploads ({kind: CleanUpload}) to one application in one transaction.

    Returns the kinds that replaced an earlier copy; raises ValidationError if the application no
    longer takes scans.
    """
    if not accepts_scans(application):
        raise ValidationError(frozen_reason(application))
    staged = []
    try:
        for kind, upload in uploads.items():
            staged.append(_stage(application, kind, upload))
    except Exception:
        _discard(staged)
        raise
    replaced, refused = _commit(staged, user)
    if refused:
        application.refresh_from_db(fields=["state"])
        raise ValidationError(frozen_reason(application))
    return {kind for _pk, kind in replaced}


# Zip members.


def _member_name(info):
    """The member's name; names without the UTF-8 flag are GBK on Chinese Windows, not cp437."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gb18030")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def shown_name(name):
    """A member's name with any ID number in it masked, as the report shows it."""
    return _ID_RE.sub(lambda match: mask(match.group()), name)


def _is_junk(name):
    base = name.rsplit("/", 1)[-1]
    return name.startswith(_JUNK[0]) or "/__MACOSX/" in name or base in _JUNK or base.startswith(".")


def _unsafe(name):
    parts = name.split("/")
    return (
        name.startswith("/")
        or re.match(r"^[A-Za-z]:", name) is not None
        or ".." in parts
        or any(ord(char) < 32 for char in name)
    )


def _kind_of(word):
    word = word.strip(_SEPARATORS + " ")
    return KIND_WORDS.get(word) or KIND_WORDS.get(word.lower())


def target_of(name):
    """(ID number as written, kind) for a member's path, or ValidationError saying what is wrong."""
    parts = [part for part in name.split("/") if part]
    stem = parts[-1].rsplit(".", 1)[0] if "." in parts[-1] else parts[-1]
    folder = parts[-2].strip() if len(parts) > 1 else ""
    match = _LEADING_ID_RE.match(stem.strip())
    if match:
        number, rest = match.group(1), stem.strip()[match.end() :]
        if folder and _LEADING_ID_RE.fullmatch(folder) and folder.upper() != number.upper():
            raise ValidationError("文件夹名和文件名中的身份证号码不一致。")
        if not rest.strip(_SEPARATORS + " "):
            return number, DEFAULT_KIND
        kind = _kind_of(rest)
        if kind is None:
            raise ValidationError(f"无法识别材料名称“{rest.strip(_SEPARATORS + ' ')}”，请按下面的命名规则命名。")
        return number, kind
    if folder and _LEADING_ID_RE.fullmatch(folder):
        kind = _kind_of(stem)
        if kind is None:
            raise ValidationError(f"无法识别材料名称“{stem}”，文件夹中的文件请以材料名称命名，如“身份证正面.jpg”。")
        return folder, kind
    raise ValidationError("文件名（或所在文件夹名）不是以身份证号码开头，请按下面的命名规则命名。")


def max_zip_pixels() -> int:
    return getattr(settings, "SCAN_ZIP_MAX_PIXELS", 600_000_000)


class PixelBudget:
    """The pixels a zip's images may hold together; each image is measured from its header before decoding."""

    def __init__(self, limit):
        self.left = limit

    def spend(self, data: bytes):
        try:
            pixels = image_pixels(data)
        except (TooManyPixels, ValueError):
            return  # clean_upload refuses it with its own message, without decoding it
        if pixels > self.left:
            self.left = 0
            raise ValidationError(
                f"压缩包中的图片合计超过{max_zip_pixels() / 100_000_000:g}亿像素，此文件及之后的图片未处理；"
                "请把未处理的文件另行压缩后上传。"
            )
        self.left -= pixels


def _read_member(archive, info, budget=None):
    limit = settings.ATTACHMENT_MAX_BYTES
    if info.flag_bits & 0x1:
        raise ValidationError("文件已加密，无法读取；请压缩时不要设置密码。")
    if info.file_size > limit:
        raise ValidationError(f"文件超过{limit // (1024 * 1024)}MB，请压缩后重新上传。")
    try:
        with archive.open(info) as handle:
            data = handle.read(limit + 1)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError, ValueError) as error:
        raise ValidationError("文件损坏或压缩方式不受支持，无法解压。") from error
    if len(data) > limit:
        raise ValidationError(f"文件超过{limit // (1024 * 1024)}MB，请压缩后重新上传。")
    if budget is not None and not data.startswith(b"%PDF"):
        budget.spend(data)
    return clean_upload(ContentFile(data, name=info.filename))


def _open_archive(upload):
    upload.seek(0, io.SEEK_END)
    if upload.tell() > MAX_ZIP_BYTES:
        raise ScanArchiveError(f"压缩包不能超过{MAX_ZIP_BYTES // (1024 * 1024)}MB，请分成几个压缩包上传。")
    upload.seek(0)
    try:
        archive = zipfile.ZipFile(upload)
        infos = [info for info in archive.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise ScanArchiveError("不是有效的 .zip 压缩包，请用 zip 格式压缩后上传。") from error
    members = [(info, _member_name(info).replace("\\", "/")) for info in infos]
    members = [(info, name) for info, name in members if not _is_junk(name)]
    if not members:
        raise ScanArchiveError("压缩包中没有文件。")
    if len(members) > MAX_ZIP_FILES:
        raise ScanArchiveError(f"压缩包中有{len(members)}个文件，超过{MAX_ZIP_FILES}个，请分成几个压缩包上传。")
    if sum(info.file_size for info, _name in members) > MAX_UNPACKED_BYTES:
        raise ScanArchiveError(
            f"压缩包解压后超过{MAX_UNPACKED_BYTES // (1024 * 1024)}MB，请分成几个压缩包上传（或检查文件是否异常）。"
        )
    return archive, members


def attach_zip(upload, unit, campaign, user) -> list[ScanResult]:
    """Attach each member of a zip of scans (a seekable file) to the unit's own application of its ID number.

    Raises ScanArchiveError when the zip as a whole is refused; otherwise one ScanResult per file,
    in the zip's order, and the accepted files are attached in one transaction.
    """
    archive, members = _open_archive(upload)
    with archive:
        results, targets = [], []
        for info, name in members:
            result = ScanResult(shown_name(name))
            results.append(result)
            if _unsafe(name):
                result.message = "文件路径不安全（绝对路径或含“..”），已拒绝。"
                continue
            try:
                number, result.kind = target_of(name)
                number = validate_id_number(number)
            except ValidationError as invalid:
                message = invalid.messages[0]
                result.message = f"文件名中的身份证号码有误：{message}" if result.kind else message
                continue
            targets.append((info, number, result))
        _match(targets, unit, campaign)
        staged, budget = [], PixelBudget(max_zip_pixels())
        try:
            for info, _number, result in targets:
                if result.message:
                    continue
                try:
                    staged.append(_stage(result.application, result.kind, _read_member(archive, info, budget)))
                except ValidationError as invalid:
                    result.message = invalid.messages[0]
        except Exception:
            _discard(staged)
            raise
    replaced, refused = _commit(staged, user) if staged else (set(), set())
    for _info, _number, result in targets:
        if result.message:
            continue
        key = (result.application.pk, result.kind)
        if key in refused:
            result.message = "该申报状态刚刚改变，不能再更换材料。"
        else:
            result.attached, result.replaced = True, key in replaced
    return results


def _match(targets, unit, campaign):
    """Set each target's application, or a refusal: unknown, another unit's, duplicate, frozen."""
    by_hash = {keyed_hash(number): number for _info, number, _result in targets}
    applications = {
        application.id_hash: application
        for application in Application.objects.filter(
            campaign=campaign, unit=unit, id_hash__in=list(by_hash), state__in=LIVE_STATES
        )
    }
    seen = {}
    for _info, number, result in targets:
        seen.setdefault((number, result.kind), []).append(result)
    for (number, _kind), same in seen.items():
        application = applications.get(keyed_hash(number))
        for result in same:
            if len(same) > 1:
                result.message = f"压缩包中有{len(same)}个文件对应此人的同一材料，无法确定用哪一个，均未上传。"
            elif application is None:
                result.message = f"本单位{campaign.year}年度没有此身份证号码的申报（请先录入或导入申报）。"
            elif not accepts_scans(application):
                result.message = frozen_reason(application)
            else:
                result.application = application
