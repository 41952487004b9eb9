from django.apps import AppConfig


class CallerConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "caller"
    verbose_name = "Calls (Twilio)"

    def ready(self):
        from django.db.models.signals import post_delete

        from transcription.models import Transcript
        from transcription.signals import transcript_completed

        from . import checks  # noqa: F401  (registers system checks)
        from .services import on_transcript_completed, on_transcript_deleted

        transcript_completed.connect(on_transcript_completed, dispatch_uid="caller-delete-recording")
        post_delete.connect(
            on_transcript_deleted, sender=Transcript, dispatch_uid="caller-transcript-deleted"
        )
