"""证书库 in the admin: the city service center lists the certificate register (read-only)."""

from django.db import migrations

from applications.programme.roles import create_all_permissions, sync_roles

# Frozen copy of what this migration grants (applications/programme/roles.py holds the current whole).
GRANTED = {
    "city_service_center": ["applications.view_certificate"],
}


def grant(apps, schema_editor):
    create_all_permissions(apps)
    sync_roles(apps, GRANTED)


class Migration(migrations.Migration):
    dependencies = [("applications", "0019_search_trigram_indexes")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
