"""URL configuration: the caller app at the root (the tutorial's paths), transcription, admin."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("caller.urls")),
    path("transcription/", include("transcription.urls")),
    path("admin/", admin.site.urls),
]
