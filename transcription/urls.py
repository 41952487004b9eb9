"""Transcript pages and AssemblyAI's webhook."""

from django.urls import path

from . import views, webhooks

app_name = "transcription"

urlpatterns = [
    path("<int:pk>/", views.transcript_detail, name="detail"),
    path("webhook/<str:token>/", webhooks.assemblyai_webhook, name="assemblyai-webhook"),
]
