"""The review workflow: who may take which step, every refused step, the audit trail, concurrency."""

import pytest
from django.db import connection

from applications.core.constants import ApplicationState as S
from applications.models import ApplicationEvent, SmsMessage
from applications.programme.staff import create_staff
from applications.review.workflow import TRANSITIONS, WorkflowError, allowed_actions, take, take_many
from tests.concurrency import at_once
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def _staff(role, unit=None):
    return create_staff(f"{role}-{unit or 'city'}", role, password="pw-for-tests-1", unit_name=unit)[0]


@pytest.fixture
def application(campaign_2022):
    return ApplicationFactory(state=S.SUBMITTED)


# (action, role, unit of the actor, state before, allowed?)
MATRIX = [
    ("unit_approve", "unit_reviewer", "西湖区总工会", S.SUBMITTED, True),
    ("unit_reject", "unit_reviewer", "西湖区总工会", S.SUBMITTED, True),
    ("unit_approve", "unit_reviewer", "拱墅区总工会", S.SUBMITTED, False),
    ("unit_reject", "unit_reviewer", "拱墅区总工会", S.SUBMITTED, False),
    ("unit_approve", "city_service_center", None, S.SUBMITTED, False),
    ("unit_approve", "economic_dept", None, S.SUBMITTED, False),
    ("unit_approve", "editor", None, S.SUBMITTED, False),
    ("city_approve", "city_service_center", None, S.UNIT_APPROVED, True),
    ("city_reject", "city_service_center", None, S.UNIT_APPROVED, True),
    ("city_approve", "unit_reviewer", "西湖区总工会", S.UNIT_APPROVED, False),
    ("city_approve", "economic_dept", None, S.UNIT_APPROVED, False),
    ("city_approve", "editor", None, S.UNIT_APPROVED, False),
]


@pytest.mark.parametrize(("action", "role", "unit", "state", "allowed"), MATRIX)
def test_permission_matrix(campaign_2022, action, role, unit, state, allowed):
    application = ApplicationFactory(state=state)
    user = _staff(role, unit)
    assert (action in allowed_actions(user, application)) is allowed
    if allowed:
        moved = take(action, application, user, "意见")
        assert moved.state == TRANSITIONS[action].target
    else:
        with pytest.raises(WorkflowError, match="无权"):
            take(action, application, user, "意见")
        application.refresh_from_db()
        assert application.state == state


@pytest.mark.parametrize(
    ("action", "state"),
    [
        ("unit_approve", S.UNIT_APPROVED),
        ("unit_approve", S.REJECTED),
        ("unit_reject", S.APPROVED),
        ("city_approve", S.SUBMITTED),
        ("city_approve", S.PAID),
        ("city_reject", S.WITHDRAWN),
    ],
)
def test_a_step_from_the_wrong_state_is_refused(campaign_2022, action, state):
    application = ApplicationFactory(state=state)
    user = _staff("unit_reviewer", "西湖区总工会") if action.startswith("unit") else _staff("city_service_center")
    with pytest.raises(WorkflowError):
        take(action, application, user, "意见")
    application.refresh_from_db()
    assert application.state == state
    assert not ApplicationEvent.objects.filter(application=application).exists()


def test_a_rejection_needs_a_reason(application):
    with pytest.raises(WorkflowError, match="须填写原因"):
        take("unit_reject", application, _staff("unit_reviewer", "西湖区总工会"), "   ")


def test_the_whole_way_leaves_an_audit_trail(application, django_capture_on_commit_callbacks):
    reviewer, city = _staff("unit_reviewer", "西湖区总工会"), _staff("city_service_center")
    take("unit_approve", application, reviewer, "材料齐全，同意。")
    take("city_approve", application, city, "同意发放。")
    events = list(application.events.values_list("actor__username", "from_state", "to_state", "opinion"))
    assert events == [
        ("unit_reviewer-西湖区总工会", "submitted", "unit_approved", "材料齐全，同意。"),
        ("city_service_center-city", "unit_approved", "approved", "同意发放。"),
    ]


def test_a_rejection_is_told_by_sms_without_card_numbers(application, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        take("unit_reject", application, _staff("unit_reviewer", "西湖区总工会"), "证书复印件不清晰。")
    application.refresh_from_db()
    assert (application.state, application.state_reason) == (S.REJECTED, "证书复印件不清晰。")
    message = SmsMessage.objects.get(purpose="application_rejected")
    assert application.reference in message.text
    assert application.bank_card not in message.text and application.id_number not in message.text


def test_the_second_of_two_reviewers_is_told_it_was_already_done(application):
    first, second = (
        _staff("unit_reviewer", "西湖区总工会"),
        create_staff("xihu-2", "unit_reviewer", password="pw-for-tests-1", unit_name="西湖区总工会")[0],
    )
    stale_copy = type(application).objects.get(pk=application.pk)
    take("unit_approve", application, first, "同意")
    with pytest.raises(WorkflowError, match="已有其他人办理"):
        take("unit_reject", stale_copy, second, "不同意")
    application.refresh_from_db()
    assert application.state == S.UNIT_APPROVED
    assert application.events.count() == 1


def test_bulk_approval_reports_what_it_could_not_do(campaign_2022):
    reviewer = _staff("unit_reviewer", "西湖区总工会")
    mine = ApplicationFactory.create_batch(2, state=S.SUBMITTED)
    already = ApplicationFactory(state=S.UNIT_APPROVED)
    done, refused = take_many("unit_approve", [*mine, already], reviewer, "同意")
    assert [a.pk for a in done] == [a.pk for a in mine]
    assert [(a.pk, "不能再预审通过" in reason) for a, reason in refused] == [(already.pk, True)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrent connections (PostgreSQL)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_reviewers_at_the_same_moment_one_wins(campaign_2022):

    application = ApplicationFactory(state=S.SUBMITTED)
    reviewers = [
        create_staff(f"race-{n}", "unit_reviewer", password="pw-for-tests-1", unit_name="西湖区总工会")[0]
        for n in range(2)
    ]
    results = at_once(
        lambda: take("unit_approve", application, reviewers[0], "意见"),
        lambda: take("unit_reject", application, reviewers[1], "意见"),
        expected=WorkflowError,
    )
    assert sorted("told" if isinstance(result, WorkflowError) else "won" for result in results) == ["told", "won"]
    assert application.events.count() == 1
