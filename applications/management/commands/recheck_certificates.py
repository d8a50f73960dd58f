"""python manage.py recheck_certificates: recompute 证书核验 of every live application."""

from django.core.management.base import BaseCommand, CommandError

from applications.certificates import verification
from applications.certificates.register import RegisterUnavailable
from applications.core.constants import LIVE_STATES
from applications.models import Application, CertificateCheck


class Command(BaseCommand):
    help = "按证书库（CERTIFICATE_REGISTER）重新核验所有在办申报的证书，更新列表筛选和统计所用的核验结果。"

    def handle(self, *args, **options):
        try:
            counts = verification.refresh(Application.objects.filter(state__in=LIVE_STATES))
        except RegisterUnavailable as error:
            raise CommandError(f"证书库暂时无法访问：{error}") from error
        self.stdout.write(
            self.style.SUCCESS("，".join(f"{CertificateCheck(key).label} {count}" for key, count in counts.items()))
        )
