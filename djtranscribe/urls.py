"""URL configuration: the caller app at the root (the tutorial's paths), transcription, admin."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from caller.pages import LoginView

urlpatterns = [
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("caller.urls")),
    path("", include("sharing.urls")),
    path("transcription/", include("transcription.urls")),
    path("webhooks/", include("notify.urls")),
    path("admin/", admin.site.urls),
]
