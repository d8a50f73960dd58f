"""Registers the service hall's admin URLs, menu items and home panel (Wagtail loads this module)."""

from wagtail import hooks

from service_hall import admin


@hooks.register("register_admin_urls")
def register_admin_urls():
    return admin.urls()


hooks.register("register_admin_menu_item", admin.questions_menu_item)
hooks.register("register_admin_menu_item", admin.ratings_menu_item)
hooks.register("construct_homepage_panels", admin.add_overdue_panel)
