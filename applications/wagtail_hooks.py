"""Every admin screen of the reward programme, registered here stage by stage.

Each stage's `admin` module or package names its admin URLs (`urls()`), its menu items (functions
returning a `MenuItem`), its wagtail-modeladmin classes and its viewsets; this file registers them
all, so every admin URL is found from here. The public URLs are in `urls.py`.
"""

from wagtail import hooks
from wagtail_modeladmin.options import modeladmin_register

from applications.certificates import admin as certificates_admin
from applications.core import admin as core_admin
from applications.documents import admin as documents_admin
from applications.members import admin as members_admin
from applications.payments import admin as payments_admin
from applications.programme import admin as programme_admin
from applications.records import admin as records_admin
from applications.review import admin as review_admin
from applications.unit_channel import admin as unit_channel_admin

STAGES = (
    core_admin,
    programme_admin,
    members_admin,
    certificates_admin,
    review_admin,
    unit_channel_admin,
    documents_admin,
    payments_admin,
    records_admin,
)


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [url for stage in STAGES for url in stage.urls()]


for stage in STAGES:
    for menu_item in stage.menu_items:
        hooks.register("register_admin_menu_item", menu_item)
    for modeladmin in stage.modeladmins:
        modeladmin_register(modeladmin)
    for viewset in stage.viewsets:
        hooks.register("register_admin_viewset", viewset)

for panel in review_admin.homepage_panels:
    hooks.register("construct_homepage_panels", panel)
