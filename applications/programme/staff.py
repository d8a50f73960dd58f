"""Staff accounts: one function that makes an account for a role, used by commands and the demo."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from applications.core.constants import Role
from applications.models import ReviewUnit, StaffProfile
from applications.programme.roles import GROUP_NAMES


class StaffError(ValueError):
    """A staff account cannot be made as asked."""


class WeakPassword(StaffError):
    """The password of a new account fails the site's password rules (`AUTH_PASSWORD_VALIDATORS`)."""

    def __init__(self, messages):
        self.messages = list(messages)
        super().__init__("密码不符合要求：" + "".join(self.messages))


@transaction.atomic
def create_staff(username, role, *, password, unit_name=None, email="", full_name=""):
    """Create (or update the role of) a staff account; returns (user, created).

    A unit reviewer needs the name of a review unit as written in Annex 1. The password of a new
    account must pass the site's password rules (too short, too common, all digits, too like the
    username: `WeakPassword`). An existing account keeps its password.
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
    user = User.objects.filter(username=username).first()
    created = user is None
    if created:
        user = User(username=username, email=email, first_name=full_name)
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise WeakPassword(error.messages) from error
        user.set_password(password)
        user.save()
    user.groups.add(Group.objects.get(name=GROUP_NAMES[role]))
    StaffProfile.objects.update_or_create(user=user, defaults={"unit": unit})
    return user, created
