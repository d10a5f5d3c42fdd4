from django.urls import path, re_path

from . import public, views

app_name = "ratings"

urlpatterns = [
    # Public, no login: the rating form of one transaction (signed token) and a post's rate.
    re_path(r"^r/(?P<token>[A-Za-z0-9_:\-.]{10,300})/$", public.rate, name="rate"),
    re_path(r"^r/post/(?P<code>[2-9A-Za-z]{7})/$", public.post_rate, name="rate-post"),
    re_path(r"^r/post/(?P<code>[2-9A-Za-z]{7})/mine/$", public.post_rate_mine, name="rate-post-mine"),
    # Staff.
    path("ratings/", views.home, name="home"),
    path("ratings/transactions/", views.transaction_list, name="transactions"),
    path("ratings/transactions/template.xlsx", views.transaction_template, name="transaction-template"),
    path("ratings/transactions/<int:pk>/", views.transaction_detail, name="transaction"),
    path("ratings/flags/", views.flag_list, name="flags"),
    path("ratings/flags/<int:pk>/review/", views.rating_review, name="rating-review"),
    path("ratings/cases/", views.case_list, name="cases"),
    path("ratings/cases/<int:pk>/", views.case_detail, name="case"),
    path("ratings/cases/<int:pk>/evidence/", views.case_evidence, name="case-evidence"),
]
