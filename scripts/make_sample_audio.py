#!/usr/bin/env python3
"""Make the sample calls' audio in samples/: each transcript word spoken by espeak-ng at its stored time.

Run by hand when a sample transcript changes (never at app run time; the app serves the committed
files):

    python3 scripts/make_sample_audio.py                   # both MP3s and samples/sample_audio.json
    python3 scripts/make_sample_audio.py --layout-conversation   # first rewrite the conversation's
                                                           # transcript from DIALOGUE below

Needs Debian's espeak-ng and lame (`apt-get install espeak-ng lame`); Python's standard library only.

- samples/tutorial.mp3 (mono): the words of samples/tutorial_transcript.json, a copy of
  tests/fixtures/tutorial_transcript.json (the tutorial's real AssemblyAI result, 2021).
- samples/conversation.mp3 (stereo): samples/conversation_transcript.json, a support call shaped as
  AssemblyAI's completed multichannel result; channel "1" (the caller) is the left channel, channel
  "2" (the support agent) the right one, each party in its own espeak-ng voice.

Each word is synthesised alone, its leading and trailing silence cut, and placed at its `start`.
It must end before the next word (of its channel) starts and at most SPILL_MS after its own `end`;
a word too long for that window is spoken faster (espeak-ng's -s), and cut with a fade if even the
fastest speed does not fit. samples/sample_audio.json records the tools' versions and every
parameter, so the same tools give the same files.
"""

from __future__ import annotations

import argparse
import array
import json
import math
import random
import shutil
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
TUTORIAL_SOURCE = ROOT / "tests" / "fixtures" / "tutorial_transcript.json"

RATE = 22050  # espeak-ng's own output rate: no resampling anywhere
TUTORIAL_SPEED = 175  # espeak-ng's default words per minute
CONVERSATION_SPEED = 215  # a brisk phone-call pace keeps the call under a minute
MAX_SPEED = 900  # beyond ~450 espeak-ng speeds up with sonic; above 900 words turn to chirps
SPILL_MS = 250  # a word may sound this long past its stored end (ASR ends are tight)
SILENCE = 200  # |sample| below this (about -44 dBFS) counts as silence when trimming a word
FADE_MS = 5  # fade in and out of every word, so cuts never click
# CBR per channel count; stereo at 16 kHz (phone quality, more than Twilio's 8 kHz) stays small.
LAME_ARGS = {
    1: ["-m", "m", "-b", "32", "--resample", "22.05"],
    2: ["-m", "s", "-b", "40", "--resample", "16"],
}

TUTORIAL_VOICE = "en-us"
CONVERSATION_VOICES = {"1": "en-gb", "2": "en-us+f3"}  # caller: male British; agent: female US

# The sample conversation: (channel, words). Channel "1" placed the call through the app;
# channel "2" answered (Twilio's <Dial> recording order: parent call first).
DIALOGUE = [
    ("2", "Thanks for calling Northwind Broadband, this is Maya. How can I help you today?"),
    ("1", "Hi Maya. I was charged twice for my October bill, and I'd like one of the payments refunded."),
    ("2", "I'm sorry about that. Could I have your account number, please?"),
    ("1", "Sure, it's four four seven two, nine one eight three."),
    (
        "2",
        "Thank you. I can see two payments of fifty nine dollars on October third. "
        "The second one is a duplicate.",
    ),
    ("1", "Great. How long will the refund take?"),
    (
        "2",
        "I've issued it now. It should reach your card in three to five business days, "
        "and you'll get a confirmation email.",
    ),
    ("1", "Perfect. Could you also switch my bills to paperless?"),
    ("2", "Done. Is there anything else I can help with?"),
    ("1", "No, that's everything. Thanks for your help."),
    ("2", "You're welcome. Have a great day."),
]
WORD_GAP_MS = 40  # between words of one turn
TURN_GAP_MS = (400, 700)  # between turns, drawn per turn
TAIL_MS = 900  # silence after the last word
CONVERSATION_ID = "5a3c1e2b-7d94-4f0a-9b61-0c8e2f4d7a15"
SEED = 14  # issue 14; fixes the turn gaps and confidences


def run(tool: str, *args: str) -> str:
    """Run a Debian tool (found on PATH, or exit saying how to install it); its standard output."""
    path = shutil.which(tool)
    if path is None:
        sys.exit(f"{tool} not found: install it with `apt-get install {tool}` (Debian/Ubuntu).")
    # No shell, and the arguments are this script's constants and the sample transcripts' words.
    return subprocess.run([path, *args], capture_output=True, text=True, check=True).stdout  # noqa: S603


