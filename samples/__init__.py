"""The sample calls: AssemblyAI results with audio whose words sound at their stored times.

Data only, read by the sample loader; scripts/make_sample_audio.py made the audio (README,
Development). Each sample pairs a completed transcript (JSON as AssemblyAI returns it) with an MP3.
"""

from dataclasses import dataclass
from pathlib import Path

DIRECTORY = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Sample:
    """One sample call: its transcript's JSON file, its audio file, and how many channels it has."""

    name: str
    transcript: Path
    audio: Path
    channels: int


TUTORIAL = Sample("tutorial", DIRECTORY / "tutorial_transcript.json", DIRECTORY / "tutorial.mp3", 1)
CONVERSATION = Sample(
    "conversation", DIRECTORY / "conversation_transcript.json", DIRECTORY / "conversation.mp3", 2
)
SAMPLES = (TUTORIAL, CONVERSATION)
AUDIO_CONTENT_TYPE = "audio/mpeg"
