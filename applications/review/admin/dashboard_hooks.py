"""Admin hooks of the quota progress dashboard: its URL, its menu item and its home panel.

Imported by `wagtail_hooks.py` so that Wagtail registers them.
"""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from applications.core.access import progress_scope
from applications.review.admin import dashboard as dashboard_views


@hooks.register("register_admin_urls")
def register_progress_url():
    return [path("progress/", dashboard_views.progress, name="applications_progress")]


class ProgressMenuItem(MenuItem):
    def is_shown(self, request):
        return progress_scope(request.user) is not None


@hooks.register("register_admin_menu_item")
def register_progress_menu_item():
    return ProgressMenuItem(
        _("指导数完成情况"), reverse("applications_progress"), name="quota-progress", icon_name="table", order=150
    )


@hooks.register("construct_homepage_panels")
def add_progress_panel(request, panels):
    scope = progress_scope(request.user)
    if scope is not None:
        panels.append(dashboard_views.ProgressPanel(scope))
