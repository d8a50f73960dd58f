"""Models of the reward programme, one aggregate per module."""

from .application import Application, ApplicationEvent, Attachment, Education
from .campaign import Campaign, RewardLevel, SkillLevel
from .member import Member
from .messaging import LookupFailure, OneTimeCode, SmsMessage
from .pages import ApplyPage, StatusPage
from .staff import StaffProfile
from .units import Quota, ReviewUnit

__all__ = [
    "Application",
    "ApplicationEvent",
    "ApplyPage",
    "Attachment",
    "Campaign",
    "Education",
    "LookupFailure",
    "Member",
    "OneTimeCode",
    "Quota",
    "ReviewUnit",
    "RewardLevel",
    "SkillLevel",
    "SmsMessage",
    "StaffProfile",
    "StatusPage",
]
