"""URL configuration: the caller app at the root (the tutorial's paths), transcription, admin."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from caller.pages import LoginView

urlpatterns = [
    # Django tries these in order. The prefixed include first: AssemblyAI's webhook (in it) comes
    # in bursts, and a path outside it fails its prefix at once. Under "" below, caller's Twilio
    # callbacks come first for the same reason.
    path("transcription/", include("transcription.urls")),
    path("", include("caller.urls")),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("sharing.urls")),
    path("", include("api.urls")),
    path("webhooks/", include("notify.urls")),
    path("admin/", admin.site.urls),
]

# Under /api/ these answer problem details (JSON), like the API's own errors; elsewhere Django's pages.
handler404 = "api.errors.api_not_found"
handler500 = "api.errors.api_server_error"
