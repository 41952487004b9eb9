"""Share links: managed beside the transcript, opened under /s/<token>/."""

from django.urls import path, re_path

from . import views

# Revoking comes last: a walk of the URLconf (tests/test_access.py) opens the link before revoking it.
urlpatterns = [
    path("s/<str:token>/", views.shared_transcript, name="share"),
    path("s/<str:token>/audio/", views.shared_audio, name="share-audio"),
    re_path(
        r"^s/(?P<token>[^/]+)/export\.(?P<kind>txt|json|srt|vtt)$", views.shared_export, name="share-export"
    ),
    path("transcription/<int:pk>/share/", views.share_create, name="share-create"),
    path("shares/<int:pk>/revoke/", views.share_revoke, name="share-revoke"),
]
