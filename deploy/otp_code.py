"""Print the current authenticator code of a demo account of the `make prod` stack: `deploy/otp_code.py xihu`.

Reads the keys deploy/prod.py kept in var/prod/otp.json. For trying the stack by hand and for the
load test; a real staff member reads the code from the authenticator app on their phone.
"""

import json
import sys
from pathlib import Path

from django_otp.oath import totp

OTP_FILE = Path(__file__).resolve().parents[1] / "var" / "prod" / "otp.json"


def code(username: str) -> str:
    """The six-digit code of `username`'s authenticator at this moment (30-second steps)."""
    key = json.loads(OTP_FILE.read_text())[username]["key"]
    return f"{totp(bytes.fromhex(key)):06d}"


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__.splitlines()[0])
    print(code(sys.argv[1]))
