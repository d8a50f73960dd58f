"""The admin home panel of a staff member's to-do counts (待办事项); see `applications.review.todo`."""

from wagtail.admin.ui.components import Component

from applications.review.todo import todo_items


class TodoPanel(Component):
    name = "todo"
    order = 40  # first on the home page
    template_name = "applications/review/todo_panel.html"

    def __init__(self, items):
        self.items = items

    def get_context_data(self, parent_context):
        return {"items": self.items}


def add_todo_panel(request, panels):
    items = todo_items(request.user)
    if items:
        panels.append(TodoPanel(items))
