from django.urls import path

from . import views, views_roster

app_name = "org"
urlpatterns = [
    path("org/tree/", views.organization_list, name="organization-list"),
    path("org/organizations/new/", views.organization_create, name="organization-create"),
    path("org/organizations/<int:pk>/", views.organization_detail, name="organization-detail"),
    path("org/organizations/<int:pk>/children/", views.organization_children, name="organization-children"),
    path("org/organizations/<int:pk>/edit/", views.organization_edit, name="organization-edit"),
    path("org/organizations/<int:parent_pk>/new/", views.organization_create, name="organization-create-child"),
    path("org/organizations/<int:pk>/committee/", views.committee_add, name="committee-add"),
    path("org/committee/<int:pk>/remove/", views.committee_remove, name="committee-remove"),
    path("org/floors/", views.floor_list, name="floor-list"),
    path("org/floors/new/", views.floor_create, name="floor-create"),
    path("org/floors/<int:pk>/", views.floor_detail, name="floor-detail"),
    path("org/floors/<int:pk>/edit/", views.floor_edit, name="floor-edit"),
    path("org/floors/<int:floor_pk>/windows/new/", views.window_create, name="window-create"),
    path("org/windows/<int:pk>/edit/", views.window_edit, name="window-edit"),
    path("org/units/", views.UnitListView.as_view(), name="unit-list"),
    path("org/units/new/", views.unit_create, name="unit-create"),
    path("org/units/<int:pk>/", views.unit_detail, name="unit-detail"),
    path("org/units/<int:pk>/edit/", views.unit_edit, name="unit-edit"),
    path("org/people/", views.PersonListView.as_view(), name="person-list"),
    path("org/people/new/", views.person_create, name="person-create"),
    path("org/people/<int:pk>/", views.person_detail, name="person-detail"),
    path("org/people/<int:pk>/edit/", views.person_edit, name="person-edit"),
    # Public, printed as a QR code in the hall: short and stable.
    path("b/<int:pk>/", views.floor_board, name="floor-board"),
    path("org/roster/", views_roster.roster_page, name="roster"),
    path("org/roster/template/", views_roster.roster_template, name="roster-template"),
    path("org/roster/export/", views_roster.roster_export, name="roster-export"),
]
