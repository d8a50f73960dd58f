"""Backups of the `make prod` stack: `make backup` and `make restore-drill` (or `.venv/bin/python deploy/backup.py`).

    deploy/backup.py backup [--output DIR]     var/backups/hz-backup-<UTC time>.hzbak (manage.py backup)
    deploy/backup.py drill [--archive FILE]    manage.py restore_drill: the newest backup (or a new one)
                                               restored into hz_prod_drill and a new folder, then checked

The stack's settings come from deploy/prod.py (database hz_prod, keys in var/prod.env, the private
files, or PRIVATE_STORAGE_URL when set). The backup key is BACKUP_KEY from the environment, else
var/backup.key, generated on first use (mode 600). Keep a copy of that key, and of var/prod.env,
somewhere other than this machine and other than where the backups go: a backup without its key
cannot be opened, and one with its key next to it is not encrypted against whoever takes both.
"""

import argparse
import os
import secrets
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import prod

KEY_FILE = prod.VAR / "backup.key"
BACKUPS = prod.VAR / "backups"


def backup_env():
    env = prod.environment()
    if not env.get("BACKUP_KEY"):
        if not KEY_FILE.exists():
            prod.VAR.mkdir(exist_ok=True)
            KEY_FILE.touch(mode=0o600)
            KEY_FILE.write_text(secrets.token_urlsafe(48) + "\n")
            print(f"[backup] generated the backup key into {KEY_FILE}: copy it off this machine")
        env["BACKUP_KEY"] = KEY_FILE.read_text().strip()
    return env


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["backup", "drill"])
    parser.add_argument("--output", default=str(BACKUPS) + os.sep)
    parser.add_argument("--archive", help="drill this backup (default: the newest in var/backups/, else a new one)")
    args = parser.parse_args()
    env = backup_env()
    if args.action == "backup":
        command = ["backup", "--output", args.output]
    else:
        archive = args.archive or max(BACKUPS.glob("hz-backup-*.hzbak"), default=None, key=os.path.getmtime)
        command = ["restore_drill", *(["--archive", str(archive)] if archive else [])]
        print(f"[backup] drilling {archive or 'a new backup'}")
    return subprocess.run([prod.PYTHON, "manage.py", *command], cwd=prod.BASE_DIR, env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
