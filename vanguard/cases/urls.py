from django.urls import path, re_path

from . import open311, public, views, views_campaigns

app_name = "cases"

NUMBER = r"(?P<number>[2-9A-Za-z]{4}-?[2-9A-Za-z]{4}-?[2-9A-Za-z]{4})"

urlpatterns = [
    # Public, no login: file a case (from a post's signboard or about the centre), track it.
    path("c/new/", public.file_case, name="feedback-new"),
    re_path(r"^c/p/(?P<code>[2-9A-Za-z]{7})/$", public.file_case, name="file-post"),
    path("c/", public.lookup, name="lookup"),
    # Public: a review campaign's questionnaire behind a one-time code, and its SMS opt-out.
    re_path(r"^review/(?P<code>[2-9A-Za-z]{10})/$", views_campaigns.review, name="review"),
    re_path(r"^review/(?P<code>[2-9A-Za-z]{10})/stop/$", views_campaigns.review_stop, name="review-stop"),
    re_path(rf"^c/{NUMBER}/$", public.track, name="track"),
    # Open311 GeoReport v2 (JSON).
    path("open311/v2/services.json", open311.service_list, name="open311-services"),
    re_path(r"^open311/v2/services/(?P<code>[a-z_]{1,20})\.json$", open311.service_definition,
            name="open311-service"),
    path("open311/v2/requests.json", open311.requests, name="open311-requests"),
    re_path(r"^open311/v2/requests/(?P<number>[2-9A-Za-z-]{12,14})\.json$", open311.request_detail,
            name="open311-request"),
    # Staff.
    path("cases/", views.home, name="home"),
    path("cases/new/", views.enter, name="enter"),
    path("cases/figures/", views.figures, name="figures"),
    path("cases/rules/", views.rules, name="rules"),
    path("cases/comments/", views.comments, name="comments"),
    path("cases/campaigns/", views_campaigns.campaign_list, name="campaigns"),
    path("cases/campaigns/<int:pk>/", views_campaigns.campaign_detail, name="campaign"),
    path("cases/campaigns/<int:pk>/progress/", views_campaigns.campaign_progress, name="campaign-progress"),
    path("cases/campaigns/<int:pk>/action/", views_campaigns.campaign_action, name="campaign-action"),
    path("cases/campaigns/<int:pk>/codes.pdf", views_campaigns.campaign_codes, name="campaign-codes"),
    path("cases/<int:pk>/", views.detail, name="case"),
    path("cases/<int:pk>/attachments/<int:attachment_pk>/", views.attachment, name="attachment"),
    path("cases/from-rating/<int:rating_pk>/", views.from_rating, name="from-rating"),
    path("cases/from-evaluation/<uuid:item_pk>/", views.from_evaluation, name="from-evaluation"),
]
