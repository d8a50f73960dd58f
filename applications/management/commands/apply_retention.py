"""`manage.py apply_retention [--dry-run]`: deletes copies and anonymises personal data past each campaign's
retention periods (applications/records/retention.py), batch by batch, and prints what it did or would do.

Run it daily (the task worker's loop in deploy/prod.py does; on a server, cron: see the README)."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from applications.records import retention


class Command(BaseCommand):
    help = "按各奖励活动的保存期限删除材料、匿名化个人信息；--dry-run 只列出将要处理的内容。"

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="只统计、列出，不做任何修改。")
        parser.add_argument("--date", help="按这一天（YYYY-MM-DD，北京时间）计算，默认今天；用于核对。")
        parser.add_argument("--batch-size", type=int, default=retention.BATCH_SIZE)
        parser.add_argument("--step", action="append", dest="steps", help="只运行这一步（可多次给出）。")

    def handle(self, *args, dry_run=False, date=None, batch_size=retention.BATCH_SIZE, steps=None, **options):
        try:
            today = datetime.date.fromisoformat(date) if date else None
        except ValueError as error:
            raise CommandError(f"--date 应为 YYYY-MM-DD：{date}") from error
        if batch_size < 1:
            raise CommandError("--batch-size 应为正整数。")
        known = {step.name for step in retention.steps()}
        unknown = set(steps or ()) - known
        if unknown:
            raise CommandError(f"没有这些步骤：{'、'.join(sorted(unknown))}（可用：{'、'.join(sorted(known))}）")
        reports = retention.run(today=today, dry_run=dry_run, batch_size=batch_size, only=steps)
        verb = "将" if dry_run else "已"
        for report in reports:
            line = f"[{report.name}] {report.label}：{verb}处理 {report.count} 项"
            if report.examples:
                more = "等" if report.count > len(report.examples) else ""
                line += f"（{'、'.join(report.examples)}{more}）"
            self.stdout.write(line)
        if dry_run:
            self.stdout.write("试运行：没有做任何修改。")
