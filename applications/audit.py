"""Records of staff opening personal data, in the database (for the city union's auditors) and the log."""

import logging

from staff_auth.forms import client_ip

from .models import PersonalDataAccess

What = PersonalDataAccess.What
logger = logging.getLogger("portal.audit")


def record(request, what, application=None, detail=""):
    """Note that `request.user` opened `what` (of `application`, or an export described by `detail`)."""
    user = request.user
    PersonalDataAccess.objects.create(
        user=user,
        username=user.get_username(),
        application=application,
        what=what,
        detail=detail[:200],
        ip_address=client_ip(request),
    )
    logger.info(
        "%s opened %s%s%s",
        user.get_username(),
        PersonalDataAccess.What(what).label,
        f" of {application.reference}" if application is not None else "",
        f" ({detail})" if detail else "",
    )
