from django.contrib.auth import views as auth_views
from django.urls import path

from . import choosers, views, views_accounts

app_name = "core"

urlpatterns = [
    path("choose/<slug:kind>/", choosers.choose, name="choose"),
    path("audit/", views.AuditListView.as_view(), name="audit-list"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/<int:pk>/delete/", views.calendar_delete, name="calendar-delete"),
    path("accounts/users/", views_accounts.account_list, name="account-list"),
    path("accounts/users/new/", views_accounts.account_create, name="account-create"),
    path("accounts/users/<int:pk>/", views_accounts.account_detail, name="account-detail"),
    path("accounts/users/<int:pk>/active/", views_accounts.account_active, name="account-active"),
    path("accounts/grants/<int:pk>/revoke/", views_accounts.grant_revoke, name="grant-revoke"),
]

# Unnamespaced names Django's auth expects (login, logout, password_change, home).
auth_patterns = [
    path("", views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
]
