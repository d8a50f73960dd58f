"""Members and staff for one load test run of the `make prod` stack (its database and keys).

* `--members N` new verified members of 西湖区总工会, imported with `manage.py import_members` from a
  CSV written to var/load/ (ID numbers and mobiles made up, valid, different in every run), listed in
  var/load/members.json for the locustfile: each simulated applicant is a different person.
* `--reviewers K` unit reviewers (lt-xihu-1…) and city service center accounts (lt-city-1…), each
  with an authenticator; their passwords and TOTP keys go to var/load/staff.json (mode 600).
"""

import argparse
import csv
import datetime
import json
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
LOAD_DIR = BASE_DIR / "var" / "load"
COUNTER = LOAD_DIR / "run-counter"
sys.path.insert(0, str(BASE_DIR / "deploy"))

import prod  # noqa: E402  (deploy/prod.py: the stack's environment)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文斌浩宇晨欣怡俊辉鹏飞"
PASSWORD = "Load-test-2026-pw"


def id_number(birth, seq):
    from stdnum.cn import ric

    body = f"330106{birth:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def next_run():
    LOAD_DIR.mkdir(parents=True, exist_ok=True)
    run = int(COUNTER.read_text()) + 1 if COUNTER.exists() else 1
    COUNTER.write_text(str(run))
    return run


def write_members(run, count):
    """A CSV of `count` members no earlier run used; returns their (name, id_number, mobile)."""
    members = []
    start = datetime.date(1965, 1, 1)
    for i in range(count):
        birth = start + datetime.timedelta(days=i * 7 + run % 7)
        name = SURNAMES[(run + i) % len(SURNAMES)] + GIVEN[i % len(GIVEN)] + GIVEN[(i // len(GIVEN) + run) % len(GIVEN)]
        members.append((name, id_number(birth, run % 1000), f"13{run % 100:02d}{i:07d}"))
    path = LOAD_DIR / f"members-{run}.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["姓名", "身份证号码", "手机号码", "所属工会", "工作单位", "基层工会"])
        for name, number, mobile in members:
            writer.writerow([name, number, mobile, "西湖区总工会", "杭州压测机械有限公司", "杭州压测机械有限公司工会"])
    return path, members


STAFF_SCRIPT = """
import json, sys
from applications.programme.staff import create_staff
from staff_auth.devices import issue_device
out = {"unit": [], "city": []}
for i in range(1, %(count)d + 1):
    for group, role, unit in (("unit", "unit_reviewer", "西湖区总工会"), ("city", "city_service_center", None)):
        username = f"lt-{'xihu' if group == 'unit' else 'city'}-{i}"
        user = create_staff(username, role, password=%(password)r, unit_name=unit)[0]
        out[group].append({"username": username, "password": %(password)r, "key": issue_device(user, reset=True).key})
print("STAFF" + json.dumps(out))
"""


def ensure_staff(env, count):
    script = STAFF_SCRIPT % {"count": count, "password": PASSWORD}
    result = subprocess.run(
        [prod.PYTHON, "manage.py", "shell", "-c", script], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )
    if result.returncode:
        raise SystemExit(result.stderr[-2000:])
    line = next(line for line in result.stdout.splitlines() if line.startswith("STAFF"))
    path = LOAD_DIR / "staff.json"
    path.touch(mode=0o600)
    path.write_text(line[len("STAFF") :])
    return json.loads(line[len("STAFF") :])


def prepare(members=400, reviewers=2):
    env = prod.environment()
    run = next_run()
    path, listed = write_members(run, members)
    subprocess.run(
        [prod.PYTHON, "manage.py", "import_members", str(path)], cwd=BASE_DIR, env=env, check=True, capture_output=True
    )
    (LOAD_DIR / "members.json").write_text(
        json.dumps([{"name": n, "id_number": i, "mobile": m} for n, i, m in listed], ensure_ascii=False)
    )
    staff = ensure_staff(env, reviewers)
    return {"run": run, "members": len(listed), "reviewers": len(staff["unit"])}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=400)
    parser.add_argument("--reviewers", type=int, default=2)
    args = parser.parse_args()
    print(prepare(args.members, args.reviewers))
