"""Staff accounts: one function that makes an account for a role, used by commands and the demo."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from .constants import Role
from .models import ReviewUnit, StaffProfile
from .roles import GROUP_NAMES


class StaffError(ValueError):
    """A staff account cannot be made as asked."""


@transaction.atomic
def create_staff(username, role, *, password, unit_name=None, email="", full_name=""):
    """Create (or update the role of) a staff account; returns (user, created).

    A unit reviewer needs the name of a review unit as written in Annex 1.
    An existing account keeps its password.
    """
    role = Role(role)
    unit = None
    if role == Role.UNIT_REVIEWER:
        if not unit_name:
            raise StaffError("区县市(产业)工会审核员须指定所属审核单位（--unit）。")
        unit = ReviewUnit.objects.filter(name=unit_name).first()
        if unit is None:
            raise StaffError(f"没有名为“{unit_name}”的审核单位，请使用附件1中的名称。")
    elif unit_name:
        raise StaffError("只有区县市(产业)工会审核员需要指定审核单位。")

    User = get_user_model()
    user, created = User.objects.get_or_create(username=username, defaults={"email": email})
    if created:
        user.set_password(password)
        if full_name:
            user.first_name = full_name
        user.save()
    user.groups.add(Group.objects.get(name=GROUP_NAMES[role]))
    StaffProfile.objects.update_or_create(user=user, defaults={"unit": unit})
    return user, created
