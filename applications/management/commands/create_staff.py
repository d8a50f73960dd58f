"""python manage.py create_staff USERNAME --role ROLE [--unit UNIT] [--grassroots NAME] [--password P] [--otp]

Without --password the password is asked for twice at the terminal. A new account's password must
pass the site's password rules (Django's validators); an existing account keeps its password.
"""

import getpass

from django.core.management.base import BaseCommand, CommandError

from applications.core.constants import Role
from applications.programme.staff import StaffError, create_staff
from staff_auth.devices import DeviceError, confirmed_device, enrolment_text, issue_device, otp_required


class Command(BaseCommand):
    help = (
        "创建工作人员账号：editor, unit_reviewer（须 --unit）, city_service_center, economic_dept, "
        "grassroots_union（须 --unit 和 --grassroots）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--unit", help="审核单位名称，与附件1一致，如“西湖区总工会”")
        parser.add_argument(
            "--password",
            help="新账号的密码（用于脚本）；不填则提示输入两次。须至少8位，不能过于常见、全为数字或与用户名相近",
        )
        parser.add_argument("--grassroots", help="基层工会名称（仅 grassroots_union），如“杭州某某有限公司工会”")
        parser.add_argument("--email", default="")
        parser.add_argument("--otp", action="store_true", help="同时生成动态验证码密钥，供其添加到手机身份验证器")

    def handle(self, *args, username, role, unit, grassroots, password, email, otp, **options):
        if password is None:
            password = getpass.getpass("密码: ")
            if password != getpass.getpass("再次输入密码: "):
                raise CommandError("两次输入的密码不一致。")
        if not password:
            raise CommandError("密码不能为空。")
        try:
            user, created = create_staff(
                username, role, password=password, unit_name=unit, email=email, grassroots_name=grassroots
            )
        except StaffError as error:
            raise CommandError(str(error)) from error
        verb = "已创建" if created else "已更新（密码未改）"
        self.stdout.write(self.style.SUCCESS(f"{verb}账号 {user.username}：{Role(role).label}"))
        if otp:
            try:
                device = issue_device(user)
            except DeviceError as error:
                self.stdout.write(self.style.WARNING(f"未重新生成：{error}"))
            else:
                self.stdout.write(enrolment_text(device, with_qr=self.stdout.isatty()))
        elif otp_required() and confirmed_device(user) is None:
            self.stdout.write(self.style.WARNING(f"该账号尚未绑定动态验证码，登录前请运行 staff_otp {user.username}。"))
