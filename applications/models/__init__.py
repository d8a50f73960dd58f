"""Models of the reward programme, one aggregate per module."""

from .application import Application, ApplicationEvent, Attachment, Education
from .audit import PersonalDataAccess
from .campaign import Campaign, RewardLevel, SkillLevel
from .documents import DocumentBundle
from .member import Member
from .messaging import LookupFailure, OneTimeCode, SmsMessage
from .pages import ApplyPage, StatusPage
from .payments import PaymentBatch, PaymentItem
from .staff import StaffProfile
from .units import Quota, ReviewUnit

__all__ = [
    "Application",
    "ApplicationEvent",
    "ApplyPage",
    "Attachment",
    "Campaign",
    "DocumentBundle",
    "Education",
    "LookupFailure",
    "Member",
    "OneTimeCode",
    "PaymentBatch",
    "PaymentItem",
    "PersonalDataAccess",
    "Quota",
    "ReviewUnit",
    "RewardLevel",
    "SkillLevel",
    "SmsMessage",
    "StaffProfile",
    "StatusPage",
]
