from django.apps import AppConfig


class CallerConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "caller"
    verbose_name = "Calls (Twilio)"

    def ready(self):
        from django.db.models.signals import post_delete

        from transcription.finding import directions_register
        from transcription.models import Transcript
        from transcription.retention_policy import retention_step_register
        from transcription.signals import redacted_audio_archived, transcript_completed

        from . import checks  # noqa: F401  (registers system checks)
        from .models import CallDirection
        from .retention import on_redacted_audio_archived, recording_retention_delete
        from .selectors import transcripts_of_direction
        from .services import on_transcript_completed, on_transcript_deleted

        # The transcripts list filters by a call's direction through this (transcription knows no calls).
        directions_register(CallDirection.choices, transcripts_of_direction)
        # Retention deletes a call's recording at Twilio before the archived copy.
        retention_step_register("Twilio", recording_retention_delete)

        transcript_completed.connect(on_transcript_completed, dispatch_uid="caller-delete-recording")
        redacted_audio_archived.connect(
            on_redacted_audio_archived, dispatch_uid="caller-delete-unredacted-recording"
        )
        post_delete.connect(
            on_transcript_deleted, sender=Transcript, dispatch_uid="caller-transcript-deleted"
        )
