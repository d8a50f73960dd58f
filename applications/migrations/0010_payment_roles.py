from django.db import migrations

from applications.programme.roles import create_all_permissions, sync_roles

MODEL_PERMISSIONS = {
    "city_service_center": [
        "applications.add_paymentbatch",
        "applications.change_paymentbatch",
        "applications.view_paymentbatch",
        "applications.view_paymentitem",
        "applications.view_personaldataaccess",
    ],
    "economic_dept": ["applications.view_paymentbatch"],
}


def grant(apps, schema_editor):
    create_all_permissions(apps)
    sync_roles(apps, MODEL_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0009_payments_documents_access_log"),
    ]

    operations = [
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
