"""System checks that name each pipeline setting that is wrong or unsafe."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.compatibility)
def pipeline_settings_check(app_configs, **kwargs):
    messages = []
    if settings.TRANSCRIPTION_AUDIO_SOURCE.lower() not in {"upload", "url"}:
        messages.append(
            Error(
                f"TRANSCRIPTION_AUDIO_SOURCE={settings.TRANSCRIPTION_AUDIO_SOURCE!r} is not upload or url.",
                hint="Use upload (download from Twilio with auth, then upload) or url (hand the URL over).",
                id="transcription.E001",
            )
        )
    mode = settings.TRANSCRIPTION_WEBHOOKS.lower()
    if mode not in {"auto", "on", "off", "true", "false", "1", "0", "yes", "no"}:
        messages.append(
            Error(
                f"TRANSCRIPTION_WEBHOOKS={settings.TRANSCRIPTION_WEBHOOKS!r} is not auto, on or off.",
                id="transcription.E002",
            )
        )
    return messages
