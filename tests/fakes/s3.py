"""A real S3 API on loopback for the archive tests: moto's server, started by the tests themselves.

`recordings_storage` is parametrized: each test that takes it runs once on a local folder and once
on a fresh bucket of the loopback server, through the same `audio.storage.S3RecordingsStorage`
production uses. Nothing leaves 127.0.0.1, so CI needs nothing else.
"""

from __future__ import annotations

import logging
import uuid

import pytest
from django.core.files.storage import FileSystemStorage

S3_KEY_ID = "testing-key-id"
S3_SECRET = "testing-secret-key-0123456789"


@pytest.fixture(scope="session")
def s3_endpoint():
    """moto's S3 on 127.0.0.1 and a port the system picked; stopped after the run."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def s3_storage(endpoint: str, bucket: str, **options):
    """The app's bucket storage, pointed at the loopback server."""
    from audio.storage import S3RecordingsStorage

    return S3RecordingsStorage(
        bucket_name=bucket,
        location="recordings",
        endpoint_url=endpoint,
        region_name="us-east-1",
        addressing_style="path",
        access_key=S3_KEY_ID,
        secret_key=S3_SECRET,
        **options,
    )


def new_bucket(endpoint: str):
    """A storage on a bucket of its own (created now), so tests never see each other's objects."""
    storage = s3_storage(endpoint, f"recordings-{uuid.uuid4().hex[:16]}")
    storage.connection.meta.client.create_bucket(Bucket=storage.bucket_name)
    return storage


def use_storage(monkeypatch, storage) -> None:
    """Make `storage` the recordings storage of every AudioAsset, as STORAGES["recordings"] would."""
    from audio.models import AudioAsset

    # FileField resolves its storage callable once, when the model is defined: swap the instance.
    monkeypatch.setattr(AudioAsset._meta.get_field("file"), "storage", storage)


@pytest.fixture(params=["folder", "s3"])
def recordings_storage(request, monkeypatch, tmp_path):
    """The recordings storage, once a local folder and once a bucket on the loopback S3 server."""
    if request.param == "folder":
        storage = FileSystemStorage(location=tmp_path / "recordings", base_url=None)
    else:
        storage = new_bucket(request.getfixturevalue("s3_endpoint"))
    use_storage(monkeypatch, storage)
    return storage


@pytest.fixture
def bucket_storage(monkeypatch, s3_endpoint):
    """The recordings storage on a bucket of the loopback S3 server only (what folders do not have)."""
    storage = new_bucket(s3_endpoint)
    use_storage(monkeypatch, storage)
    return storage


def s3_requests(storage) -> list[dict]:
    """Record the S3 operations `storage` makes from now on: [{'operation', 'range'}, ...]."""
    seen: list[dict] = []

    def note(params, model, **kwargs):
        seen.append({"operation": model.name, "range": params.get("headers", {}).get("Range")})

    storage.connection.meta.client.meta.events.register("before-call.s3", note)
    return seen
