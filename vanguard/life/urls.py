from django.urls import path

from . import views

app_name = "life"
urlpatterns = [
    path("life/", views.home, name="home"),
    path("life/meetings/", views.MeetingListView.as_view(), name="meetings"),
    path("life/meetings/new/", views.meeting_create, name="meeting-create"),
    path("life/meetings/<int:pk>/", views.meeting_detail, name="meeting-detail"),
    path("life/meetings/<int:pk>/edit/", views.meeting_edit, name="meeting-edit"),
    path("life/meetings/<int:pk>/attendance/", views.meeting_attendance, name="meeting-attendance"),
    path("life/meetings/<int:pk>/files/<int:file_pk>/", views.meeting_file, name="meeting-file"),
    path("life/meetings/<int:pk>/qr/", views.meeting_qr, name="meeting-qr"),
    path("life/meetings/<int:pk>/qr.svg", views.meeting_qr_svg, name="meeting-qr-svg"),
    path("life/meetings/<int:pk>/sign-in/", views.sign_in, name="sign-in"),
    path("life/approvals/", views.approvals, name="approvals"),
    path("life/activities/", views.ActivityListView.as_view(), name="activities"),
    path("life/activities/new/", views.activity_create, name="activity-create"),
    path("life/activities/group/", views.activity_group, name="activity-group"),
    path("life/activities/<int:pk>/", views.activity_detail, name="activity-detail"),
    path("life/activities/<int:pk>/evidence/", views.activity_evidence, name="activity-evidence"),
    path("life/overdue/", views.overdue, name="overdue"),
    path("life/board/", views.board, name="board"),
    path("life/figures/", views.figures, name="figures"),
    path("life/settings/", views.settings_page, name="settings"),
    path("life/records/attendance/", views.attendance_rows, name="attendance-rows"),
    path("life/records/activities/", views.activity_rows, name="activity-rows"),
]
