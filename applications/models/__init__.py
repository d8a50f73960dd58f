"""Models of the reward programme, one aggregate per module."""

from .campaign import Campaign, RewardLevel, SkillLevel
from .staff import StaffProfile
from .units import Quota, ReviewUnit

__all__ = ["Campaign", "Quota", "ReviewUnit", "RewardLevel", "SkillLevel", "StaffProfile"]
