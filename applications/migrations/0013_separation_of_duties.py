"""Separation of duties: editors lose the member registry and the money rules; the city service
center keeps the registry and approves batches; the economic work department sets the rules."""

from django.db import migrations

from applications.programme.roles import create_all_permissions, revoke_roles, sync_roles

_SETTINGS_MODELS = ["campaign", "rewardlevel", "skilllevel", "reviewunit", "quota"]

GRANTED = {
    "city_service_center": [
        "applications.view_campaignchange",
        "applications.approve_paymentbatch",
        "applications.manage_members",
        "applications.add_member",
        "applications.change_member",
        "applications.delete_member",
        "applications.view_member",
        "applications.view_memberchange",
    ],
    "economic_dept": [
        "applications.view_campaignchange",
        *[
            f"applications.{action}_{model}"
            for model in _SETTINGS_MODELS
            for action in ("add", "change", "delete")
            if (action, model) != ("delete", "campaign")
        ],
    ],
}

REVOKED = {
    "editor": [
        *[f"applications.{action}_member" for action in ("add", "change", "delete", "view")],
        *[f"applications.{action}_{model}" for model in _SETTINGS_MODELS for action in ("add", "change", "delete")],
    ],
}


def apply(apps, schema_editor):
    create_all_permissions(apps)
    sync_roles(apps, GRANTED)
    revoke_roles(apps, REVOKED)


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0012_trust_records_throttles"),
    ]

    operations = [
        migrations.RunPython(apply, migrations.RunPython.noop),
    ]
