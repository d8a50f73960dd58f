from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = _("奖励申报")

    def ready(self):
        from applications import checks  # noqa: F401  (registers the system checks: PDF font, stylesheet, pdfunite)
