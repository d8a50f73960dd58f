"""Preparing next year's campaign from this year's, in one action."""

from django.db import transaction
from django.utils import timezone

from applications.models import Campaign, Quota, RecognisedIssuer, RewardLevel
from applications.programme import campaign_history


class RolloverError(ValueError):
    """The next campaign cannot be prepared (it exists already, say)."""


def _next_year_text(text, year):
    return text.replace(str(year), str(year + 1))


@transaction.atomic
def prepare_next_campaign(campaign, user=None):
    """Copy `campaign` to the next year, closed, and its notice and annexes as drafts.

    Dates move by one year; levels, amounts, quotas and recognised issuers are copied as they are, and recorded as the
    new campaign's first change (source "准备下一年度"). Nothing of `campaign` or its pages changes.
    Returns the new campaign.
    """
    from notices.models import NoticePage

    year = campaign.year + 1
    if Campaign.objects.filter(year=year).exists():
        raise RolloverError(f"{year}年度的奖励活动已经存在。")

    shift = Campaign.shift_year
    new = Campaign.objects.create(
        year=year,
        name=_next_year_text(campaign.name, campaign.year),
        is_demo=campaign.is_demo,
        based_on=campaign.based_on if campaign.is_demo else None,
        window_start=shift(campaign.window_start),
        window_end=shift(campaign.window_end),
        carry_over_start=shift(campaign.carry_over_start),
        carry_over_end=shift(campaign.carry_over_end),
        deadline=shift(timezone.localtime(campaign.deadline)),
        is_open=False,
    )
    RewardLevel.objects.bulk_create(
        RewardLevel(campaign=new, level_id=level.level_id, amount=level.amount, sort_order=level.sort_order)
        for level in campaign.reward_levels.all()
    )
    Quota.objects.bulk_create(
        Quota(campaign=new, unit_id=quota.unit_id, guidance_number=quota.guidance_number)
        for quota in campaign.quotas.all()
    )
    RecognisedIssuer.objects.bulk_create(
        RecognisedIssuer(campaign=new, issuer_type=issuer.issuer_type, name=issuer.name, sort_order=issuer.sort_order)
        for issuer in campaign.recognised_issuers.all()
    )
    campaign_history.record(new, {}, user=user, source=campaign_history.ROLLOVER_SOURCE)

    notice = NoticePage.objects.filter(campaign=campaign).order_by("-live", "-first_published_at").first()
    if notice is not None:
        _copy_notice(notice, new, campaign.year, user)
    return new


def _copy_notice(notice, new_campaign, year, user):
    copy = notice.copy(
        recursive=True,
        to=notice.get_parent(),
        update_attrs={
            "title": _next_year_text(notice.title, year),
            "slug": str(year + 1),
            "campaign": new_campaign,
            "document_number": "",
            "signed_on": None,
            "printed_on": None,
        },
        copy_revisions=False,
        keep_live=False,
        user=user,
    )
    for child in copy.get_children().specific():
        child.title = _next_year_text(child.title, year)
        child.draft_title = child.title
        child.save(update_fields=["title", "draft_title"])
    return copy
