"""What every admin screen of the portal shares: its title and breadcrumbs, the 403 page, read-only lists.

`admin_page` renders a screen with Wagtail's header and breadcrumbs (home, the parents given, the
title); `forbidden` is the 403 page saying whose work a screen is.
"""

from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail_modeladmin.helpers import PermissionHelper
from wagtail_modeladmin.views import IndexView


def admin_page(request, template, title, context=None, *, icon=None, parents=()):
    """An admin screen: `template` with `title` as its header and breadcrumbs home → `parents` → title.

    `parents` are (url, label) pairs; `context` holds the screen's own values.
    """
    crumbs = [{"url": reverse("wagtailadmin_home"), "label": _("首页")}]
    crumbs += [{"url": url, "label": label} for url, label in parents]
    crumbs.append({"url": "", "label": title})
    return TemplateResponse(
        request,
        template,
        {"header_title": title, "header_icon": icon, "breadcrumbs_items": crumbs, **(context or {})},
    )


def forbidden(request):
    """A 403 page saying whose work the screen is (Wagtail would redirect to the dashboard instead)."""
    return TemplateResponse(request, "applications/core/forbidden.html", status=403)


class RefusedWith403:
    """For wagtail-modeladmin views: a user without the permission gets a 403, not a redirect."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not self.check_action_permitted(request.user):
            return forbidden(request)
        return super().dispatch(request, *args, **kwargs)


class IndexRefusedWith403(RefusedWith403, IndexView):
    """A wagtail-modeladmin list that answers 403 to a user who may not list (`user_can_list`)."""

    def check_action_permitted(self, user):
        return self.permission_helper.user_can_list(user)


class ReadOnlyPermissionHelper(PermissionHelper):
    """Lists and inspects; nobody adds, edits or deletes (records of what happened)."""

    def user_can_create(self, user):
        return False

    def user_can_edit_obj(self, user, obj):
        return False

    def user_can_delete_obj(self, user, obj):
        return False


def changes_text(changes, limit=8):
    """A record's changes on one line: "手机号码：139****0001 → 138****0002；…" (values as recorded, masked)."""
    parts = [f"{change['label']}：{change['before'] or '—'} → {change['after'] or '—'}" for change in changes[:limit]]
    if len(changes) > limit:
        parts.append(f"等共{len(changes)}项")
    return "；".join(parts)
