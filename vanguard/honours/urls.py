from django.urls import path

from . import views

app_name = "honours"
urlpatterns = [
    path("honours/", views.home, name="home"),
    path("honours/archive/", views.archive, name="archive"),
    path("honours/selections/<int:pk>/", views.selection_detail, name="selection"),
    path("honours/selections/<int:pk>/nominate/", views.nominate, name="nominate"),
    path("honours/selections/<int:pk>/action/", views.selection_action, name="selection-action"),
    path("honours/nominations/<int:pk>/", views.nomination_action, name="nomination-action"),
    path("honours/objections/<int:pk>/", views.objection_action, name="objection-action"),
    path("honours/certificates/<int:pk>.pdf", views.certificate, name="certificate"),
    path("honours/medals/", views.medals, name="medals"),
    path("honours/medals/<int:pk>/", views.medal_scheme, name="medal-scheme"),
    path("honours/people/<int:pk>/", views.person_honours, name="person"),
    path("honours/exemplars/", views.exemplars, name="exemplars"),
    path("honours/brands/", views.brands, name="brands"),
    # Public: the roll of a centre, a floor's honour board, a public notice, a vote, a team.
    path("h/<slug:code>/", views.public_roll, name="roll"),
    path("h/floor/<int:pk>/", views.public_floor, name="floor-board"),
    path("h/n/<str:code>/", views.public_notice, name="notice"),
    path("h/v/<str:code>/", views.public_vote, name="vote"),
    path("h/team/<int:pk>/", views.public_team, name="team"),
]
