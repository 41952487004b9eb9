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
    path("", include("api.urls")),
    path("transcription/", include("transcription.urls")),
    path("webhooks/", include("notify.urls")),
    path("admin/", admin.site.urls),
]

# Under /api/ these answer problem details (JSON), like the API's own errors; elsewhere Django's pages.
handler404 = "api.errors.api_not_found"
handler500 = "api.errors.api_server_error"
