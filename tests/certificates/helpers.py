"""Test data for certificates: register entries matching (or not) an application."""

import datetime

from applications.certificates.register import RegisteredCertificate
from applications.core.crypto import keyed_hash
from applications.models import Certificate

HR = "杭州市人力资源和社会保障局"


def register_certificate(application, **changes):
    """A register entry for `application`'s certificate, equal to it except for `changes`."""
    values = {
        "number": application.certificate_number.upper(),
        "name": application.name,
        "id_number": application.id_number,
        "occupation": application.occupation,
        "level": application.new_level.name,
        "issued_on": application.certificate_issued_on,
        "issuer": application.certificate_issuer or HR,
    }
    values |= changes
    return Certificate.objects.create(**values)


def registered(application, **changes):
    """A RegisteredCertificate (what a backend answers) equal to `application` except for `changes`."""
    values = {
        "number": application.certificate_number,
        "name": application.name,
        "id_hash": keyed_hash(application.id_number),
        "occupation": application.occupation,
        "level": application.new_level.name,
        "issued_on": application.certificate_issued_on,
        "issuer": application.certificate_issuer or HR,
    }
    values |= changes
    return RegisteredCertificate(**values)


def a_day_later(day: datetime.date) -> datetime.date:
    return day + datetime.timedelta(days=1)
