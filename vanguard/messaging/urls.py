from django.urls import path

from . import views, views_docs

app_name = "messaging"
urlpatterns = [
    path("study/", views.home, name="home"),
    path("study/lessons/", views.lesson_list, name="lesson-list"),
    path("study/lessons/new/", views.lesson_create, name="lesson-create"),
    path("study/lessons/preview/", views.lesson_preview, name="lesson-preview"),
    path("study/lessons/<int:pk>/", views.lesson_detail, name="lesson-detail"),
    path("study/lessons/<int:pk>/edit/", views.lesson_edit, name="lesson-edit"),
    path("study/lessons/<int:pk>/cancel/", views.lesson_cancel, name="lesson-cancel"),
    path("study/lessons/<int:pk>/test/", views.lesson_test, name="lesson-test"),
    path("study/columns/new/", views.column_create, name="column-create"),
    path("study/broadcasts/", views.broadcast_list, name="broadcast-list"),
    path("study/broadcasts/new/", views.broadcast_create, name="broadcast-create"),
    path("study/broadcasts/<int:pk>/", views.broadcast_detail, name="broadcast-detail"),
    path("study/broadcasts/<int:pk>/progress/", views.broadcast_progress, name="broadcast-progress"),
    path("study/broadcasts/<int:pk>/<slug:action>/", views.broadcast_action, name="broadcast-action"),
    path("study/circulars/", views_docs.circular_list, name="circular-list"),
    path("study/circulars/new/", views_docs.circular_create, name="circular-create"),
    path("study/circulars/<int:pk>/", views_docs.circular_detail, name="circular-detail"),
    path("study/circulars/<int:pk>/file/", views_docs.circular_file, name="circular-file"),
    path("study/circulars/<int:pk>/circulate/", views_docs.circular_circulate, name="circular-circulate"),
    path("study/circulars/<int:pk>/sign/", views_docs.circular_sign, name="circular-sign"),
    path("study/circulars/<int:pk>/remind/<int:branch_pk>/", views_docs.circular_remind, name="circular-remind"),
    path("study/booklets/", views_docs.booklet_list, name="booklet-list"),
    path("study/booklets/new/", views_docs.booklet_create, name="booklet-create"),
    path("study/booklets/<int:pk>/", views_docs.booklet_detail, name="booklet-detail"),
    path("study/booklets/<int:pk>/file/", views_docs.booklet_file, name="booklet-file"),
    path("study/booklets/<int:pk>/readings/", views_docs.booklet_readings, name="booklet-readings"),
    path("study/booklets/<int:pk>/chapters/new/", views_docs.chapter_create, name="chapter-create"),
    path("study/booklets/<int:pk>/chapters/<int:number>/", views_docs.chapter_read, name="chapter-read"),
    # Public short link printed in the SMS: short and stable.
    path("s/<str:code>", views.lesson_web, name="lesson-web"),
]
