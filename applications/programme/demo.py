"""The 2022 campaign of notice 杭总工办〔2022〕12号 as data, and the demo campaign rolled forward from it."""

import datetime

from django.db import transaction
from django.utils import timezone

from applications.core.constants import UnitKind
from applications.models import Campaign, Quota, ReviewUnit, RewardLevel, SkillLevel
from applications.models.campaign import end_of_day

# Annex 1, in its order: (name, kind, guidance number).
UNITS_2022 = [
    ("工业工会", UnitKind.INDUSTRY, 450),
    ("旅贸工会", UnitKind.INDUSTRY, 400),
    ("建设工会", UnitKind.INDUSTRY, 450),
    ("经信工会", UnitKind.INDUSTRY, 100),
    ("金融工会", UnitKind.INDUSTRY, 10),
    ("宣文卫工会", UnitKind.INDUSTRY, 20),
    ("教育工会", UnitKind.INDUSTRY, 20),
    ("发改农林工会", UnitKind.INDUSTRY, 20),
    ("政法工会", UnitKind.INDUSTRY, 20),
    ("市级机关工会", UnitKind.INDUSTRY, 10),
    ("上城区总工会", UnitKind.DISTRICT, 600),
    ("拱墅区总工会", UnitKind.DISTRICT, 600),
    ("西湖区总工会", UnitKind.DISTRICT, 400),
    ("滨江区总工会", UnitKind.DISTRICT, 600),
    ("萧山区总工会", UnitKind.DISTRICT, 900),
    ("余杭区总工会", UnitKind.DISTRICT, 600),
    ("临平区总工会", UnitKind.DISTRICT, 400),
    ("钱塘区总工会", UnitKind.DISTRICT, 1000),
    ("富阳区总工会", UnitKind.DISTRICT, 500),
    ("临安区总工会", UnitKind.DISTRICT, 600),
    ("桐庐县总工会", UnitKind.DISTRICT, 100),
    ("淳安县总工会", UnitKind.DISTRICT, 100),
    ("建德市总工会", UnitKind.DISTRICT, 100),
]

REWARDS_2022 = [("senior_worker", 500), ("technician", 600), ("senior_technician", 800)]

CAMPAIGN_2022 = {
    "name": "2022年度杭州市职工高技能人才奖励",
    "window_start": datetime.date(2021, 12, 1),
    "window_end": datetime.date(2022, 11, 30),
    "carry_over_start": datetime.date(2020, 12, 1),
    "carry_over_end": datetime.date(2021, 11, 30),
    "deadline_day": datetime.date(2022, 12, 15),
}


def ensure_units():
    """The 23 review units of Annex 1; existing ones are left as editors made them."""
    units = {}
    for order, (name, kind, _number) in enumerate(UNITS_2022, start=1):
        units[name], _created = ReviewUnit.objects.get_or_create(
            name=name, defaults={"kind": kind, "sort_order": order}
        )
    return units


def _fill_campaign(campaign, units):
    levels = {level.code: level for level in SkillLevel.objects.all()}
    for order, (code, amount) in enumerate(REWARDS_2022):
        RewardLevel.objects.get_or_create(
            campaign=campaign, level=levels[code], defaults={"amount": amount, "sort_order": order}
        )
    for name, _kind, number in UNITS_2022:
        Quota.objects.get_or_create(campaign=campaign, unit=units[name], defaults={"guidance_number": number})


@transaction.atomic
def ensure_campaign_2022():
    """The 2022 campaign, closed as it is in reality; created once, never overwritten."""
    units = ensure_units()
    data = dict(CAMPAIGN_2022)
    deadline = end_of_day(data.pop("deadline_day"))
    campaign, _created = Campaign.objects.get_or_create(
        year=2022, defaults={**data, "deadline": deadline, "is_open": False}
    )
    _fill_campaign(campaign, units)
    return campaign


def demo_year(today=None):
    """The first year, from 2022 on, whose campaign deadline (15 December) has not passed today."""
    now = timezone.localtime(timezone.now()) if today is None else None
    today = today or now.date()
    deadline = CAMPAIGN_2022["deadline_day"]
    year = max(today.year, deadline.year)
    return year if today <= deadline.replace(year=year) else year + 1


