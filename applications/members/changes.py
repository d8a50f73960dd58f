"""Records of every create, change and delete of a member (`MemberChange`), and the texts a changed mobile sends.

The member registry decides who may apply and where the one-time code goes, so each write to it
says who made it, from where, and what each field was before and after, masked: the record never
holds a full ID number or mobile. Every code path that writes members (the admin, `import_members`,
`load_demo`) records through this module; it takes values (an `Actor`), never a request.

A changed mobile is texted at the old and at the new number once the change is committed, so a
member whose number was swapped by somebody else hears of it on the phone they still hold.
"""

import getpass
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from applications.core.crypto import mask
from applications.models import Member, MemberChange

logger = logging.getLogger("portal.members")

# The fields a record compares, in the order a person reads them.
FIELDS = ("name", "id_number", "mobile", "unit", "employer", "grassroots_union", "is_verified")
MOBILE_CHANGED_PURPOSE = "member_mobile_changed"
MOBILE_CHANGED_TEXT = (
    "【杭州市总工会】您在杭州市职工高技能人才奖励系统登记的手机号码已改为尾号{last_four}的号码。"
    "如非本人要求，请立即联系市总工会职工服务中心。"
)


@dataclass(frozen=True)
class Actor:
    """Who wrote to the registry: a staff user (admin), or a command with its source."""

    source: str
    user: object = None
    label: str = ""
    ip_address: str | None = None

    @property
    def actor_label(self) -> str:
        if self.label:
            return self.label[:150]
        if self.user is not None:
            return self.user.get_username()[:150]
        return self.source[:150] or "系统"


def command_line_actor(source: str) -> Actor:
    """The actor of a management command: the operating-system account that ran it."""
    try:
        account = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry in some containers
        account = "未知账户"
    return Actor(source=source, label=f"{account}（命令行 {source}）")


def snapshot(member: Member) -> dict[str, str]:
    """Each recorded field as text, unmasked: for comparing within one action, never for storing."""
    return {
        "name": member.name or "",
        "id_number": member.id_number or "",
        "mobile": member.mobile or "",
        "unit": member.unit.name if member.unit_id else "",
        "employer": member.employer or "",
        "grassroots_union": member.grassroots_union or "",
        "is_verified": "是" if member.is_verified else "否",
    }


def _shown(field: str, value: str) -> str:
    if field == "id_number":
        return mask(value)
    if field == "mobile":
        return mask(value, head=3, tail=4)
    return value


def _label(field: str) -> str:
    return str(Member._meta.get_field(field).verbose_name)


def _differences(before: dict, after: dict) -> list[dict]:
    return [
        {
            "field": field,
            "label": _label(field),
            "before": _shown(field, before.get(field, "")),
            "after": _shown(field, after.get(field, "")),
        }
        for field in FIELDS
        if before.get(field, "") != after.get(field, "")
    ]


def member_label(member: Member) -> str:
    """Name and masked ID number: who the record is about, readable after a delete."""
    return f"{member.name}（{mask(member.id_number)}）"[:80]


def build(member: Member, action: str, before: dict, after: dict, actor: Actor, now=None) -> MemberChange:
    """An unsaved record of one create, change or delete (for `record_many`)."""
    return MemberChange(
        member=member if action != MemberChange.Action.DELETED else None,
        member_label=member_label(member),
        action=action,
        changes=_differences(before, after),
        user=actor.user,
        actor_label=actor.actor_label,
        source=actor.source[:40],
        ip_address=actor.ip_address,
        changed_at=now or timezone.now(),
    )


def record_created(member: Member, actor: Actor) -> MemberChange:
    """Record that `member` was just created, every field as its new value."""
    change = build(member, MemberChange.Action.CREATED, {}, snapshot(member), actor)
    change.save()
    return change


def record_changed(member: Member, before: dict, actor: Actor) -> MemberChange | None:
    """Record what changed since `before` (a `snapshot` taken before the save); None when nothing did.

    When the mobile changed, both numbers are texted after the transaction commits.
    """
    after = snapshot(member)
    change = build(member, MemberChange.Action.CHANGED, before, after, actor)
    if not change.changes:
        return None
    change.save()
    if before.get("mobile") != after["mobile"]:
        text_mobile_change(before.get("mobile", ""), after["mobile"])
    return change


def record_deleted(member: Member, actor: Actor) -> MemberChange:
    """Record that `member` is being deleted, every field as it was (call before deleting)."""
    change = build(member, MemberChange.Action.DELETED, snapshot(member), {}, actor)
    change.save()
    return change


def record_many(changes: list[tuple[Member, dict | None]], actor: Actor, batch_size=500) -> list[MemberChange]:
    """Record a bulk write: (member, before) pairs, before being None for a member just created.

    Members whose fields did not change are left out; changed mobiles are texted after commit.
    """
    now = timezone.now()
    records, mobiles = [], []
    for member, before in changes:
        after = snapshot(member)
        action = MemberChange.Action.CREATED if before is None else MemberChange.Action.CHANGED
        change = build(member, action, before or {}, after, actor, now=now)
        if not change.changes:
            continue
        records.append(change)
        if before is not None and before.get("mobile") != after["mobile"]:
            mobiles.append((before.get("mobile", ""), after["mobile"]))
    MemberChange.objects.bulk_create(records, batch_size=batch_size)
    for old, new in mobiles:
        text_mobile_change(old, new)
    return records


def text_mobile_change(old: str, new: str) -> None:
    """After the current transaction commits, tell the old and the new number that the mobile changed.

    The text names only the last four digits of the new number and never an ID number.
    """
    text = MOBILE_CHANGED_TEXT.format(last_four=new[-4:])

    def send():
        from applications.core.sms import queue_sms

        for to in dict.fromkeys(number for number in (old, new) if number):
            try:
                queue_sms(to, text, purpose=MOBILE_CHANGED_PURPOSE)
            except ValueError:
                logger.warning("mobile change not texted to %s: not a valid mobile", mask(to, 3, 4))

    transaction.on_commit(send)
