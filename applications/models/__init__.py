"""Models of the reward programme, one aggregate per module."""

from applications.models.application import Application, ApplicationEvent, Attachment, Education
from applications.models.audit import PersonalDataAccess
from applications.models.campaign import Campaign, CampaignChange, RewardLevel, SkillLevel
from applications.models.certificates import Certificate, CertificateCheck, IssuerType, RecognisedIssuer
from applications.models.documents import DocumentBundle
from applications.models.history import HistoryImport, PreviousApplicant
from applications.models.member import Member, MemberChange
from applications.models.messaging import OneTimeCode, SmsMessage
from applications.models.pages import ApplyPage, StatusPage
from applications.models.payments import BankCardCorrection, PaymentBatch, PaymentBatchEvent, PaymentItem
from applications.models.records import (
    Consent,
    ConsentText,
    PersonDataRequest,
    RetentionPolicy,
    RetentionRecord,
)
from applications.models.staff import StaffProfile
from applications.models.throttles import FailureCounter, RateCounter
from applications.models.units import GrassrootsUnion, Quota, ReviewUnit

__all__ = [
    "Application",
    "ApplicationEvent",
    "ApplyPage",
    "Attachment",
    "BankCardCorrection",
    "Campaign",
    "CampaignChange",
    "Certificate",
    "CertificateCheck",
    "Consent",
    "ConsentText",
    "DocumentBundle",
    "Education",
    "FailureCounter",
    "GrassrootsUnion",
    "HistoryImport",
    "IssuerType",
    "Member",
    "MemberChange",
    "OneTimeCode",
    "PaymentBatch",
    "PaymentBatchEvent",
    "PaymentItem",
    "PersonDataRequest",
    "PersonalDataAccess",
    "PreviousApplicant",
    "Quota",
    "RateCounter",
    "RecognisedIssuer",
    "RetentionPolicy",
    "RetentionRecord",
    "ReviewUnit",
    "RewardLevel",
    "SkillLevel",
    "SmsMessage",
    "StaffProfile",
    "StatusPage",
]
