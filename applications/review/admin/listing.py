"""The review list's page: its rows built once a page in Python, not cell by cell in templates (issue 13).

wagtail-modeladmin renders each of the 50 rows through one template inclusion per row and one per
cell, and works out every cell's field, choice labels (translated again each time), classes and
attributes again in each row: about two thirds of the page's time. `ReviewListView` works out each
column once a page (`Column`) and joins a row's escaped cells into one string; the HTML is
modeladmin's, which tests/review/test_listing.py holds it to. The headers, filters, search and
pagination stay modeladmin's templates.
"""

import datetime

from django.contrib.admin.templatetags.admin_list import result_headers
from django.contrib.admin.utils import display_for_field, display_for_value, lookup_field
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.core.paginator import InvalidPage
from django.db import models
from django.forms.utils import flatatt
from django.template.loader import render_to_string
from django.utils.functional import cached_property
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from wagtail_modeladmin.views import IndexView

NOWRAP_FIELDS = (models.DateField, models.TimeField, models.ForeignKey)
NBSP = mark_safe("&nbsp;")


class Column:
    """One entry of `list_display`, looked up once a page: its field or method, labels and classes."""

    def __init__(self, model_admin, name):
        self.model_admin = model_admin
        self.name = name
        self.empty = model_admin.get_empty_value_display(name)
        self.field = _concrete_field(model_admin.model, name)
        self.method = None
        self.classes = f"field-{name} title"
        if self.field is not None:
            # Choice labels are lazy: translated once a page here, not once a cell.
            self.labels = {value: str(label) for value, label in self.field.flatchoices}
            if isinstance(self.field, NOWRAP_FIELDS):
                self.classes += " nowrap"
        elif not callable(name) and name != "__str__" and hasattr(model_admin, name):
            self.method = getattr(model_admin, name)
            self.empty = getattr(self.method, "empty_value_display", self.empty)

    def text(self, obj):
        """The cell's content (escaped later unless marked safe) and whether it is a date or time."""
        if self.field is not None:
            value = getattr(obj, self.name)
            if self.labels:
                return self.labels.get(value, self.empty), False
            return display_for_field(value, self.field, self.empty), False
        if self.method is not None:
            attr, value = self.method, self.method(obj)
        else:
            try:
                _field, attr, value = lookup_field(self.name, obj, self.model_admin)
            except ObjectDoesNotExist:
                return self.empty, False
        empty = getattr(attr, "empty_value_display", self.empty)
        boolean = getattr(attr, "boolean", False)
        text = display_for_value(value, empty, boolean)
        if boolean or not value or getattr(attr, "allow_tags", False):
            text = mark_safe(text)
        return text, isinstance(value, (datetime.date, datetime.time))

    def opening(self, obj, is_date):
        """This column's `<td …>` for `obj`, with the model admin's extra classes and attributes if any."""
        extra_classes = self.model_admin.get_extra_class_names_for_field_col(obj, self.name)
        attrs = self.model_admin.get_extra_attrs_for_field_col(obj, self.name)
        if not extra_classes and not attrs:
            return self.td_date if is_date else self.td
        classes = " ".join([self.classes, *(["nowrap"] if is_date else []), *extra_classes])
        return format_html("<td{}>", flatatt({**attrs, "class": classes}))

    @cached_property
    def td(self):
        return format_html('<td class="{}">', self.classes)

    @cached_property
    def td_date(self):
        return format_html('<td class="{} nowrap">', self.classes)


def _concrete_field(model, name):
    """The model field `name` shows, or None for a method, property, primary key or reverse relation."""
    if not isinstance(name, str):
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if field.auto_created or (field.is_relation and not field.concrete):
        return None
    return field


