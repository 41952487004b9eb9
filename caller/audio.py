"""Tells the transcription app how to read Twilio recordings (registered in CallerConfig.ready)."""

from djtranscribe.lib.ids import RECORDING_SID_RE
from transcription.audio import AudioUnavailable, ResolvedAudio

from . import twilio_client


def open_twilio_media(url: str):
    """Stream a Twilio recording with Basic auth; failures become AudioUnavailable."""
    try:
        yield from twilio_client.iter_media(url)
    except twilio_client.TwilioError as exc:
        raise AudioUnavailable(str(exc), retryable=exc.retryable) from None


def resolve_recording_sid(identifier: str) -> ResolvedAudio | None:
    """A RecordingSid (RE + 32 hex) → its media URL, fetched from Twilio."""
    if not RECORDING_SID_RE.match(identifier):
        return None
    try:
        info = twilio_client.fetch_recording(identifier)
    except twilio_client.TwilioError as exc:
        raise AudioUnavailable(str(exc), retryable=exc.retryable) from None
    return ResolvedAudio(audio_url=info.media_url, recording_sid=info.sid, call_sid=info.call_sid)
