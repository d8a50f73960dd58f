"""Staff roles as Wagtail groups: which permissions each role holds, declared once.

`sync_roles` takes an app registry and the definitions, so that each data migration calls
it with the historical models and its own frozen copy of what it grants; it is idempotent
and only ever adds what is missing. The dicts here are the current, complete definitions:
a test checks that the migrations have granted all of them.
"""

from .constants import Role

GROUP_NAMES = {
    Role.EDITOR: "网站编辑",
    Role.UNIT_REVIEWER: "区县市(产业)工会审核员",
    Role.CITY_SERVICE_CENTER: "市总工会职工服务中心",
    Role.ECONOMIC_DEPT: "市总工会经济工作部",
}

_SETTINGS_MODELS = ["campaign", "rewardlevel", "skilllevel", "reviewunit", "quota"]
_EDITOR_DATA_MODELS = [*_SETTINGS_MODELS, "member"]
_VIEW_SETTINGS = [f"applications.view_{model}" for model in _SETTINGS_MODELS]

MODEL_PERMISSIONS = {
    Role.EDITOR: [
        "wagtailadmin.access_admin",
        *[
            f"applications.{action}_{model}"
            for model in _EDITOR_DATA_MODELS
            for action in ("add", "change", "delete", "view")
        ],
        "wagtailimages.add_image",
        "wagtailimages.change_image",
        "wagtailimages.choose_image",
        "wagtaildocs.add_document",
        "wagtaildocs.change_document",
        "wagtaildocs.choose_document",
    ],
    Role.UNIT_REVIEWER: [
        "wagtailadmin.access_admin",
        "applications.view_unit_applications",
        "applications.pre_review_application",
    ],
    Role.CITY_SERVICE_CENTER: [
        "wagtailadmin.access_admin",
        *_VIEW_SETTINGS,
        "applications.view_all_applications",
        "applications.view_smsmessage",
        "applications.final_review_application",
        "applications.add_paymentbatch",
        "applications.change_paymentbatch",
        "applications.view_paymentbatch",
        "applications.view_paymentitem",
        "applications.view_personaldataaccess",
    ],
    Role.ECONOMIC_DEPT: [
        "wagtailadmin.access_admin",
        *_VIEW_SETTINGS,
        "applications.view_paymentbatch",
    ],
}

# Page permissions granted on the root page, so they cover the whole site.
PAGE_PERMISSIONS = {
    Role.EDITOR: ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
}

# Image and document permissions granted on the root collection.
COLLECTION_PERMISSIONS = {
    Role.EDITOR: [
        ("wagtailimages", "add_image"),
        ("wagtailimages", "change_image"),
        ("wagtailimages", "choose_image"),
        ("wagtaildocs", "add_document"),
        ("wagtaildocs", "change_document"),
        ("wagtaildocs", "choose_document"),
    ],
}


def create_all_permissions(apps):
    """Make the permissions of every model now; Django otherwise makes them after all migrations."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def _permission(apps, dotted):
    Permission = apps.get_model("auth", "Permission")
    app_label, codename = dotted.split(".")
    try:
        return Permission.objects.get(content_type__app_label=app_label, codename=codename)
    except Permission.DoesNotExist:
        raise LookupError(f"no permission {dotted}") from None


def sync_roles(apps, model_permissions, page_permissions=None, collection_permissions=None):
    """Create each role's group and give it the permissions listed (never removes any)."""
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    root_page = Page.objects.filter(depth=1).first()
    root_collection = Collection.objects.filter(depth=1).first()

    for role, name in GROUP_NAMES.items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(*[_permission(apps, dotted) for dotted in model_permissions.get(role, [])])
        if root_page:
            for codename in (page_permissions or {}).get(role, []):
                GroupPagePermission.objects.get_or_create(
                    group=group, page=root_page, permission=_permission(apps, f"wagtailcore.{codename}")
                )
        if root_collection:
            for app_label, codename in (collection_permissions or {}).get(role, []):
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=root_collection, permission=_permission(apps, f"{app_label}.{codename}")
                )
