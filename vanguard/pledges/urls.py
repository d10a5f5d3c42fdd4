from django.urls import path

from . import views, views_public

app_name = "pledges"

urlpatterns = [
    # Public, no login: a branch's pledge wall and one pledge with its comments.
    path("w/<int:branch_id>/", views_public.wall, name="wall"),
    path("w/<int:branch_id>/<int:pk>/", views_public.wall_pledge, name="wall-pledge"),
    # Staff.
    path("pledges/", views.home, name="home"),
    path("pledges/new/", views.make, name="make"),
    path("pledges/review/", views.queue, name="queue"),
    path("pledges/list/", views.pledge_list, name="list"),
    path("pledges/figures/", views.figures_page, name="figures"),
    path("pledges/<int:pk>/", views.detail, name="detail"),
    path("pledges/<int:pk>/review/", views.review, name="review"),
    path("pledges/<int:pk>/revise/", views.revise, name="revise"),
    path("pledges/<int:pk>/progress/", views.progress, name="progress"),
    path("pledges/<int:pk>/judge/", views.judge, name="judge"),
    path("pledges/progress/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("pledges/progress/<int:pk>/photo/", views.progress_photo, name="progress-photo"),
    path("pledges/comments/<int:pk>/moderate/", views.moderate, name="moderate"),
    path("pledges/letters/", views.letters, name="letters"),
    path("pledges/letters/publish/", views.letters_publish, name="letters-publish"),
    path("pledges/letters/<int:pk>/", views.letter_detail, name="letter"),
    path("pledges/letters/<int:pk>/targets/", views.letter_targets, name="letter-targets"),
    path("pledges/letters/<int:pk>/sign/", views.letter_sign, name="letter-sign"),
    path("pledges/letters/<int:pk>/progress/", views.letter_progress, name="letter-progress"),
    path("pledges/letters/<int:pk>/scan/", views.letter_scan, name="letter-scan"),
    path("pledges/letters/<int:pk>/letter.<str:fmt>", views.letter_document, name="letter-document"),
    path("pledges/letters/<int:pk>/<str:action>/", views.letter_action, name="letter-action"),
]
