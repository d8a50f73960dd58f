"""python manage.py staff_otp USERNAME [--reset]: issue a staff member's authenticator."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from staff_auth.devices import DeviceError, enrolment_text, issue_device


class Command(BaseCommand):
    help = "为工作人员账号生成动态验证码（TOTP）密钥，显示一次，供其添加到手机身份验证器。"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--reset", action="store_true", help="作废已绑定的身份验证器并重新生成（如手机丢失）")

    def handle(self, *args, username, reset, **options):
        User = get_user_model()
        user = User._default_manager.filter(**{User.USERNAME_FIELD: username}).first()
        if user is None:
            raise CommandError(f"没有账号 {username}。")
        try:
            device = issue_device(user, reset=reset)
        except DeviceError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(enrolment_text(device, with_qr=self.stdout.isatty()))
        verb = "已重新生成" if reset else "已生成"
        self.stdout.write(self.style.SUCCESS(f"{verb}账号 {user.get_username()} 的动态验证码密钥。"))
