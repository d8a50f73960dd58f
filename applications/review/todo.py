"""A staff member's to-do counts for the admin home (待办事项), each linking to the list that holds them.

The review stage counts its own (待预审 for a unit's reviewers, 待终审 for the city, 退回修改 for a
grassroots union); other apps add theirs through the Wagtail hook `register_todo_items`: a function
of the user returning `TodoItem`s (the service hall: questions awaiting an answer, bad ratings
awaiting rectification).
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from applications.core.access import FINAL_REVIEW, grassroots_of, reviewer_unit, visible_applications
from applications.core.constants import ApplicationState as S
from applications.models import Application

HOOK = "register_todo_items"


@dataclass(frozen=True)
class TodoItem:
    label: str  # with the count in it, e.g. "待预审 3 件"
    count: int
    url: str
    urgent: bool = False  # shown in red (overdue)


def _list_url(**filters):
    return reverse("applications_application_modeladmin_index") + "?" + urlencode(filters)


def review_items(user):
    """The review stage's to-do counts for `user` (none for a role that reviews nothing)."""
    items = []
    visible = visible_applications(user, Application.objects.all())
    if grassroots_of(user) is not None:
        returned = visible.filter(state=S.RETURNED).count()
        items.append(
            TodoItem(
                _("退回修改待重新提交 %(count)s 件") % {"count": returned},
                returned,
                _list_url(state__exact=S.RETURNED),
                urgent=returned > 0,
            )
        )
        return items
    if reviewer_unit(user) is not None:
        pending = visible.filter(state=S.SUBMITTED).count()
        items.append(
            TodoItem(_("待预审 %(count)s 件") % {"count": pending}, pending, _list_url(state__exact=S.SUBMITTED))
        )
    if user.has_perm(FINAL_REVIEW):
        pending = visible.filter(state=S.UNIT_APPROVED).count()
        items.append(
            TodoItem(_("待终审 %(count)s 件") % {"count": pending}, pending, _list_url(state__exact=S.UNIT_APPROVED))
        )
    return items


def todo_items(user):
    """Every to-do count for `user`: the review stage's, then each hooked app's."""
    from wagtail import hooks

    items = review_items(user)
    for contribute in hooks.get_hooks(HOOK):
        items.extend(contribute(user))
    return items
