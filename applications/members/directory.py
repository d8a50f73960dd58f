"""The registry of real-name-verified union members: looking a person up.

The portal asks a `MemberDirectory` whether someone is a verified member. The local one reads
the `Member` table, filled by `import_members` (`applications.members.imports`) from the list the
city union keeps; a real membership service can replace it through `settings.MEMBER_DIRECTORY`
(a dotted path).
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

from applications.core.crypto import keyed_hash
from applications.models import Member, ReviewUnit


@dataclass(frozen=True)
class VerifiedMember:
    """What the portal may know about a verified member: never the full ID number."""

    name: str
    id_hash: str
    mobile: str
    unit: ReviewUnit
    employer: str
    grassroots_union: str


class MemberDirectory(ABC):
    """Answers whether a name and ID number belong to a real-name-verified union member."""

    @abstractmethod
    def find_verified(self, name: str, id_number: str) -> VerifiedMember | None:
        """The verified member with this ID number and exactly this name, else None."""


class LocalMemberDirectory(MemberDirectory):
    """The directory kept in the portal's own `Member` table (see `import_members`)."""

    def find_verified(self, name, id_number):
        name, id_number = (name or "").strip(), (id_number or "").strip()
        if not name or not id_number:
            return None
        member = Member.objects.select_related("unit").filter(id_hash=keyed_hash(id_number), is_verified=True).first()
        if member is None or member.name.strip() != name:
            return None
        return VerifiedMember(
            name=member.name.strip(),
            id_hash=member.id_hash,
            mobile=member.mobile,
            unit=member.unit,
            employer=member.employer,
            grassroots_union=member.grassroots_union,
        )


# Said to staff (paper entry, Annex 4 import) when a person is not in the registry: the reason and
# what to do. Staff already hold the name and ID number; the public online flow never says this.
NOT_A_MEMBER = (
    "未找到与该姓名和身份证号码匹配的实名认证会员：请先由所在基层工会为其办理会员实名认证，或核对姓名和身份证号码。"
)


def is_verified_member(name: str, id_number: str) -> bool:
    """Whether the directory holds a real-name-verified member with this name and ID number (condition 一)."""
    return get_member_directory().find_verified(name, id_number) is not None


def get_member_directory() -> MemberDirectory:
    """The directory named by `settings.MEMBER_DIRECTORY`, by default the local one."""
    path = getattr(settings, "MEMBER_DIRECTORY", None) or "applications.members.directory.LocalMemberDirectory"
    return import_string(path)()
