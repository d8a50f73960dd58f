from wagtail import hooks
from wagtail.permissions import register_permission_policy

from staff_auth.models import SignInEvent
from staff_auth.views import SignInEventPermissionPolicy, SignInEventViewSet

register_permission_policy(SignInEvent, SignInEventPermissionPolicy(SignInEvent))


@hooks.register("register_admin_viewset")
def register_sign_in_events():
    return SignInEventViewSet("sign_in_events")
