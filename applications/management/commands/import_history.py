"""python manage.py import_history FILE --year YEAR [--skip-invalid]"""

from django.core.management.base import BaseCommand, CommandError

from applications.management.import_report import stop_on_row_errors
from applications.members.changes import command_line_actor
from applications.programme.history_import import COLUMNS, HistoryImportError, import_history


class Command(BaseCommand):
    help = (
        f"导入往年申报人员名单（上年度记录，.xlsx 或 .csv），列：{'、'.join(COLUMNS.values())}。"
        "供补报核对“未申请过上年度奖励”；同一年度重新导入同名文件时替换该文件上次导入的记录；"
        "有错误的行默认使整个文件不导入。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help=".xlsx 或 .csv 文件")
        parser.add_argument("--year", required=True, help="名单所属年度，如 2021")
        parser.add_argument("--skip-invalid", action="store_true", help="跳过有错误的行，只导入正确的行")

    def handle(self, *args, file, year, skip_invalid, **options):
        actor = command_line_actor("import_history")
        try:
            report = import_history(file, year=year, skip_invalid=skip_invalid, actor_label=actor.actor_label)
        except HistoryImportError as error:
            raise CommandError(str(error)) from error
        stop_on_row_errors(self, report)
        replaced = f"，替换此文件上次导入的 {report.replaced} 条" if report.replaced else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"导入完成：{report.year}年度（来源 {report.source}）新增 {report.created}{replaced}，"
                f"跳过 {report.skipped}。"
            )
        )
