"""Transcript pages and AssemblyAI's webhook."""

from django.urls import path, re_path

from . import (
    accuracy_pages,
    editor_pages,
    media,
    retry_pages,
    sample_pages,
    transcribe_pages,
    views,
    webhooks,
)

app_name = "transcription"

urlpatterns = [
    path("webhook/<str:token>/", webhooks.assemblyai_webhook, name="assemblyai-webhook"),  # bursts: first
    path("", views.transcript_list, name="list"),
    path("<int:pk>/", views.transcript_detail, name="detail"),
    path("<int:pk>/retry/", retry_pages.transcript_retry, name="retry"),
    path("new/", transcribe_pages.transcribe_new, name="new"),
    path("<int:pk>/audio/", media.transcript_audio, name="audio"),
    path("<int:pk>/audio/unredacted/", media.transcript_unredacted_audio, name="unredacted-audio"),
    path("samples/load/", sample_pages.load_samples, name="load-samples"),
    path("samples/<int:sample_pk>/delete/", sample_pages.delete_sample, name="delete-sample"),
    path("<int:pk>/status/", views.transcript_status, name="status"),
    path("<int:pk>/participants/", views.transcript_participants, name="participants"),
    path("<int:pk>/edit/", editor_pages.transcript_edit, name="edit"),
    path("<int:pk>/revisions/", editor_pages.transcript_revisions, name="revisions"),
    path("<int:pk>/revert/", editor_pages.revert_page, name="revert"),
    path("<int:pk>/participants/merge/", editor_pages.merge_page, name="merge"),
    path("<int:pk>/reviewed/", editor_pages.reviewed_page, name="reviewed"),
    path("accuracy/", accuracy_pages.accuracy, name="accuracy"),
    path("keyterms/", accuracy_pages.keyterms, name="keyterms"),
    re_path(r"^(?P<pk>[0-9]+)/export\.(?P<kind>txt|json|srt|vtt)$", views.transcript_export, name="export"),
]