@transaction.atomic
def ensure_demo_campaign(basis, today=None):
    """An open demo campaign with 2022's rules moved to `demo_year`, labelled 演示.

    Returns None when a real campaign already holds that year.
    """
    year = demo_year(today)
    shift = year - basis.year
    existing = Campaign.objects.filter(year=year).first()
    if existing and not existing.is_demo:
        return None
    if existing:
        return existing
    campaign = Campaign.objects.create(
        year=year,
        name=f"{year}年度杭州市职工高技能人才奖励",
        is_demo=True,
        based_on=basis,
        window_start=Campaign.shift_year(basis.window_start, shift),
        window_end=Campaign.shift_year(basis.window_end, shift),
        carry_over_start=Campaign.shift_year(basis.carry_over_start, shift),
        carry_over_end=Campaign.shift_year(basis.carry_over_end, shift),
        deadline=Campaign.shift_year(timezone.localtime(basis.deadline), shift),
        is_open=True,
    )
    _fill_campaign(campaign, ensure_units())
    return campaign


# Made-up members for trying the online application: valid check digits, not real people.
DEMO_MEMBERS = [
    ("张伟", "330106198805170012", "13900000001", "西湖区总工会", "杭州示例机械有限公司"),
    ("李娜", "330106199203040020", "13900000002", "上城区总工会", "杭州示例电子有限公司"),
    ("王强", "330106198511110030", "13900000003", "滨江区总工会", "杭州示例软件有限公司"),
]


def ensure_demo_members():
    """A few verified demo members (created once, by ID number); returns them."""
    from applications.core.crypto import keyed_hash
    from applications.members import changes as member_changes
    from applications.models import Member

    members = []
    for name, id_number, mobile, unit, employer in DEMO_MEMBERS:
        member = Member.objects.filter(id_hash=keyed_hash(id_number)).first()
        if member is None:
            member = Member.objects.create(
                name=name,
                id_number=id_number,
                mobile=mobile,
                unit=ReviewUnit.objects.get(name=unit),
                employer=employer,
                grassroots_union=f"{employer}工会",
            )
            member_changes.record_created(member, member_changes.command_line_actor("load_demo"))
        members.append(member)
    return members


# Made-up applicants of 西湖区总工会 in the demo campaign, and how far each has gone through review.
DEMO_APPLICANTS = [
    ("陈静", "female", "technician", "数控车工", ()),
    ("刘洋", "male", "senior_worker", "焊工", ()),
    ("赵敏", "female", "senior_technician", "电工", ("unit_approve",)),
    ("孙浩", "male", "technician", "钳工", ("unit_approve", "city_approve")),
    ("周婷", "female", "senior_worker", "育婴员", ("unit_approve", "city_approve")),
]
# Who issued each demo applicant's certificate (by position above), and what the register holds:
# 陈静, 孙浩 and 周婷 match, 刘洋's register entry has another issue date (不一致：发证日期, held out of
# bulk approval), 赵敏's certificate is not in the register (证书库中未找到).
DEMO_ENTERPRISE = "杭州示例精工有限公司"
DEMO_THIRD_PARTY = "杭州示例职业技能评价中心"
DEMO_ISSUERS = [
    ("hr", "杭州市人力资源和社会保障局"),
    ("enterprise", DEMO_ENTERPRISE),
    ("third_party", DEMO_THIRD_PARTY),
    ("hr", "西湖区人力资源和社会保障局"),
    ("enterprise", DEMO_ENTERPRISE),
]
DEMO_NOT_IN_REGISTER = 3
DEMO_REGISTER_DIFFERS = {2: datetime.timedelta(days=7)}  # applicant -> shift of the register's issue date


def _demo_copy(label):
    """A small PNG standing in for a scanned copy (the label in ASCII: the default font has no CJK)."""
    import io

    from PIL import Image, ImageDraw

    from applications.apply.copies import CleanUpload

    image = Image.new("RGB", (480, 300), "#e8eef5")
    draw = ImageDraw.Draw(image)
    draw.rectangle((10, 10, 469, 289), outline="#1f4e79", width=4)
    draw.text((30, 30), f"DEMO COPY: {label}", fill="#1f4e79")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return CleanUpload(out.getvalue(), "image/png", "png")


