"""Staff roles as Wagtail groups: which permissions each role holds, declared once.

`sync_roles` takes an app registry and the definitions, so that each data migration calls
it with the historical models and its own frozen copy of what it grants; it is idempotent
and only ever adds what is missing; `revoke_roles` takes away what a role must no longer hold.
The dicts here are the current, complete definitions: a test checks that the migrations have
granted all of them and revoked the others.
"""

from applications.core.constants import Role

GROUP_NAMES = {
    Role.EDITOR: "网站编辑",
    Role.UNIT_REVIEWER: "区县市(产业)工会审核员",
    Role.CITY_SERVICE_CENTER: "市总工会职工服务中心",
    Role.ECONOMIC_DEPT: "市总工会经济工作部",
    Role.GRASSROOTS_UNION: "基层工会",
}

_SETTINGS_MODELS = ["campaign", "rewardlevel", "skilllevel", "reviewunit", "quota"]
_VIEW_SETTINGS = [f"applications.view_{model}" for model in _SETTINGS_MODELS]
# The rules that decide money (levels and amounts, windows, deadline, open flag, quotas, units) are
# the city union's economic work department's; every change is recorded (CampaignChange).
_CHANGE_SETTINGS = [
    f"applications.{action}_{model}"
    for model in _SETTINGS_MODELS
    for action in ("add", "change", "delete")
    if (action, model) != ("delete", "campaign")
]

MODEL_PERMISSIONS = {
    Role.EDITOR: [
        "wagtailadmin.access_admin",
        *_VIEW_SETTINGS,
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
        # 在线咨询 and 好差评 (service_hall): their own unit's questions and bad ratings.
        "service_hall.answer_question",
        "service_hall.rectify_rating",
        # Accounts for the grassroots unions of their own unit (applications.core.access.grassroots_account_units).
        "applications.manage_grassroots_accounts",
    ],
    Role.CITY_SERVICE_CENTER: [
        "wagtailadmin.access_admin",
        *_VIEW_SETTINGS,
        "applications.view_campaignchange",
        "applications.view_all_applications",
        "applications.view_smsmessage",
        "applications.final_review_application",
        "applications.add_paymentbatch",
        "applications.change_paymentbatch",
        "applications.view_paymentbatch",
        "applications.approve_paymentbatch",
        "applications.view_paymentitem",
        "applications.view_personaldataaccess",
        # The member registry decides who may apply and where codes go: this role's alone.
        "applications.manage_members",
        "applications.add_member",
        "applications.change_member",
        "applications.delete_member",
        "applications.view_member",
        "applications.view_memberchange",
        # Earlier years' applicants (上年度记录), for the carry-over rule: imported and seen by this role only.
        "applications.import_history",
        # The certificate register (证书库), read-only: it lists ID numbers of people who never applied.
        "applications.view_certificate",
        # Every desk's questions; every rating, and excluding a mistaken or malicious one with a reason.
        "service_hall.answer_question",
        "service_hall.answer_all_questions",
        "service_hall.view_all_ratings",
        "service_hall.exclude_rating",
        "applications.manage_grassroots_accounts",
        # Retention periods, the consent text (each edit a new version), a person's own data (export, erasure).
        "applications.handle_person_data",
        "applications.view_persondatarequest",
        "applications.view_retentionpolicy",
        "applications.change_retentionpolicy",
        "applications.view_consenttext",
        "applications.add_consenttext",
        "applications.view_consent",
    ],
    Role.ECONOMIC_DEPT: [
        "wagtailadmin.access_admin",
        *_VIEW_SETTINGS,
        *_CHANGE_SETTINGS,
        "applications.view_campaignchange",
        "applications.view_paymentbatch",
        "service_hall.answer_policy_questions",
        "service_hall.view_all_ratings",
    ],
    # Enters paper forms and Annex 4 tables with its 初审 opinion, sees and corrects only its own entries.
    Role.GRASSROOTS_UNION: [
        "wagtailadmin.access_admin",
        "applications.grassroots_entry_application",
    ],
}

# Permissions earlier migrations granted that the role must no longer hold (separation of duties).
REVOKED_PERMISSIONS = {
    Role.EDITOR: [
        *[f"applications.{action}_member" for action in ("add", "change", "delete", "view")],
        *[f"applications.{action}_{model}" for model in _SETTINGS_MODELS for action in ("add", "change", "delete")],
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


def revoke_roles(apps, revoked_permissions):
    """Take the listed permissions away from each role's group (the counterpart of `sync_roles`)."""
    Group = apps.get_model("auth", "Group")
    for role, dotted_names in revoked_permissions.items():
        group = Group.objects.filter(name=GROUP_NAMES[role]).first()
        if group is not None:
            group.permissions.remove(*[_permission(apps, dotted) for dotted in dotted_names])
