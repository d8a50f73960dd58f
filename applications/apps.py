from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = _("奖励申报")

    def ready(self):
        # checks registers the PDF font check; Wagtail reads hooks only from wagtail_hooks.py, so the
        # modules that register admin URLs and a menu item of their own are imported here.
        from . import bundle_views, checks, pdf_views  # noqa: F401
