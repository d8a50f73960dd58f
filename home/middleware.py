"""Site-wide request handling."""

from django.conf import settings
from django.utils import translation


def reader_language(request):
    """The language a reader chose with the switch (a cookie), else the site's default."""
    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


class SiteLanguageMiddleware:
    """Chinese unless the reader chose English with the language switch.

    Django's LocaleMiddleware follows the browser's Accept-Language, which would show
    an English site to many readers of a Chinese government service; here only the
    explicit choice (a cookie) counts.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = reader_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
