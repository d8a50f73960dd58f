"""Staff accounts: one function that makes an account for a role, used by commands and the demo."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from applications.core.constants import Role
from applications.models import GrassrootsUnion, ReviewUnit, StaffProfile
from applications.programme.roles import GROUP_NAMES


class StaffError(ValueError):
    """A staff account cannot be made as asked."""


class WeakPassword(StaffError):
    """The password of a new account fails the site's password rules (`AUTH_PASSWORD_VALIDATORS`)."""

    def __init__(self, messages):
        self.messages = list(messages)
        super().__init__("密码不符合要求：" + "".join(self.messages))


UNIT_ROLES = (Role.UNIT_REVIEWER, Role.GRASSROOTS_UNION)
GRASSROOTS_NAME_MAX = 100


def _unit(role, unit_name):
    if role in UNIT_ROLES:
        if not unit_name:
            raise StaffError(f"{role.label}须指定所属审核单位（--unit）。")
        unit = ReviewUnit.objects.filter(name=unit_name).first()
        if unit is None:
            raise StaffError(f"没有名为“{unit_name}”的审核单位，请使用附件1中的名称。")
        return unit
    if unit_name:
        raise StaffError("只有区县市(产业)工会审核员和基层工会需要指定审核单位。")
    return None


def _grassroots(role, unit, grassroots_name):
    """The grassroots union of that name under `unit`, made on first use."""
    name = " ".join((grassroots_name or "").split())
    if role != Role.GRASSROOTS_UNION:
        if name:
            raise StaffError("只有基层工会账号需要指定基层工会名称（--grassroots）。")
        return None
    if not name:
        raise StaffError("基层工会账号须指定基层工会名称（--grassroots），如“杭州某某有限公司工会”。")
    if len(name) > GRASSROOTS_NAME_MAX:
        raise StaffError(f"基层工会名称不能超过{GRASSROOTS_NAME_MAX}个字。")
    grassroots, _created = GrassrootsUnion.objects.get_or_create(unit=unit, name=name)
    return grassroots


@transaction.atomic
def create_staff(username, role, *, password, unit_name=None, email="", full_name="", grassroots_name=None):
    """Create (or update the role of) a staff account; returns (user, created).

    A unit reviewer needs the name of a review unit as written in Annex 1; a grassroots union's
    account (role grassroots_union) that unit and the name of its grassroots union, made under that
    unit on first use. The password of a new account must pass the site's password rules (too short,
    too common, all digits, too like the username: `WeakPassword`). An existing account keeps its
    password; an existing account of another role never becomes a grassroots union's account, nor
    the other way round (its scope would silently change).
    """
    role = Role(role)
    unit = _unit(role, unit_name)
    grassroots = _grassroots(role, unit, grassroots_name)

    User = get_user_model()
    user = User.objects.filter(username=username).first()
    created = user is None
    if not created:
        _check_role_change(user, role, grassroots)
    if created:
        user = User(username=username, email=email, first_name=full_name)
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise WeakPassword(error.messages) from error
        user.set_password(password)
        user.save()
    user.groups.add(Group.objects.get(name=GROUP_NAMES[role]))
    StaffProfile.objects.update_or_create(user=user, defaults={"unit": unit, "grassroots": grassroots})
    return user, created


def _check_role_change(user, role, grassroots):
    grassroots_group = GROUP_NAMES[Role.GRASSROOTS_UNION]
    is_grassroots = user.groups.filter(name=grassroots_group).exists()
    has_other_roles = user.groups.exclude(name=grassroots_group).exists() or user.is_superuser
    if role == Role.GRASSROOTS_UNION and has_other_roles:
        raise StaffError(f"账号 {user.get_username()} 已有其他角色，不能再作为基层工会账号；请另建账号。")
    if role != Role.GRASSROOTS_UNION and is_grassroots:
        raise StaffError(f"账号 {user.get_username()} 是基层工会账号，不能再加其他角色；请另建账号。")
    current = getattr(getattr(user, "staff_profile", None), "grassroots_id", None)
    if role == Role.GRASSROOTS_UNION and is_grassroots and current != grassroots.pk:
        raise StaffError(f"账号 {user.get_username()} 已是基层工会账号；其所属基层工会不能更改，请另建账号。")
