"""Editors keep the member registry."""

from django.db import migrations

from applications.programme.roles import create_all_permissions, sync_roles

MODEL_PERMISSIONS = {"editor": [f"applications.{a}_member" for a in ("add", "change", "delete", "view")]}


def grant(apps, schema_editor):
    create_all_permissions(apps)
    sync_roles(apps, MODEL_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("applications", "0003_members_applications_messaging")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
