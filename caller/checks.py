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


@register(Tags.security)
def dial_policy_check(app_configs, **kwargs):
    """A malformed dial limit must stop `check` at deploy time, not fail the first dial."""
    from django.core.checks import Error
    from django.core.exceptions import ImproperlyConfigured

    from .dial_policy import allowed_countries, parse_rate

    messages = []
    try:
        parse_rate(settings.DIAL_RATE_LIMIT)
    except ImproperlyConfigured as exc:
        messages.append(Error(str(exc), id="caller.E001"))
    for name in ("DIAL_TIME_LIMIT", "DIAL_RING_TIMEOUT"):
        if getattr(settings, name) <= 0:
            messages.append(Error(f"{name} must be a positive number of seconds.", id="caller.E002"))
    if not allowed_countries() and settings.TWILIO_PHONE_NUMBER:
        messages.append(
            Warning(
                "No country may be called: TWILIO_PHONE_NUMBER has no region "
                "and DIAL_ALLOWED_COUNTRIES is empty.",
                hint="Set DIAL_ALLOWED_COUNTRIES, e.g. US,CA.",
                id="caller.W003",
            )
        )
    return messages
