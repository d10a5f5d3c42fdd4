from django.urls import path, re_path

from . import views

app_name = "surveys"

urlpatterns = [
    re_path(r"^s/(?P<code>[2-9A-Za-z]{10})/$", views.answer, name="answer"),
    path("evaluations/", views.home, name="home"),
    path("evaluations/<int:pk>/", views.evaluation_detail, name="evaluation"),
    path("evaluations/<int:pk>/progress/", views.evaluation_progress, name="progress"),
    path("evaluations/<int:pk>/action/", views.evaluation_action, name="evaluation-action"),
    path("evaluations/<int:pk>/slips.pdf", views.slips, name="slips"),
    path("evaluations/decisions/<int:pk>/", views.decision_action, name="decision"),
]
