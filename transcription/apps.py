from django.apps import AppConfig


class TranscriptionConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "transcription"
    verbose_name = "Transcription (AssemblyAI)"

    def ready(self):
        from . import checks  # noqa: F401  (registers system checks)
