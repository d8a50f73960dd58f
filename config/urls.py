from django.conf import settings
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail import views as wagtail_views
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from home import views as home_views
from home.page_cache import cache_public_page
from home.routes import remember_routes

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("search/", home_views.search, name="search"),
    path("lang/<str:code>/", home_views.set_language, name="set_language"),
    path("healthz/", home_views.healthz, name="healthz"),
    path("readyz/", home_views.readyz, name="readyz"),
    path("sitemap.xml", sitemap, name="sitemap"),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [
    path("", include("applications.urls")),
    path("", include("service_hall.urls")),
    re_path(r"^((?:[\w\-]+/)*)$", cache_public_page(remember_routes(wagtail_views.serve)), name="wagtail_serve_cached"),
    path("", include(wagtail_urls)),
]

handler500 = "home.views.server_error"
