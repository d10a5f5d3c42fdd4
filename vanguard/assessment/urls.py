from django.urls import path

from . import views, views_member, views_outputs, views_schemes

app_name = "assessment"
urlpatterns = [
    path("assessment/", views.home, name="home"),
    path("assessment/periods/open/", views.period_open, name="period-open"),
    path("assessment/periods/<int:pk>/", views.period_detail, name="period"),
    path("assessment/periods/<int:pk>/step/<slug:step>/", views.period_step, name="period-step"),
    path("assessment/periods/<int:pk>/grid/", views.grid, name="grid"),
    path("assessment/periods/<int:pk>/grid/cell/", views.grid_cell, name="grid-cell"),
    path("assessment/periods/<int:pk>/records/<int:person_pk>/<int:indicator_pk>/", views.cell_records,
         name="cell-records"),
    path("assessment/periods/<int:pk>/template/", views.template_download, name="template"),
    path("assessment/periods/<int:pk>/upload/", views.template_upload, name="upload"),
    path("assessment/periods/<int:pk>/adjustments/", views.adjustments, name="adjustments"),
    path("assessment/adjustments/<int:pk>/decide/", views.adjustment_decide, name="adjustment-decide"),
    path("assessment/adjustments/<int:pk>/evidence/", views.evidence, name="evidence"),
    path("assessment/periods/<int:pk>/results/", views.results, name="results"),
    path("assessment/periods/<int:pk>/export/", views_outputs.month_export, name="export"),
    path("assessment/periods/<int:pk>/notices/<int:unit_pk>.docx", views_outputs.notice_docx, name="notice-docx"),
    path("assessment/periods/<int:pk>/notices/<int:unit_pk>.pdf", views_outputs.notice_pdf, name="notice-pdf"),
    path("assessment/schemes/<int:pk>/", views_schemes.scheme_detail, name="scheme"),
    path("assessment/schemes/<int:pk>/new-version/", views_schemes.scheme_new_version, name="scheme-new-version"),
    path("assessment/schemes/<int:pk>/edit/", views_schemes.scheme_edit, name="scheme-edit"),
    path("assessment/schemes/<int:pk>/activate/", views_schemes.scheme_activate, name="scheme-activate"),
    path("assessment/me/", views_member.my_results, name="mine"),
    path("assessment/results/<int:pk>/", views_member.result_detail, name="result"),
    path("assessment/results/<int:pk>/appeal/", views_member.appeal_submit, name="appeal-submit"),
    path("assessment/appeals/", views_member.appeal_list, name="appeals"),
    path("assessment/appeals/<int:pk>/decide/", views_member.appeal_decide, name="appeal-decide"),
    path("assessment/tally/", views_outputs.tally, name="tally"),
    # Public, on the hall's screen and as a QR code: short and stable.
    path("stars/<int:floor_pk>/", views_outputs.board, name="board"),
    path("stars/<int:floor_pk>/<str:month>/", views_outputs.board, name="board-month"),
]
