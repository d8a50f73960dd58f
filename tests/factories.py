"""factory_boy factories for the models tests make on their own."""

import datetime

import factory
from django.contrib.auth import get_user_model

from applications.constants import UnitKind
from applications.models import Campaign, Quota, ReviewUnit
from applications.models.campaign import end_of_day


class ReviewUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewUnit

    name = factory.Sequence(lambda n: f"测试区总工会{n}")
    kind = UnitKind.DISTRICT
    sort_order = factory.Sequence(lambda n: 100 + n)


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    year = factory.Sequence(lambda n: 2040 + n)
    name = factory.LazyAttribute(lambda o: f"{o.year}年度杭州市职工高技能人才奖励")
    window_start = factory.LazyAttribute(lambda o: datetime.date(o.year - 1, 12, 1))
    window_end = factory.LazyAttribute(lambda o: datetime.date(o.year, 11, 30))
    carry_over_start = factory.LazyAttribute(lambda o: datetime.date(o.year - 2, 12, 1))
    carry_over_end = factory.LazyAttribute(lambda o: datetime.date(o.year - 1, 11, 30))
    deadline = factory.LazyAttribute(lambda o: end_of_day(datetime.date(o.year, 12, 15)))
    is_open = True


class QuotaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quota

    campaign = factory.SubFactory(CampaignFactory)
    unit = factory.SubFactory(ReviewUnitFactory)
    guidance_number = 100


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw-for-tests")
