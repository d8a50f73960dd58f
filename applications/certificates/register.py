"""The certificate register (证书库): looking a certificate up by its number.

The portal asks a `CertificateRegister` for the certificate with a number. The local one reads the
`Certificate` table, filled by `import_certificates` (`applications.certificates.imports`); a real HR
data service can replace it through `settings.CERTIFICATE_REGISTER` (a dotted path), as
`MEMBER_DIRECTORY` does for members.
"""

import datetime
from abc import ABC, abstractmethod
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

from applications.models import Certificate

DEFAULT = "applications.certificates.register.LocalCertificateRegister"


class RegisterUnavailable(Exception):
    """The register cannot answer now (a remote service down, say): the check stays 未核验."""


@dataclass(frozen=True)
class RegisteredCertificate:
    """What the register says about one certificate; the ID number only as its keyed hash."""

    number: str
    name: str
    id_hash: str
    occupation: str
    level: str
    issued_on: datetime.date
    issuer: str


def normalise_number(number: str) -> str:
    """A certificate number as stored and looked up: no spaces, upper case."""
    return "".join((number or "").split()).upper()


class CertificateRegister(ABC):
    """Answers what the issuing authority recorded under a certificate number."""

    @abstractmethod
    def find(self, number: str) -> RegisteredCertificate | None:
        """The certificate with this number, else None; raises RegisterUnavailable when it cannot tell."""

    def find_many(self, numbers) -> dict[str, RegisteredCertificate]:
        """{normalised number: certificate} for those of `numbers` the register holds."""
        found = {}
        for number in {normalise_number(number) for number in numbers}:
            certificate = self.find(number)
            if certificate is not None:
                found[number] = certificate
        return found


def _registered(certificate):
    return RegisteredCertificate(
        number=certificate.number,
        name=certificate.name,
        id_hash=certificate.id_hash,
        occupation=certificate.occupation,
        level=certificate.level,
        issued_on=certificate.issued_on,
        issuer=certificate.issuer,
    )


class LocalCertificateRegister(CertificateRegister):
    """The register kept in the portal's own `Certificate` table (see `import_certificates`)."""

    def find(self, number):
        number = normalise_number(number)
        certificate = Certificate.objects.filter(number=number).first() if number else None
        return _registered(certificate) if certificate else None

    def find_many(self, numbers, batch_size=500):
        keys = sorted({normalise_number(number) for number in numbers} - {""})
        found = {}
        for start in range(0, len(keys), batch_size):
            for certificate in Certificate.objects.filter(number__in=keys[start : start + batch_size]):
                found[certificate.number] = _registered(certificate)
        return found


def get_certificate_register() -> CertificateRegister:
    """The register named by `settings.CERTIFICATE_REGISTER`, by default the local one."""
    return import_string(getattr(settings, "CERTIFICATE_REGISTER", None) or DEFAULT)()
