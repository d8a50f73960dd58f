"""factory_boy factories for the models tests make on their own."""

import datetime

import factory
from django.contrib.auth import get_user_model

from applications.core.constants import UnitKind
from applications.models import Campaign, Member, Quota, ReviewUnit
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


def make_id_number(birth_date=datetime.date(1990, 1, 1), seq=1, area="330106"):
    """A made-up but valid 18-character ID number: area code, birth date, sequence and check digit.

    Not a real person's number; the check digit is computed as python-stdnum does.
    """
    from stdnum.cn import ric

    body = f"{area}{birth_date:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def make_mobile(n):
    return f"139{n:08d}"


class MemberFactory(factory.django.DjangoModelFactory):
    """A verified member of 西湖区总工会 (one of the 23 units every test database has)."""

    class Meta:
        model = Member

    name = factory.Sequence(lambda n: f"会员{n}")
    id_number = factory.Sequence(
        lambda n: make_id_number(datetime.date(1985, 1, 1) + datetime.timedelta(days=n % 9000), seq=n % 1000)
    )
    mobile = factory.Sequence(make_mobile)
    unit = factory.LazyFunction(lambda: ReviewUnit.objects.get(name="西湖区总工会"))
    employer = factory.Sequence(lambda n: f"杭州测试机械有限公司{n}")
    grassroots_union = factory.LazyAttribute(lambda o: f"{o.employer}工会")
    is_verified = True


class CertificateFactory(factory.django.DjangoModelFactory):
    """A register entry (证书库) as `import_certificates` stores it: a technician's certificate from the city's HR."""

    class Meta:
        model = "applications.Certificate"

    number = factory.Sequence(lambda n: f"Z2022{n:08d}")
    name = factory.Sequence(lambda n: f"持证人{n}")
    id_number = factory.Sequence(
        lambda n: make_id_number(
            datetime.date(1982, 1, 1) + datetime.timedelta(days=n % 9000), seq=n % 1000, area="330104"
        )
    )
    occupation = "电工"
    level = "技师"
    issued_on = datetime.date(2022, 3, 1)
    issuer = "杭州市人力资源和社会保障局"
    source = "certificates.xlsx"


def _hash_query_password(password, id_number):
    from applications.apply.status import hash_query_password
    from applications.core.crypto import keyed_hash

    return hash_query_password(password, keyed_hash(id_number))


def _skill_level(code):
    from applications.models import SkillLevel

    return SkillLevel.objects.get(code=code)


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A valid individual-channel application (technician, 600 yuan) to 西湖区总工会, by default in a
    fresh campaign; its query password is `query_password`, stored only as a hash."""

    class Meta:
        model = "applications.Application"

    class Params:
        query_password = "K7MP3WQX"

    campaign = factory.SubFactory(CampaignFactory)
    reference = factory.Sequence(lambda n: f"T{n:09d}")
    channel = "individual"
    unit = factory.LazyFunction(lambda: ReviewUnit.objects.get(name="西湖区总工会"))
    name = factory.Sequence(lambda n: f"申请人{n}")
    gender = "male"
    education = "senior"
    occupation = "车工"
    new_level = factory.LazyFunction(lambda: _skill_level("technician"))
    certificate_number = factory.Sequence(lambda n: f"S{n:012d}")
    certificate_issued_on = factory.LazyAttribute(lambda o: o.campaign.window_start + datetime.timedelta(days=60))
    id_number = factory.Sequence(
        lambda n: make_id_number(
            datetime.date(1980, 1, 1) + datetime.timedelta(days=n % 9000), seq=n % 1000, area="330102"
        )
    )
    birth_date = factory.LazyAttribute(lambda o: datetime.datetime.strptime(o.id_number[6:14], "%Y%m%d").date())
    mobile = factory.Sequence(lambda n: f"138{n:08d}")
    bank_card = factory.Sequence(lambda n: f"6222021202{n:09d}")
    bank_branch = "中国工商银行杭州西湖支行"
    employer = factory.Sequence(lambda n: f"杭州测试精工有限公司{n}")
    grassroots_union = factory.LazyAttribute(lambda o: f"{o.employer}工会")
    amount = 600
    window = "current"
    query_password_hash = factory.LazyAttribute(lambda o: _hash_query_password(o.query_password, o.id_number))


def register_member(name, id_number, **fields):
    """Make `name` with `id_number` a verified member (condition 一), unless the ID is invalid or already registered.

    Test data for the unit channel (paper entry, Annex 4) goes through this, as the online flow's does through
    MemberFactory: both channels refuse a person the member registry does not hold.
    """
    from django.core.exceptions import ValidationError

    from applications.core.crypto import keyed_hash
    from applications.core.identity import validate_id_number

    if not isinstance(name, str) or not name.strip() or not isinstance(id_number, str):
        return None
    try:
        id_number = validate_id_number(id_number)
    except ValidationError:
        return None
    existing = Member.objects.filter(id_hash=keyed_hash(id_number)).first()
    return existing or MemberFactory(name=name.strip(), id_number=id_number, **fields)
