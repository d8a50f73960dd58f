"""What the import commands (import_members, import_certificates, import_history) say about row errors."""

from django.core.management.base import CommandError


def stop_on_row_errors(command, report):
    """Print each row error; raise CommandError when they stopped the import (nothing was written)."""
    for error in report.errors:
        command.stdout.write(command.style.WARNING(str(error)))
    if report.stopped:
        raise CommandError(
            f"{report.skipped}行有错误（共{len(report.errors)}处），未导入任何数据。"
            "请改正后重新导入，或用 --skip-invalid 只导入正确的行。"
        )
