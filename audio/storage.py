"""The recordings storage on an S3-compatible bucket: django-storages' S3Storage, streamed both ways.

Two things differ from S3Storage, both so that memory does not grow with the recording:
- writes go up in parts of PART_SIZE, one at a time (django-storages hands the file to boto3's
  transfer manager; one thread means one part in memory);
- reads are ranged GETs streamed from where the reader stands (`RangedObject`), where S3Storage's
  own file downloads the whole object into memory or a temporary file before the first byte.

Every failure of the bucket (refused, unreachable, missing) comes out as `StorageError`, an OSError
saying what the bucket answered, so callers handle a bucket like a disk. Keys never appear in it.
"""

from __future__ import annotations

import io

from boto3.exceptions import Boto3Error
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import BotoCoreError, ClientError
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

from djtranscribe.lib.redaction import redact

MIB = 1024 * 1024
# S3's smallest part is 5 MiB; 8 MiB is boto3's default part size.
PART_SIZE = 8 * MIB
BUCKET_ERRORS = (ClientError, BotoCoreError, Boto3Error)


class StorageError(OSError):
    """The bucket refused or could not be reached; the message is what it said, without keys."""


def bucket_message(exc: BaseException) -> str:
    """What the bucket (or the way to it) said: S3's error code and message, or botocore's."""
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = error.get("Code") or exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", "")
        said = error.get("Message") or ""
        text = f"{code}: {said}".strip(": ") if said else str(code)
    else:
        text = str(exc)
    return redact(text)


class RangedObject:
    """One stored object opened for reading: seekable, each read streamed by a GET with a Range.

    Seeking costs nothing until the next read; `stop_at` tells it where reading will end, so the
    GET asks for just that span (a player's byte range).
    """

    mode = "rb"

    def __init__(self, client, bucket: str, key: str, size: int):
        self._client, self._bucket, self.name, self.size = client, bucket, key, size
        self._pos, self._end, self._body = 0, size, None
        self.closed = False

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def writable(self) -> bool:
        return False

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self.size}[whence]
        position = base + offset
        if position < 0:
            raise ValueError(f"Cannot seek to {position}, before the start of {self.name}.")
        if position != self._pos:
            self._drop()
        self._pos = position
        return position

    def stop_at(self, end: int) -> None:
        """Nothing at or past byte `end` will be read (the GET then asks for no more)."""
        self._drop()
        self._end = min(end, self.size)

    def read(self, n: int | None = -1) -> bytes:
        if self.closed:
            raise ValueError(f"{self.name} is closed.")
        left = self._end - self._pos
        if left <= 0:
            return b""
        wanted = left if n is None or n < 0 else min(n, left)
        parts, got = [], 0
        try:
            if self._body is None:
                answer = self._client.get_object(
                    Bucket=self._bucket, Key=self.name, Range=f"bytes={self._pos}-{self._end - 1}"
                )
                self._body = answer["Body"]
            while got < wanted:
                data = self._body.read(wanted - got)
                if not data:
                    break
                parts.append(data)
                got += len(data)
        except BUCKET_ERRORS as exc:
            self._drop()
            raise StorageError(f"Reading {self.name} from the bucket failed: {bucket_message(exc)}") from None
        self._pos += got
        return b"".join(parts)

    def _drop(self) -> None:
        if self._body is not None:
            self._body.close()
            self._body = None

    def close(self) -> None:
        self._drop()
        self.closed = True

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


class S3RecordingsStorage(S3Storage):
    """S3Storage that uploads one part at a time and reads by ranges; failures are StorageError."""

    def __init__(self, **settings):
        settings.setdefault(
            "transfer_config",
            TransferConfig(
                multipart_threshold=PART_SIZE,
                multipart_chunksize=PART_SIZE,
                max_concurrency=1,
                use_threads=False,
            ),
        )
        # No ACL is sent: objects get the bucket's own (private) policy; the app never hands out URLs.
        settings.setdefault("default_acl", None)
        # A name in use gets a suffix, as in a folder: an archive never overwrites another asset's file.
        settings.setdefault("file_overwrite", False)
        super().__init__(**settings)

    def __repr__(self) -> str:
        return f"<S3RecordingsStorage s3://{self.bucket_name}/{self.location}>"

    def _open(self, name, mode="rb"):
        if "r" not in mode or "+" in mode:
            return super()._open(name, mode)
        key = self._normalize_name(clean_name(name))
        client = self.connection.meta.client
        try:
            head = client.head_object(Bucket=self.bucket_name, Key=key)
        except ClientError as exc:
            if exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
                raise FileNotFoundError(f"{key} is not in the bucket {self.bucket_name}.") from None
            raise StorageError(f"Opening {key} in the bucket failed: {bucket_message(exc)}") from None
        except BUCKET_ERRORS as exc:
            raise StorageError(f"Opening {key} in the bucket failed: {bucket_message(exc)}") from None
        return RangedObject(client, self.bucket_name, key, head["ContentLength"])

    def _save(self, name, content):
        try:
            return super()._save(name, content)
        except BUCKET_ERRORS as exc:
            raise StorageError(f"Storing {name} in the bucket failed: {bucket_message(exc)}") from None

    def delete(self, name):
        try:
            return super().delete(name)
        except BUCKET_ERRORS as exc:
            raise StorageError(f"Deleting {name} from the bucket failed: {bucket_message(exc)}") from None

    def exists(self, name):
        try:
            return super().exists(name)
        except BUCKET_ERRORS as exc:
            raise StorageError(f"Looking up {name} in the bucket failed: {bucket_message(exc)}") from None

    def size(self, name):
        try:
            return super().size(name)
        except BUCKET_ERRORS as exc:
            raise StorageError(f"Looking up {name} in the bucket failed: {bucket_message(exc)}") from None