def _demo_id_number(n):
    from stdnum.cn import ric

    body = f"330106{datetime.date(1985, 3, 1) + datetime.timedelta(days=97 * n):%Y%m%d}{100 + n:03d}"
    return body + ric.calc_check_digit(body + "0")


def _demo_bank_card(n):
    from stdnum import luhn

    body = f"622202120200000{n:03d}"
    return body + luhn.calc_check_digit(body)


def ensure_demo_applications(campaign, reviewer, city):
    """Five applications to 西湖区总工会 in the demo campaign, some reviewed by the demo accounts,
    so a newcomer finds work in every review list; made once (by the first applicant's ID)."""
    from applications.apply.submission import Applicant, submit
    from applications.core.constants import AttachmentKind
    from applications.core.crypto import keyed_hash
    from applications.models import Application
    from applications.review.workflow import take

    ensure_demo_certificates(campaign)
    if Application.objects.filter(campaign=campaign, id_hash=keyed_hash(_demo_id_number(1))).exists():
        return []
    unit = ReviewUnit.objects.get(name="西湖区总工会")
    levels = {level.code: level for level in SkillLevel.objects.all()}
    copies = {kind: _demo_copy(kind.name) for kind in AttachmentKind}
    made = []
    for n, (name, gender, level, occupation, steps) in enumerate(DEMO_APPLICANTS, start=1):
        id_number = _demo_id_number(n)
        applicant = Applicant(
            unit=unit,
            name=name,
            gender=gender,
            birth_date=datetime.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14])),
            education="senior",
            occupation=occupation,
            previous_level=None,
            previous_level_obtained_on=None,
            new_level=levels[level],
            certificate_number=_demo_certificate_number(campaign, n),
            certificate_issued_on=_demo_issued_on(campaign, n),
            certificate_issuer_type=DEMO_ISSUERS[n - 1][0],
            certificate_issuer=DEMO_ISSUERS[n - 1][1],
            id_number=id_number,
            mobile=f"139000001{n:02d}",
            bank_card=_demo_bank_card(n),
            bank_branch="中国工商银行杭州西湖支行",
            employer="杭州示例精工有限公司",
            grassroots_union="杭州示例精工有限公司工会",
        )
        application = submit(campaign, applicant, copies).application
        for action, actor in zip(steps, (reviewer, city), strict=False):
            application = take(action, application, actor, "演示：材料齐全，符合条件。")
        made.append(application)
    return made


def _demo_certificate_number(campaign, n):
    return f"DEMO{campaign.year}{n:06d}"


def _demo_issued_on(campaign, n):
    return campaign.window_start + datetime.timedelta(days=30 * n)


def ensure_demo_certificates(campaign):
    """The demo campaign's recognised issuers and the register entries of its demo applicants (see
    DEMO_ISSUERS); created once, by name and by certificate number. Returns the certificates."""
    from applications.certificates import verification
    from applications.models import Certificate, RecognisedIssuer

    for order, (issuer_type, name) in enumerate((("enterprise", DEMO_ENTERPRISE), ("third_party", DEMO_THIRD_PARTY))):
        RecognisedIssuer.objects.get_or_create(
            campaign=campaign, issuer_type=issuer_type, name=name, defaults={"sort_order": order}
        )
    certificates = []
    for n, (name, _gender, level, occupation, _steps) in enumerate(DEMO_APPLICANTS, start=1):
        if n == DEMO_NOT_IN_REGISTER:
            continue
        issued_on = _demo_issued_on(campaign, n) + DEMO_REGISTER_DIFFERS.get(n, datetime.timedelta(0))
        certificate, _created = Certificate.objects.get_or_create(
            number=_demo_certificate_number(campaign, n),
            defaults={
                "name": name,
                "id_number": _demo_id_number(n),
                "occupation": occupation,
                "level": SkillLevel.objects.get(code=level).name,
                "issued_on": issued_on,
                "issuer": DEMO_ISSUERS[n - 1][1],
                "source": "load_demo",
            },
        )
        certificates.append(certificate)
    verification.refresh(verification.with_certificate_numbers(c.number for c in certificates))
    return certificates