class ReviewListView(IndexView):
    """modeladmin's index view with the table rows built by `rows`, its queryset made and counted once."""

    _queryset = None

    def get_queryset(self, request=None):
        """The filtered, searched and ordered applications, made once a request.

        modeladmin makes them in `dispatch` and again for the page, each time building the filters
        anew (a query for each filter's choices).
        """
        if self._queryset is None:
            self._queryset = super().get_queryset(request)
        return self._queryset

    def get_context_data(self, **kwargs):
        """modeladmin's context for its index template, counting the results once, not twice.

        modeladmin counts the queryset for the "n out of m" line and its paginator counts it again:
        a second scan of the table for a name search. With no filter and no search the results are
        all there are, so the table is counted once. The page's rows are built here too.
        """
        queryset = self.get_queryset()
        paginator = self.paginator_class(queryset, self.items_per_page)
        try:
            page_obj = paginator.page(self.page_num)
        except InvalidPage:
            page_obj = paginator.page(1)
        context = {
            "view": self,
            "all_count": self.get_base_queryset().count() if self._narrowed() else paginator.count,
            "result_count": paginator.count,
            "paginator": paginator,
            "page_obj": page_obj,
            "elided_page_range": paginator.get_elided_page_range(self.page_num),
            "object_list": page_obj.object_list,
            "user_can_create": self.permission_helper.user_can_create(self.request.user),
            "show_search": self.search_handler.show_search_form,
            "result_headers": list(result_headers(self)),
            **kwargs,
        }
        context["rows"] = self.rows(context["object_list"], context)
        # IndexView's parent, WMABaseView: the model admin and the view's own extra context.
        return super(IndexView, self).get_context_data(**context)

    def _narrowed(self):
        """True when a filter or a search leaves out some of the applications the user may see."""
        return bool(self.query or self.get_filters_params())

    def rows(self, objects, context):
        """Each object's `<tr>`: the same cells, buttons and attributes as modeladmin's `result_list`."""
        model_admin = self.model_admin
        names = model_admin.get_list_display(self.request)
        columns = [Column(model_admin, name) for name in names]
        buttons_column = model_admin.get_list_display_add_buttons(self.request)
        rows = []
        for index, obj in enumerate(objects):
            attrs = model_admin.get_extra_attrs_for_row(obj, context)
            odd_or_even = "odd" if index % 2 == 0 else "even"
            attrs["class"] = f"{attrs['class']} {odd_or_even}" if "class" in attrs else odd_or_even
            attrs["data-object-pk"] = obj.pk
            cells = "".join(self._cell(column, obj, column.name == buttons_column) for column in columns)
            rows.append(mark_safe(f"<tr{flatatt(attrs)}>{cells}</tr>"))
        return rows

    def _cell(self, column, obj, with_buttons):
        text, is_date = column.text(obj)
        text = conditional_escape(text) or NBSP
        opening = column.opening(obj, is_date)
        if not with_buttons:
            return f"{opening}{text}</td>"
        primary = self.button_helper.get_primary_button(obj)
        if primary is not None and primary.get("url"):
            text = format_html(
                '<div class="title-wrapper"><a href="{}" title="{}">{}</a></div>',
                primary["url"],
                primary.get("title", ""),
                text,
            )
        buttons = self.get_buttons_for_obj(obj)
        actions = format_html('<ul class="actions">{}</ul>', _buttons(buttons)) if buttons else ""
        return f"{opening}{text}{actions}</td>"


def _buttons(buttons):
    """The row's action buttons as modeladmin's includes/button.html draws them (an icon through it)."""
    items = []
    for button in buttons:
        if button.get("icon"):
            link = mark_safe(render_to_string("modeladmin/includes/button.html", {"button": button}))
        else:
            href = format_html(' href="{}"', button["url"]) if button.get("url") else ""
            extra = "".join(format_html(' {}="{}"', key, button[key]) for key in ("target", "rel") if button.get(key))
            link = format_html(
                '<a{} class="{}" title="{}"{}>{}</a>',
                href,
                button.get("classname", ""),
                button.get("title", ""),
                mark_safe(extra),
                button.get("label", ""),
            )
        items.append(format_html("<li>{}</li>", link))
    return mark_safe("".join(items))
