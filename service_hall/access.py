"""Who may answer questions, rectify bad ratings and exclude ratings, and which ones they see.

Scoping as for applications: a unit reviewer sees its own unit's questions and rectifications, the
economic work department the policy desk, the city service center everything; anything else is 404.
Core does not import this module.
"""

from django.db.models import Q

from applications.core.constants import Role
from applications.programme.roles import GROUP_NAMES

ANSWER_QUESTION = "service_hall.answer_question"
ANSWER_ALL_QUESTIONS = "service_hall.answer_all_questions"
ANSWER_POLICY_QUESTIONS = "service_hall.answer_policy_questions"
VIEW_ALL_RATINGS = "service_hall.view_all_ratings"
RECTIFY_RATING = "service_hall.rectify_rating"
EXCLUDE_RATING = "service_hall.exclude_rating"


def _active(user):
    return user is not None and user.is_authenticated and user.is_active


def _unit_id(user):
    return getattr(getattr(user, "staff_profile", None), "unit_id", None)


def visible_questions(user, queryset):
    """The questions in `queryset` that `user` sees (and answers)."""
    if not _active(user):
        return queryset.none()
    if user.is_superuser or user.has_perm(ANSWER_ALL_QUESTIONS):
        return queryset
    allowed = Q(pk__in=[])
    if user.has_perm(ANSWER_POLICY_QUESTIONS):
        allowed |= Q(desk="economic_dept")
    if user.has_perm(ANSWER_QUESTION) and _unit_id(user):
        allowed |= Q(desk="unit", unit_id=_unit_id(user))
    return queryset.filter(allowed)


def may_answer_questions(user):
    return _active(user) and (
        user.is_superuser
        or user.has_perm(ANSWER_ALL_QUESTIONS)
        or user.has_perm(ANSWER_POLICY_QUESTIONS)
        or (user.has_perm(ANSWER_QUESTION) and bool(_unit_id(user)))
    )


def sees_city_figures(user):
    """The city's figures on questions and ratings: the city service center and the economic work department."""
    if not _active(user):
        return False
    if user.is_superuser or user.has_perm(ANSWER_ALL_QUESTIONS) or user.has_perm(VIEW_ALL_RATINGS):
        return True
    return user.groups.filter(name=GROUP_NAMES[Role.ECONOMIC_DEPT]).exists()


def visible_ratings(user, queryset):
    """Ratings, or rectification items (both carry the handling unit), `user` sees: every one for the city,
    its own unit's for a unit reviewer who rectifies (a case is rated once it closed)."""
    if not _active(user):
        return queryset.none()
    if user.is_superuser or user.has_perm(VIEW_ALL_RATINGS):
        return queryset
    if user.has_perm(RECTIFY_RATING) and _unit_id(user):
        return queryset.filter(unit_id=_unit_id(user))
    return queryset.none()


visible_rectifications = visible_ratings


def may_rectify(user, rectification):
    """Only the handling unit's own reviewers rectify and reply (the city watches, never replies for them)."""
    return _active(user) and user.has_perm(RECTIFY_RATING) and _unit_id(user) == rectification.unit_id


def may_exclude_ratings(user):
    return _active(user) and (user.is_superuser or user.has_perm(EXCLUDE_RATING))


def may_see_ratings(user):
    return _active(user) and (
        user.is_superuser or user.has_perm(VIEW_ALL_RATINGS) or (user.has_perm(RECTIFY_RATING) and bool(_unit_id(user)))
    )
