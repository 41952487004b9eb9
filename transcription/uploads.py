"""Audio a person gives the app from the browser: a file (checked, archived) or a public https link."""

from __future__ import annotations

import ipaddress
import uuid
from pathlib import PurePath
from urllib.parse import urlsplit

from django.conf import settings

from audio.models import AudioAsset, OriginKind
from audio.services import asset_archive
from djtranscribe.lib.http import refusal

# Leading bytes of the audio and video containers AssemblyAI reads, and what to call them.
SIGNATURES = (
    (0, b"ID3", "audio/mpeg", "MP3"),
    (0, b"RIFF", "audio/wav", "WAV"),  # checked for WAVE/AVI below
    (0, b"OggS", "audio/ogg", "Ogg/Opus"),
    (0, b"fLaC", "audio/flac", "FLAC"),
    (4, b"ftyp", "audio/mp4", "MP4/M4A/MOV"),
    (0, b"\x1a\x45\xdf\xa3", "video/webm", "WebM/MKV"),
    (0, b"#!AMR", "audio/amr", "AMR"),
    (0, b"\x30\x26\xb2\x75\x8e\x66\xcf\x11", "audio/x-ms-wma", "WMA/WMV"),
)
EXTENSIONS = ".mp3 .wav .m4a .mp4 .mov .aac .ogg .oga .opus .flac .webm .mkv .amr .wma .wmv"
KINDS = "MP3, WAV, M4A, MP4, MOV, AAC, OGG, OPUS, FLAC, WEBM, MKV, AMR, WMA"
MAX_URL = 500


class Refused(Exception):
    """What was given cannot be transcribed; the message says why and what to do."""


def max_bytes() -> int:
    return settings.UPLOAD_MAX_MB * 1024 * 1024


def too_big_message(size: int | None = None) -> str:
    got = f" ({size / 1024 / 1024:.0f} MB)" if size else ""
    return (
        f"That file is too big{got}: files up to {settings.UPLOAD_MAX_MB} MB are accepted here. "
        "Shorten or compress it, or put it online and give its https link instead."
    )


def sniff(head: bytes) -> str | None:
    """The content type that the file's first bytes show, or None when they are no audio or video we know."""
    for offset, magic, content_type, _name in SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            if magic == b"RIFF" and head[8:12] not in (b"WAVE", b"AVI "):
                return None
            return content_type
    # MPEG audio (MP3 without a tag, AAC in ADTS): an 11- or 12-bit frame sync.
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        return "audio/aac" if head[1] & 0xF6 == 0xF0 else "audio/mpeg"
    return None


def upload_receive(*, file, owner) -> AudioAsset:
    """Check an uploaded file (size, kind) and archive it as an asset of `owner`. Raises Refused."""
    if file.size > max_bytes():
        raise Refused(too_big_message(file.size))
    if not file.size:
        raise Refused("That file is empty: choose an audio or video file.")
    file.seek(0)
    content_type = sniff(file.read(16))
    file.seek(0)
    if content_type is None:
        raise Refused(
            f"“{PurePath(file.name).name}” does not look like audio or video: "
            f"choose a common audio or video file ({KINDS})."
        )
    suffix = PurePath(file.name).suffix.lower()
    suffix = suffix if suffix in EXTENSIONS.split() else ""
    asset = AudioAsset.objects.create(
        origin_kind=OriginKind.UPLOAD,
        owner_id=getattr(owner, "pk", owner),
        label=PurePath(file.name).name[:64],
    )
    try:
        asset_archive(
            asset=asset,
            chunks=file.chunks(),
            name=f"uploads/{uuid.uuid4().hex}{suffix}",
            content_type=content_type,
        )
    except BaseException:
        asset_discard(asset)
        raise
    if not asset.is_archived:
        asset_discard(asset)
        raise Refused("The file could not be stored intact: try again.")
    return asset


def asset_discard(asset: AudioAsset) -> None:
    """Remove an asset nobody will use (its submission failed) and its file."""
    name = asset.file.name if asset.file else ""
    asset.delete()
    if name:
        asset.file.storage.delete(name)


def link_check(url: str) -> str:
    """The link, stripped, if AssemblyAI could fetch it: https, a public host. Raises Refused."""
    url = url.strip()
    if len(url) > MAX_URL:
        raise Refused(f"That link is {len(url)} characters long: links up to {MAX_URL} are accepted.")
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise Refused("Give a link that starts with https:// (AssemblyAI downloads the audio from it).")
    host = parts.hostname
    try:
        why = refusal(host)
    except ValueError:  # a name, not an address
        why = "this computer" if host == "localhost" or host.endswith(".localhost") else None
    if why:
        raise Refused(f"AssemblyAI cannot download from {host} ({why}): give a public link.")
    if parts.username or parts.password:
        raise Refused("Give a link without a user name or password in it.")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if "." not in host:
            raise Refused(f"{host} is not a public host name: give a public link.") from None
    return url