def tool_version(tool: str) -> str:
    """The first line a tool prints about its version."""
    return run(tool, "--version").strip().splitlines()[0]


def synthesise(text: str, voice: str, speed: int, workdir: Path) -> array.array:
    """espeak-ng's samples for `text` (16-bit mono at RATE), leading and trailing silence cut."""
    path = workdir / "word.wav"
    run("espeak-ng", "-v", voice, "-s", str(speed), "-w", str(path), "--", text)
    with wave.open(str(path), "rb") as wav:
        if (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) != (1, 2, RATE):
            sys.exit(f"espeak-ng wrote an unexpected WAV format for {text!r}")
        samples = array.array("h", wav.readframes(wav.getnframes()))
    if sys.byteorder == "big":
        samples.byteswap()
    loud = [n for n, value in enumerate(samples) if abs(value) >= SILENCE]
    return samples[loud[0] : loud[-1] + 1] if loud else array.array("h")


def fade(samples: array.array) -> array.array:
    """The samples with FADE_MS linear fades at both ends."""
    n = min(len(samples) // 2, RATE * FADE_MS // 1000)
    for i in range(n):
        gain = i / n
        samples[i] = int(samples[i] * gain)
        samples[-1 - i] = int(samples[-1 - i] * gain)
    return samples


def fit_word(
    text: str, voice: str, base_speed: int, window_ms: int, workdir: Path
) -> tuple[array.array, dict]:
    """The word's samples no longer than window_ms, and how they were made."""
    window = RATE * window_ms // 1000
    speed = base_speed
    samples = synthesise(text, voice, speed, workdir)
    # espeak-ng's speed is words per minute, not an exact time scale: scale it up to three times.
    for _ in range(3):
        if len(samples) <= window or speed == MAX_SPEED:
            break
        speed = min(MAX_SPEED, math.ceil(speed * len(samples) / window * 1.05))
        samples = synthesise(text, voice, speed, workdir)
    cut_ms = 0
    if len(samples) > window:
        cut_ms = (len(samples) - window) * 1000 // RATE
        samples = samples[:window]
    return fade(samples), {"speed": speed, "cut_ms": cut_ms}


def windows(words: list[dict], end_ms: int, channel_of) -> list[int]:
    """How long (ms) each word may sound: until its channel's next word, at most SPILL_MS past its end."""
    result = []
    for n, word in enumerate(words):
        later = [w["start"] for w in words[n + 1 :] if channel_of(w) == channel_of(word)]
        next_start = min(later, default=end_ms)
        result.append(max(1, min(next_start, word["end"] + SPILL_MS) - word["start"]))
    return result


def render(transcript: dict, voices: dict[str, str], speed: int, channels: list[str], workdir: Path):
    """Interleaved 16-bit samples of the transcript's words, one output channel per entry of `channels`."""
    total = round(transcript["audio_duration"] * RATE)
    tracks = {channel: array.array("h", bytes(2 * total)) for channel in channels}
    single = len(channels) == 1

    def channel_of(word):
        return channels[0] if single else word["channel"]

    words = transcript["words"]
    adjusted = []
    for n, (word, window_ms) in enumerate(
        zip(words, windows(words, total * 1000 // RATE, channel_of), strict=True)
    ):
        channel = channel_of(word)
        samples, made = fit_word(word["text"], voices[channel], speed, window_ms, workdir)
        if made["speed"] != speed or made["cut_ms"]:
            adjusted.append({"word": n, "text": word["text"], **made})
        offset = RATE * word["start"] // 1000
        track = tracks[channel]
        for i, value in enumerate(samples[: total - offset]):
            track[offset + i] = value
    if single:
        mixed = tracks[channels[0]]
    else:
        mixed = array.array("h", bytes(2 * total * len(channels)))
        for c, channel in enumerate(channels):
            mixed[c :: len(channels)] = tracks[channel]
    return mixed, adjusted


def encode(samples: array.array, nchannels: int, target: Path, workdir: Path) -> list[str]:
    """Write the samples as MP3 at `target` with lame; the lame arguments used."""
    source = workdir / "mix.wav"
    if sys.byteorder == "big":
        samples = array.array("h", samples)
        samples.byteswap()
    with wave.open(str(source), "wb") as wav:
        wav.setnchannels(nchannels)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(samples.tobytes())
    args = ["--quiet", "--noreplaygain", *LAME_ARGS[nchannels]]
    run("lame", *args, str(source), str(target))
    return args


def layout_conversation(workdir: Path) -> dict:
    """DIALOGUE as an AssemblyAI completed multichannel transcript, timed by espeak-ng's own pace."""
    rng = random.Random(SEED)
    words, utterances, cursor = [], [], 0
    for turn, (channel, text) in enumerate(DIALOGUE):
        if turn:
            cursor += rng.randint(*TURN_GAP_MS)
        turn_words = []
        for token in text.split():
            spoken = synthesise(token, CONVERSATION_VOICES[channel], CONVERSATION_SPEED, workdir)
            length = len(spoken) * 1000 // RATE
            turn_words.append(
                {
                    "text": token,
                    "start": cursor,
                    "end": cursor + length,
                    "confidence": round(rng.uniform(0.82, 1.0), 2),
                    "speaker": channel,
                    "channel": channel,
                }
            )
            cursor += length + WORD_GAP_MS
        cursor -= WORD_GAP_MS
        words.extend(turn_words)
        utterances.append(
            {
                "text": text,
                "start": turn_words[0]["start"],
                "end": turn_words[-1]["end"],
                "confidence": round(sum(w["confidence"] for w in turn_words) / len(turn_words), 4),
                "speaker": channel,
                "channel": channel,
                "words": turn_words,
            }
        )
    return {
        "id": CONVERSATION_ID,
        "status": "completed",
        "language_code": "en_us",
        "speech_model_used": "universal-3-pro",
        "multichannel": True,
        "punctuate": True,
        "format_text": True,
        "text": " ".join(text for _, text in DIALOGUE),
        "words": words,
        "utterances": utterances,
        "confidence": round(sum(w["confidence"] for w in words) / len(words), 4),
        "audio_duration": round((cursor + TAIL_MS) / 1000, 3),
        "audio_channels": 2,
        "webhook_status_code": None,
    }


def write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--layout-conversation",
        action="store_true",
        help="rewrite samples/conversation_transcript.json from DIALOGUE first",
    )
    options = parser.parse_args()
    for tool in ("espeak-ng", "lame"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} not found: install it with `apt-get install {tool}` (Debian/Ubuntu).")
    SAMPLES.mkdir(exist_ok=True)
    manifest = {
        "made_by": "scripts/make_sample_audio.py",
        "espeak_ng": tool_version("espeak-ng"),
        "lame": tool_version("lame"),
        "sample_rate": RATE,
        "max_speed": MAX_SPEED,
        "spill_ms": SPILL_MS,
        "silence_threshold": SILENCE,
        "fade_ms": FADE_MS,
        "files": {},
    }
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        shutil.copyfile(TUTORIAL_SOURCE, SAMPLES / "tutorial_transcript.json")
        if options.layout_conversation:
            write_json(SAMPLES / "conversation_transcript.json", layout_conversation(workdir))
            manifest["conversation_layout"] = {
                "seed": SEED,
                "word_gap_ms": WORD_GAP_MS,
                "turn_gap_ms": list(TURN_GAP_MS),
                "tail_ms": TAIL_MS,
            }
        elif (previous := SAMPLES / "sample_audio.json").exists():
            # Keep the record of how the committed conversation transcript was laid out.
            if layout := json.loads(previous.read_text()).get("conversation_layout"):
                manifest["conversation_layout"] = layout
        jobs = [
            ("tutorial.mp3", "tutorial_transcript.json", {"mono": TUTORIAL_VOICE}, TUTORIAL_SPEED, ["mono"]),
            (
                "conversation.mp3",
                "conversation_transcript.json",
                CONVERSATION_VOICES,
                CONVERSATION_SPEED,
                ["1", "2"],
            ),
        ]
        for audio_name, transcript_name, voices, speed, channels in jobs:
            transcript = json.loads((SAMPLES / transcript_name).read_text())
            samples, adjusted = render(transcript, voices, speed, channels, workdir)
            lame_args = encode(samples, len(channels), SAMPLES / audio_name, workdir)
            manifest["files"][audio_name] = {
                "transcript": transcript_name,
                "channels": channels,
                "voices": voices,
                "speed": speed,
                "lame_args": lame_args,
                "adjusted_words": adjusted,
            }
            size = (SAMPLES / audio_name).stat().st_size
            print(f"samples/{audio_name}: {size // 1024} KB, {len(adjusted)} word(s) sped up or cut")
    write_json(SAMPLES / "sample_audio.json", manifest)


if __name__ == "__main__":
    main()
