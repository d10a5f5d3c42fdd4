from django.urls import path

from . import views

app_name = "notices"
urlpatterns = [
    path("notices/", views.inbox, name="inbox"),
    path("notices/<int:pk>/", views.open_notice, name="open"),
    path("notices/read-all/", views.mark_all_read, name="read-all"),
    path("notices/preference/", views.preference, name="preference"),
    path("notices/urgent/", views.urgent_list, name="urgent"),
    path("notices/urgent/<int:pk>/", views.not_read, name="not-read"),
]
