"""A one-off submission that fails leaves nothing behind: no transcript, no audio asset of its own."""

import io

import pytest

from audio.models import AudioAsset, OriginKind
from tests.fakes import AAI
from transcription.assemblyai_client import AssemblyAIError
from transcription.models import Transcript
from transcription.pipeline.direct import (
    transcript_submit_asset,
    transcript_submit_file,
    transcript_submit_url,
)

pytestmark = pytest.mark.django_db

AUDIO_URL = "https://example.com/call.mp3"


def test_it_removes_the_url_asset_of_a_refused_url_submission(mocked_http):
    mocked_http.post(f"{AAI}/v2/transcript", json={"error": "Invalid API key"}, status=401)
    with pytest.raises(AssemblyAIError):
        transcript_submit_url(audio_url=AUDIO_URL)
    assert Transcript.objects.count() == 0
    assert AudioAsset.objects.count() == 0


def test_it_removes_the_upload_asset_of_a_refused_upload(mocked_http):
    mocked_http.post(f"{AAI}/v2/upload", json={"error": "Invalid API key"}, status=401)
    with pytest.raises(AssemblyAIError):
        transcript_submit_file(file=io.BytesIO(b"RIFF audio"))
    assert Transcript.objects.count() == 0
    assert AudioAsset.objects.count() == 0


def test_it_keeps_a_shared_asset_when_its_submission_fails(mocked_http, settings):
    settings.TRANSCRIPTION_AUDIO_SOURCE = "url"
    asset = AudioAsset.objects.create(
        origin_kind=OriginKind.TWILIO_RECORDING, origin_id="RE" + "1" * 32, origin_url=AUDIO_URL
    )
    mocked_http.post(f"{AAI}/v2/transcript", json={"error": "Invalid API key"}, status=401)
    with pytest.raises(AssemblyAIError):
        transcript_submit_asset(asset=asset)
    assert Transcript.objects.count() == 0
    assert AudioAsset.objects.filter(pk=asset.pk).exists()
