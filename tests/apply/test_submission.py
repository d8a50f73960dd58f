"""submission.submit: the rules at submit time and one live application per person and campaign."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from applications.apply.copies import CleanUpload
from applications.apply.submission import UNIT_DUPLICATE, Applicant, Replacement, SubmissionError, submit
from applications.core.constants import ApplicationState, Channel
from applications.models import Application, ApplicationEvent, SkillLevel
from applications.models.campaign import end_of_day
from tests.concurrency import at_once
from tests.factories import CampaignFactory, make_id_number

pytestmark = pytest.mark.django_db

ID_NUMBER = make_id_number(datetime.date(1988, 5, 17), seq=11)
PNG = CleanUpload(b"\x89PNG fake but already cleaned", "image/png", "png")


def _applicant(campaign, level="technician", issued=None, id_number=ID_NUMBER, **overrides):
    from applications.models import ReviewUnit

    fields = {
        "unit": ReviewUnit.objects.get(name="西湖区总工会"),
        "name": "王五",
        "gender": "male",
        "birth_date": datetime.date(1988, 5, 17),
        "education": "senior",
        "occupation": "数控车工",
        "previous_level": None,
        "previous_level_obtained_on": None,
        "new_level": SkillLevel.objects.get(code=level),
        "certificate_number": "S0001",
        "certificate_issued_on": issued or campaign.window_start,
        "id_number": id_number,
        "mobile": "13900002222",
        "bank_card": "6222021234567890128",
        "bank_branch": "中国工商银行杭州西湖支行",
        "employer": "杭州某某机械有限公司",
        "grassroots_union": "杭州某某机械有限公司工会",
    }
    return Applicant(**(fields | overrides))


@pytest.fixture
def campaign(campaign_2022):
    """An open campaign with 2022's levels and amounts, deadline in the future."""
    from applications.programme.demo import ensure_demo_campaign

    return ensure_demo_campaign(campaign_2022)


def _submit(campaign, **kwargs):
    now = kwargs.pop("now", None)
    return submit(campaign, _applicant(campaign, **kwargs), {"certificate": PNG}, now=now)


def test_submission_stores_amount_window_and_a_hashed_password(campaign):
    submitted = _submit(campaign)
    application = submitted.application
    assert (application.state, application.amount, application.window) == ("submitted", 600, "current")
    assert submitted.query_password not in application.query_password_hash
    assert application.attachments.get().file.read().startswith(b"\x89PNG")
    assert list(application.events.values_list("to_state", "actor_label")) == [("submitted", "申请人")]


def test_a_higher_level_replaces_a_live_unpaid_application(campaign):
    first = _submit(campaign, level="senior_worker").application
    second = _submit(campaign, level="senior_technician")
    first.refresh_from_db()
    assert first.state == ApplicationState.WITHDRAWN
    assert second.application.reference in first.state_reason
    assert second.replaced == first
    assert second.application.amount == 800
    assert ApplicationEvent.objects.filter(application=first, to_state="withdrawn").exists()


@pytest.mark.parametrize("level", ["technician", "senior_worker"], ids=["equal", "lower"])
def test_an_equal_or_lower_level_is_refused_pointing_to_the_status_lookup(campaign, level):
    _submit(campaign, level="technician")
    with pytest.raises(SubmissionError, match="进度查询"):
        _submit(campaign, level=level)
    assert Application.objects.filter(campaign=campaign).count() == 1


def test_a_paid_application_is_never_replaced(campaign):
    first = _submit(campaign, level="senior_worker").application
    Application.objects.filter(pk=first.pk).update(state=ApplicationState.PAID)
    with pytest.raises(SubmissionError):
        _submit(campaign, level="senior_technician")


@pytest.mark.parametrize(
    "state", [ApplicationState.APPROVED, ApplicationState.PAYMENT_FAILED], ids=["approved", "payment-failed"]
)
def test_an_application_approved_by_the_city_is_never_replaced(campaign, state):
    """Once approved its amount is due to the bank (maybe in a batch right now): it must not be withdrawn."""
    first = _submit(campaign, level="senior_worker").application
    Application.objects.filter(pk=first.pk).update(state=state)
    with pytest.raises(SubmissionError, match="市总工会已审核通过"):
        _submit(campaign, level="senior_technician")
    first.refresh_from_db()
    assert first.state == state
    assert Application.objects.filter(campaign=campaign).count() == 1


def test_an_application_approved_by_the_unit_is_still_replaced(campaign):
    first = _submit(campaign, level="senior_worker").application
    Application.objects.filter(pk=first.pk).update(state=ApplicationState.UNIT_APPROVED)
    second = _submit(campaign, level="technician")
    first.refresh_from_db()
    assert (first.state, second.replaced) == (ApplicationState.WITHDRAWN, first)


def test_after_a_rejection_the_person_may_apply_again(campaign):
    first = _submit(campaign).application
    Application.objects.filter(pk=first.pk).update(state=ApplicationState.REJECTED)
    assert _submit(campaign).application.pk != first.pk


