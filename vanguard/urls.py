from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from django.views.static import serve as serve_media
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from vanguard.core.urls import auth_patterns

# Apps in the order their URLs are tried; each owns urls.py (pages) and api.py (API).
APPS = ["core", "org", "posts", "assessment", "ratings", "surveys", "messaging", "life", "cases", "pledges", "honours",
        "notices", "dashboard"]

# The API's apps in the order their routes are tried: a request walks every route of the apps before
# its own, so the app of the busiest endpoint comes first (a theme day's sign-ins: the life app's came
# 8th, behind 75 routes, a sixth of the request's CPU). No two apps' routes share a first path segment
# (tests/api/test_routes.py), so the order decides nothing else.
API_FIRST = ["life", "ratings"]
api_patterns = [path("", include(f"vanguard.{app}.api"))
                for app in [*API_FIRST, *(app for app in APPS if app not in API_FIRST)]]

urlpatterns = [
    *auth_patterns,
    path("i18n/", include("django.conf.urls.i18n")),
    path("django-admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The schema maps every endpoint: signed-in users only (SERVE_PERMISSIONS). The docs page
    # loads its start-up script as a file (the split view), so the CSP needs no inline script.
    path("api/docs/", login_required(SpectacularSwaggerSplitView.as_view(
        url_name="api-schema", template_name="core/api_docs.html")), name="api-docs"),
    path("api/v1/", include(api_patterns)),
    *[path("", include(f"vanguard.{app}.urls")) for app in APPS],
    # Public uploads only (photos shown on signboards and boards); documents are
    # served by views that check access. Behind a reverse proxy, serve this there instead.
    path(f"{settings.MEDIA_URL.strip('/')}/public/<path:path>", serve_media,
         {"document_root": settings.MEDIA_ROOT / "public"}),
]
