from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffAuthConfig(AppConfig):
    name = "staff_auth"
    verbose_name = _("登录安全")

    def ready(self):
        from staff_auth import checks  # noqa: F401  (registers the deployment check)
