from django.urls import path, re_path

from . import views

app_name = "dashboard"
TOKEN = r"(?P<token>[A-Za-z0-9_:\-]{10,200})"  # noqa: S105 -- a URL pattern
urlpatterns = [
    path("figures/", views.home, name="home"),
    path("figures/rows/", views.rows, name="rows"),
    path("figures/city/", views.city, name="city"),
    path("figures/refresh/", views.refresh, name="refresh"),
    path("figures/report/", views.report_page, name="report"),
    path("figures/screens/", views.screens, name="screens"),
    re_path(rf"^b/{TOKEN}/$", views.big_screen, name="big-screen"),
    re_path(rf"^b/{TOKEN}/data\.json$", views.big_screen_data, name="big-screen-data"),
]
