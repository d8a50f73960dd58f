"""python manage.py import_members FILE [--skip-invalid]"""

from django.core.management.base import BaseCommand, CommandError

from applications.management.import_report import stop_on_row_errors
from applications.members.imports import COLUMNS, MemberImportError, import_members


class Command(BaseCommand):
    help = (
        f"导入实名认证会员名单（.xlsx 或 .csv），列：{'、'.join(COLUMNS.values())}。"
        "按身份证号码新增或更新；有错误的行默认使整个文件不导入。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help=".xlsx 或 .csv 文件")
        parser.add_argument("--skip-invalid", action="store_true", help="跳过有错误的行，只导入正确的行")

    def handle(self, *args, file, skip_invalid, **options):
        try:
            report = import_members(file, skip_invalid=skip_invalid)
        except MemberImportError as error:
            raise CommandError(str(error)) from error
        stop_on_row_errors(self, report)
        self.stdout.write(
            self.style.SUCCESS(
                f"导入完成：新增 {report.created}，更新 {report.updated}，未变 {report.unchanged}，"
                f"跳过 {report.skipped}。"
            )
        )
