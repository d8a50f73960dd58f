"""Records of changes to the rules that decide money (`CampaignChange`).

A campaign's own fields (name, open flag, deadline, windows, carry-over window, demo flag, the
campaign it is based on), its reward levels and amounts, its quotas, and its recognised certificate
issuers (one entry each: added shows "— → name", removed "name → —"). A caller takes a
`snapshot` before it writes and calls `record` with it after, in the same transaction; this module
takes values (a user, a label, a source), never a request.
"""

import datetime

from django.utils import timezone

from applications.models import Campaign, CampaignChange

FIELDS = (
    "year",
    "name",
    "is_open",
    "deadline",
    "window_start",
    "window_end",
    "carry_over_start",
    "carry_over_end",
    "is_demo",
    "based_on",
)
ADMIN_SOURCE = "管理后台"
ROLLOVER_SOURCE = "准备下一年度"
EMPTY = "—"


def _text(value) -> str:
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.datetime):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M:%S}"
    if isinstance(value, Campaign):
        return f"{value.year} {value.name}"
    return str(value)


def snapshot(campaign: Campaign | None) -> dict[str, tuple[str, str]]:
    """Every recorded value of `campaign` as stored now: {key: (label, text)}; empty for None.

    Reward levels and quotas are read from the database, so take it before saving and again after.
    """
    if campaign is None or campaign.pk is None:
        return {}
    values = {}
    for name in FIELDS:
        field = Campaign._meta.get_field(name)
        values[name] = (str(field.verbose_name), _text(getattr(campaign, name)))
    for reward in campaign.reward_levels.select_related("level").order_by("level__rank"):
        values[f"reward_level:{reward.level.code}"] = (f"奖励金额：{reward.level.name}", f"{reward.amount}元")
    for quota in campaign.quotas.select_related("unit").order_by("unit__sort_order", "unit__name"):
        values[f"quota:{quota.unit.name}"] = (f"指导数：{quota.unit.name}", str(quota.guidance_number))
    for issuer in campaign.recognised_issuers.order_by("issuer_type", "name"):
        label = issuer.get_issuer_type_display()
        values[f"issuer:{issuer.issuer_type}:{issuer.name}"] = (f"认可的发证机构：{label}", issuer.name)
    return values


def differences(before: dict, after: dict) -> list[dict]:
    """What changed, field by field: [{"field", "label", "before", "after"}], in reading order."""
    keys = list(before) + [key for key in after if key not in before]
    return [
        {
            "field": key,
            "label": (after.get(key) or before.get(key))[0],
            "before": before.get(key, ("", EMPTY))[1],
            "after": after.get(key, ("", EMPTY))[1],
        }
        for key in keys
        if before.get(key, ("", EMPTY))[1] != after.get(key, ("", EMPTY))[1]
    ]


def record(campaign: Campaign, before: dict, *, user=None, actor_label="", source=ADMIN_SOURCE):
    """Record how `campaign` differs from `before` (a `snapshot`) now; None when nothing changed."""
    changes = differences(before, snapshot(Campaign.objects.get(pk=campaign.pk)))
    if not changes:
        return None
    label = actor_label or (user.get_username() if user is not None else "") or "系统"
    return CampaignChange.objects.create(
        campaign=campaign, changes=changes, user=user, actor_label=label[:150], source=source[:40]
    )


def recent(campaign: Campaign, limit=20):
    """The latest changes of `campaign`, newest first."""
    return list(campaign.changes.select_related("user")[:limit])
