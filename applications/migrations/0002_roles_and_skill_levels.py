"""Reference data every installation needs: the staff role groups and the national skill scale."""

from django.db import migrations

from applications.programme.roles import create_all_permissions, sync_roles

# What this migration grants, frozen here; later migrations add to it.
_SETTINGS = ["campaign", "rewardlevel", "skilllevel", "reviewunit", "quota"]
_VIEW_SETTINGS = [f"applications.view_{model}" for model in _SETTINGS]
MODEL_PERMISSIONS = {
    "editor": [
        "wagtailadmin.access_admin",
        *[f"applications.{a}_{m}" for m in _SETTINGS for a in ("add", "change", "delete", "view")],
        "wagtailimages.add_image",
        "wagtailimages.change_image",
        "wagtailimages.choose_image",
        "wagtaildocs.add_document",
        "wagtaildocs.change_document",
        "wagtaildocs.choose_document",
    ],
    "unit_reviewer": ["wagtailadmin.access_admin"],
    "city_service_center": ["wagtailadmin.access_admin", *_VIEW_SETTINGS],
    "economic_dept": ["wagtailadmin.access_admin", *_VIEW_SETTINGS],
}
PAGE_PERMISSIONS = {"editor": ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]}
COLLECTION_PERMISSIONS = {
    "editor": [
        ("wagtailimages", "add_image"),
        ("wagtailimages", "change_image"),
        ("wagtailimages", "choose_image"),
        ("wagtaildocs", "add_document"),
        ("wagtaildocs", "change_document"),
        ("wagtaildocs", "choose_document"),
    ]
}

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
    create_all_permissions(apps)
    sync_roles(apps, MODEL_PERMISSIONS, PAGE_PERMISSIONS, COLLECTION_PERMISSIONS)


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
