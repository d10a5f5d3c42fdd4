from django.urls import path, re_path

from . import views, views_projects, views_public

app_name = "posts"

# Public codes: 7 characters of an unambiguous upper-case base32 (see models.CODE_ALPHABET).
CODE = r"(?P<code>[2-9A-Za-z]{7})"

urlpatterns = [
    # Public, no login.
    path("p/", views_public.named_list, name="named-list"),
    path("p/export.xlsx", views_public.named_xlsx, name="named-xlsx"),
    path("p/export.docx", views_public.named_docx, name="named-docx"),
    re_path(rf"^p/{CODE}/$", views_public.signboard, name="signboard"),
    re_path(rf"^p/{CODE}/\.json$", views_public.signboard_json, name="signboard-json"),
    re_path(rf"^p/{CODE}/qr\.svg$", views_public.qr_svg, name="qr-svg"),
    re_path(rf"^p/{CODE}/qr\.png$", views_public.qr_png, name="qr-png"),
    re_path(rf"^p/{CODE}/signboard\.pdf$", views_public.signboard_pdf, name="signboard-pdf"),
    # Staff.
    path("posts/", views.PostListView.as_view(), name="post-list"),
    path("posts/new/", views.post_create, name="post-create"),
    path("posts/signboards.pdf", views.batch_signboards, name="batch-signboards"),
    path("posts/<int:pk>/", views.post_detail, name="post-detail"),
    path("posts/<int:pk>/edit/", views.post_edit, name="post-edit"),
    path("posts/<int:pk>/disclose/", views.post_disclose, name="post-disclose"),
    path("posts/<int:pk>/name/", views.post_name, name="post-name"),
    path("posts/<int:pk>/revoke/", views.post_revoke, name="post-revoke"),
    path("posts/<int:pk>/certificate.pdf", views.post_certificate, name="post-certificate"),
    path("posts/projects/", views_projects.project_list, name="project-list"),
    path("posts/projects/new/", views_projects.project_create, name="project-create"),
    path("posts/projects/<int:pk>/", views_projects.project_edit, name="project-edit"),
    path("posts/projects/map/", views_projects.project_map, name="project-map"),
    path("posts/projects/map.geojson", views_projects.project_geojson, name="project-geojson"),
    path("posts/standards/", views_projects.standard_list, name="standard-list"),
    path("posts/standards/new/", views_projects.standard_create, name="standard-create"),
    path("posts/standards/<int:pk>/", views_projects.standard_edit, name="standard-edit"),
]
