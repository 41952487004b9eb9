"""System checks that name each setting that is missing or unsafe."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.compatibility)
def twilio_settings_check(app_configs, **kwargs):
    messages = []
    missing = [
        name
        for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_PHONE_NUMBER")
        if not getattr(settings, name, "")
    ]
    if missing:
        messages.append(
            Warning(
                "Twilio is not configured: " + ", ".join(missing) + " not set.",
                hint="Dialing and recordings need them; set them in .env (see .env.example).",
                id="caller.W001",
            )
        )
    if not settings.TWILIO_VALIDATE_SIGNATURES:
        messages.append(
            Warning(
                "TWILIO_VALIDATE_SIGNATURES is off: anyone can post fake Twilio webhooks.",
                hint="Turn it back on (remove the variable) anywhere the app is reachable.",
                id="caller.W002",
            )
        )
    return messages
