"""python manage.py import_certificates FILE [--skip-invalid]"""

from django.core.management.base import BaseCommand, CommandError

from applications.certificates.imports import COLUMNS, CertificateImportError, import_certificates
from applications.management.import_report import stop_on_row_errors
from applications.models import CertificateCheck


class Command(BaseCommand):
    help = (
        f"导入证书库（.xlsx 或 .csv），列：{'、'.join(COLUMNS.values())}。"
        "按证书编号新增或更新，并重新核验使用这些证书编号的申报；有错误的行默认使整个文件不导入。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help=".xlsx 或 .csv 文件")
        parser.add_argument("--skip-invalid", action="store_true", help="跳过有错误的行，只导入正确的行")

    def handle(self, *args, file, skip_invalid, **options):
        try:
            report = import_certificates(file, skip_invalid=skip_invalid)
        except CertificateImportError as error:
            raise CommandError(str(error)) from error
        stop_on_row_errors(self, report)
        self.stdout.write(
            self.style.SUCCESS(
                f"导入完成：新增 {report.created}，更新 {report.updated}，未变 {report.unchanged}，"
                f"跳过 {report.skipped}。"
            )
        )
        checked = "，".join(f"{CertificateCheck(key).label} {count}" for key, count in report.checks.items())
        self.stdout.write(f"重新核验相关申报：{checked}。")
