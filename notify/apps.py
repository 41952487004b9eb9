from django.apps import AppConfig


class NotifyConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notify"
    verbose_name = "Outbound webhooks"

    def ready(self):
        # notify sits at the top: it listens to the domain apps' signals, and none imports it.
        from caller.signals import call_completed, recording_completed
        from transcription.signals import transcript_completed, transcript_failed, transcript_revised

        from . import events

        receivers = {
            call_completed: events.on_call_completed,
            recording_completed: events.on_recording_completed,
            transcript_completed: events.on_transcript_completed,
            transcript_failed: events.on_transcript_failed,
            transcript_revised: events.on_transcript_revised,
        }
        for signal, receiver in receivers.items():
            signal.connect(receiver, dispatch_uid=f"notify-{receiver.__name__}")
