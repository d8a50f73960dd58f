"""Records of staff opening personal data, in the database (for the city union's auditors) and the log."""

import logging

from applications.core.client_address import client_address
from applications.models import PersonalDataAccess

What = PersonalDataAccess.What
logger = logging.getLogger("portal.audit")


def record(request, what, application=None, detail="", member=None):
    """Note that `request.user` opened `what` (of `application` or `member`, or an export described by `detail`)."""
    user = request.user
    PersonalDataAccess.objects.create(
        user=user,
        username=user.get_username(),
        application=application,
        member=member,
        what=what,
        detail=detail[:200],
        ip_address=client_address(request),
    )
    logger.info(
        "%s opened %s%s%s",
        user.get_username(),
        PersonalDataAccess.What(what).label,
        f" of {application.reference}" if application is not None else "",
        f" ({detail})" if detail else "",
    )
