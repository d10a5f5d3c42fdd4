from django.urls import path

from . import views

app_name = "life"
urlpatterns = [
    path("life/", views.home, name="home"),
    path("life/meetings/<int:pk>/", views.meeting_detail, name="meeting-detail"),
    path("life/activities/<int:pk>/", views.activity_detail, name="activity-detail"),
    path("life/records/attendance/", views.attendance_rows, name="attendance-rows"),
    path("life/records/activities/", views.activity_rows, name="activity-rows"),
]
