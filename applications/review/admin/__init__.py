"""The review stage's admin: the scoped list and review page, bulk review, the quota progress dashboard,
the to-do panel."""

from applications.review.admin import applications, dashboard, todo


def urls():
    return [*applications.review_urls(), *dashboard.progress_url()]


menu_items = (applications.bulk_review_menu_item, dashboard.progress_menu_item)
modeladmins = (applications.ApplicationAdmin,)
viewsets = ()
homepage_panels = (todo.add_todo_panel, dashboard.add_progress_panel)
