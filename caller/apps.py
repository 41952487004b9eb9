from django.apps import AppConfig


class CallerConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "caller"
    verbose_name = "Calls (Twilio)"

    def ready(self):
        from django.db.models.signals import post_delete

        from transcription import sources
        from transcription.models import Transcript
        from transcription.signals import transcript_completed

        from . import checks  # noqa: F401  (registers system checks)
        from .media import describe_transcript, describe_transcripts
        from .services import on_transcript_completed, on_transcript_deleted

        # Transcript pages play a call's recording through caller's media proxy.
        sources.register_describer(describe_transcript, many=describe_transcripts)
        transcript_completed.connect(on_transcript_completed, dispatch_uid="caller-delete-recording")
        post_delete.connect(
            on_transcript_deleted, sender=Transcript, dispatch_uid="caller-transcript-deleted"
        )
