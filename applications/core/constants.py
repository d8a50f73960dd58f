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
    GRASSROOTS_UNION = "grassroots_union", _("基层工会")


class ApplicationState(models.TextChoices):
    SUBMITTED = "submitted", _("已提交，待审核单位预审")
    # A grassroots union's entry sent back by its review unit, for the grassroots union to correct and resubmit.
    RETURNED = "returned", _("退回基层工会修改")
    UNIT_APPROVED = "unit_approved", _("审核单位已通过，待市总工会审核")
    APPROVED = "approved", _("市总工会已审核通过，待发放")
    PAID = "paid", _("已发放")
    PAYMENT_FAILED = "payment_failed", _("发放失败，待更正银行卡信息")
    REJECTED = "rejected", _("未通过")
    WITHDRAWN = "withdrawn", _("已撤回")


# An application in one of these states blocks another one for the same person and campaign.
LIVE_STATES = (
    ApplicationState.SUBMITTED,
    ApplicationState.RETURNED,
    ApplicationState.UNIT_APPROVED,
    ApplicationState.APPROVED,
    ApplicationState.PAID,
    ApplicationState.PAYMENT_FAILED,
)


class Channel(models.TextChoices):
    INDIVIDUAL = "individual", _("个人网上申报")
    UNIT = "unit", _("单位统一申报")


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class AttachmentKind(models.TextChoices):
    ID_FRONT = "id_front", _("身份证正面")
    ID_BACK = "id_back", _("身份证反面")
    CERTIFICATE = "certificate", _("等级证书")
    BANK_CARD = "bank_card", _("银行卡")
