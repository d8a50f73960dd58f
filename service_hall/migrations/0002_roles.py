"""Who answers questions (unit reviewers their unit's, the economic work department policy, the city service
center all), who rectifies bad ratings (the handling unit) and who excludes ratings (the city service center)."""

from django.db import migrations

from applications.programme.roles import create_all_permissions, sync_roles

GRANTED = {
    "unit_reviewer": ["service_hall.answer_question", "service_hall.rectify_rating"],
    "city_service_center": [
        "service_hall.answer_question",
        "service_hall.answer_all_questions",
        "service_hall.view_all_ratings",
        "service_hall.exclude_rating",
    ],
    "economic_dept": ["service_hall.answer_policy_questions", "service_hall.view_all_ratings"],
}


def apply(apps, schema_editor):
    create_all_permissions(apps)
    sync_roles(apps, GRANTED)


class Migration(migrations.Migration):
    dependencies = [
        ("service_hall", "0001_initial"),
        ("applications", "0013_separation_of_duties"),
    ]

    operations = [
        migrations.RunPython(apply, migrations.RunPython.noop),
    ]
