"""Archived audio served to a browser, with single byte ranges so players can seek.

Knows no app: the caller (a view that already checked access) says which asset and how to name it.
"""

from __future__ import annotations

import logging
import re

from django.http import FileResponse, HttpResponse

from .models import AudioAsset

logger = logging.getLogger(__name__)

ONE_RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)\Z")


def plain(message: str, status: int) -> HttpResponse:
    return HttpResponse(message + "\n", status=status, content_type="text/plain; charset=utf-8")


class _Window:
    """Reads at most `length` bytes of an open file, from where it stands."""

    def __init__(self, file, length: int):
        self.file, self.left = file, length

    def read(self, n: int = -1) -> bytes:
        n = self.left if n < 0 else min(n, self.left)
        data = self.file.read(n)
        self.left -= len(data)
        return data

    def close(self):
        self.file.close()


def byte_range(header: str, size: int) -> tuple[int, int] | None | bool:
    """(first, last) of one satisfiable range; None to send it all (none, or several); False: 416."""
    match = ONE_RANGE_RE.match(header)
    if match is None:
        return None
    first, last = match.groups()
    if first == "" and last == "":
        return None
    if first == "":  # the last N bytes
        length = int(last)
        if length == 0:
            return False
        return max(size - length, 0), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or end < start:
        return False
    return start, end


def asset_response(request, asset: AudioAsset, *, name: str, filename: str) -> HttpResponse:
    """Serve the archived `asset`; one byte range gets 206 + Content-Range, an impossible one 416.

    `name` is how messages call it ("recording RE…"); `filename` is the download's name.
    An asset withheld for redaction (its original, before the redacted copy) is never served: 404.
    """
    if asset.is_withheld:
        return plain(f"The {name} is withheld until its redacted copy is archived.", 404)
    size = asset.size or 0
    wanted = request.headers.get("Range", "")
    span = byte_range(wanted, size) if wanted else None
    if span is False:
        response = plain(f"Range {wanted!r} is outside the {name} ({size} bytes).", 416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    try:
        stored = asset.file.storage.open(asset.file.name, "rb")
    except OSError as exc:
        logger.warning("Archived audio %s could not be read: %s", asset.pk, type(exc).__name__)
        return plain(f"The archived {name} cannot be read.", 502)
    content_type = asset.content_type or "audio/wav"
    if span is None:
        response = FileResponse(stored, content_type=content_type)
        response["Content-Length"] = str(size)
    else:
        first, last = span
        stored.seek(first)
        if hasattr(stored, "stop_at"):
            stored.stop_at(last + 1)  # a bucket then sends just this range, not the rest of the object
        response = FileResponse(_Window(stored, last - first + 1), status=206, content_type=content_type)
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
        response["Content-Length"] = str(last - first + 1)
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = f'"{asset.sha256}"'
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    # Only this user's browser may keep it; seeking back then costs no new download.
    response["Cache-Control"] = "private, max-age=3600"
    return response
