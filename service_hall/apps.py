from django.apps import AppConfig


class ServiceHallConfig(AppConfig):
    name = "service_hall"
    verbose_name = "在线咨询与评价"
    default_auto_field = "django.db.models.BigAutoField"
