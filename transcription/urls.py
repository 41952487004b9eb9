"""Transcript pages and AssemblyAI's webhook."""

from django.urls import path

from . import views

app_name = "transcription"

urlpatterns = [
    path("<int:pk>/", views.transcript_detail, name="detail"),
]
