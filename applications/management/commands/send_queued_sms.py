"""python manage.py send_queued_sms: send the queued text messages that are due (e.g. every 5 minutes)."""

from django.core.management.base import BaseCommand

from applications.core.sms import send_queued


class Command(BaseCommand):
    help = "发送到期的待发送短信（任务丢失或短信网关故障后补发）。建议每5分钟运行一次。"

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500)

    def handle(self, *args, limit, **options):
        counts = send_queued(limit=limit)
        summary = "，".join(f"{status} {count}" for status, count in sorted(counts.items())) or "没有到期的短信"
        self.stdout.write(f"待发送短信：{summary}。")
