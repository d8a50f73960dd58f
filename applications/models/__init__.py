"""Models of the reward programme, one aggregate per module."""

from .application import Application, ApplicationEvent, Attachment, Education
from .audit import PersonalDataAccess
from .campaign import Campaign, CampaignChange, RewardLevel, SkillLevel
from .documents import DocumentBundle
from .member import Member, MemberChange
from .messaging import OneTimeCode, SmsMessage
from .pages import ApplyPage, StatusPage
from .payments import BankCardCorrection, PaymentBatch, PaymentBatchEvent, PaymentItem
from .staff import StaffProfile
from .throttles import FailureCounter, RateCounter
from .units import Quota, ReviewUnit

__all__ = [
    "Application",
    "ApplicationEvent",
    "ApplyPage",
    "Attachment",
    "BankCardCorrection",
    "Campaign",
    "CampaignChange",
    "DocumentBundle",
    "Education",
    "FailureCounter",
    "Member",
    "MemberChange",
    "OneTimeCode",
    "PaymentBatch",
    "PaymentBatchEvent",
    "PaymentItem",
    "PersonalDataAccess",
    "Quota",
    "RateCounter",
    "ReviewUnit",
    "RewardLevel",
    "SkillLevel",
    "SmsMessage",
    "StaffProfile",
    "StatusPage",
]
