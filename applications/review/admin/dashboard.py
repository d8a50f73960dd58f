"""The quota progress dashboard (/admin/progress/) and its admin home panel.

Who sees what: a unit reviewer sees only their own unit; the city service center, the economic
work department and superusers see all units and the city total; anyone else sees nothing.
"""

from django.core.exceptions import PermissionDenied
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component

from applications.core.access import can_review_list, progress_scope
from applications.core.admin_pages import admin_page
from applications.models import Campaign
from applications.review.progress import city_totals, unit_progress

CHART_CAP = 150  # per cent: longer bars are cut here, their real value printed beside them
CHART_WIDTH = 640
CHART_LABEL_WIDTH = 120
CHART_BAR_AREA = 400
CHART_ROW_HEIGHT = 24
CHART_TOP = 24
PANEL_TOP_UNITS = 5


def scope_rows(scope, campaign):
    """The progress rows a scope covers: every unit, or its own."""
    return unit_progress(campaign) if scope.city_wide else unit_progress(campaign, units=[scope.unit])


def chart_bars(rows, cap=CHART_CAP):
    """Geometry of a horizontal bar chart, one bar per row, of the percentage of the guidance number."""
    scale = CHART_BAR_AREA / cap
    bars = []
    for index, row in enumerate(rows):
        percentage = row.percentage
        width = 0 if percentage is None else min(percentage, cap) * scale
        y = CHART_TOP + index * CHART_ROW_HEIGHT
        bars.append(
            {
                "row": row,
                "bar_y": y + 4,
                "text_y": y + CHART_ROW_HEIGHT / 2 + 4,
                "width": round(width, 1),
                "value_x": round(CHART_LABEL_WIDTH + width + 6, 1),
                "over_cap": percentage is not None and percentage > cap,
            }
        )
    return {
        "bars": bars,
        "cap": cap,
        "width": CHART_WIDTH,
        "height": CHART_TOP + len(rows) * CHART_ROW_HEIGHT + 8,
        "label_x": CHART_LABEL_WIDTH - 8,
        "bar_x": CHART_LABEL_WIDTH,
        "bar_height": CHART_ROW_HEIGHT - 8,
        "target_x": CHART_LABEL_WIDTH + 100 * scale,
        "cap_x": CHART_LABEL_WIDTH + CHART_BAR_AREA,
    }


def _chosen_campaign(request):
    return Campaign.objects.chosen_or_404(request.GET.get("campaign"))


def progress(request):
    """All units' (or the reviewer's own unit's) progress towards the guidance numbers."""
    scope = progress_scope(request.user)
    if scope is None:
        raise PermissionDenied
    campaign = _chosen_campaign(request)
    rows = scope_rows(scope, campaign) if campaign else []
    title = _("指导数完成情况")
    grassroots_counts = []
    if campaign and not scope.city_wide:
        from applications.unit_channel.grassroots import counts_per_grassroots

        grassroots_counts = counts_per_grassroots(scope.unit, campaign)
    return admin_page(
        request,
        "applications/review/dashboard.html",
        title,
        {
            "campaign": campaign,
            "campaigns": Campaign.objects.order_by("-year").only("year", "name", "is_demo"),
            "scope": scope,
            "rows": rows,
            "total": city_totals(rows) if scope.city_wide else None,
            "chart": chart_bars(rows),
            "cap": CHART_CAP,
            "can_review": can_review_list(request.user),
            "counts": grassroots_counts,
            "index_url": reverse("applications_application_modeladmin_index"),
        },
        icon="table",
    )


class ProgressPanel(Component):
    """The admin home panel: the user's own unit, or the city total and the leading units."""

    name = "quota_progress"
    order = 60
    template_name = "applications/review/dashboard_panel.html"

    def __init__(self, scope):
        self.scope = scope

    def get_context_data(self, parent_context):
        campaign = Campaign.objects.current()
        rows = scope_rows(self.scope, campaign) if campaign else []
        context = {"campaign": campaign, "scope": self.scope, "url": reverse("applications_progress")}
        request = parent_context.get("request")
        context["can_review"] = bool(request and can_review_list(request.user))
        if self.scope.city_wide:
            started = [row for row in rows if row.submitted and row.percentage is not None]
            leading = sorted(started, key=lambda row: row.percentage, reverse=True)
            context["summary"] = city_totals(rows)
            context["leading"] = leading[:PANEL_TOP_UNITS]
        else:
            context["summary"] = rows[0] if rows else None
        return context


def progress_url():
    return [path("progress/", progress, name="applications_progress")]


class ProgressMenuItem(MenuItem):
    def is_shown(self, request):
        return progress_scope(request.user) is not None


def progress_menu_item():
    return ProgressMenuItem(
        gettext_lazy("指导数完成情况"),
        reverse("applications_progress"),
        name="quota-progress",
        icon_name="table",
        order=150,
    )


def add_progress_panel(request, panels):
    scope = progress_scope(request.user)
    if scope is not None:
        panels.append(ProgressPanel(scope))
