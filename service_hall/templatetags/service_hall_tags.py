"""`{% rating_invitation application %}`: after a status lookup of a closed case, the link to rate it once."""

from django import template

from service_hall import evaluations
from service_hall.models import Rating

register = template.Library()


@register.inclusion_tag("service_hall/includes/rating_invitation.html")
def rating_invitation(application):
    if application is None or not evaluations.is_closed(application):
        return {"show": False}
    rated = Rating.objects.filter(application=application).exists()
    return {"show": True, "rated": rated, "url": None if rated else evaluations.rating_path(application)}
