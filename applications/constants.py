"""Fixed vocabularies of the reward programme."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    DISTRICT = "district", _("区、县(市)总工会")
    INDUSTRY = "industry", _("产业工会")


class Role(models.TextChoices):
    """Staff roles; each is a Wagtail group made by a migration."""

    EDITOR = "editor", _("网站编辑")
    UNIT_REVIEWER = "unit_reviewer", _("区县市(产业)工会审核员")
    CITY_SERVICE_CENTER = "city_service_center", _("市总工会职工服务中心")
    ECONOMIC_DEPT = "economic_dept", _("市总工会经济工作部")
