"""Writes on audio assets: making them, and archiving their audio into the `recordings` storage."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Iterator
from typing import IO, NoReturn

from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import AudioAsset

READ_CHUNK_SIZE = 64 * 1024

logger = logging.getLogger(__name__)


class AudioUnavailable(Exception):
    """The audio could not be read. `retryable` says whether trying again can help."""

    def __init__(self, message: str, *, retryable: bool = False):
        super().__init__(message)
        self.retryable = retryable


def asset_for_origin(
    *, kind: str, origin_id: str, origin_url: str = "", channels: int | None = None, **described: str
) -> AudioAsset:
    """The one asset of an origin (e.g. a RecordingSid), created on first sight; safe to repeat.

    `described` (label, title, page_url, player_url) is what the origin's app says about it now;
    an existing asset is brought up to date with it.
    """
    fields = {"origin_url": origin_url, "channels": channels, **described}
    try:
        with transaction.atomic():
            return AudioAsset.objects.create(origin_kind=kind, origin_id=origin_id, **fields)
    except IntegrityError:
        asset = AudioAsset.objects.get(origin_kind=kind, origin_id=origin_id)
    changed = [name for name, value in described.items() if value and getattr(asset, name) != value]
    if changed:
        for name in changed:
            setattr(asset, name, described[name])
        asset.save(update_fields=[*changed, "updated_at"])
    return asset


class _Hashing:
    """A file-like reader over chunks that counts and hashes what storage reads from it.

    Not seekable, so storages read it once, front to back (a bucket in parts, a folder in chunks).
    """

    def __init__(self, chunks: Iterable[bytes]):
        self._chunks: Iterator[bytes] = iter(chunks)
        self._buffer = b""
        self.size = 0
        self.digest = hashlib.sha256()

    closed = False

    def seekable(self) -> bool:
        return False

    def read(self, n: int | None = -1) -> bytes:
        # Joined once per read: a bucket asks for 8 MiB parts, made of many small chunks.
        parts, have = [self._buffer], len(self._buffer)
        while n is None or n < 0 or have < n:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            parts.append(chunk)
            have += len(chunk)
        data = b"".join(parts)
        if n is None or n < 0 or len(data) <= n:
            self._buffer = b""
        else:
            data, self._buffer = data[:n], data[n:]
        self.size += len(data)
        self.digest.update(data)
        return data


def _file_digest(asset: AudioAsset) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    with asset.file.storage.open(asset.file.name, "rb") as stored:
        while chunk := stored.read(READ_CHUNK_SIZE):
            size += len(chunk)
            digest.update(chunk)
    return size, digest.hexdigest()


def asset_archive(
    *, asset: AudioAsset, chunks: Iterable[bytes], name: str, content_type: str = ""
) -> AudioAsset:
    """Stream `chunks` into the recordings storage as `name`, then read it back to verify it.

    Memory stays flat whatever the size. The size and SHA-256 are stored; `archived_at` is set only
    when the stored copy matches them. Errors of the source propagate (nothing is recorded then, and
    nothing is left in storage); a storage that fails (a full disk, a bucket that refuses) raises
    AudioUnavailable (retryable) with what it said, in `archive_error`. A file another asset keeps
    under `name` is never touched: the copy then gets a name of its own.
    """
    reader = _Hashing(chunks)
    storage = asset.file.storage
    try:
        if asset.file:
            storage.delete(asset.file.name)  # an earlier, unverified attempt
        target = storage.get_available_name(name, max_length=AudioAsset._meta.get_field("file").max_length)
    except OSError as exc:
        _archive_failed(asset, f"The archive could not store {name}: {exc}")
    try:
        stored_name = storage.save(target, File(reader, name=target))
    except BaseException as exc:
        # Stopped half way (the source, a full disk): a folder keeps the part it wrote; a bucket, nothing.
        _delete_file(storage, target)
        if isinstance(exc, OSError):
            _archive_failed(asset, f"The archive could not store {name}: {exc}")
        raise
    asset.file.name = stored_name
    asset.size = reader.size
    asset.sha256 = reader.digest.hexdigest()
    asset.content_type = content_type[:100]
    try:
        stored = _file_digest(asset)
    except OSError as exc:
        asset.save(update_fields=["file", "size", "sha256", "content_type", "updated_at"])
        _archive_failed(asset, f"The archive could not read {name} back to verify it: {exc}")
    if stored == (asset.size, asset.sha256):
        asset.archived_at = timezone.now()
        asset.archive_error = ""
    else:
        asset.archived_at = None
        asset.archive_error = "The stored copy does not match what was downloaded."
    asset.save(
        update_fields=["file", "size", "sha256", "content_type", "archived_at", "archive_error", "updated_at"]
    )
    return asset


def _archive_failed(asset: AudioAsset, message: str) -> NoReturn:
    asset.archived_at = None
    asset.archive_error = message[:255]
    asset.save(update_fields=["archived_at", "archive_error", "updated_at"])
    raise AudioUnavailable(message, retryable=True)


# What says which file an asset holds; asset_swap_files exchanges exactly these.
FILE_FIELDS = ("file", "size", "sha256", "content_type", "archived_at", "archive_error", "redaction")


def asset_swap_files(first: AudioAsset, second: AudioAsset) -> None:
    """Exchange the stored files (and what describes them) of two assets; no byte is copied.

    For PII redaction: the origin's asset (the one every page and the recording's row find) takes
    the redacted copy, and the other row takes the original, to be kept or discarded.
    """
    with transaction.atomic():
        for name in FILE_FIELDS:
            theirs, ours = getattr(second, name), getattr(first, name)
            if name == "file":
                theirs, ours = theirs.name, ours.name
            setattr(first, name, theirs)
            setattr(second, name, ours)
        first.save(update_fields=[*FILE_FIELDS, "updated_at"])
        second.save(update_fields=[*FILE_FIELDS, "updated_at"])


def asset_open(asset: AudioAsset) -> IO[bytes]:
    """The archived audio, opened for reading. Raises AudioUnavailable when it is not archived."""
    if not asset.is_archived:
        raise AudioUnavailable(f"The audio of {asset} is not archived yet.", retryable=True)
    try:
        return asset.file.storage.open(asset.file.name, "rb")
    except OSError as exc:
        raise AudioUnavailable(
            f"The archived audio of {asset} cannot be read: {exc}", retryable=True
        ) from None


def asset_discard(asset: AudioAsset) -> None:
    """Delete an asset and, once the transaction commits, its archived file (the voice goes with it)."""
    storage, name = asset.file.storage, asset.file.name
    asset.delete()
    if name:
        # On commit: a rolled-back deletion must not have lost the file.
        transaction.on_commit(lambda: _delete_file(storage, name))


def _delete_file(storage, name: str) -> None:
    try:
        storage.delete(name)
    except OSError as exc:
        logger.warning("The archived audio %s was not deleted: %s", name, exc)
