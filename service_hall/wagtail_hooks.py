"""Registers the service hall's admin URLs, menu items and to-do counts (Wagtail loads this module)."""

from wagtail import hooks

from service_hall import admin


@hooks.register("register_admin_urls")
def register_admin_urls():
    return admin.urls()


hooks.register("register_admin_menu_item", admin.questions_menu_item)
hooks.register("register_admin_menu_item", admin.ratings_menu_item)
hooks.register("register_todo_items", admin.todo_items)
