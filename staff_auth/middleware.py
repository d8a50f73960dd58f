"""Sessions that signed in without a code from an authenticator are signed out."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.urls import reverse
from django.utils.translation import gettext as _

# Where a session must still be able to go: signing in and out (there is no password reset by mail).
EXEMPT_URL_NAMES = {"wagtailadmin_login", "wagtailadmin_logout"}


class VerifiedSessionMiddleware:
    """With `STAFF_OTP_REQUIRED` and `STAFF_OTP_ENFORCE_SESSIONS`, treat an unverified session as signed out.

    Covers every URL, not only /admin/: staff also open attachments at /attachments/<pk>/.
    A session is unverified when it signed in before codes were required, or its
    authenticator was reset since. Goes after django_otp's OTPMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not (settings.STAFF_OTP_REQUIRED and settings.STAFF_OTP_ENFORCE_SESSIONS):
            return None
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if request.resolver_match and request.resolver_match.url_name in EXEMPT_URL_NAMES:
            return None
        logout(request)
        if request.path.startswith(reverse("wagtailadmin_home")):
            messages.warning(request, _("请重新登录，并输入身份验证器上的动态验证码。"))
        return None  # the view now sees an anonymous user: the admin sends them to sign in
