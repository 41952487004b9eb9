"""Transcript pages and AssemblyAI's webhook."""

from django.urls import path, re_path

from . import views, webhooks

app_name = "transcription"

urlpatterns = [
    path("", views.transcript_list, name="list"),
    path("<int:pk>/", views.transcript_detail, name="detail"),
    path("webhook/<str:token>/", webhooks.assemblyai_webhook, name="assemblyai-webhook"),
    path("<int:pk>/status/", views.transcript_status, name="status"),
    path("<int:pk>/participants/", views.transcript_participants, name="participants"),
    re_path(r"^(?P<pk>[0-9]+)/export\.(?P<kind>txt|json|srt|vtt)$", views.transcript_export, name="export"),
]
