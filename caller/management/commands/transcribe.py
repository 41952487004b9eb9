"""transcription's transcribe, also for a Twilio RecordingSid: archived first, then submitted."""

from django.core.management.base import CommandError

from audio.services import AudioUnavailable
from djtranscribe.lib.ids import RECORDING_SID_RE
from transcription.assemblyai_client import AssemblyAIClient, AssemblyAIError
from transcription.management.commands import transcribe
from transcription.models import AudioSource, Transcript
from transcription.pipeline import direct
from transcription.pipeline.create import configured_audio_source

from ... import twilio_client
from ...audio import recording_archive, recording_asset
from ...services import recording_store_info


class Command(transcribe.Command):
    def submit_other(self, client: AssemblyAIClient, source: str) -> Transcript:
        """A RecordingSid: fetched from Twilio, archived (when uploads are on), then submitted."""
        if not RECORDING_SID_RE.match(source):
            return super().submit_other(client, source)
        try:
            recording, _ = recording_store_info(twilio_client.fetch_recording(source))
            asset = recording_asset(recording)
            direct.refuse_duplicate(recording.sid)
            if configured_audio_source() == AudioSource.UPLOAD:
                recording_archive(recording, asset)
            return direct.transcript_submit_asset(
                asset=asset,
                recording_sid=recording.sid,
                call_sid=recording.call_sid,
                client=client,
                owner=self.owner,
                sensitive=self.sensitive,
            )
        except (twilio_client.TwilioError, AssemblyAIError, AudioUnavailable, direct.TranscriptExists) as exc:
            raise CommandError(str(exc)) from None
