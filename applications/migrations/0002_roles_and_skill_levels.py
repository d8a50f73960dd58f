"""Reference data every installation needs: the staff role groups and the national skill scale."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from applications.roles import sync_roles

SKILL_LEVELS = [
    # code, name, national grade, rank (higher is more senior)
    ("junior_worker", "初级工", "五级", 1),
    ("intermediate_worker", "中级工", "四级", 2),
    ("senior_worker", "高级工", "三级", 3),
    ("technician", "技师", "二级", 4),
    ("senior_technician", "高级技师", "一级", 5),
    ("special_technician", "特级技师", "", 6),
    ("chief_technician", "首席技师", "", 7),
]


def add_skill_levels(apps, schema_editor):
    SkillLevel = apps.get_model("applications", "SkillLevel")
    for code, name, grade, rank in SKILL_LEVELS:
        SkillLevel.objects.get_or_create(code=code, defaults={"name": name, "national_grade": grade, "rank": rank})


def add_roles(apps, schema_editor):
    # Permissions are normally created after all migrations have run; make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
    ]

    operations = [
        migrations.RunPython(add_skill_levels, migrations.RunPython.noop),
        migrations.RunPython(add_roles, migrations.RunPython.noop),
    ]
