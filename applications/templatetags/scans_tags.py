"""Template tags for the scans panel on the review page."""

from django import template

from applications.core.access import own_unit_reviewer
from applications.core.constants import AttachmentKind
from applications.unit_channel import scans

register = template.Library()


@register.simple_tag
def may_attach_scans(user, application):
    """Whether `user` may attach scans to `application` now: its own unit reviewer, before the city's review."""
    return own_unit_reviewer(user, application) and scans.accepts_scans(application)


@register.simple_tag
def missing_scan_kinds(application):
    """The names of the copies the application does not have yet."""
    present = set(application.attachments.values_list("kind", flat=True))
    return [label for kind, label in AttachmentKind.choices if kind not in present]