def test_carry_over_is_refused_for_someone_who_applied_in_the_previous_campaign(campaign):
    previous = CampaignFactory(year=campaign.year - 1, is_open=True)
    for reward in campaign.reward_levels.all():
        previous.reward_levels.create(level=reward.level, amount=reward.amount)
    submit(previous, _applicant(previous), {}, now=end_of_day(previous.window_end))
    with pytest.raises(SubmissionError, match="不能补报"):
        _submit(campaign, issued=campaign.carry_over_end, carry_over_declared=True)


def test_carry_over_is_accepted_for_someone_who_did_not_apply_before(campaign):
    application = _submit(campaign, issued=campaign.carry_over_start, carry_over_declared=True).application
    assert (application.window, application.carry_over_declared) == ("carry_over", True)


@pytest.mark.parametrize(("offset", "accepted"), [(0, True), (1, False)], ids=["deadline-second", "second-after"])
def test_the_deadline_is_checked_at_submit_time(campaign, offset, accepted):
    now = campaign.deadline + datetime.timedelta(seconds=offset)
    if accepted:
        assert _submit(campaign, now=now).application.submitted_at == now
    else:
        with pytest.raises(SubmissionError, match="截止"):
            _submit(campaign, now=now)


def test_a_closed_campaign_takes_nothing(campaign):
    campaign.is_open = False
    campaign.save()
    with pytest.raises(SubmissionError, match="尚未开放"):
        _submit(campaign, now=timezone.now())


def test_unit_channel_starts_approved_by_the_unit(campaign, editor):
    submitted = submit(
        campaign,
        _applicant(campaign, grassroots_opinion="情况属实，同意上报。"),
        {},
        channel=Channel.UNIT,
        actor=editor,
    )
    assert submitted.application.state == ApplicationState.UNIT_APPROVED
    assert submitted.application.events.get().opinion == "情况属实，同意上报。"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrent connections (PostgreSQL)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_simultaneous_submissions_for_one_person_cannot_both_succeed(campaign_2022):

    from applications.programme.demo import ensure_demo_campaign

    campaign = ensure_demo_campaign(campaign_2022)
    outcomes = at_once(lambda: _submit(campaign), lambda: _submit(campaign), expected=SubmissionError)
    assert sum(not isinstance(outcome, SubmissionError) for outcome in outcomes) == 1
    assert Application.objects.filter(campaign=campaign, state="submitted").count() == 1


def test_guidance_numbers_are_targets_not_caps(campaign):
    campaign.quotas.filter(unit__name="西湖区总工会").update(guidance_number=0)
    assert _submit(campaign).application.unit.name == "西湖区总工会"


def test_a_higher_level_online_does_not_replace_an_application_to_another_unit(campaign):
    from applications.models import ReviewUnit

    first = _submit(campaign, level="senior_worker").application
    with pytest.raises(SubmissionError, match="联系市总工会职工服务中心"):
        submit(
            campaign,
            _applicant(campaign, level="technician", unit=ReviewUnit.objects.get(name="拱墅区总工会")),
            {},
        )
    first.refresh_from_db()
    assert first.state == ApplicationState.SUBMITTED


def test_the_unit_channel_never_replaces(campaign, editor):
    first = _submit(campaign, level="senior_worker").application
    with pytest.raises(SubmissionError) as refused:
        submit(campaign, _applicant(campaign, level="senior_technician"), {}, channel=Channel.UNIT, actor=editor)
    assert refused.value.message == UNIT_DUPLICATE and refused.value.field == "id_number"
    first.refresh_from_db()
    assert first.state == ApplicationState.SUBMITTED


def test_the_service_centers_replacement_names_the_application_it_replaces(campaign, service_center):
    first = _submit(campaign, level="senior_worker").application
    with pytest.raises(SubmissionError, match="已不是"):
        submit(
            campaign,
            _applicant(campaign, level="senior_technician"),
            {},
            channel=Channel.UNIT,
            actor=service_center,
            replace=Replacement("HZ2022999999", "理由"),
        )
    with pytest.raises(SubmissionError, match="理由"):
        submit(
            campaign,
            _applicant(campaign, level="senior_technician"),
            {},
            channel=Channel.UNIT,
            actor=service_center,
            replace=Replacement(first.reference, "  "),
        )
    first.refresh_from_db()
    assert first.state == ApplicationState.SUBMITTED
    second = submit(
        campaign,
        _applicant(campaign, level="senior_technician"),
        {},
        channel=Channel.UNIT,
        actor=service_center,
        replace=Replacement(first.reference, " 持新证书来中心办理 "),
    )
    first.refresh_from_db()
    assert (first.state, second.replaced, second.application.state) == (
        ApplicationState.WITHDRAWN,
        first,
        ApplicationState.SUBMITTED,
    )
    assert second.application.events.get().opinion.endswith("理由：持新证书来中心办理")
