"""Point the account's number (TWILIO_PHONE_NUMBER) at this app's inbound-call webhook."""

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from caller import twilio_client
from caller.services import absolute_url

LOOPBACK_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost")


def base_url_problem(base_url: str) -> str:
    """Why Twilio could not reach BASE_URL ('' when it can): it must be public https."""
    parts = urlsplit(base_url)
    host = (parts.hostname or "").lower()
    if parts.scheme != "https":
        return (
            f"BASE_URL={base_url!r} is not https: Twilio must reach the app over https (e.g. your ngrok URL)."
        )
    if not host:
        return f"BASE_URL={base_url!r} has no host name."
    if host in LOOPBACK_NAMES or host.endswith((".localhost", ".local", ".internal")):
        return f"BASE_URL={base_url!r} names this machine or a local network: Twilio cannot reach it."
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return ""
    if not address.is_global:
        return f"BASE_URL={base_url!r} is a loopback or private address: Twilio cannot reach it."
    return ""


class Command(BaseCommand):
    help = (
        "Point TWILIO_PHONE_NUMBER's 'A call comes in' webhook at BASE_URL/twilio/voice/ (POST), and its "
        "call status callback at BASE_URL/twilio/call-status/. Prints what changed."
    )

    def handle(self, *args, **options):
        if problem := base_url_problem(settings.BASE_URL):
            raise CommandError(problem)
        try:
            twilio_client.require_settings("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_PHONE_NUMBER")
            number = twilio_client.find_incoming_number(settings.TWILIO_PHONE_NUMBER)
            voice_url, status_callback = absolute_url("inbound-voice"), absolute_url("call-status")
            wanted = (voice_url, "POST", status_callback)
            if (number.voice_url, number.voice_method.upper(), number.status_callback) == wanted:
                self.stdout.write(
                    f"{number.phone_number} already sends its calls to {voice_url}: nothing changed."
                )
                return
            updated = twilio_client.set_voice_url(
                number.sid, voice_url=voice_url, status_callback=status_callback
            )
        except twilio_client.TwilioError as exc:
            raise CommandError(str(exc)) from None
        for label, old, new in (
            ("voice URL", number.voice_url, updated.voice_url),
            ("voice method", number.voice_method, updated.voice_method),
            ("status callback", number.status_callback, updated.status_callback),
        ):
            if old != new:
                self.stdout.write(f"{label}: {old or '(none)'} → {new}")
        self.stdout.write(
            self.style.SUCCESS(f"{number.phone_number} ({number.sid}) now sends its calls to {voice_url}.")
        )
