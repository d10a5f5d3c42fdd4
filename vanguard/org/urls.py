from django.urls import path

from . import views_roster

app_name = "org"
urlpatterns = [
    path("org/roster/", views_roster.roster_page, name="roster"),
    path("org/roster/template/", views_roster.roster_template, name="roster-template"),
    path("org/roster/export/", views_roster.roster_export, name="roster-export"),
]
