"""python manage.py load_demo: the 2022 notice, annexes, campaign, units, quotas, and a demo campaign."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from applications.core.constants import Role
from applications.programme.demo import (
    DEMO_MEMBERS,
    ensure_campaign_2022,
    ensure_demo_applications,
    ensure_demo_campaign,
    ensure_demo_members,
)
from applications.programme.demo_history import CARRY_OVER_REFUSED, HISTORY_FILE, ensure_demo_history
from applications.programme.staff import create_staff
from home.demo import ensure_pages
from home.page_cache import purge
from service_hall import demo as service_hall_demo

DEMO_ACCOUNTS = [
    # username, role, unit, password
    ("editor", Role.EDITOR, None, "Editor-2022-demo"),
    ("xihu", Role.UNIT_REVIEWER, "西湖区总工会", "Xihu-2022-demo"),
    ("service", Role.CITY_SERVICE_CENTER, None, "Service-2022-demo"),
    # A second service center account: batches and bank card corrections need a second person to approve.
    ("service2", Role.CITY_SERVICE_CENTER, None, "Service2-2022-demo"),
    ("economic", Role.ECONOMIC_DEPT, None, "Economic-2022-demo"),
    # A grassroots union under 西湖区总工会: enters paper forms for 西湖's pre-review (基层工会初审).
    ("jiceng", Role.GRASSROOTS_UNION, "西湖区总工会", "Jiceng-2022-demo"),
]
# The grassroots union of each grassroots account above.
DEMO_GRASSROOTS = {"jiceng": "杭州示例机械有限公司工会"}


class Command(BaseCommand):
    help = "载入演示内容（可重复运行）：2022年通知与附件、奖励活动、23个审核单位及指导数、演示活动与演示账号。"

    def add_arguments(self, parser):
        parser.add_argument("--with-accounts", action="store_true", help="非开发环境下也创建演示账号")
        parser.add_argument("--no-demo-campaign", action="store_true", help="不创建演示活动")

    def handle(self, *args, with_accounts, no_demo_campaign, **options):
        with transaction.atomic():
            campaign = ensure_campaign_2022()
            notice = ensure_pages(campaign)
            demo = None if no_demo_campaign else ensure_demo_campaign(campaign)
            service_hall_demo.ensure_questions()
            history = []
            accounts = settings.DEBUG or with_accounts
            if accounts:
                staff = {
                    username: create_staff(
                        username,
                        role,
                        password=password,
                        unit_name=unit,
                        grassroots_name=DEMO_GRASSROOTS.get(username),
                    )[0]
                    for username, role, unit, password in DEMO_ACCOUNTS
                }
                ensure_demo_members()
                history = ensure_demo_history(demo)
                if demo:
                    ensure_demo_applications(demo, staff["xihu"], staff["service"])
                    service_hall_demo.ensure_ratings(demo, staff["xihu"])
        purge()

        self.stdout.write(self.style.SUCCESS(f"已载入：{campaign.display_name}，通知 {notice.document_number}"))
        if demo:
            self.stdout.write(f"演示活动：{demo.display_name}，截止 {demo.deadline:%Y-%m-%d %H:%M}")
        elif not no_demo_campaign:
            self.stdout.write("未创建演示活动：该年度已有正式活动。")
        if history:
            years = "、".join(f"{year}年度" for year in history)
            self.stdout.write(f"上年度记录：{HISTORY_FILE.name}，已导入为{years}（admin：上年度记录）。")
        if accounts:
            self.stdout.write("演示账号（登录 /admin/）：")
            for username, role, unit, password in DEMO_ACCOUNTS:
                where = "（" + "，".join(filter(None, [unit, DEMO_GRASSROOTS.get(username)])) + "）" if unit else ""
                self.stdout.write(f"  {Role(role).label}{where}: {username} / {password}")
            self.stdout.write("演示会员（可在 /apply/ 网上申报；开发环境的短信验证码打印在运行网站的终端里）：")
            for name, id_number, _mobile, unit, _employer in DEMO_MEMBERS:
                self.stdout.write(f"  {name} {id_number}（{unit}）")
            self.stdout.write(
                f"  其中 {CARRY_OVER_REFUSED[0]} 在上年度记录中，"
                "以补报时间段内的证书申报会被拒绝（未申请过上年度奖励）。"
            )
            if demo:
                self.stdout.write("演示申报：西湖区总工会 5 份：2 份待预审、1 份待市总审核、2 份待发放。")
                self.stdout.write("证书核验：3 份一致，刘洋 不一致（发证日期，不能批量办理），赵敏 证书库中未找到。")
                self.stdout.write("另有 4 份已驳回并已评价（含 1 条已整改答复的差评），见 /evaluations/。")
