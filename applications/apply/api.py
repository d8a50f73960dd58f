"""The public JSON self-check: `/api/v1/campaigns/<year>/eligibility?level=<code>&issued=<YYYY-MM-DD>`."""

import datetime
import re

from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from applications.models import Campaign
from applications.programme import eligibility

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _json(data, status=200):
    return JsonResponse(
        data, status=status, json_dumps_params={"ensure_ascii": False}, content_type="application/json; charset=utf-8"
    )


def _error(message, field=None, status=400):
    return _json({"error": message} | ({"field": field} if field else {}), status=status)


def _parse_date(value):
    """A strict YYYY-MM-DD date, or None."""
    if not ISO_DATE.fullmatch(value):
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


@csrf_exempt  # read-only; lets a POST get its 405 instead of a CSRF 403
def campaign_eligibility(request, year):
    """Check a certificate (level and issue date) against one campaign's rules, whatever today's date."""
    if request.method not in ("GET", "HEAD"):
        response = _error("只支持GET请求。", status=405)
        response["Allow"] = "GET, HEAD"
        return response
    campaign = Campaign.objects.filter(year=year).first()
    if campaign is None:
        return _error(f"没有{year}年度的奖励活动。", status=404)
    rules = eligibility.rules_for(campaign)

    level_code = request.GET.get("level", "").strip()
    if not level_code:
        return _error("请提供技能等级代码（level），例如 technician。", "level")
    if rules.level(level_code) is None:
        codes = "、".join(level.code for level in rules.rewarded_levels)
        return _error(f"未知的技能等级代码“{level_code}”；{year}年度奖励的等级代码为：{codes}。", "level")
    issued_text = request.GET.get("issued", "").strip()
    if not issued_text:
        return _error("请提供证书发证时间（issued），格式为YYYY-MM-DD，例如 2022-03-01。", "issued")
    issued_on = _parse_date(issued_text)
    if issued_on is None:
        return _error(f"发证时间“{issued_text}”不是有效日期，格式应为YYYY-MM-DD，例如 2022-03-01。", "issued")

    now = timezone.now()
    decision = eligibility.check_certificate(rules, level_code, issued_on, today=timezone.localdate(now))
    return _json(
        {
            "eligible": decision.eligible,
            "amount": decision.amount,
            "window": decision.window,
            "reason": decision.reason,
            "open": eligibility.accepting(rules, now).open,
        }
    )
