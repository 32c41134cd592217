"""Web page routes: login/logout, workflow list, builder, credentials, API tokens, starter templates, run history."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import include, path

from backend.web import views

app_name = "web"

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="registration/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.workflows_page, name="workflows"),
    path("builder/", views.builder_page, name="builder"),
    path("builder/<uuid:workflow_id>/", views.builder_page, name="builder-edit"),
    path("credentials/", views.credentials_page, name="credentials"),
    path("tokens/", views.tokens_page, name="tokens"),
    path("templates/<str:name>.json", views.example_template, name="example-template"),
    path("", include("backend.web.runs_urls")),
]
